"""G-rho tests against R survival::survdiff (tests/reference/survival/logrank.R -> logrank.json).

Tolerance: 1e-8 absolute on statistic, p-value, observed and expected.
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
LR = json.loads((REF / "logrank.json").read_text())
LUNG = pd.read_csv(REF / "lung.csv")
VET = pd.read_csv(REF / "veteran.csv")
TIES = pd.read_csv(REF / "ties.csv")


def _run(name, rho):
    if name.startswith("lung_sex"):
        return rs.survival.logrank(LUNG["time"], LUNG["status"], LUNG["sex"], rho=rho)
    if name.startswith("lung_ecog"):
        d = LUNG.dropna(subset=["ph_ecog"])
        return rs.survival.logrank(d["time"], d["status"], d["ph_ecog"], rho=rho)
    if name.startswith("veteran_celltype"):
        return rs.survival.logrank(VET["time"], VET["status"], VET["celltype"], rho=rho)
    if name.startswith("veteran_trt_strata"):
        return rs.survival.logrank(VET["time"], VET["status"], VET["trt"], strata=VET["celltype"], rho=rho)
    return rs.survival.logrank(TIES["time"], TIES["status"], TIES["group"], rho=rho)


@pytest.mark.parametrize("name", [k for k in LR if k != "versions"])
def test_logrank_matches_r(name):
    ref = LR[name]
    r = _run(name, ref["rho"])
    assert r.statistic == pytest.approx(ref["statistic"], abs=TOL)
    assert r.pvalue == pytest.approx(ref["pvalue"], abs=TOL)
    assert r.df == ref["df"]
    np.testing.assert_allclose(r.observed.to_numpy(), ref["observed"], atol=TOL, rtol=0)
    np.testing.assert_allclose(r.expected.to_numpy(), ref["expected"], atol=TOL, rtol=0)


def test_hand_worked_two_groups():
    # time 1: n=4, risk (2,2), E_a = 1/2, V = 1/4; time 2: n=3, risk (1,2), E_a = 1/3, V = 2/9
    r = rs.survival.logrank([1, 2, 3, 4], [1, 1, 0, 0], ["a", "b", "a", "b"])
    d = 1 - (1 / 2 + 1 / 3)
    assert r.statistic == pytest.approx(d * d / (1 / 4 + 2 / 9), abs=1e-14)
    assert r.observed.index.tolist() == ["a", "b"]


def test_group_with_no_events_is_tested():
    # group 'b' never has an event: observed 0, expected > 0, a valid (large) statistic
    r = rs.survival.logrank([1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 0, 0], ["a", "a", "a", "b", "b", "b"])
    assert r.observed["b"] == 0 and r.expected["b"] > 0 and r.statistic > 0


def test_bad_input():
    with pytest.raises(InvalidInputError, match="group"):
        rs.survival.logrank([1, 2], [1, 1], ["a", "a"])
    with pytest.raises(InvalidInputError, match=r"event\[1\]"):
        rs.survival.logrank([1, 2], [1, 3], ["a", "b"])
    with pytest.raises(InvalidInputError, match=r"time\[0\]"):
        rs.survival.logrank([np.nan, 2], [1, 1], ["a", "b"])
    with pytest.raises(InvalidInputError, match="strata"):
        rs.survival.logrank([1, 2], [1, 1], ["a", "b"], strata=[1])
    with pytest.raises(InvalidInputError, match="rho"):
        rs.survival.logrank([1, 2], [1, 1], ["a", "b"], rho=-1)
    with pytest.raises(InvalidInputError, match="time and group"):
        rs.survival.logrank([1, 2, 3], [1, 1, 1], ["a", "b"])


def test_logrank_matches_lifelines():
    lifelines = pytest.importorskip("lifelines")
    from lifelines.statistics import multivariate_logrank_test

    r = rs.survival.logrank(VET["time"], VET["status"], VET["celltype"])
    lt = multivariate_logrank_test(VET["time"], VET["celltype"], VET["status"])
    assert r.statistic == pytest.approx(lt.test_statistic, rel=1e-10)
