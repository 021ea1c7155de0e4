"""One table of every public score with a small valid input, run through the
shared battery: input kinds, index kept, inputs unchanged, empty input,
mismatched lengths, non-numeric dtype, nan_policy."""

import copy
import inspect
import pickle

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs
from rheumstats.scores import CHFS_ITEMS, HAQ_ITEMS, MRSS_SITES

IDX = ["p1", "p2", "p3"]


def visits():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "tjc": [4, 10, 0], "sjc": [3, 8, 0], "esr": [20.0, 45, 1], "crp": [10.0, 25.5, 0],
            "gh": [40.0, 70, 0], "ptga": [4.5, 7.0, 0.5], "ega": [3.0, 6.0, 0.2], "crp_dl": [1.2, 2.0, 0.1],
            "das": [2.5, 4.0, 6.0], "das_f": [2.0, 3.0, 6.5],
        },
        index=IDX,
    )
    sites = pd.DataFrame(rng.integers(0, 4, (3, 17)), columns=MRSS_SITES, index=IDX)
    haq = pd.DataFrame(rng.integers(0, 4, (3, 20)), columns=HAQ_ITEMS, index=IDX)
    chfs = pd.DataFrame(rng.integers(0, 6, (3, 18)), columns=CHFS_ITEMS, index=IDX)
    return df, sites, haq, chfs


def argnames(fn, cols):
    return list(inspect.signature(fn).parameters)[: len(cols)]


# name -> (function, columns of visits() passed positionally)
ONE_D = {
    "das28_esr": (rs.scores.das28_esr, ["tjc", "sjc", "esr", "gh"]),
    "das28_esr_3": (rs.scores.das28_esr, ["tjc", "sjc", "esr"]),
    "das28_crp": (rs.scores.das28_crp, ["tjc", "sjc", "crp", "gh"]),
    "cdai": (rs.scores.cdai, ["tjc", "sjc", "ptga", "ega"]),
    "sdai": (rs.scores.sdai, ["tjc", "sjc", "ptga", "ega", "crp_dl"]),
    "das28_category": (rs.scores.das28_category, ["das"]),
    "eular_response": (rs.scores.eular_response, ["das", "das_f"]),
    "cdai_category": (rs.scores.cdai_category, ["ptga"]),
    "sdai_category": (rs.scores.sdai_category, ["ptga"]),
}
MATRIX = {
    "mrss": (rs.scores.mrss, 1),
    "skin_subset": (rs.scores.skin_subset, 1),
    "haq_di": (rs.scores.haq_di, 2),
    "chfs": (rs.scores.chfs, 3),
}


@pytest.mark.parametrize("name", ONE_D)
def test_one_d_scores_keep_index_and_leave_inputs_unchanged(name):
    fn, cols = ONE_D[name]
    df, *_ = visits()
    before = df.copy(deep=True)
    out = fn(*[df[c] for c in cols])
    assert list(out.index) == IDX
    pd.testing.assert_frame_equal(df, before)
    # the same numbers from lists, arrays and scalars
    as_list = fn(*[df[c].tolist() for c in cols])
    as_arr = fn(*[df[c].to_numpy() for c in cols])
    scalar = fn(*[df[c].iloc[1] for c in cols])
    assert isinstance(as_arr, (np.ndarray, pd.Categorical))
    assert [str(v) for v in np.asarray(out)] == [str(v) for v in np.asarray(as_list)] == [str(v) for v in np.asarray(as_arr)]
    assert str(scalar) == str(np.asarray(out)[1])


