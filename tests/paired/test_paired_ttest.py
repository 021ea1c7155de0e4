"""rs.paired.ttest against R t.test(paired = TRUE) and scipy ttest_rel.

Reference: tests/reference/paired/ttest.R -> ttest.json (R 4.2.2).
Tolerance: 1e-10 relative (closed form).
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import rheumstats as rs

REF = json.loads((Path(__file__).parents[1] / "reference" / "paired" / "ttest.json").read_text())
RTOL = 1e-10


@pytest.mark.parametrize("case", REF["cases"], ids=lambda c: f"{c['data']}-{c['alternative']}-mu{c['mu']}-{c['conf_level']}")
def test_ttest_matches_r(case):
    d = REF["datasets"][case["data"]]
    r = rs.paired.ttest(d["x"], d["y"], alternative=case["alternative"], popmean=case["mu"], conf_level=case["conf_level"])
    assert r.statistic == pytest.approx(case["statistic"], rel=RTOL)
    assert r.pvalue == pytest.approx(case["pvalue"], rel=RTOL)
    assert r.df == case["df"]
    assert r.se == pytest.approx(case["stderr"], rel=RTOL)
    assert r.mean_diff == pytest.approx(case["estimate"], rel=RTOL)
    lo, hi = r.confidence_interval()
    want = np.array(case["ci"], dtype=float)
    want = np.where(np.isnan(want), [-np.inf, np.inf], want)  # JSON null = infinite bound
    np.testing.assert_allclose([lo, hi], want, rtol=RTOL)


def test_confidence_interval_at_another_level_matches_r():
    # the 0.95 result recomputes the 0.90 interval (R case with conf_level 0.9)
    case = next(c for c in REF["cases"] if c["data"] == "immer" and c["alternative"] == "two-sided" and c["mu"] == 0 and c["conf_level"] == 0.9)
    d = REF["datasets"]["immer"]
    r = rs.paired.ttest(d["x"], d["y"])
    np.testing.assert_allclose(r.confidence_interval(0.9), case["ci"], rtol=RTOL)


def test_one_sample_ttest_matches_r():
    o = REF["one_sample"]
    r = rs.paired.ttest(REF["datasets"]["immer"]["x"], popmean=o["mu"])
    assert r.statistic == pytest.approx(o["statistic"], rel=RTOL)
    assert r.pvalue == pytest.approx(o["pvalue"], rel=RTOL)
    np.testing.assert_allclose(r.confidence_interval(), o["ci"], rtol=RTOL)


def test_effect_sizes_by_hand():
    d = REF["datasets"]["sleep"]
    diff = np.array(d["y"]) - np.array(d["x"])
    r = rs.paired.ttest(d["x"], d["y"], popmean=0.5)
    sd = diff.std(ddof=1)
    assert r.srm == pytest.approx(diff.mean() / sd, rel=1e-13)
    assert r.cohen_dz == pytest.approx((diff.mean() - 0.5) / sd, rel=1e-13)
    assert r.n == 10 and isinstance(r.n, int)
    stat, p = r  # unpacks like scipy
    assert (stat, p) == (r.statistic, r.pvalue)


@pytest.mark.parametrize("axis", [0, 1])
def test_matrix_mode_matches_scipy_ttest_rel(axis):
    rng = np.random.default_rng(4)
    x = rng.normal(10, 2, (40, 25))
    y = x + rng.normal(0.3, 1, (40, 25))
    r = rs.paired.ttest(x, y, axis=axis)
    s = stats.ttest_rel(y, x, axis=axis)
    np.testing.assert_allclose(r.statistic, s.statistic, rtol=1e-12)
    np.testing.assert_allclose(r.pvalue, s.pvalue, rtol=1e-10)
    assert r.statistic.shape == (25 if axis == 0 else 40,)


def test_matrix_mode_equals_1d_row_by_row_with_omit():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(30, 6))
    y = x + rng.normal(0.2, 1, (30, 6))
    x[3, 1] = np.nan
    y[7, 4] = np.nan
    df_x = pd.DataFrame(x, columns=[f"e{j}" for j in range(6)])
    df_y = pd.DataFrame(y, columns=df_x.columns)
    m = rs.paired.ttest(df_x, df_y, nan_policy="omit")
    assert list(m._index) == list(df_x.columns)
    for j in range(6):
        one = rs.paired.ttest(x[:, j], y[:, j], nan_policy="omit")
        for f in ("statistic", "pvalue", "df", "mean_diff", "sd_diff", "cohen_dz"):
            assert getattr(m, f)[j] == getattr(one, f)
        assert m.confidence_interval().low[j] == one.confidence_interval().low
    frame = m.to_frame()
    assert list(frame.index) == list(df_x.columns) and "ci_low" in frame


def test_constant_differences_give_nan_as_scipy():
    r = rs.paired.ttest([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert np.isnan(r.statistic) and np.isnan(r.pvalue)
