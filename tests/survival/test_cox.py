"""Cox model against R survival::coxph (tests/reference/survival/cox.R -> cox.json).

Tolerance: 1e-6 absolute on every summary column (coef, se, hr, hr_low, hr_high, z, p),
the log-likelihoods, concordance and the LR / Wald / score statistics.
"""

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs
from rheumstats.exceptions import ConvergenceError, ConvergenceWarning, InvalidInputError

REF = Path(__file__).parents[1] / "reference" / "survival"
TOL = 1e-6
COX = json.loads((REF / "cox.json").read_text())
LUNG = pd.read_csv(REF / "lung.csv")
VET = pd.read_csv(REF / "veteran.csv")
VET["celltype"] = pd.Categorical(VET["celltype"], ["squamous", "smallcell", "adeno", "large"])
TIES = pd.read_csv(REF / "ties.csv").assign(groupf=lambda d: d["group"].astype(str))


def _fit(name, ties):
    if name.startswith("lung"):
        return rs.survival.coxph(LUNG, "time", "status", ["age", "sex", "ph_ecog"], ties=ties)
    if name.startswith("veteran_strata"):
        return rs.survival.coxph(VET, "time", "status", ["karno", "age"], ties=ties, strata="celltype")
    if name.startswith("veteran"):
        return rs.survival.coxph(VET, "time", "status", ["trt", "celltype", "karno"], ties=ties)
    return rs.survival.coxph(TIES, "time", "status", ["x", "groupf"], ties=ties)


CASES = [k for k in COX if k != "versions"]


@pytest.mark.parametrize("name", CASES)
def test_cox_matches_r(name):
    ref = COX[name]
    m = _fit(name, ref["ties"])
    s = m.summary
    for c in ("coef", "se", "hr", "hr_low", "hr_high", "z", "p"):
        np.testing.assert_allclose(s[c].to_numpy(), ref[c], atol=TOL, rtol=0, err_msg=c)
    assert m.loglik_null == pytest.approx(ref["loglik"][0], abs=TOL)
    assert m.loglik == pytest.approx(ref["loglik"][1], abs=TOL)
    assert m.concordance == pytest.approx(ref["concordance"], abs=TOL)
    assert m.iterations == ref["iter"] and m.converged
    assert (m.n, m.n_event) == (ref["n"], ref["nevent"])
    t = m.test()
    for row, key in (("likelihood_ratio", "lr"), ("wald", "wald"), ("score", "score")):
        assert t.loc[row, "statistic"] == pytest.approx(ref[key][0], abs=TOL)
        assert t.loc[row, "df"] == ref[key][1]
    # R's summary() computes the Wald p from the statistic rounded to 2 decimals
    assert t.loc["likelihood_ratio", "pvalue"] == pytest.approx(ref["lr"][2], abs=TOL)
    assert t.loc["score", "pvalue"] == pytest.approx(ref["score"][2], abs=TOL)


def test_treatment_coding_names_and_reference_level():
    m = _fit("veteran_efron", "efron")
    assert list(m.summary.index) == ["trt", "celltype[T.smallcell]", "celltype[T.adeno]", "celltype[T.large]", "karno"]


def test_constant_covariate_is_a_clear_error():
    d = LUNG.assign(one=1.0)
    with pytest.raises(ConvergenceError, match="'one' is constant"):
        rs.survival.coxph(d, "time", "status", ["age", "one"])


def test_collinear_covariates_are_a_clear_error():
    d = LUNG.assign(age2=LUNG["age"] * 2)
    with pytest.raises(ConvergenceError, match="singular"):
        rs.survival.coxph(d, "time", "status", ["age", "age2"])


def test_perfect_separation_warns_and_does_not_hang():
    # x = 1 exactly for the subjects who have the event first: the coefficient runs to +inf
    d = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6, 7, 8], "e": [1, 1, 1, 1, 1, 0, 1, 0], "x": [1, 1, 1, 1, 0, 0, 0, 0]})
    d.loc[6, "e"] = 0
    with pytest.warns(ConvergenceWarning, match="infinite"):
        m = rs.survival.coxph(d, "t", "e", "x")
    assert not m.converged
    assert m.summary["coef"].iloc[0] > 5


def test_level_with_no_events_warns():
    d = TIES.assign(g=np.where(TIES["status"] == 0, "none", "some"))
    d.loc[d.index[:2], "g"] = "none"
    d.loc[d["g"] == "none", "status"] = 0
    with pytest.warns(ConvergenceWarning):
        rs.survival.coxph(d, "time", "status", ["x", "g"])


def test_bad_input():
    with pytest.raises(InvalidInputError, match=r"duration\[0\]"):
        rs.survival.coxph(pd.DataFrame({"t": [-1.0, 2, 3], "e": [1, 1, 0], "x": [1.0, 2, 3]}), "t", "e", "x")
    with pytest.raises(InvalidInputError, match=r"event\[1\]"):
        rs.survival.coxph(pd.DataFrame({"t": [1.0, 2, 3], "e": [1, 2, 0], "x": [1.0, 2, 3]}), "t", "e", "x")
    with pytest.raises(InvalidInputError, match="no events"):
        rs.survival.coxph(pd.DataFrame({"t": [1.0, 2, 3], "e": [0, 0, 0], "x": [1.0, 2, 3]}), "t", "e", "x")
    with pytest.raises(ValueError, match="covariates"):
        rs.survival.coxph(LUNG, "time", "status", ["nope"])
    with pytest.raises(ValueError, match="ties"):
        rs.survival.coxph(LUNG, "time", "status", ["age"], ties="exact")
    with pytest.raises(TypeError, match="data"):
        rs.survival.coxph(LUNG.to_numpy(), "time", "status", ["age"])


def test_missing_rows_are_dropped_like_r():
    m = rs.survival.coxph(LUNG, "time", "status", ["age", "ph_ecog"])
    assert m.n == int(LUNG["ph_ecog"].notna().sum())


def test_cox_matches_lifelines():
    lifelines = pytest.importorskip("lifelines")
    d = LUNG[["time", "status", "age", "sex"]].dropna()
    ours = rs.survival.coxph(d, "time", "status", ["age", "sex"])
    cph = lifelines.CoxPHFitter().fit(d, "time", "status")  # Efron
    np.testing.assert_allclose(ours.summary["coef"].to_numpy(), cph.params_.to_numpy(), atol=1e-5)


def test_results_pickle_and_print():
    import pickle

    m = rs.survival.coxph(LUNG, "time", "status", ["age", "sex"])
    m2 = pickle.loads(pickle.dumps(m))
    pd.testing.assert_frame_equal(m2.summary, m.summary)
    assert "CoxPH(" in repr(m) and "<table" in m._repr_html_()
    km = rs.survival.kaplan_meier(LUNG["time"], LUNG["status"], LUNG["sex"])
    pd.testing.assert_frame_equal(pickle.loads(pickle.dumps(km)).table, km.table)
    lr = rs.survival.logrank(LUNG["time"], LUNG["status"], LUNG["sex"])
    stat, p = lr
    assert (stat, p) == (lr.statistic, lr.pvalue)
