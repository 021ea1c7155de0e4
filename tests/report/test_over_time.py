"""The report's "Over the whole follow-up" section.

* The change to each patient's last visit on drug is checked against direct
  calls of rs.paired on the bundled cohort.
* The model plumbing (random-slope -> random-intercept fallback, us -> toep
  -> cs fallback, the notes, the tables and the LS-means figure) is checked
  with a stand-in for rs.longitudinal whose answers are fixed numbers, so the
  test does not depend on the model code.
* When rs.longitudinal.lmm / mmrm exist, the section's numbers are checked
  against direct calls of them on the bundled data.
* A cohort with only two visit times says that no over-time section is possible.
"""

from __future__ import annotations

import re
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs
from rheumstats.exceptions import ConvergenceError
from rheumstats.report import _overtime
from rheumstats.report import analyse, from_frames, to_html, to_text

PM, MINUS = "\u00b1", "\u2212"


def _tables(html: str) -> list:
    """Every <table> as a list of rows of cell texts (a tiny parser for the test)."""
    from html.parser import HTMLParser

    class P(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tables, self.row, self.cell = [], None, None

        def handle_starttag(self, tag, attrs):
            if tag == "table":
                self.tables.append([])
            elif tag == "tr":
                self.row = []
            elif tag in ("td", "th"):
                self.cell = ""

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self.row is not None:
                self.row.append(self.cell)
                self.cell = None
            elif tag == "tr" and self.tables:
                self.tables[-1].append(self.row)

        def handle_data(self, data):
            if self.cell is not None:
                self.cell += data

    p = P()
    p.feed(html)
    return p.tables


@pytest.fixture(scope="module")
def bundled():
    visits, patients = rs.datasets.tocilizumab_ssc()
    return visits, patients, from_frames(visits, patients)


def _last_on_drug(visits, patients, e):
    fu = patients.set_index("patient")["followup_months"]
    v = visits[visits["month"] <= visits["patient"].map(fu) + _overtime.ON_DRUG_WINDOW][["patient", "month", e]].dropna()
    base = v[v["month"] == 0].set_index("patient")[e]
    last = v[v["month"] > 0].sort_values(["patient", "month"]).groupby("patient").tail(1).set_index("patient")
    common = base.index.intersection(last.index)
    return base.loc[common], last.loc[common, e], last.loc[common, "month"]


def test_change_to_last_visit_matches_rs_paired(bundled):
    visits, patients, cohort = bundled
    ot = _overtime.over_time(cohort)
    assert ot.available
    for e in ("mrss", "das28", "haq_di", "patient_global", "pain", "fvc_pct"):
        b, a, month = _last_on_drug(visits, patients, e)
        t = rs.paired.ttest(b, a)
        row = ot.last_visit.loc[e]
        assert int(row["n"]) == t.n == 21  # every patient, the 3-month stopper's stop visit included
        assert row["mean_change"] == pytest.approx((a - b).mean(), rel=1e-12)
        assert row["sd_change"] == pytest.approx((a - b).std(ddof=1), rel=1e-12)
        assert row["p_t"] == pytest.approx(t.pvalue, rel=1e-9)
        assert row["years_mean"] == pytest.approx((month / 12).mean(), rel=1e-12)
    # the benefit is still present at the last visit (the paper's claim, made checkable)
    assert (ot.last_visit.loc[["mrss", "das28", "haq_di", "patient_global", "pain"], "p_t"] < 1e-3).all()


def test_demo_text_has_the_section_with_the_last_visit_numbers(bundled):
    visits, patients, cohort = bundled
    a = analyse(cohort, title="t")
    text = to_text(a)
    assert "Over the whole follow-up" in text
    b, f, _ = _last_on_drug(visits, patients, "mrss")
    d = f - b
    want = f"{d.mean():.1f} {PM} {d.std(ddof=1):.1f}".replace("-", MINUS)
    assert re.search(rf"mRSS \(0-51\)\s+21\s+.*{re.escape(want)}", text.split("Over the whole follow-up")[1])


def test_two_visit_cohort_says_no_over_time_section(bundled, tmp_path):
    visits, patients, _ = bundled
    v = visits[visits["month"].isin([0, 12])]
    cohort = from_frames(v, patients)
    a = analyse(cohort, title="two visits")
    assert not a.over_time.available
    assert "No over-time section possible" in to_text(a)
    assert "No over-time section possible" in to_html(a, figures=False)


# ---------------------------------------------------------------------------
# plumbing, with a stand-in for rs.longitudinal (fixed answers)
class _Fit:
    def __init__(self, fixed, random=None, converged=True, anova=None):
        self.fixed, self.random, self.converged, self._anova = fixed, random, converged, anova

    def anova(self):
        return self._anova


def _fixed(rows):
    return pd.DataFrame(rows, columns=["term", "estimate", "se", "df", "t", "p", "ci_low", "ci_high"]).set_index("term")


class _FakeLongitudinal:
    """lmm: the mRSS random-slope fit is singular (slope variance 0); mmrm: 'us' never converges for DAS28."""

    def __init__(self):
        self.calls = []

    def lmm(self, formula, data):
        self.calls.append(("lmm", formula))
        slope = "(1 + years | patient)" in formula
        e = formula.split("~")[0].strip()
        singular = slope and e == "mrss"
        random = pd.DataFrame({"group": ["patient"] * 3 + ["Residual"], "term": ["(Intercept)", "years", "(Intercept), years", ""],
                               "variance": [20.0, 0.0 if singular else 2.0, np.nan, 4.0], "sd": [4.47, 0.0 if singular else 1.41, np.nan, 2.0],
                               "corr": [np.nan, np.nan, 0.1, np.nan]}) if slope else pd.DataFrame({"group": ["patient"], "term": ["(Intercept)"], "variance": [20.0]})
        rows = [("(Intercept)", 20.0, 1.0, 20.0, 20.0, 1e-10, 18.0, 22.0), ("years", -3.0 if slope else -3.5, 0.5, 19.5, -6.0, 1e-5, -4.0, -2.0)]
        anova = None
        if "*" in formula:
            rows += [("subshort", 1.0, 1.0, 19.0, 1.0, 0.3, -1.0, 3.0), ("years:subshort", 0.5, 0.5, 19.0, 1.0, 0.33, -0.5, 1.5)]
            anova = pd.DataFrame({"F": [1.0, 1.0, 1.0], "num_df": [1, 1, 1], "den_df": [19.0] * 3, "p": [1e-5, 0.3, 0.0421]},
                                 index=["years", "sub", "years:sub"])
        return _Fit(_fixed(rows), random, anova=anova)

    def mmrm(self, data, outcome, visit, subject, covariates=(), covariance="us"):
        self.calls.append(("mmrm", covariance))
        assert outcome == "change" and visit == "visit" and subject == "patient" and list(covariates) == ["baseline"]
        if covariance == "us" and "das28" in data.columns:
            raise ConvergenceError("us: no convergence")
        levels = list(data[visit].cat.categories)
        ls = pd.DataFrame({"estimate": [-1.0 * (i + 1) for i in range(len(levels))], "se": 0.5, "df": 18.0,
                           "ci_low": [-1.0 * (i + 1) - 1 for i in range(len(levels))], "ci_high": [-1.0 * (i + 1) + 1 for i in range(len(levels))]},
                          index=pd.Index(levels, name="visit"))
        return SimpleNamespace(converged=True, lsmeans=lambda by="visit": ls)


def test_model_fallbacks_and_tables_with_a_stand_in(bundled, monkeypatch):
    visits, patients, cohort = bundled
    fake = _FakeLongitudinal()
    monkeypatch.setattr(_overtime, "_longitudinal", lambda: fake)
    a = analyse(cohort, title="t")
    ot = a.over_time
    # random slope singular for mRSS -> random intercept, with a note; others keep the slope
    assert ot.slopes.loc["mrss", "random effects"] == "random intercept"
    assert ot.slopes.loc["mrss", "estimate"] == -3.5
    assert ot.slopes.loc["das28", "random effects"] == "random intercept and slope"
    assert any(n.startswith("mRSS (0-51): random-slope model singular") for n in ot.notes)
    # us fails for DAS28 -> toep, with a note; the others stay us
    assert ot.covariance["das28"] == "toep" and ot.covariance["mrss"] == "us"
    assert any(n == "DAS28-ESR: MMRM covariance toep (us did not converge)." for n in ot.notes)
    # visits with too few patients are left out of the MMRM (21 patients: >= 10 needed)
    n_by_month = visits[visits["month"] > 0].groupby("month")["patient"].nunique()
    assert list(ot.lsmeans.loc["mrss"].index) == [float(m) for m, k in n_by_month.items() if k >= 10]
    assert ot.lsmeans.loc[("mrss", 3.0), "n"] == n_by_month[3]
    # years x subgroup: the Type III row of the interaction
    assert ot.interactions.loc[("mrss", "cutaneous subset"), "p"] == 0.0421
    html = to_html(a, figures=True)
    assert "Over the whole follow-up" in html and "LS-mean change from baseline by visit (95% CI)" in html
    # the LS-means table: one row per endpoint, one column per visit
    ls = next(t for t in _tables(html) if t and "n at each visit" in t[0])
    hdr = ls[0]
    row = dict(zip(hdr, next(r for r in ls[1:] if r[0] == "DAS28-ESR")))
    assert row["month 3"] == f"{MINUS}1.00 ({MINUS}2.00 to 0.00)" and row["covariance"] == "toep"
    assert row["n at each visit"] == ", ".join(str(int(n_by_month[m])) for m in ot.lsmeans.loc["das28"].index)
    assert re.search(r'<img alt="LS-mean change from baseline by visit[^"]*" src="data:image/png;base64,', html)
    assert "P years \u00d7 cutaneous subset" in html and "0.042" in html


def test_not_available_path_keeps_the_last_visit_table(bundled, monkeypatch):
    _, _, cohort = bundled
    monkeypatch.setattr(_overtime, "_longitudinal", lambda: None)
    ot = _overtime.over_time(cohort)
    assert ot.available and ot.slopes.empty and ot.lsmeans.empty and not ot.last_visit.empty
    assert any("lmm is not available" in n for n in ot.notes)


# ---------------------------------------------------------------------------
# the real models, when this build has them
needs_lmm = pytest.mark.skipif(not callable(getattr(rs.longitudinal, "lmm", None)), reason="rs.longitudinal.lmm not in this build")
needs_mmrm = pytest.mark.skipif(not callable(getattr(rs.longitudinal, "mmrm", None)), reason="rs.longitudinal.mmrm not in this build")


@needs_lmm
def test_change_per_year_equals_a_direct_lmm_call(bundled):
    visits, patients, cohort = bundled
    ot = _overtime.over_time(cohort)
    fu = patients.set_index("patient")["followup_months"]
    v = visits[visits["month"] <= visits["patient"].map(fu) + _overtime.ON_DRUG_WINDOW]
    for e in ("mrss", "das28", "haq_di"):
        d = v[["patient", "month", e]].dropna().assign(years=lambda t: t["month"] / 12)[["patient", "years", e]]
        model = ot.slopes.loc[e, "random effects"]
        re_part = "(1 + years | patient)" if model == "random intercept and slope" else "(1 | patient)"
        fit = rs.longitudinal.lmm(f"{e} ~ years + {re_part}", d)
        row = fit.fixed.loc["years"]
        for col in ("estimate", "ci_low", "ci_high", "p", "df"):
            assert ot.slopes.loc[e, col] == pytest.approx(float(row[col]), rel=1e-9), (e, col)


@needs_mmrm
def test_lsmeans_equal_a_direct_mmrm_call(bundled):
    visits, patients, cohort = bundled
    ot = _overtime.over_time(cohort)
    e = "mrss"
    fu = patients.set_index("patient")["followup_months"]
    v = visits[visits["month"] <= visits["patient"].map(fu) + _overtime.ON_DRUG_WINDOW]
    base = v[v["month"] == 0].set_index("patient")[e]
    ch = v[v["month"] > 0][["patient", "month", e]].assign(baseline=lambda t: t["patient"].map(base))
    ch["change"] = ch[e] - ch["baseline"]
    keep = [float(m) for m in ot.lsmeans.loc[e].index]
    ch = ch[ch["month"].isin(keep)].copy()
    ch["visit"] = pd.Categorical(ch["month"], categories=keep, ordered=True)
    fit = rs.longitudinal.mmrm(ch, outcome="change", visit="visit", subject="patient", covariates=("baseline",), covariance=ot.covariance[e])
    ls = fit.lsmeans(by="visit")
    np.testing.assert_allclose(ot.lsmeans.loc[e, "estimate"].to_numpy(), ls["estimate"].to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(ot.lsmeans.loc[e, "ci_low"].to_numpy(), ls["ci_low"].to_numpy(), rtol=1e-9)


@needs_lmm
@pytest.mark.parametrize(
    "endpoint",
    [
        "mrss",
        "das28",
        "haq_di",
        "patient_global",
        "pain",
    ],
)
def test_change_per_year_matches_lmertest(bundled, endpoint):
    # tests/reference/report/overtime_lmm.R (lmerTest, tight optimiser tolerances) on the bundled cohort
    import json
    from pathlib import Path

    ref = json.loads((Path(__file__).parents[1] / "reference" / "report" / "overtime_lmm.json").read_text())[endpoint]
    _, _, cohort = bundled
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        row = _overtime.over_time(cohort, endpoints=[endpoint]).slopes.loc[endpoint]
    assert row["random effects"] == "random intercept and slope"  # lme4: not singular
    assert row["estimate"] == pytest.approx(ref["estimate"], rel=1e-4)
    assert row["se"] == pytest.approx(ref["se"], rel=1e-4)
    assert row["df"] == pytest.approx(ref["df"], rel=1e-3)
    assert row["p"] == pytest.approx(ref["p"], rel=1e-3)


def test_a_patient_limit_skips_the_models_with_a_note(bundled, monkeypatch):
    _, _, cohort = bundled
    fake = _FakeLongitudinal()
    monkeypatch.setattr(_overtime, "_longitudinal", lambda: fake)
    ot = _overtime.over_time(cohort, max_model_patients=20)
    assert fake.calls == [] and ot.slopes.empty and ot.lsmeans.empty and ot.interactions.empty
    assert not ot.last_visit.empty
    assert any("21 patients exceed the limit of 20 set for this report" in n for n in ot.notes)
    assert not _overtime.over_time(cohort, max_model_patients=21).slopes.empty
    with pytest.raises(ValueError, match="max_model_patients"):
        _overtime.over_time(cohort, max_model_patients=-1)


@needs_mmrm
def test_lsmeans_by_visit_match_gls_emmeans():
    # tests/reference/report/overtime_mmrm.R: nlme::gls (corSymm + varIdent = unstructured), REML, emmeans
    import json
    from pathlib import Path

    ref = json.loads((Path(__file__).parents[1] / "reference" / "report" / "overtime_mmrm.json").read_text())["das28"]
    visits, patients = rs.datasets.tocilizumab_ssc()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ot = _overtime.over_time(from_frames(visits, patients), endpoints=["das28"])
    assert ot.covariance["das28"] == "us"
    t = ot.lsmeans.loc["das28"]
    assert list(t.index) == ref["month"]
    np.testing.assert_allclose(t["estimate"].to_numpy(), ref["estimate"], rtol=1e-5)
    np.testing.assert_allclose(t["se"].to_numpy(), ref["se"], rtol=1e-4)
    # emmeans' df for gls are its approximate Satterthwaite: a loose check only
    np.testing.assert_allclose(t["df"].to_numpy(), ref["df"], rtol=0.03)
