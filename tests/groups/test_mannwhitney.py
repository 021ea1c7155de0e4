"""rs.groups.mannwhitney against R wilcox.test / coin::wilcox_test
(tests/reference/groups/mannwhitney.R -> mannwhitney.json) and scipy (matrix mode)."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs

REF = json.loads((Path(__file__).parents[1] / "reference" / "groups" / "mannwhitney.json").read_text())
SETS = [k for k in REF if k != "versions"]
ALTS = {"two.sided": "two-sided", "less": "less", "greater": "greater"}
EXACT_RTOL = 1e-10  # exact p-values
ASYMP_RTOL = 1e-6  # asymptotic p-values and HL CIs


def num(v):
    return float(v) if not isinstance(v, str) else float(v.replace("NA", "nan"))


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("alt", list(ALTS))
def test_exact_pvalue_with_and_without_ties_matches_coin(name, alt):
    # source: coin::wilcox_test(distribution = "exact"); tolerance 1e-10 relative
    d = REF[name]
    r = rs.groups.mannwhitney(d["x"], d["y"], alternative=ALTS[alt], method="exact")
    assert r.method == "exact"
    assert r.pvalue == pytest.approx(d[alt]["coin_exact_p"], rel=EXACT_RTOL)


@pytest.mark.parametrize("name", [k for k in SETS if not REF[k]["ties"]])
@pytest.mark.parametrize("alt", list(ALTS))
def test_exact_no_ties_matches_r_wilcox_test(name, alt):
    # source: wilcox.test(exact = TRUE, conf.int = TRUE); exact CI and HL estimate, 1e-10
    d = REF[name]
    e = d[alt]["exact"]
    r = rs.groups.mannwhitney(d["x"], d["y"], alternative=ALTS[alt], conf_level=e["conf_level"])
    assert r.method == "exact" and r.ci_method == "exact"
    assert r.statistic == e["statistic"]
    assert r.pvalue == pytest.approx(e["p_value"], rel=EXACT_RTOL)
    assert r.estimate == pytest.approx(e["estimate"], rel=EXACT_RTOL)
    lo, hi = r.confidence_interval()
    assert lo == pytest.approx(num(e["conf_int"][0]), rel=EXACT_RTOL)
    assert hi == pytest.approx(num(e["conf_int"][1]), rel=EXACT_RTOL)


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("alt", list(ALTS))
@pytest.mark.parametrize("correct", [True, False])
def test_approx_pvalue_and_ci_match_r(name, alt, correct):
    # source: wilcox.test(exact = FALSE, correct, conf.int = TRUE, conf.level = 0.9);
    # CI vs the tol.root = 1e-12 run (R's default uniroot tol is 1e-4); 1e-6
    d = REF[name]
    e = d[alt][f"approx_correct_{'TRUE' if correct else 'FALSE'}"]
    r = rs.groups.mannwhitney(d["x"], d["y"], alternative=ALTS[alt], method="approx", correction=correct, conf_level=e["conf_level"])
    assert r.method == "approx"
    assert r.statistic == e["statistic"]
    assert r.pvalue == pytest.approx(e["p_value"], rel=ASYMP_RTOL)
    lo, hi = r.confidence_interval()
    assert lo == pytest.approx(num(e["conf_int_refined"][0]), rel=ASYMP_RTOL, abs=1e-9)
    assert hi == pytest.approx(num(e["conf_int_refined"][1]), rel=ASYMP_RTOL, abs=1e-9)
    # R's default-tolerance answer is within its uniroot tolerance of ours
    assert lo == pytest.approx(num(e["conf_int"][0]), abs=2e-4)


@pytest.mark.parametrize("name", SETS)
def test_estimate_is_the_median_of_pairwise_differences_matches_r(name):
    # source: median(outer(x, y, "-")) in R; 1e-10
    d = REF[name]
    r = rs.groups.mannwhitney(d["x"], d["y"], method="approx")
    assert r.estimate == pytest.approx(d["hodges_lehmann"], rel=EXACT_RTOL)


def test_auto_is_exact_with_ties_below_50():
    d = REF["heavy_ties"]
    r = rs.groups.mannwhitney(d["x"], d["y"])
    assert r.method == "exact" and r.ci_method == "approx"
    big = rs.groups.mannwhitney(np.arange(60.0), np.arange(55.0) + 0.5)
    assert big.method == "approx"


def test_confidence_interval_at_another_level_recomputes():
    d = REF["unequal_noties"]
    r = rs.groups.mannwhitney(d["x"], d["y"], conf_level=0.95)
    r80 = r.confidence_interval(0.8)
    assert r80 == rs.groups.mannwhitney(d["x"], d["y"], conf_level=0.8).confidence_interval()
    assert r80.low >= r.confidence_interval().low


def test_matrix_mode_matches_scipy_and_1d():
    # source: scipy.stats.mannwhitneyu(axis=0, method='asymptotic'); 1e-10 (same formula)
    scipy_stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(7)
    x = rng.integers(0, 8, (30, 6)).astype(float)
    y = rng.integers(1, 9, (25, 6)).astype(float)
    r = rs.groups.mannwhitney(x, y, method="approx")
    s = scipy_stats.mannwhitneyu(x, y, axis=0, method="asymptotic")
    np.testing.assert_allclose(r.statistic, s.statistic, rtol=1e-12)
    np.testing.assert_allclose(r.pvalue, s.pvalue, rtol=1e-10)
    one = rs.groups.mannwhitney(x[:, 2], y[:, 2], method="approx")
    assert r.estimate[2] == one.estimate and r.confidence_interval().low[2] == one.confidence_interval().low
    rt = rs.groups.mannwhitney(x.T, y.T, method="approx", axis=1)
    np.testing.assert_array_equal(rt.pvalue, r.pvalue)
    df = rs.groups.mannwhitney(pd.DataFrame(x, columns=list("abcdef")), pd.DataFrame(y, columns=list("abcdef"))).to_frame()
    assert list(df.index) == list("abcdef")


def test_matrix_nan_policies():
    x = np.array([[1.0, 2.0], [2.0, np.nan], [3.0, 4.0], [5.0, 1.0]])
    y = np.array([[2.0, 3.0], [4.0, 5.0], [6.0, 7.0]])
    r = rs.groups.mannwhitney(x, y)
    assert np.isnan(r.pvalue[1]) and not np.isnan(r.pvalue[0])
    o = rs.groups.mannwhitney(x, y, nan_policy="omit")
    assert o.pvalue[1] == rs.groups.mannwhitney([2.0, 4.0, 1.0], [3.0, 5.0, 7.0]).pvalue
    with pytest.raises(ValueError, match=r"x\[:, 1\]\[1\]"):
        rs.groups.mannwhitney(x, y, nan_policy="raise")
    xd = pd.DataFrame(x, columns=["mrss", "fvc"], index=list("abcd"))
    yd = pd.DataFrame(y, columns=["mrss", "fvc"])
    with pytest.raises(ValueError, match=r"x\['fvc'\]\[1\] \(index 'b'\)"):
        rs.groups.mannwhitney(xd, yd, nan_policy="raise")


def test_bad_input():
    with pytest.raises(ValueError, match="y"):
        rs.groups.mannwhitney([1.0, 2.0], [])
    with pytest.raises(ValueError, match="method"):
        rs.groups.mannwhitney([1.0, 2.0], [3.0], method="permutation")
    with pytest.raises(ValueError, match="x"):
        rs.groups.mannwhitney([1.0, np.nan], [3.0], nan_policy="raise")
    assert np.isnan(rs.groups.mannwhitney([1.0, np.nan], [3.0]).pvalue)
    with pytest.raises(TypeError, match="x"):
        rs.groups.mannwhitney(["a", "b"], [3.0])


def test_results_pickle_and_frame():
    import pickle

    d = REF["mrss_ties"]
    r = rs.groups.mannwhitney(d["x"], d["y"])
    r2 = pickle.loads(pickle.dumps(r))
    assert r2.pvalue == r.pvalue and r2.confidence_interval() == r.confidence_interval()
    f = r.to_frame()
    assert {"statistic", "pvalue", "estimate", "ci_low", "ci_high"} <= set(f.columns)
    w, p = r
    assert (w, p) == (r.statistic, r.pvalue)
    assert "MannWhitneyResult" in repr(r)


@pytest.mark.parametrize("axis", [0, 1])
def test_matrix_confidence_interval_at_another_level_uses_a_snapshot(axis):
    # the stored samples are copies: changing the inputs afterwards changes nothing
    rng = np.random.default_rng(17)
    x, y = rng.normal(0, 1, (30, 7)), rng.normal(0.4, 1, (25, 7))
    x[3, 2] = np.nan
    if axis == 1:
        x, y = x.T.copy(), y.T.copy()
    r = rs.groups.mannwhitney(x, y, axis=axis, nan_policy="omit")
    want = rs.groups.mannwhitney(x, y, axis=axis, nan_policy="omit", conf_level=0.8).confidence_interval()
    x[...] = 0.0
    got = r.confidence_interval(0.8)
    np.testing.assert_array_equal(got.low, want.low)
    np.testing.assert_array_equal(got.high, want.high)
