"""rs.groups.compare_subgroups on the bundled (simulated) cohort: mRSS change
0 -> 12 months by cutaneous subset, against R (tests/reference/groups/subgroups.R
-> subgroups.json: mean/sd, paired t.test, Welch t.test and coin exact
Wilcoxon-Mann-Whitney on the changes)."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs

REF = json.loads((Path(__file__).parents[1] / "reference" / "groups" / "subgroups.json").read_text())
RTOL = 1e-10  # closed forms and exact p-values


@pytest.fixture(scope="module")
def wide():
    visits, patients = rs.datasets.tocilizumab_ssc()
    w = visits[visits["month"].isin([0, 12])].pivot(index="patient", columns="month", values="mrss")
    w.columns = ["mrss_0", "mrss_12"]
    return w.join(patients.set_index("patient")[["subset", "disease_duration_years"]])


def test_compare_subgroups_matches_r(wide):
    out = rs.groups.compare_subgroups(wide, {"mrss": ("mrss_0", "mrss_12")}, by="subset")
    assert out.index.names == ["endpoint", "subgroup"]
    assert list(out.index) == [("mrss", "diffuse"), ("mrss", "limited")]
    for s in ("diffuse", "limited"):
        row, e = out.loc[("mrss", s)], REF[s]
        assert row["n"] == e["n"]
        for k in ("mean_before", "mean_after", "mean_change", "sd_change", "p_t"):
            assert row[k] == pytest.approx(e[k], rel=RTOL), k
        sub = wide[wide["subset"] == s].dropna(subset=["mrss_0", "mrss_12"])
        assert row["p_wilcoxon"] == rs.paired.wilcoxon(sub["mrss_0"], sub["mrss_12"]).pvalue
    b = REF["between"]
    assert out["p_between_t"].iloc[0] == pytest.approx(b["p_welch"], rel=RTOL)
    assert out["p_between_rank"].iloc[0] == pytest.approx(b["p_coin_exact"], rel=RTOL)


def test_more_than_two_levels_uses_anova_and_kruskal(wide):
    by = pd.cut(wide["disease_duration_years"], [0, 3, 8, 100], labels=["<3", "3-8", ">8"])
    out = rs.groups.compare_subgroups(wide, {"mrss": ("mrss_0", "mrss_12")}, by=by, adjust="holm")
    d = (wide["mrss_12"] - wide["mrss_0"])
    ok = d.notna() & by.notna()
    assert out["p_between_t"].iloc[0] == pytest.approx(rs.groups.anova_oneway(d[ok], by[ok].astype(str)).pvalue, rel=1e-12)
    assert out["p_between_rank"].iloc[0] == pytest.approx(rs.groups.kruskal(d[ok], by[ok].astype(str)).pvalue, rel=1e-12)
    assert "p_between_t_adjusted" in out.columns
    assert list(out.index.get_level_values("subgroup")) == ["<3", "3-8", ">8"]


def test_by_with_a_single_level_is_an_error(wide):
    with pytest.raises(ValueError, match=r"^by: needs at least 2 subgroups"):
        rs.groups.compare_subgroups(wide, {"mrss": ("mrss_0", "mrss_12")}, by=np.repeat("all", len(wide)))
    with pytest.raises(ValueError, match="by"):
        rs.groups.compare_subgroups(wide, {"mrss": ("mrss_0", "mrss_12")}, by="no_such_column")
    with pytest.raises(ValueError, match="adjust"):
        rs.groups.compare_subgroups(wide, {"mrss": ("mrss_0", "mrss_12")}, by="subset", adjust="fdr")
