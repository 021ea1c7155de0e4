"""rs.groups.ttest against R t.test (tests/reference/groups/ttest.R -> ttest.json)."""

import json
from pathlib import Path

import numpy as np
import pytest

import rheumstats as rs

REF = json.loads((Path(__file__).parents[1] / "reference" / "groups" / "ttest.json").read_text())
RTOL = 1e-10  # closed forms (t quantiles/CDF from statrs)
ALTS = {"two.sided": "two-sided", "less": "less", "greater": "greater"}


def num(v):
    return float(v)


@pytest.mark.parametrize("name", [k for k in REF if k != "versions"])
@pytest.mark.parametrize("equal_var", [False, True])
@pytest.mark.parametrize("alt", list(ALTS))
@pytest.mark.parametrize("level", [0.95, 0.9])
def test_ttest_matches_r(name, equal_var, alt, level):
    d = REF[name]
    key = f"{'student' if equal_var else 'welch'}_{alt}_{level:g}"
    e = d[key]
    r = rs.groups.ttest(d["x"], d["y"], equal_var=equal_var, alternative=ALTS[alt], conf_level=level)
    assert r.statistic == pytest.approx(e["statistic"], rel=RTOL)
    assert r.df == pytest.approx(e["df"], rel=RTOL)
    assert r.pvalue == pytest.approx(e["p_value"], rel=RTOL)
    assert r.mean_diff == pytest.approx(e["mean_diff"], rel=RTOL)
    assert r.se == pytest.approx(e["stderr"], rel=RTOL)
    lo, hi = r.confidence_interval()
    assert lo == pytest.approx(num(e["conf_int"][0]), rel=RTOL)
    assert hi == pytest.approx(num(e["conf_int"][1]), rel=RTOL)


def test_other_conf_level_and_unpacking():
    d = REF["mrss_change"]
    r = rs.groups.ttest(d["x"], d["y"])
    ci90 = r.confidence_interval(0.9)
    assert ci90.low == pytest.approx(float(d["welch_two.sided_0.9"]["conf_int"][0]), rel=RTOL)
    t, p = r
    assert (t, p) == (r.statistic, r.pvalue)


def test_group_with_one_observation_is_an_error_for_welch():
    # R: t.test(1, c(2, 3)) stops with "not enough 'x' observations"
    with pytest.raises(ValueError, match=r"^x: 1 non-missing"):
        rs.groups.ttest([1.0], [2.0, 3.0])
    with pytest.raises(ValueError, match=r"^y: 1 non-missing"):
        rs.groups.ttest([1.0, 2.0], [3.0])
    # pooled: one observation in a group is allowed (R too)
    assert np.isfinite(rs.groups.ttest([1.0], [2.0, 3.0, 3.5], equal_var=True).pvalue)


def test_constant_data_and_nan():
    with pytest.raises(ValueError, match="constant"):
        rs.groups.ttest([1.0, 1.0], [1.0, 1.0])
    assert np.isnan(rs.groups.ttest([1.0, np.nan, 2.0], [3.0, 4.0]).pvalue)
    a = rs.groups.ttest([1.0, np.nan, 2.0], [3.0, 4.0], nan_policy="omit")
    assert a.pvalue == rs.groups.ttest([1.0, 2.0], [3.0, 4.0]).pvalue
