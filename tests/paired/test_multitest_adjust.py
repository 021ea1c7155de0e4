"""rs.multitest.adjust against R p.adjust.

Reference: tests/reference/paired/p_adjust.R -> p_adjust.json (R 4.2.2). Tolerance 1e-12 relative.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs
from rheumstats import InvalidInputError

REF = json.loads((Path(__file__).parents[1] / "reference" / "paired" / "p_adjust.json").read_text())


@pytest.mark.parametrize("method", ["bonferroni", "holm", "hochberg", "hommel", "bh", "by"])
def test_adjust_matches_r(method):
    p = np.array(REF["p"], dtype=float)  # includes ties, 0, 1 and an NA (null)
    want = np.array(REF["adjusted"][method], dtype=float)
    got = rs.multitest.adjust(p, method=method)
    np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(rs.multitest.adjust(REF["q"], method=method), REF["adjusted_q"][method], rtol=1e-12)


def test_series_in_series_out_and_aliases():
    s = pd.Series([0.01, 0.04, 0.03], index=["das28", "haq", "mrss"], name="p")
    out = rs.multitest.adjust(s, method="fdr")
    assert isinstance(out, pd.Series) and list(out.index) == list(s.index)
    np.testing.assert_allclose(out, rs.multitest.adjust(s.to_numpy(), method="BH"))
    assert rs.multitest.adjust(0.2, method="holm") == 0.2


def test_adjust_bad_input():
    with pytest.raises(InvalidInputError, match=r"pvalues\[1\]"):
        rs.multitest.adjust([0.1, 1.2], method="holm")
    with pytest.raises(ValueError, match="method"):
        rs.multitest.adjust([0.1], method="sidak")
    with pytest.raises(TypeError, match="pvalues"):
        rs.multitest.adjust(["a"], method="holm")
