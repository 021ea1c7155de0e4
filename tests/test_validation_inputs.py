"""The one input layer (`_validation`): the label coder shared by groups, survival
and the Dask partitions, the table and matrix readers (issue 13)."""

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs
from rheumstats import _validation as v


def test_labels_are_sorted_and_codes_follow_them():
    c, labels, present = v.label_codes(["b", "a", "c", "a"], "group", 4)
    assert list(labels) == ["a", "b", "c"]
    np.testing.assert_array_equal(c, [1.0, 0.0, 2.0, 0.0])
    np.testing.assert_array_equal(present, [0, 1, 2])


def test_categorical_order_is_kept_and_unused_categories_dropped():
    g = pd.Categorical(["high", "low", "high", "mid"], categories=["low", "unused", "mid", "high"])
    for x in (g, pd.Series(g, index=list("wxyz"))):
        c, labels, _ = v.label_codes(x, "group", 4)
        assert list(labels) == ["low", "mid", "high"]
        np.testing.assert_array_equal(c, [2.0, 0.0, 2.0, 1.0])


def test_a_missing_label_is_a_nan_code_or_an_error_naming_the_index_label():
    g = pd.Series(["a", None, "b"], index=["p1", "p2", "p3"])
    c, labels, _ = v.label_codes(g, "group", 3)
    assert np.isnan(c[1]) and list(labels) == ["a", "b"]
    with pytest.raises(rs.InvalidInputError, match=r"group\[1\] \(index 'p2'\) = nan: missing value") as e:
        v.label_codes(g, "group", 3, missing="raise")
    assert e.value.arg == "group" and e.value.row == 1


def test_whole_numbers_are_codes_directly_and_other_numbers_are_labels():
    c, labels, present = v.label_codes(np.array([2, 1, 2]), "group", 3, direct=True)
    assert labels is None and present == np.dtype(np.int64)
    np.testing.assert_array_equal(c, [2.0, 1.0, 2.0])
    c, labels, _ = v.label_codes(np.array([0.5, 1.5, 0.5]), "group", 3, direct=True)
    assert list(labels) == [0.5, 1.5]
    np.testing.assert_array_equal(c, [0.0, 1.0, 0.0])


def test_label_shape_and_length_errors_name_the_argument():
    with pytest.raises(TypeError, match="group: expected a 1-D array-like of labels, got a DataFrame"):
        v.label_codes(pd.DataFrame({"a": [1, 2]}), "group", 2)
    with pytest.raises(ValueError, match="group: expected a 1-D array of labels"):
        v.label_codes(np.zeros((2, 2)), "group", 2)
    with pytest.raises(rs.InvalidInputError, match="time and strata must have the same length; got 3 and 2"):
        v.label_codes(["a", "b"], "strata", 3, other="time")


def test_the_label_coder_is_the_same_for_groups_and_survival():
    # the same labels give the same levels in both modules (categorical order)
    g = pd.Categorical(["y", "x", "y", "x", "y", "x"], categories=["y", "x"])
    k = rs.groups.kruskal([1.0, 2.0, 3.0, 4.0, 5.0, 6.5], g)
    assert k.levels == ("y", "x")
    km = rs.survival.kaplan_meier([1, 2, 3, 4, 5, 6], [1, 1, 0, 1, 1, 0], group=g)
    assert list(pd.unique(km.table["group"])) == ["y", "x"]


def test_table_and_matrix_readers():
    arr, rows, cols = v.table_counts(pd.DataFrame([[1, 2], [3, 4]], index=["a", "b"], columns=["u", "w"]))
    assert arr.dtype == np.float64 and list(rows) == ["a", "b"] and list(cols) == ["u", "w"]
    with pytest.raises(TypeError, match="table: expected counts, got <U1 dtype"):
        v.table_counts(np.array([["a", "b"], ["c", "d"]]))
    with pytest.raises(ValueError, match="table: expected a 2-D table of counts, got shape \\(3,\\)"):
        v.table_counts([1, 2, 3])
    m, labels = v.matrix(pd.DataFrame({"e1": [1.0, 2.0], "e2": [3.0, 4.0]}), "x", 0)
    assert m.flags.c_contiguous and list(labels) == ["e1", "e2"]
    with pytest.raises(ValueError, match="x: expected a 2-D array for matrix mode"):
        v.matrix([1.0, 2.0], "x", 0)
