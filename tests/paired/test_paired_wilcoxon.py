"""rs.paired.wilcoxon against R wilcox.test(paired = TRUE, conf.int = TRUE), coin's exact
wilcoxsign_test (ties and zeros) and scipy.stats.wilcoxon.

Reference: tests/reference/paired/wilcoxon.R -> wilcoxon.json (R 4.2.2, coin 1.4.2).
Tolerances: exact p-values 1e-10 relative; asymptotic p-values 1e-6 relative (they agree to
~1e-10); Hodges-Lehmann estimate and interval 1e-9 absolute (R's uniroot steps are reproduced).
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import rheumstats as rs

REF = json.loads((Path(__file__).parents[1] / "reference" / "paired" / "wilcoxon.json").read_text())
DATA = REF["datasets"]


@pytest.mark.parametrize("case", REF["cases"], ids=lambda c: f"{c['data']}-{c['alternative']}-exact{c['exact']}-corr{c['correct']}")
def test_wilcoxon_matches_r(case):
    d = DATA[case["data"]]
    r_exact = "exact" in case["method"]  # R falls back to the approximation with ties/zeros
    r = rs.paired.wilcoxon(d["x"], d["y"], alternative=case["alternative"], method="exact" if r_exact else "approx", correction=case["correct"])
    assert r.statistic == case["statistic"]
    assert r.method == ("exact" if r_exact else "approx")
    assert r.pvalue == pytest.approx(case["pvalue"], rel=1e-10 if r_exact else 1e-6)
    # Hodges-Lehmann: the interval follows R's rule (exact only without ties/zeros and with R's exact p)
    if not r_exact:
        r = rs.paired.wilcoxon(d["x"], d["y"], alternative=case["alternative"], method="approx" if not case["exact"] else "auto", correction=case["correct"])
        if case["exact"]:  # R: exact requested but ties/zeros -> asymptotic interval
            r = rs.paired.wilcoxon(d["x"], d["y"], alternative=case["alternative"], method="exact", correction=case["correct"])
    assert r.estimate == pytest.approx(case["estimate"], abs=1e-9)
    ci = np.array(r.confidence_interval(), dtype=float)
    want = np.array(case["ci"], dtype=float)  # JSON null = infinite bound
    want = np.where(np.isnan(want), [-np.inf, np.inf], want)
    np.testing.assert_allclose(ci, want, atol=1e-9, rtol=0)


@pytest.mark.parametrize("case", REF["coin"], ids=lambda c: f"{c['data']}-{c['zero_method']}-{c['alternative']}")
def test_exact_wilcoxon_with_ties_and_zeros_matches_coin(case):
    # coin's zero.method "Pratt" = zero_method='pratt', "Wilcoxon" = 'wilcox'
    d = DATA[case["data"]]
    zm = {"Pratt": "pratt", "Wilcoxon": "wilcox"}[case["zero_method"]]
    r = rs.paired.wilcoxon(d["x"], d["y"], alternative=case["alternative"], method="exact", zero_method=zm, conf_int=False)
    assert r.method == "exact"
    assert r.pvalue == pytest.approx(case["pvalue"], rel=1e-10)


def test_sleep_exact_with_ties_and_a_zero_is_the_default():
    # R's sleep data: n = 10 with one zero and ties; 'auto' is exact (coin: 0.00390625)
    d = DATA["sleep"]
    r = rs.paired.wilcoxon(d["x"], d["y"])
    assert r.method == "exact" and r.n == 9 and r.n_zero == 1
    assert r.pvalue == pytest.approx(0.00390625, rel=1e-12)


@pytest.mark.parametrize("zero_method", ["wilcox", "pratt", "zsplit"])
@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_normal_approximation_matches_scipy(zero_method, alternative):
    correction = False  # see test_matrix_mode_matches_scipy_wilcoxon_axis
    d = DATA["mrss"]  # ties and zeros
    x, y = np.array(d["x"]), np.array(d["y"])
    r = rs.paired.wilcoxon(x, y, method="approx", zero_method=zero_method, correction=correction, alternative=alternative)
    s = stats.wilcoxon(y, x, method="asymptotic", zero_method=zero_method, correction=correction, alternative=alternative)
    assert r.pvalue == pytest.approx(s.pvalue, rel=1e-9)


def test_exact_without_ties_matches_scipy():
    d = DATA["cont15"]
    for alt in ("two-sided", "less", "greater"):
        r = rs.paired.wilcoxon(d["x"], d["y"], method="exact", alternative=alt)
        s = stats.wilcoxon(np.array(d["y"]), np.array(d["x"]), method="exact", alternative=alt)
        assert r.pvalue == pytest.approx(s.pvalue, rel=1e-12)


@pytest.mark.parametrize("axis", [0, 1])
def test_matrix_mode_matches_scipy_wilcoxon_axis(axis):
    rng = np.random.default_rng(8)
    shape = (70, 12) if axis == 0 else (12, 70)
    x = rng.normal(size=shape).round(1)
    y = (x + rng.normal(0.2, 1, shape)).round(1)
    # correction=False: on this data scipy 1.17 with correction=True differs from R
    # wilcox.test(correct=TRUE); rheumstats follows R there (test_wilcoxon_matches_r)
    r = rs.paired.wilcoxon(x, y, axis=axis, method="approx", correction=False)
    s = stats.wilcoxon(y, x, axis=axis, method="asymptotic", correction=False)
    np.testing.assert_allclose(r.pvalue, s.pvalue, rtol=1e-9)
    # scipy reports min(V+, V-) two-sided; V+ + V- = n(n+1)/2
    n = r.n.astype(float)
    np.testing.assert_allclose(np.minimum(r.statistic, n * (n + 1) / 2 - r.statistic), s.statistic)


def test_matrix_mode_equals_1d_row_by_row():
    rng = np.random.default_rng(9)
    x = rng.integers(0, 20, (25, 5)).astype(float)
    y = x + rng.integers(-4, 4, (25, 5))
    x[2, 3] = np.nan
    m = rs.paired.wilcoxon(pd.DataFrame(x, columns=list("abcde")), pd.DataFrame(y, columns=list("abcde")), nan_policy="omit")
    assert list(m._index) == list("abcde")
    for j in range(5):
        one = rs.paired.wilcoxon(x[:, j], y[:, j], nan_policy="omit")
        assert (m.statistic[j], m.pvalue[j], m.estimate[j], m.method[j]) == (one.statistic, one.pvalue, one.estimate, one.method)
        assert m.confidence_interval().high[j] == one.confidence_interval().high


def test_matrix_mode_gives_nan_for_an_all_zero_endpoint():
    x = np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 4.0], [4.0, 5.0]])
    y = np.array([[1.0, 3.0], [2.0, 5.0], [3.0, 6.0], [4.0, 9.0]])
    m = rs.paired.wilcoxon(x, y)
    assert np.isnan(m.pvalue[0]) and m.pvalue[1] == 0.125


def test_matrix_exact_without_ties_equals_1d_and_scipy():
    # matrix mode shares one tie-free exact distribution across endpoints
    rng = np.random.default_rng(12)
    x = rng.normal(size=(40, 20))
    y = x + rng.normal(0.3, 1, (40, 20))
    m = rs.paired.wilcoxon(x, y, axis=1)
    s = stats.wilcoxon(y, x, axis=1, method="exact")
    np.testing.assert_allclose(m.pvalue, s.pvalue, rtol=1e-12)
    for j in (0, 17, 39):
        assert m.pvalue[j] == rs.paired.wilcoxon(x[j], y[j]).pvalue


@pytest.mark.parametrize("case", REF["mu"], ids=lambda c: f"{c['data']}-mu{c['mu']}")
def test_wilcoxon_with_null_value_matches_r(case):
    # R's default exact rule (exact when n < 50 and no ties or zeros after subtracting mu)
    d = DATA[case["data"]]
    r_exact = "exact" in case["method"]
    r = rs.paired.wilcoxon(d["x"], d["y"], popmean=case["mu"], method="exact" if r_exact else "approx")
    assert r.statistic == case["statistic"]
    assert r.pvalue == pytest.approx(case["pvalue"], rel=1e-10 if r_exact else 1e-6)
    assert r.estimate == pytest.approx(case["estimate"], abs=1e-9)
    np.testing.assert_allclose(r.confidence_interval(), case["ci"], atol=1e-9, rtol=0)
