"""Input path of the repeated-measures helpers and tests: column checks, the
one encoding of subject IDs into integer codes, float64 time/value views, and
the re-wording of core errors so they name the pandas index labels."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Sequence

import numpy as np
import pandas as pd

from .._validation import NAN_POLICIES, _native, call, check_choice, numeric_column, subject_codes
from ..exceptions import InvalidInputError


@dataclass
class Encoded:
    """Subject codes (``code = raw - base``; negative = missing), the number
    of codes, a way back to labels, time and the value matrix."""

    codes: np.ndarray
    base: int
    n_codes: int
    labels: Callable[[np.ndarray], Any]
    time: np.ndarray
    values: Optional[np.ndarray]
    value_index: pd.Index  # the value columns' labels as given (the result index of a test)
    index: pd.Index
    nan_policy: str
    id_dtype: Optional[np.dtype] = None  # integer IDs used as they are: their dtype

    def labels_of_ids(self, ids: np.ndarray) -> Any:
        """Labels from raw IDs (``code + base``, as the core returns them): integer IDs
        are their own labels (no round trip through codes)."""
        if self.id_dtype is not None:
            return ids.astype(self.id_dtype, copy=False)
        return self.labels(ids - self.base if self.base else ids)

    @property
    def value_names(self) -> List[str]:
        """The value columns' labels as text (output column names, error messages)."""
        return list(map(str, self.value_index))


def _column(data: pd.DataFrame, name: Any, arg: str) -> pd.Series:
    if isinstance(name, (list, tuple, np.ndarray, pd.Index)):
        raise TypeError(f"{arg}: expected one column name, got {type(name).__name__}")
    if name not in data.columns:
        raise ValueError(f"{arg}: column {name!r} is not in data (columns: {list(data.columns)[:10]})")
    col = data[name]
    if isinstance(col, pd.DataFrame):
        raise ValueError(f"{arg}: data has several columns named {name!r}")
    return col


def numeric(col: pd.Series, arg: str) -> np.ndarray:
    """A numeric column as float64 (see :func:`rheumstats._validation.numeric_column`)."""
    return numeric_column(col, arg)


def _same_labels(have: Any, names: List[Any]) -> bool:
    """``list(have) == names`` without making a Python object per label (thousands of labels of
    an arrow-backed Index: the objects and the garbage collection they set off cost
    milliseconds)."""
    try:
        if isinstance(have.dtype, pd.StringDtype) or str(have.dtype).startswith("string"):
            # (pyarrow storage: compared in arrow; python storage fails over to the numpy path)
            import pyarrow as pa
            import pyarrow.compute as pc

            left = pa.array(have)
            right = pa.array(names, type=left.type)
            return bool(pc.all(pc.equal(left, right)).as_py()) and right.null_count == 0
        return bool(np.array_equal(np.asarray(have, dtype=object), np.asarray(names, dtype=object)))
    except Exception:  # mixed label types, no pyarrow: the plain comparison
        return list(have) == list(names)


def _column_run(data: pd.DataFrame, names: List[Any]) -> Optional[slice]:
    """The positions of ``names`` as one run of adjacent columns (the usual
    case: an endpoint panel read from a file), found without building an
    indexer over thousands of names; None otherwise."""
    cols = data.columns
    if len(names) < 64 or not cols.is_unique:
        return None
    try:
        start = cols.get_loc(names[0])
    except (KeyError, TypeError):
        return None
    if not isinstance(start, int) or start + len(names) > len(cols):
        return None
    run = slice(start, start + len(names))
    # the labels' array, not cols[run]: slicing an Index whose lookup table exists builds one for
    # the slice too (pandas), a millisecond per thousands of labels
    return run if _same_labels(cols.array[run], names) else None


