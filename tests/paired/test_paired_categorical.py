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


def test_stuart_maxwell_numeric_codes_equal_the_label_path():
    # numpy numbers take a numpy path (issue 17): same test as the same data as text labels
    levels = sorted(set(SM["x"]) | set(SM["y"]))
    pos = {v: i for i, v in enumerate(levels)}
    xi = np.array([pos[v] for v in SM["x"]])
    yi = np.array([pos[v] for v in SM["y"]])
    want = rs.paired.stuart_maxwell(list(SM["x"]), list(SM["y"]))
    for x, y in ((xi, yi), (xi.astype(float), yi.astype(float)), (pd.Series(xi.astype(np.uint8)), pd.Series(yi.astype(np.uint8)))):
        r = rs.paired.stuart_maxwell(x, y)
        assert (r.statistic, r.pvalue, r.df, r.n) == (want.statistic, want.pvalue, want.df, want.n)
        assert r.table.to_numpy().tolist() == want.table.to_numpy().tolist()
        assert r.table.index.tolist() == list(range(len(levels)))
        assert r.table.index.dtype == (np.float64 if x.dtype.kind == "f" else np.int64)
    # a missing value: NaN in numbers as None in labels ('omit': the pair is dropped)
    xf = xi.astype(float)
    xf[0] = np.nan
    xo = [None] + list(SM["x"][1:])
    a = rs.paired.stuart_maxwell(xf, yi.astype(float), nan_policy="omit")
    b = rs.paired.stuart_maxwell(xo, list(SM["y"]), nan_policy="omit")
    assert a.n == b.n == len(xi) - 1 and a.table.to_numpy().tolist() == b.table.to_numpy().tolist()
    assert (a.statistic, a.pvalue) == (b.statistic, b.pvalue)