@pytest.mark.parametrize("name", ONE_D)
def test_one_d_scores_reject_empty_mismatched_and_text(name):
    fn, cols = ONE_D[name]
    names = argnames(fn, cols)
    df, *_ = visits()
    with pytest.raises(ValueError, match=names[0]):
        fn(*[[] for _ in cols])
    if len(cols) > 1:
        with pytest.raises(ValueError) as exc:
            fn(*[df[c].to_numpy()[: (2 if k == len(cols) - 1 else 3)] for k, c in enumerate(cols)])
        assert "same length" in str(exc.value) and names[-1] in str(exc.value)
    with pytest.raises(TypeError, match=names[0]):
        fn(*[df[c].astype(str) if k == 0 else df[c] for k, c in enumerate(cols)])
    with pytest.raises(TypeError, match=names[0]):
        fn(*[np.array(["4", "3", "1"], dtype=object) if k == 0 else df[c] for k, c in enumerate(cols)])


@pytest.mark.parametrize("name", ONE_D)
def test_one_d_scores_nan_policies(name):
    fn, cols = ONE_D[name]
    df, *_ = visits()
    df.iloc[1, df.columns.get_loc(cols[0])] = np.nan
    out = fn(*[df[c] for c in cols])
    assert pd.isna(out.iloc[1]) and not pd.isna(out.iloc[0])
    with pytest.raises(ValueError) as exc:
        fn(*[df[c] for c in cols], nan_policy="raise")
    assert f"{argnames(fn, cols)[0]}[1] (index 'p2')" in str(exc.value)
    with pytest.raises(ValueError, match="nan_policy"):
        fn(*[df[c] for c in cols], nan_policy="omit")
    with pytest.raises(ValueError, match="nan_policy"):
        fn(*[df[c] for c in cols], nan_policy="ignore")


@pytest.mark.parametrize("name", MATRIX)
def test_matrix_scores_keep_index_and_leave_inputs_unchanged(name):
    fn, k = MATRIX[name]
    frames = visits()
    frame = frames[k]
    before = frame.copy(deep=True)
    out = fn(frame)
    assert list(out.index) == IDX
    pd.testing.assert_frame_equal(frame, before)
    arr_out = fn(frame.to_numpy())
    assert [str(v) for v in np.asarray(out)] == [str(v) for v in np.asarray(arr_out)]
    with pytest.raises(ValueError):
        fn(frame.iloc[:0])
    with pytest.raises(TypeError, match=frame.columns[0]):
        fn(frame.astype({frame.columns[0]: str}))


def test_nullable_pandas_dtypes_are_read_with_na_as_nan():
    tjc = pd.Series([4, pd.NA, 2], dtype="Int64", index=IDX)
    out = rs.scores.das28_esr(tjc, 3, 20, 40)
    assert pd.isna(out["p2"]) and out["p1"] == pytest.approx(4.26198681761, rel=1e-9)


def test_series_with_different_indexes_are_refused():
    a = pd.Series([4, 5], index=["a", "b"])
    b = pd.Series([3, 3], index=["b", "a"])
    with pytest.raises(ValueError, match="different indexes"):
        rs.scores.das28_esr(a, b, 20, 40)


def test_dataframe_where_a_column_is_expected_is_a_type_error():
    df, *_ = visits()
    with pytest.raises(TypeError, match="tjc"):
        rs.scores.das28_esr(df, df["sjc"], df["esr"])


def test_invalid_input_error_is_a_value_error_and_pickles():
    with pytest.raises(rs.InvalidInputError) as exc:
        rs.scores.das28_esr(4, 3, -5, 40)
    assert isinstance(exc.value, ValueError)
    clone = pickle.loads(pickle.dumps(exc.value))
    assert type(clone) is rs.InvalidInputError and str(clone) == str(exc.value)
    assert copy.copy(exc.value).args == exc.value.args


def test_bare_nullable_extension_arrays_are_accepted():
    arr = pd.array([4, pd.NA, 2], dtype="Int64")
    out = rs.scores.das28_esr(arr, 3, 20, 40)
    assert isinstance(out, np.ndarray) and np.isnan(out[1]) and out[0] == pytest.approx(4.26198681761, rel=1e-9)
    with pytest.raises(TypeError, match="tjc"):
        rs.scores.das28_esr(pd.array(["a", "b"], dtype="string"), 3, 20, 40)