def _value_matrix(data: pd.DataFrame, names: List[Any], run: Optional[slice]) -> np.ndarray:
    """(rows × columns) float64 values; many float columns in one conversion."""
    if run is not None:
        arr = data.iloc[:, run].to_numpy()  # one float64 block: a view, no copy
        if arr.dtype.kind in "fiub":
            return arr.astype(np.float64, copy=False)
    if len(names) > 1:
        try:
            sub = data[names] if data.columns.is_unique and len(set(names)) == len(names) else None
        except (KeyError, TypeError):
            sub = None
        if sub is not None and all(isinstance(dt, np.dtype) and dt.kind in "fiub" for dt in set(sub.dtypes.tolist())):
            return sub.to_numpy(dtype=np.float64)
    cols_ = [numeric(_column(data, v, "value"), "value") for v in names]
    return cols_[0].reshape(-1, 1) if len(cols_) == 1 else np.column_stack(cols_)


def encode(
    data: Any,
    subject: Any,
    time: Any,
    value: Any = None,
    *,
    nan_policy: str = "propagate",
    need_value: bool = True,
) -> Encoded:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data: expected a pandas DataFrame in long format, got {type(data).__name__}")
    check_choice(nan_policy, "nan_policy", NAN_POLICIES)
    s = _column(data, subject, "subject")
    t = numeric(_column(data, time, "time"), "time")
    codes, base, n_codes, labels, id_dtype = subject_codes(s)
    names: List[Any] = []
    mat = None
    value_index = pd.Index([])
    if need_value:
        if value is None:
            raise TypeError("value: give a column name or a list of column names")
        names = list(value) if isinstance(value, (list, tuple, pd.Index)) else [value]
        if not names:
            raise ValueError("value: no value column given")
        run = _column_run(data, names)
        if run is not None:  # a run of columns: subject and time are in it only if their position is
            cols = data.columns
            both = {c for c in (subject, time) if run.start <= cols.get_loc(c) < run.stop}
            value_index = pd.Index(cols.array[run], name=cols.name)  # (see _column_run)
        else:
            both = {subject, time}.intersection(names)
            value_index = pd.Index(names, tupleize_cols=False)
        if both:
            raise ValueError(f"value: {both.pop()!r} is the subject or time column")
        mat = _value_matrix(data, names, run)
    return Encoded(codes, base, n_codes, labels, t, mat, value_index, data.index, nan_policy, id_dtype)


_DUP = re.compile(r"^time\[(\d+)\](?: \(index .*?\))? = (\S+): duplicate subject and time; .*row (\d+) has")


def run(fn: Callable[..., Any], e: Encoded, *args: Any, subject_name: Any = "subject", **options: Any) -> Any:
    """One native call on the encoded input; errors name index labels and columns."""
    try:
        return call(
            fn,
            e.codes,
            e.base,
            e.n_codes,
            e.time,
            *args,
            **options,
            index={"time": e.index, "subject": e.index, "value": e.index},
            columns={"value": e.value_index},
        )
    except InvalidInputError as exc:
        m = _DUP.match(str(exc))
        if m is None:
            raise
        second, first = int(m.group(1)), int(m.group(3))
        code = int(e.codes[second]) - e.base
        who = np.asarray(e.labels(np.array([code])))[0]
        new = InvalidInputError(
            f"time: duplicate rows for subject {who!r} at time {m.group(2)}: "
            f"index {e.index[first]!r} and {e.index[second]!r} (rows {first} and {second}); "
            "keep one row per subject and time"
        )
        for k, v in (("arg", "time"), ("row", second), ("col", None), ("value", float(e.time[second]))):
            setattr(new, k, v)
        raise new from None


def targets_array(targets: Any, name: str = "targets") -> np.ndarray:
    if isinstance(targets, (str, bytes)) or targets is None:
        raise TypeError(f"{name}: expected a list of numeric times, got {type(targets).__name__}")
    arr = np.atleast_1d(np.asarray(targets))
    if arr.dtype.kind not in "biuf" or arr.ndim != 1:
        raise TypeError(f"{name}: expected a 1-D list of numeric times, got {arr.dtype} with shape {arr.shape}")
    return np.ascontiguousarray(arr, dtype=np.float64)


def out_names(names: Sequence[str], fields: Sequence[str]) -> List[str]:
    """Output column names: the plain field names for one value column,
    ``<value>_<field>`` for several."""
    if len(names) == 1:
        return list(fields)
    return [f"{v}_{f}" for v in names for f in fields]


__all__ = ["Encoded", "encode", "numeric", "run", "targets_array", "out_names", "_native"]
