"""HAQ-DI: SCORING_SPEC section 5 worked examples and independent vectors."""

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs
from rheumstats.scores import HAQ_CATEGORIES, HAQ_ITEMS

IT2 = [1, 0, 1, 1, 2, 1, 0, 1, 0, 1, 2, 0, 1, 1, 0, 1, 0, 2, 1, 1]
CAT_SLICES = [(0, 2), (2, 4), (4, 7), (7, 9), (9, 12), (12, 14), (14, 17), (17, 20)]


def items(rows):
    return pd.DataFrame(rows, columns=HAQ_ITEMS, dtype=float)


def test_spec_examples():
    zeros = [0] * 20
    assert rs.scores.haq_di(items([zeros])).tolist() == [0.0]
    cane = pd.DataFrame({"cane": [True]})
    assert rs.scores.haq_di(items([zeros]), aids=cane).tolist() == [0.25]
    assert rs.scores.haq_di(items([zeros]), aids=cane, method="no_aids").tolist() == [0.0]
    assert rs.scores.haq_di(items([IT2])).tolist() == [1.375]
    aids = pd.DataFrame({"dressing_devices": [True], "jar_opener": [True]})
    help_ = pd.DataFrame({"eating": [True]})
    assert rs.scores.haq_di(items([IT2]), aids=aids, help=help_).tolist() == [1.625]
    assert rs.scores.haq_di(items([IT2]), aids=aids, help=help_, method="no_aids").tolist() == [1.375]
    x = np.array(IT2, dtype=float)
    x[12:17] = np.nan
    assert rs.scores.haq_di(items([x])).tolist() == [1.5]
    x[7:9] = np.nan
    assert np.isnan(rs.scores.haq_di(items([x]))[0])
    y = np.zeros(20)
    y[0], y[1] = np.nan, 3
    assert rs.scores.haq_di(items([y])).tolist() == [0.375]
    z = np.ones(20)
    z[:2] = 3
    assert rs.scores.haq_di(items([z]), aids=pd.DataFrame({"dressing": [1]})).tolist() == [1.25]
    assert rs.scores.haq_di(items([[3] * 20])).tolist() == [3.0]


def test_independent_vectors_against_a_numpy_implementation():
    rng = np.random.default_rng(9)
    n = 500
    x = rng.integers(0, 4, (n, 20)).astype(float)
    x[rng.random((n, 20)) < 0.15] = np.nan
    aids = rng.random((n, 8)) < 0.2
    help_ = rng.random((n, 8)) < 0.1
    cats = np.column_stack([np.nanmax(np.where(np.isnan(x[:, a:b]), -1, x[:, a:b]), axis=1) for a, b in CAT_SLICES])
    cats[cats < 0] = np.nan
    raised = np.where((aids | help_) & (cats < 2), 2.0, cats)
    answered = (~np.isnan(raised)).sum(axis=1)
    want = np.where(answered >= 6, np.nansum(raised, axis=1) / np.maximum(answered, 1), np.nan)
    got = rs.scores.haq_di(x, aids=aids.astype(float), help=help_.astype(float))
    np.testing.assert_allclose(got, want, rtol=1e-15, equal_nan=True)


def test_aids_and_help_input_rules():
    with pytest.raises(ValueError, match="unknown column 'spoon'"):
        rs.scores.haq_di(items([IT2]), aids=pd.DataFrame({"spoon": [1]}))
    with pytest.raises(ValueError, match="unknown column 'cane'"):
        rs.scores.haq_di(items([IT2]), help=pd.DataFrame({"cane": [1]}))
    with pytest.raises(ValueError) as exc:
        rs.scores.haq_di(items([IT2, IT2]), aids=pd.DataFrame({"cane": [0, 2]}))
    assert "aids['cane'][1]" in str(exc.value)
    # NaN in a check box is "not ticked"
    assert rs.scores.haq_di(items([[0] * 20]), aids=pd.DataFrame({"cane": [np.nan]})).tolist() == [0.0]


@pytest.mark.parametrize("bad", [4, 2.5, -1])
def test_bad_item_names_item_row_and_range(bad):
    x = items([IT2, IT2])
    x.index = ["a", "b"]
    x.loc["b", "open_jars"] = bad
    with pytest.raises(ValueError) as exc:
        rs.scores.haq_di(x)
    msg = str(exc.value)
    assert "items['open_jars'][1] (index 'b')" in msg and "0-3" in msg


def test_method_must_be_known():
    with pytest.raises(ValueError, match="method"):
        rs.scores.haq_di(items([IT2]), method="with_aids")
