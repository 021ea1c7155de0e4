"""rs.paired.mcnemar and stuart_maxwell against R mcnemar.test, binom.test and coin::mh_test.

Reference: tests/reference/paired/categorical.R -> categorical.json (R 4.2.2, coin 1.4.2).
Tolerance: 1e-10 relative.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs
from rheumstats import ConvergenceError, InvalidInputError

REF = json.loads((Path(__file__).parents[1] / "reference" / "paired" / "categorical.json").read_text())
MC = REF["mcnemar"]
SM = REF["stuart_maxwell"]


@pytest.mark.parametrize("correction,key", [(True, "corrected"), (False, "uncorrected")])
def test_mcnemar_matches_r(correction, key):
    r = rs.paired.mcnemar(MC["x"], MC["y"], method="approx", correction=correction)
    assert (r.b, r.c) == (MC["b"], MC["c"])
    assert r.statistic == pytest.approx(MC[key]["statistic"], rel=1e-12)
    assert r.pvalue == pytest.approx(MC[key]["pvalue"], rel=1e-10)
    assert r.method == "approx"


def test_exact_mcnemar_matches_r_binom_test():
    r = rs.paired.mcnemar(np.array(MC["x"], dtype=bool), pd.Series(MC["y"]).astype(bool), method="auto")
    assert r.method == "exact"  # b + c = 16 < 25
    assert r.pvalue == pytest.approx(MC["exact"]["pvalue"], rel=1e-10)


def test_mcnemar_rejects_non_boolean_values():
    with pytest.raises(InvalidInputError, match=r"y\[2\]"):
        rs.paired.mcnemar([1, 0, 1], [0, 1, 2])


def test_stuart_maxwell_matches_coin_mh_test():
    r = rs.paired.stuart_maxwell(SM["x"], SM["y"], categories=SM["levels"])
    assert r.statistic == pytest.approx(SM["statistic"], rel=1e-10)
    assert r.pvalue == pytest.approx(SM["pvalue"], rel=1e-10)
    assert r.df == 2
    assert r.table.values.tolist() == SM["table"]
    # default category order: sorted labels; same statistic
    r2 = rs.paired.stuart_maxwell(pd.Series(SM["x"]), pd.Series(SM["y"]))
    assert r2.statistic == pytest.approx(SM["statistic"], rel=1e-10)


def test_stuart_maxwell_singular_and_missing():
    with pytest.raises(ConvergenceError):
        rs.paired.stuart_maxwell(["a", "b", "a"], ["a", "b", "a"])  # all concordant
    r = rs.paired.stuart_maxwell(["a", None, "b", "a"], ["b", "a", "a", "b"])
    assert np.isnan(r.pvalue)
    with pytest.raises(InvalidInputError, match="x"):
        rs.paired.stuart_maxwell(["a", None, "b"], ["b", "a", "a"], nan_policy="raise")
