"""rs.datasets.tocilizumab_ssc(): every published figure of the reference cohort
is recomputed from the loader and asserted (source: the published summary of
21 SSc patients on weekly SC tocilizumab 162 mg, as listed in issue 5).

Means and SDs are compared after rounding to one decimal, the precision at
which they were published. The data are SIMULATED to match those summaries.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import rheumstats as rs

CENSOR = rs.datasets.TOCILIZUMAB_SSC_CENSOR_DATE


@pytest.fixture(scope="module")
def cohort():
    return rs.datasets.tocilizumab_ssc()


@pytest.fixture(scope="module")
def month12(cohort):
    """Baseline and 12-month rows of the patients on drug at 1 year (aligned by patient)."""
    visits, _ = cohort
    b = visits[visits["month"] == 0].set_index("patient")
    f = visits[visits["month"] == 12].set_index("patient")
    return b.loc[f.index], f


def r1(x: float) -> float:
    return round(float(x), 1)


# ---------------------------------------------------------------------------
# schema
# ---------------------------------------------------------------------------
def test_schema(cohort):
    visits, patients = cohort
    report = ["patient", "month", "mrss", "das28", "tjc28", "sjc28", "esr", "fvc_pct", "dlco_pct", "haq_di",
              "patient_global", "physician_global", "pain"]
    for col in report + list(rs.scores.MRSS_SITES) + list(rs.scores.HAQ_ITEMS):
        assert col in visits.columns, col
    for col in ["patient", "sex", "subset", "disease_duration_years", "followup_months", "stopped", "stop_reason",
                "start_date", "stop_date", "recurrent_du_infections"]:
        assert col in patients.columns, col
    assert patients["patient"].is_unique
    assert set(visits["patient"]) == set(patients["patient"])
    assert not visits.duplicated(["patient", "month"]).any()
    assert pd.api.types.is_datetime64_any_dtype(patients["start_date"])
    assert pd.api.types.is_datetime64_any_dtype(patients["stop_date"])


def test_loader_returns_fresh_frames(cohort):
    v1, p1 = rs.datasets.tocilizumab_ssc()
    v1.loc[:, "mrss"] = -1.0
    v2, _ = rs.datasets.tocilizumab_ssc()
    assert (v2["mrss"] >= 0).all()


# ---------------------------------------------------------------------------
# baseline characteristics
# ---------------------------------------------------------------------------
def test_demographics(cohort):
    _, p = cohort
    assert len(p) == 21
    assert (p["sex"] == "F").sum() == 20
    assert (p["subset"] == "diffuse").sum() == 16
    assert (p["subset"] == "limited").sum() == 5
    assert (p["disease_duration_years"] < 5).sum() == 10


@pytest.mark.parametrize(
    "column, count",
    [
        ("prior_corticosteroids", 21),
        ("prior_methotrexate", 19),
        ("prior_cyclophosphamide", 10),
        ("prior_mycophenolate", 7),
        ("prior_rituximab", 1),
        ("prior_leflunomide", 2),
        ("prior_hydroxychloroquine", 2),
        ("prior_stem_cell_transplant", 2),
    ],
)
def test_prior_treatments(cohort, column, count):
    _, p = cohort
    assert p[column].dtype == bool
    assert int(p[column].sum()) == count


def test_subset_agrees_with_baseline_skin_sites(cohort):
    visits, p = cohort
    b = visits[visits["month"] == 0].set_index("patient")
    subset = rs.scores.skin_subset(b[list(rs.scores.MRSS_SITES)])
    expected = p.set_index("patient").loc[b.index, "subset"]
    assert (subset.astype(str) == expected).all()


def test_recurrent_digital_ulcer_infections(cohort):
    _, p = cohort
    assert int(p["recurrent_du_infections"].sum()) == 3


# ---------------------------------------------------------------------------
# drug retention and follow-up (pandas for now; rs.survival.retention later)
# ---------------------------------------------------------------------------
def _years_on_drug(p):
    end = p["stop_date"].fillna(CENSOR)
    return (end - p["start_date"]).dt.days / 365.25


def test_stops_and_retention(cohort):
    _, p = cohort
    years = _years_on_drug(p)
    assert (p["stopped"] == p["stop_date"].notna()).all()
    assert (p["stopped"] == p["stop_reason"].notna()).all()
    # one stop at 3 months, for inefficacy
    early = p[p["stopped"] & (years < 1)]
    assert len(early) == 1
    assert early["stop_reason"].iloc[0] == "inefficacy"
    assert (early["stop_date"] == early["start_date"] + pd.DateOffset(months=3)).all()
    # 20 on drug at 1 year
    assert int((years >= 1).sum()) == 20
    # year 2: 4 stops (1 CMV infection, 2 inefficacy, 1 death) leaving 16
    y2 = p[p["stopped"] & (years >= 1) & (years < 2)]
    assert len(y2) == 4
    assert y2["stop_reason"].value_counts().to_dict() == {"inefficacy": 2, "cmv_infection": 1, "death": 1}
    assert int((years >= 2).sum()) == 16
    assert int((~p["stopped"]).sum()) == 16
    assert (p["start_date"] < CENSOR).all() and (p["stop_date"].dropna() <= CENSOR).all()


def test_followup_mean_sd(cohort):
    _, p = cohort
    years = _years_on_drug(p)
    assert (r1(years.mean()), r1(years.std(ddof=1))) == (2.2, 1.1)
    # the stored months agree with the dates
    np.testing.assert_allclose(p["followup_months"], years * 12, atol=0.006)
    assert (r1((p["followup_months"] / 12).mean()), r1((p["followup_months"] / 12).std(ddof=1))) == (2.2, 1.1)


def test_visit_schedule(cohort):
    visits, p = cohort
    end = p.set_index("patient")["stop_date"].fillna(CENSOR)
    start = p.set_index("patient")["start_date"]
    schedule = [0, 3, 6, 12, 18, 24, 36, 48, 60, 72, 84]
    for pid, g in visits.groupby("patient"):
        expected = [m for m in schedule if start[pid] + pd.DateOffset(months=m) <= end[pid]]
        assert g["month"].tolist() == expected, pid
        assert (g["date"] == [start[pid] + pd.DateOffset(months=m) for m in expected]).all()


# ---------------------------------------------------------------------------
# 12-month outcomes in the 20 patients on drug at 1 year
# ---------------------------------------------------------------------------
def test_completers_are_the_twenty_on_drug_at_one_year(month12, cohort):
    _, p = cohort
    b, f = month12
    assert len(f) == 20
    years = _years_on_drug(p.set_index("patient"))
    assert set(f.index) == set(years[years >= 1].index)


@pytest.mark.parametrize("column, mean, sd", [("mrss", -6.9, 5.9), ("das28", -1.9, 0.8)])
def test_twelve_month_change(month12, column, mean, sd):
    b, f = month12
    d = f[column] - b[column]
    assert (r1(d.mean()), r1(d.std(ddof=1))) == (mean, sd)


@pytest.mark.parametrize("column", ["mrss", "das28", "haq_di", "patient_global", "pain"])
def test_outcomes_improve_with_p_below_0001(month12, column):
    # the published P < 0.001, by rs.paired (paired t and Wilcoxon signed-rank),
    # cross-checked against scipy
    b, f = month12
    b = b.loc[f.index]
    assert (f[column] - b[column]).mean() < 0
    t = rs.paired.ttest(b[column], f[column])
    w = rs.paired.wilcoxon(b[column], f[column])
    assert t.pvalue < 1e-3 and w.pvalue < 1e-3 and t.n == 20
    assert t.pvalue == pytest.approx(stats.ttest_rel(f[column], b[column]).pvalue, rel=1e-9)


def test_compare_table_reproduces_the_published_changes(month12):
    b, f = month12
    wide = b.loc[f.index, ["mrss", "das28"]].add_suffix("_0").join(f[["mrss", "das28"]].add_suffix("_12"))
    table = rs.paired.compare(wide, {"mrss": ("mrss_0", "mrss_12"), "das28": ("das28_0", "das28_12")})
    assert table.loc["mrss", ["mean_change", "sd_change"]].round(1).tolist() == [-6.9, 5.9]
    assert table.loc["das28", ["mean_change", "sd_change"]].round(1).tolist() == [-1.9, 0.8]
    assert (table["n"] == 20).all() and (table["p_t"] < 1e-3).all() and (table["p_wilcoxon"] < 1e-3).all()


def test_three_patients_with_lung_function_deterioration(cohort):
    visits, _ = cohort
    last = visits.groupby("patient").tail(1).set_index("patient")
    base = visits[visits["month"] == 0].set_index("patient").loc[last.index]
    cat = rs.ssc.lung_decline(base["fvc_pct"], last["fvc_pct"], base["dlco_pct"], last["dlco_pct"], definition="omeract")
    assert int((cat == "significant").sum()) == 3
    assert int((cat == "marginal").sum()) == 0
    assert cat.index.equals(last.index)


# ---------------------------------------------------------------------------
# stored scores are what rheumstats computes from the stored items
# ---------------------------------------------------------------------------
def test_mrss_recomputes(cohort):
    visits, _ = cohort
    sites = visits[list(rs.scores.MRSS_SITES)]
    assert ((sites >= 0) & (sites <= 3)).all().all()
    np.testing.assert_array_equal(rs.scores.mrss(sites).to_numpy(), visits["mrss"].to_numpy())


def test_haq_di_recomputes(cohort):
    visits, _ = cohort
    items = visits[list(rs.scores.HAQ_ITEMS)]
    np.testing.assert_array_equal(rs.scores.haq_di(items).to_numpy(), visits["haq_di"].to_numpy())


def test_das28_recomputes(cohort):
    visits, _ = cohort
    das = rs.scores.das28_esr(visits["tjc28"], visits["sjc28"], visits["esr"], visits["patient_global"])
    np.testing.assert_array_equal(das.to_numpy(), visits["das28"].to_numpy())


def test_value_ranges(cohort):
    visits, _ = cohort
    for col in ("patient_global", "physician_global", "pain"):
        assert visits[col].between(0, 100).all(), col
    assert visits["fvc_pct"].between(30, 150).all()
    assert visits["dlco_pct"].between(15, 150).all()
    assert (visits["esr"] > 0).all()


def test_retention_counts_via_rs_survival(cohort):
    # 20/21 on drug at 1 year, 16/20 through year 2, reasons as published (rs.survival.retention + KM)
    _, p = cohort
    ret = rs.survival.retention(p, "start_date", "stop_date", "stop_reason", censor_date=CENSOR)
    causes = {v: k for k, v in ret.attrs["causes"].items()}
    t, ev = ret["time"], ret["event"]
    assert int(((t <= 1) & (ev == 1)).sum()) == 1 and int((t > 1).sum()) == 20
    year2 = ret[(t > 1) & (t <= 2) & (ev == 1)]
    assert len(year2) == 4 and int((t > 2).sum()) == 16
    assert sorted(year2["cause"].map(ret.attrs["causes"])) == ["cmv_infection", "death", "inefficacy", "inefficacy"]
    assert ret.loc[(t <= 1) & (ev == 1), "cause"].tolist() == [causes["inefficacy"]]
    km = rs.survival.kaplan_meier(t, ev)
    s = km.survival_at([1, 2])["survival"].tolist()
    assert s == pytest.approx([20 / 21, 16 / 21], rel=1e-12)


@pytest.mark.parametrize("column,low,high", [("haq_di", 0.25, 0.6), ("patient_global", 12, 30), ("pain", 12, 30), ("physician_global", 12, 30)])
def test_invented_changes_have_realistic_spreads(month12, column, low, high):
    # not published: the SD of the 12-month change is drawn as in real cohorts
    # (~20 mm for a visual analogue scale, ~0.4 for HAQ-DI), not the narrow 0.1 / 6 mm of the first version
    b, f = month12
    sd = float((f[column] - b[column]).std(ddof=1))
    assert low <= sd <= high, (column, sd)
