"""Aalen–Johansen CIF against R multi-state survfit, Gray's test against cmprsk::cuminc
(tests/reference/survival/aalen_johansen.R -> aalen_johansen.json).

Tolerance: 1e-8 absolute on cif, std_err (infinitesimal jackknife), ci_low, ci_high,
Gray's statistic and p-value.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs
from rheumstats.exceptions import InvalidInputError

REF = Path(__file__).parents[1] / "reference" / "survival"
TOL = 1e-8
AJ = json.loads((REF / "aalen_johansen.json").read_text())
MGUS = pd.read_csv(REF / "mgus2.csv")
TIES = pd.read_csv(REF / "ties.csv")


def _num(v):
    m = {"NA": np.nan, "NaN": np.nan, "Inf": np.inf, "-Inf": -np.inf}
    return np.array([m.get(x, x) if isinstance(x, str) or x is None else x for x in v], dtype=float)


def _run(name, ref):
    if name.startswith("mgus"):
        g = {"mgus": None, "mgus_sex": "sex", "mgus_agegrp": "agegrp"}[name]
        return rs.survival.cumulative_incidence(MGUS["etime"], MGUS["event"], None if g is None else MGUS[g], conf_level=ref["conf_level"])
    g = TIES["group"] if name == "ties_group" else None
    return rs.survival.cumulative_incidence(TIES["time"], TIES["cause"], g, conf_level=ref["conf_level"])


CASES = [k for k in AJ if k != "versions"]


@pytest.mark.parametrize("name", CASES)
def test_cif_matches_r(name):
    ref = AJ[name]
    r = _run(name, ref)
    assert list(r.causes) == ref["causes"]
    for k in ref["causes"]:
        sub = r.table[r.table["cause"] == k]
        np.testing.assert_allclose(sub["time"], _num(ref["table"]["time"]), atol=0)
        np.testing.assert_allclose(sub["n_risk"], _num(ref["table"]["n_risk"]), atol=0)
        np.testing.assert_allclose(sub["n_event"], _num(ref["table"]["n_event"]), atol=0)
        for c in ("cif", "se", "ci_low", "ci_high"):
            np.testing.assert_allclose(sub[c].to_numpy(), _num(ref["table"][f"{REF_NAME.get(c, c)}_{k}"]), atol=TOL, rtol=0, equal_nan=True)


REF_NAME = {"se": "std_err"}  # R survfit's std.err, written by aalen_johansen.R


@pytest.mark.parametrize("name", [k for k in CASES if "gray" in AJ[k]])
def test_gray_matches_r(name):
    ref = AJ[name]["gray"]
    t = _run(name, AJ[name]).test()
    assert t["cause"].tolist() == ref["cause"]
    np.testing.assert_allclose(t["statistic"], ref["statistic"], atol=TOL, rtol=0)
    np.testing.assert_allclose(t["pvalue"], ref["pvalue"], atol=TOL, rtol=0)
    assert t["df"].tolist() == ref["df"]


def test_at_is_a_step_function_and_hand_worked():
    # t=1 cause 1, t=2 cause 2, t=3 censored, t=4 cause 1 -> CIF1(4) = 1/4 + (1/2)(1/1) = 3/4
    ci = rs.survival.cumulative_incidence([1, 2, 3, 4], [1, 2, 0, 1])
    a = ci.at([0.5, 1, 3.9, 4])
    c1 = a[a["cause"] == 1]["cif"].tolist()
    assert c1 == pytest.approx([0, 0.25, 0.25, 0.75], abs=1e-15)
    # no censoring before t = 1: the IJ standard error is the binomial one
    assert a[(a["cause"] == 1) & (a["time"] == 1)]["se"].iloc[0] == pytest.approx(np.sqrt(0.25 * 0.75 / 4), abs=1e-15)


def test_cif_with_one_cause_is_one_minus_km():
    d = pd.read_csv(REF / "lung.csv")
    ci = rs.survival.cumulative_incidence(d["time"], d["status"])
    km = rs.survival.kaplan_meier(d["time"], d["status"])
    np.testing.assert_allclose(ci.table["cif"].to_numpy(), 1 - km.table["survival"].to_numpy(), atol=1e-14)


def test_group_with_no_events_of_a_cause():
    ci = rs.survival.cumulative_incidence([1, 2, 3, 4, 5, 6], [1, 2, 1, 0, 2, 0], ["a", "a", "a", "b", "b", "b"])
    b1 = ci.table[(ci.table["group"] == "b") & (ci.table["cause"] == 1)]
    assert (b1["cif"] == 0).all()
    assert np.isfinite(ci.test()["statistic"]).all()


@pytest.mark.parametrize(
    "cause, arg, what",
    [([1, -1], "cause", r"cause\[1\]"), ([1, 1.5], "cause", r"cause\[1\]"), ([1, np.nan], "cause", r"cause\[1\]"), ([0, 0], "cause", "no events")],
)
def test_bad_causes(cause, arg, what):
    with pytest.raises(InvalidInputError, match=what):
        rs.survival.cumulative_incidence([1, 2], cause)


def test_other_bad_input():
    with pytest.raises(InvalidInputError, match="time"):
        rs.survival.cumulative_incidence([1, -2], [1, 1])
    with pytest.raises(InvalidInputError, match="cause"):
        rs.survival.cumulative_incidence([1, 2, 3], [1, 1])
    with pytest.raises(ValueError, match="test"):
        rs.survival.cumulative_incidence([1, 2], [1, 1]).test()


def test_cif_matches_lifelines_aalen_johansen():
    lifelines = pytest.importorskip("lifelines")
    # lifelines jitters tied times unless there are none: use the tie-free subset of mgus2
    d = MGUS.drop_duplicates("etime", keep=False)
    ajf = lifelines.AalenJohansenFitter(calculate_variance=False).fit(d["etime"], d["event"], event_of_interest=1)
    ours = rs.survival.cumulative_incidence(d["etime"], d["event"]).at(ajf.cumulative_density_.index.to_numpy())
    np.testing.assert_allclose(ours[ours["cause"] == 1]["cif"].to_numpy(), ajf.cumulative_density_.iloc[:, 0].to_numpy(), atol=1e-10)


def test_plot():
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    ci = rs.survival.cumulative_incidence([1, 2, 3, 4], [1, 2, 0, 1], ["a", "a", "b", "b"])
    assert ci.plot() is not None
    assert ci.plot(stacked=True) is not None
