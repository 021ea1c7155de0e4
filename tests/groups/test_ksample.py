"""rs.groups.kruskal / anova_oneway against R kruskal.test / oneway.test(var.equal = TRUE)
(tests/reference/groups/ksample.R -> ksample.json)."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs

REF = json.loads((Path(__file__).parents[1] / "reference" / "groups" / "ksample.json").read_text())
RTOL = 1e-10  # closed forms; chi-squared / F tails from statrs
NAMES = [k for k in REF if k != "versions"]


@pytest.mark.parametrize("name", NAMES)
def test_kruskal_matches_r(name):
    d = REF[name]
    r = rs.groups.kruskal(d["values"], d["groups"])
    assert r.statistic == pytest.approx(d["kruskal"]["statistic"], rel=RTOL)
    assert r.df == d["kruskal"]["df"]
    assert r.pvalue == pytest.approx(d["kruskal"]["p_value"], rel=RTOL)


@pytest.mark.parametrize("name", NAMES)
def test_anova_oneway_matches_r(name):
    d = REF[name]
    r = rs.groups.anova_oneway(pd.Series(d["values"]), pd.Series(d["groups"]))
    assert r.statistic == pytest.approx(d["anova"]["statistic"], rel=RTOL)
    assert [r.df, r.df_denom] == d["anova"]["df"]
    assert r.pvalue == pytest.approx(d["anova"]["p_value"], rel=RTOL)


def test_single_group_and_missing():
    with pytest.raises(ValueError, match="groups"):
        rs.groups.kruskal([1.0, 2.0, 3.0], ["a", "a", "a"])
    with pytest.raises(ValueError, match="groups"):
        rs.groups.anova_oneway([1.0, 2.0, 3.0], ["a", "a", "a"])
    with pytest.raises(ValueError, match="same length"):
        rs.groups.kruskal([1.0, 2.0], ["a"])
    assert np.isnan(rs.groups.kruskal([1.0, np.nan, 3.0, 4.0], ["a", "a", "b", "b"]).pvalue)
    o = rs.groups.kruskal([1.0, np.nan, 3.0, 4.0, 2.0], ["a", "a", "b", "b", None], nan_policy="omit")
    assert o.n == 3 and o.levels == ("a", "b")
