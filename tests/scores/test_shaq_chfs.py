"""SHAQ VAS scaling (section 6) and the Cochin Hand Function Scale (section 7)."""

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs
from rheumstats.scores import CHFS_ITEMS


def test_shaq_spec_examples():
    mm = rs.scores.shaq(pd.DataFrame({"pain": [0, 50, 100, 37, 12.5, 66]}))
    np.testing.assert_allclose(mm["pain"], [0, 1.5, 3.0, 1.11, 0.375, 1.98], rtol=1e-12, atol=1e-15)
    cm = rs.scores.shaq(pd.DataFrame({"raynauds": [7.5, 15, 3.3], "overall": [0, 1, np.nan]}), unit="cm")
    np.testing.assert_allclose(cm["raynauds"], [1.5, 3.0, 0.66], rtol=1e-12)
    assert np.isnan(cm["overall"].iloc[2]) and list(cm.columns) == ["raynauds", "overall"]


def test_shaq_errors():
    with pytest.raises(ValueError, match=r"vas\['breathing'\]\[0\].*0-100 mm"):
        rs.scores.shaq(pd.DataFrame({"breathing": [101]}))
    with pytest.raises(ValueError, match=r"0-15 cm"):
        rs.scores.shaq(pd.DataFrame({"breathing": [15.5]}), unit="cm")
    with pytest.raises(ValueError, match="unknown column"):
        rs.scores.shaq(pd.DataFrame({"fatigue": [1]}))
    with pytest.raises(ValueError, match="unit"):
        rs.scores.shaq(pd.DataFrame({"pain": [1]}), unit="inch")


def test_chfs_spec_examples_and_domains():
    ex = [2, 3, 1, 2, 4, 3, 1, 2, 2, 1, 0, 0, 1, 2, 1, 3, 2, 1]
    df = pd.DataFrame([[0] * 18, [5] * 18, ex], columns=CHFS_ITEMS, index=["a", "b", "c"])
    assert rs.scores.chfs(df).tolist() == [0, 90, 31]
    dom = rs.scores.chfs(df, by_domain=True)
    assert dom.loc["c"].tolist() == [31, 18, 3, 0, 3, 7]
    assert list(dom.columns) == ["chfs", "kitchen", "dressing", "hygiene", "office", "other"]


def test_chfs_independent_vectors_and_errors():
    rng = np.random.default_rng(4)
    x = rng.integers(0, 6, (30, 18)).astype(float)
    np.testing.assert_array_equal(rs.scores.chfs(x), x.sum(axis=1))
    x[3, 5] = 6
    with pytest.raises(ValueError, match=r"items\['chfs_06'\]\[3\].*0-5"):
        rs.scores.chfs(x)


def test_shaq_keeps_index_and_leaves_input_unchanged():
    df = pd.DataFrame({"pain": [10.0, 20.0], "intestinal": [0.0, 100.0]}, index=["x", "y"])
    before = df.copy(deep=True)
    out = rs.scores.shaq(df)
    pd.testing.assert_frame_equal(df, before)
    assert list(out.index) == ["x", "y"] and out.loc["y", "intestinal"] == pytest.approx(3.0)
