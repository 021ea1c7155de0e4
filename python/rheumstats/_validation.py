"""The one input path: array-likes -> float64 arrays, index remembered.

Every public function follows the same template:

1. coerce its inputs here (type, dtype and shape checks; the error names the
   argument), remembering the pandas index and column names;
2. make one ``_rheumstats`` call through :func:`call` (value-range checks
   happen once, in Rust; an error is re-worded here to carry the pandas index
   label and column name of the offending row);
3. wrap the output with :func:`wrap_float` / :func:`wrap_category` /
   :func:`wrap_bool`, which restore the index.

Inputs are never modified: conversion copies when a dtype change or a
contiguous 1-D layout is needed (2-D inputs are passed as strided views, which the
Rust kernels read in place), and the native layer only ever borrows read-only.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from . import _rheumstats as _native
from .exceptions import InvalidInputError

NAN_POLICIES = ("propagate", "omit", "raise")
ALTERNATIVES = ("two-sided", "less", "greater")


# --------------------------------------------------------------------------
# type / dtype checks
# --------------------------------------------------------------------------
def _is_scalar(x: Any) -> bool:
    return isinstance(x, (numbers.Number, np.number, np.bool_)) and not isinstance(x, complex)


def _check_dtype(arr: np.ndarray, name: str) -> None:
    kind = arr.dtype.kind
    if kind in "biuf":
        return
    what = {"O": "object", "U": "str", "S": "bytes", "M": "datetime", "m": "timedelta", "c": "complex"}.get(kind, str(arr.dtype))
    raise TypeError(f"{name}: expected numeric values, got {what} dtype ({arr.dtype}); convert with pd.to_numeric or astype(float) first")


def _series_to_float(s: pd.Series, name: str) -> np.ndarray:
    dt = s.dtype
    if isinstance(dt, pd.CategoricalDtype):
        raise TypeError(f"{name}: expected numeric values, got a categorical column")
    if pd.api.types.is_bool_dtype(dt) or pd.api.types.is_numeric_dtype(dt):
        # nullable Int64/Float64/boolean: pd.NA -> NaN
        return s.to_numpy(dtype=np.float64, na_value=np.nan)
    raise TypeError(f"{name}: expected numeric values, got {dt} dtype; convert with pd.to_numeric or astype(float) first")


def _first_non_number(col: pd.Series) -> str:
    num = pd.to_numeric(col, errors="coerce")
    bad = col.notna().to_numpy() & num.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        return f"; row {i} (index {col.index[i]!r}) holds {col.iloc[i]!r}"
    return ""


def numeric_column(col: pd.Series, arg: str) -> np.ndarray:
    """A DataFrame column of numbers as a float64 array (zero-copy for float64; pandas nullable
    types with NA as NaN); a TypeError naming ``arg``, the column and its first non-numeric row
    (by index label) otherwise. The one check of the DataFrame-taking calls."""
    dt = col.dtype
    if isinstance(dt, pd.CategoricalDtype) or not (pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_bool_dtype(dt)):
        what = "datetime" if pd.api.types.is_datetime64_any_dtype(dt) or pd.api.types.is_timedelta64_dtype(dt) else str(dt)
        hint = " (convert to a number, e.g. days since baseline)" if what == "datetime" else "; convert with pd.to_numeric first"
        where = "" if what == "datetime" or isinstance(dt, pd.CategoricalDtype) else _first_non_number(col)
        raise TypeError(f"{arg}: column {col.name!r} is not numeric ({what} dtype){where}{hint}")
    if dt == np.float64:
        return np.ascontiguousarray(col.to_numpy())
    return col.to_numpy(dtype=np.float64, na_value=np.nan)


def as_float(x: Any, name: str) -> np.ndarray:
    """Any 1-D array-like or scalar -> new or borrowed C-contiguous float64 array (1-D)."""
    if isinstance(x, pd.DataFrame):
        raise TypeError(f"{name}: expected a 1-D array-like (list, ndarray, Series), got a DataFrame")
    if isinstance(x, pd.Series):
        arr = _series_to_float(x, name)
    elif isinstance(x, pd.api.extensions.ExtensionArray):
        # bare nullable arrays (pd.array([True, pd.NA], dtype="boolean")): NA -> NaN
        arr = _series_to_float(pd.Series(x, copy=False), name)
    elif _is_scalar(x):
        arr = np.array([float(x)])
    elif x is None or isinstance(x, (str, bytes)):
        raise TypeError(f"{name}: expected numbers, got {type(x).__name__}")
    else:
        try:
            raw = np.asarray(x)
        except Exception as exc:  # ragged lists etc.
            raise TypeError(f"{name}: could not be read as an array ({exc})") from None
        _check_dtype(raw, name)
        if raw.ndim == 0:
            raw = raw.reshape(1)
        if raw.ndim != 1:
            raise ValueError(f"{name}: expected a 1-D array, got shape {raw.shape}")
        arr = raw
    return np.ascontiguousarray(arr, dtype=np.float64)


def frame_values(df: pd.DataFrame, name: str) -> np.ndarray:
    """A DataFrame of numeric columns as one float64 (rows × columns) array: one conversion for
    plain numpy columns (a float64 frame gives a view), per column otherwise (pandas nullable
    types with NA as NaN); a TypeError naming ``name[column]`` for a non-numeric column."""
    if df.shape[1] and all(isinstance(dt, np.dtype) and dt.kind in "biuf" for dt in set(df.dtypes.tolist())):
        return df.to_numpy(dtype=np.float64)
    cols = [_series_to_float(df.iloc[:, j], f"{name}[{df.columns[j]!r}]") for j in range(df.shape[1])]
    return np.column_stack(cols) if cols else np.empty((len(df), 0))


def as_array(v: Any, name: str) -> "tuple[np.ndarray, Optional[pd.Index], Optional[pd.Index]]":
    """Any 1-D or 2-D array-like (list, ndarray, Series, DataFrame) or scalar -> (float64 values,
    row index, column labels); the index and labels are None where the input has none. The one
    reader of the array-taking calls that accept 1-D and matrix input."""
    if isinstance(v, pd.DataFrame):
        return frame_values(v, name), v.index, v.columns
    if isinstance(v, pd.Series):
        return _series_to_float(v, name), v.index, None
    if isinstance(v, pd.api.extensions.ExtensionArray):
        return _series_to_float(pd.Series(v, copy=False), name), None, None
    if v is None or isinstance(v, (str, bytes)):
        raise TypeError(f"{name}: expected numbers, got {type(v).__name__}")
    if _is_scalar(v):
        return np.array([float(v)]), None, None
    try:
        raw = np.asarray(v)
    except Exception as exc:
        raise TypeError(f"{name}: could not be read as an array ({exc})") from None
    _check_dtype(raw, name)
    if raw.ndim == 0:
        raw = raw.reshape(1)
    if raw.ndim > 2:
        raise ValueError(f"{name}: expected a 1-D or 2-D array, got shape {raw.shape}")
    return raw.astype(np.float64, copy=False), None, None


def as_matrix(x: Any, name: str, columns: Sequence[str], *, exact: bool = True) -> "Matrix":
    """A DataFrame with ``columns`` (any order) or an (n, len(columns)) array -> float64 matrix.

    With ``exact=True`` a DataFrame may not carry other columns.
    """
    k = len(columns)
    if isinstance(x, pd.DataFrame):
        have = [str(c) for c in x.columns]
        missing = [c for c in columns if c not in have]
        extra = [c for c in have if c not in columns]
        if missing or (exact and extra):
            parts = []
            if missing:
                parts.append(f"missing column(s) {missing}")
            if exact and extra:
                parts.append(f"unexpected column(s) {extra} (select the {k} columns first, e.g. df[list(...)])")
            raise ValueError(f"{name}: " + "; ".join(parts))
        sub = x[list(columns)]
        for c in columns:  # dtype check per column, so the error names it
            dt = sub[c].dtype
            if not (pd.api.types.is_bool_dtype(dt) or pd.api.types.is_numeric_dtype(dt)) or isinstance(dt, pd.CategoricalDtype):
                _series_to_float(sub[c], f"{name}[{c!r}]")  # raises the TypeError
        # any memory layout: the Rust kernels read strided views (no C-order copy)
        mat = sub.to_numpy(dtype=np.float64, na_value=np.nan) if k else np.empty((len(x), 0))
        return Matrix(mat, x.index, tuple(columns))
    if isinstance(x, pd.Series):
        raise TypeError(f"{name}: expected a DataFrame with {k} columns or an (n, {k}) array, got a Series")
    try:
        raw = np.asarray(x)
    except Exception as exc:
        raise TypeError(f"{name}: could not be read as an array ({exc})") from None
    _check_dtype(raw, name)
    if raw.ndim == 1 and raw.shape[0] == k:
        raw = raw.reshape(1, k)
    if raw.ndim != 2 or raw.shape[1] != k:
        raise ValueError(f"{name}: expected shape (n, {k}), got {raw.shape}")
    return Matrix(np.asarray(raw, dtype=np.float64), None, tuple(columns))


def matrix(a: Any, name: str, axis: int) -> "tuple[np.ndarray, Optional[pd.Index]]":
    """2-D input (matrix mode: one endpoint per column for ``axis=0``, per row
    for ``axis=1``) -> C-contiguous float64 as given, plus the endpoint labels."""
    arr, index, columns = as_array(a, name)
    if arr.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D array for matrix mode, got shape {arr.shape}")
    labels = columns if axis == 0 else index
    # C-contiguous as given: Rust reads columns (axis=0) or rows (axis=1) in place
    return np.ascontiguousarray(arr, dtype=np.float64), labels


def table_counts(table: Any, name: str = "table") -> "tuple[np.ndarray, Optional[pd.Index], Optional[pd.Index]]":
    """A contingency table (2-D array-like or DataFrame such as ``pd.crosstab``)
    -> float64 counts and its row / column labels (None for arrays); the count
    values themselves are checked in Rust."""
    if isinstance(table, pd.DataFrame):
        rows, cols = table.index, table.columns
        try:
            arr = table.to_numpy(dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{name}: expected a table of counts (numeric)") from None
    else:
        rows = cols = None
        arr = np.asarray(table)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{name}: expected counts, got {arr.dtype} dtype")
    if arr.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D table of counts, got shape {arr.shape}")
    return np.ascontiguousarray(arr, dtype=np.float64), rows, cols


# --------------------------------------------------------------------------
# labels (group, strata, subject): the one label coder
# --------------------------------------------------------------------------


def label_series(x: Any, name: str, n: int, other: str, infer_lists: bool = False) -> pd.Series:
    """A 1-D array-like of labels as a Series (its own index kept) of length ``n``
    (the length of ``other``). A list's labels stay Python objects unless
    ``infer_lists`` (then pandas infers the dtype, e.g. int64 codes)."""
    if isinstance(x, pd.DataFrame):
        raise TypeError(f"{name}: expected a 1-D array-like of labels, got a DataFrame")
    if isinstance(x, pd.Series):
        s = x
    elif isinstance(x, (pd.Index, pd.Categorical)):
        s = pd.Series(x)  # a Categorical keeps its categories and their order
    elif isinstance(x, (list, tuple)):
        s = pd.Series(list(x)) if infer_lists else pd.Series(np.asarray(list(x), dtype=object))
    else:
        a = np.asarray(x)
        if a.ndim != 1:
            raise ValueError(f"{name}: expected a 1-D array of labels, got shape {a.shape}")
        s = pd.Series(a)
    if s.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array-like")
    if len(s) != n:
        raise InvalidInputError(f"{other} and {name} must have the same length; got {n} and {len(s)}")
    return s


def missing_label(s: pd.Series, name: str, row: int, labelled: bool = True) -> InvalidInputError:
    """The error for a row without a label (row position and, for pandas input, its index label)."""
    where = f" (index {s.index[row]!r})" if labelled else ""
    err = InvalidInputError(f"{name}[{row}]{where} = nan: missing value; every row needs a {name} label")
    setattr(err, "arg", name)
    setattr(err, "row", row)
    return err


def _direct_codes(v: np.ndarray, n: int) -> "Optional[tuple]":
    """Whole numbers >= 0 below 4n + 1024 as codes directly: (float codes, None,
    dtype); None otherwise (missing, negative, fractional or large numbers are
    hashed by the caller)."""
    if v.dtype.kind in "iu":
        lo, hi = v.min(), v.max()  # on the integers: no float copy to test the range
        if lo >= 0 and hi < 4 * n + 1024:
            return np.ascontiguousarray(v, dtype=np.float64), None, v.dtype
        return None
    vf = np.ascontiguousarray(v, dtype=np.float64)
    if np.isnan(vf).any():
        return None  # a missing label: reported by the caller with its row
    if vf.min() >= 0 and vf.max() < 4 * n + 1024 and bool(np.all(vf == np.floor(vf))):
        return vf, None, v.dtype
    return None


def label_codes(
    x: Any, name: str, n: int, *, other: str = "values", missing: str = "code", direct: bool = False,
) -> "tuple[np.ndarray, Optional[pd.Index], Any]":
    """Labels -> (float64 codes, labels, present codes).

    Categorical order is kept (unused categories dropped), other labels are
    sorted; ``labels[i]`` is the label of code ``present[i]``. A missing label
    is a NaN code for the Rust core to apply ``nan_policy`` to
    (``missing='code'``), or an error naming its row (``missing='raise'``).
    With ``direct``, whole numbers >= 0 (e.g. 1/2 for sex) are the codes
    themselves, with no hashing pass: then ``labels`` is None, ``present`` the
    dtype, and the caller reads the codes that occur from the native output.
    """
    if direct and isinstance(x, np.ndarray) and x.ndim == 1 and x.dtype.kind in "iuf" and len(x) == n and n > 0:
        # numbers straight from numpy: no Series (pandas would copy the array)
        codes = _direct_codes(x, n)
        if codes is not None:
            return codes
    s = label_series(x, name, n, other, infer_lists=direct)
    kind = s.dtype.kind if isinstance(s.dtype, np.dtype) else ""
    if direct and kind in ("i", "u", "f") and n > 0:
        codes = _direct_codes(s.to_numpy(), n)
        if codes is not None:
            return codes
    if missing == "raise":
        miss = np.flatnonzero(pd.isna(s).to_numpy())
        if miss.size:
            raise missing_label(s, name, int(miss[0]), isinstance(x, pd.Series))
    if isinstance(s.dtype, pd.CategoricalDtype):
        cat = s.cat.remove_unused_categories()
        c = cat.cat.codes.to_numpy(dtype=np.float64)
        c[c < 0] = np.nan
        labels = pd.Index(cat.cat.categories)
    else:
        codes, uniques = pd.factorize(s, sort=True)
        c = codes.astype(np.float64)
        c[codes < 0] = np.nan
        labels = pd.Index(uniques)
    return np.ascontiguousarray(c), labels, np.arange(len(labels))


def subject_codes(col: pd.Series) -> tuple:
    """Subject IDs -> (codes int64, base, n_codes, labels(codes) -> labels, the
    integer IDs' dtype when they are used as they are, else None).

    Categoricals use their codes; integers with a compact range are used as
    they are (``code = id - min``: no hashing); anything else is factorized
    (sorted), with -1 for a missing ID.
    """
    dt = col.dtype
    if isinstance(dt, pd.CategoricalDtype):
        cats = col.cat.categories
        codes = col.cat.codes.to_numpy().astype(np.int64)
        return codes, 0, len(cats), lambda c: pd.Categorical.from_codes(c, dtype=dt), None
    if pd.api.types.is_integer_dtype(dt) and not pd.api.types.is_extension_array_dtype(dt) and len(col):
        raw = col.to_numpy()
        lo, hi = int(raw.min()), int(raw.max())
        if hi - lo < max(4 * len(raw), 1 << 16):
            codes = np.ascontiguousarray(raw, dtype=np.int64)
            return codes, lo, hi - lo + 1, lambda c: (np.asarray(c, dtype=np.int64) + lo).astype(dt), dt
    codes, uniques = pd.factorize(col, sort=True)
    return codes.astype(np.int64, copy=False), 0, len(uniques), lambda c: uniques.take(c), None


@dataclass
class Matrix:
    values: np.ndarray
    index: Optional[pd.Index]
    columns: tuple


# --------------------------------------------------------------------------
# row-wise arguments (scores)
# --------------------------------------------------------------------------
@dataclass
class RowArgs:
    """Coerced row-wise arguments: equal-length float64 arrays plus the index to restore."""

    arrays: dict
    index: Optional[pd.Index]
    scalar: bool
    n: int
    labels: dict = field(default_factory=dict)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]


def rowwise(**named: Any) -> RowArgs:
    """Coerce keyword array-likes for a per-row score. ``None`` values are kept as None.

    Scalars broadcast against arrays (as numpy ufuncs do); all-scalar input
    gives a scalar output. Two pandas inputs must share the same index.
    """
    arrays: dict = {}
    index: Optional[pd.Index] = None
    index_from = None
    all_scalar = True
    n = None
    for name, x in named.items():
        if x is None:
            arrays[name] = None
            continue
        if isinstance(x, pd.Series):
            if index is None:
                index, index_from = x.index, name
            elif not index.equals(x.index):
                raise ValueError(
                    f"{index_from} and {name} are pandas Series with different indexes; "
                    "align them first (e.g. take both columns from one DataFrame)"
                )
        scalar = _is_scalar(x)
        arr = as_float(x, name)
        all_scalar &= scalar
        if not scalar and n is None:
            n = arr.shape[0]
        arrays[name] = (arr, scalar)
    out: dict = {}
    for name, v in arrays.items():
        if v is None:
            out[name] = None
            continue
        arr, scalar = v
        if scalar and n is not None:
            arr = np.full(n, arr[0])
        out[name] = arr
    labels = {name: index for name in out} if index is not None else {}
    return RowArgs(out, index, all_scalar, n if n is not None else 1, labels)


# --------------------------------------------------------------------------
# native call with error enrichment
# --------------------------------------------------------------------------
def _location(arg: str, row: int, col: Optional[int], index: Optional[pd.Index], columns: Optional[Sequence[str]]) -> str:
    loc = arg
    if col is not None:
        loc += f"[{columns[col]!r}]" if columns is not None and col < len(columns) else f"[:, {col}]"
    loc += f"[{row}]"
    if index is not None and row < len(index):
        loc += f" (index {index[row]!r})"
    return loc


def call(
    fn: Callable[..., Any],
    *args: Any,
    index: Optional[Mapping[str, Optional[pd.Index]]] = None,
    columns: Optional[Mapping[str, Optional[Sequence[Any]]]] = None,
    **kwargs: Any,
) -> Any:
    """Call a native function; re-word an :class:`InvalidInputError` so that it
    names the pandas index label and column of the offending value.

    ``index`` maps an argument name (as Rust reports it) to the pandas index of
    that input; ``columns`` maps a 2-D argument to its column names.
    """
    try:
        return fn(*args, **kwargs)
    except OverflowError as exc:
        # an integer option outside the core's range (a negative or huge count):
        # pyo3 says which argument ("... while processing 'max_iter'")
        raise InvalidInputError(f"an integer option is out of range: {exc}") from None
    except InvalidInputError as exc:
        arg, row, col = getattr(exc, "arg", None), getattr(exc, "row", None), getattr(exc, "col", None)
        if arg is None or row is None:
            raise
        idx = (index or {}).get(arg)
        cols = (columns or {}).get(arg)
        msg = str(exc)
        old = f"{arg}[{row}, {col}]" if col is not None else f"{arg}[{row}]"
        if msg.startswith(old):
            msg = _location(arg, row, col, idx, cols) + msg[len(old):]
        new = InvalidInputError(msg)
        for attr in ("arg", "row", "col", "value"):
            setattr(new, attr, getattr(exc, attr, None))
        setattr(new, "label", idx[row] if idx is not None and row < len(idx) else None)
        setattr(new, "column", cols[col] if cols is not None and col is not None and col < len(cols) else None)
        raise new from None


# --------------------------------------------------------------------------
# output wrapping
# --------------------------------------------------------------------------
def wrap_float(out: np.ndarray, args: RowArgs, name: Optional[str] = None) -> Any:
    if args.scalar:
        return float(out[0])
    if args.index is not None:
        return pd.Series(out, index=args.index, name=name)
    return out


def wrap_category(codes: np.ndarray, categories: Sequence[str], ordered: bool, args: RowArgs, name: Optional[str] = None) -> Any:
    if args.scalar:
        c = int(codes[0])
        return categories[c] if c >= 0 else float("nan")
    cat = pd.Categorical.from_codes(codes.astype(np.int64), categories=list(categories), ordered=ordered)
    if args.index is not None:
        return pd.Series(cat, index=args.index, name=name)
    return cat


def bool_array(codes: np.ndarray) -> "pd.arrays.BooleanArray":
    codes = np.asarray(codes)
    return pd.arrays.BooleanArray(codes == 1, codes < 0)


def wrap_bool(codes: np.ndarray, args: RowArgs, name: Optional[str] = None) -> Any:
    if args.scalar:
        c = int(codes[0])
        return pd.NA if c < 0 else bool(c)
    arr = bool_array(codes)
    if args.index is not None:
        return pd.Series(arr, index=args.index, name=name)
    return arr


# --------------------------------------------------------------------------
# option checks shared by the statistics
# --------------------------------------------------------------------------
def check_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise ValueError(f"{name}: {value!r} is not one of {', '.join(repr(c) for c in choices)}")
    return value


def check_conf_level(conf_level: Any, name: str = "conf_level") -> float:
    try:
        c = float(conf_level)
    except (TypeError, ValueError):
        raise TypeError(f"{name}: expected a number in (0, 1), got {conf_level!r}") from None
    if not 0.0 < c < 1.0:
        raise ValueError(f"{name}: {c} is outside (0, 1)")
    return c


__all__ = [
    "as_float",
    "as_matrix",
    "rowwise",
    "call",
    "wrap_float",
    "wrap_category",
    "wrap_bool",
    "bool_array",
    "check_choice",
    "check_conf_level",
    "RowArgs",
    "Matrix",
    "NAN_POLICIES",
    "ALTERNATIVES",
    "_native",
]


# ----------------------------------------------------------------------------
# resampling arguments (paired permutation/bootstrap, Monte Carlo Fisher)
# ----------------------------------------------------------------------------
def resample_seed(seed: Any) -> int:
    """A 64-bit seed for the Rust resampling streams: None (fresh entropy), an int >= 0 or a numpy Generator."""
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0])
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 2**63))
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed: expected an int, a numpy Generator or None, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed: {seed} is negative; use a non-negative integer")
    return int(seed) % 2**64


def positive_int(v: Any, name: str) -> int:
    """`v` as a Python int > 0, or TypeError/ValueError naming `name`."""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{name}: expected a positive integer, got {v!r}")
    if v <= 0:
        raise ValueError(f"{name}: {v} is not a positive integer")
    if v > MAX_COUNT:
        raise ValueError(f"{name}: {v} is too large (at most {MAX_COUNT})")
    return int(v)


MAX_COUNT = 2**53
"""The largest count option (``n_resamples``, ``max_iter``) passed to the core."""


# ----------------------------------------------------------------------------
# the method vocabulary and the old spellings (API.md, Conventions)
# ----------------------------------------------------------------------------
METHODS = ("auto", "exact", "approx", "monte-carlo")
"""The ``method`` vocabulary; ``'asymptotic'`` is accepted as an alias of ``'approx'``."""


def check_method(method: Any, allowed: Sequence[str] = ("auto", "exact", "approx")) -> str:
    """``method`` in the Conventions vocabulary: ``'asymptotic'`` -> ``'approx'``;
    anything else outside ``allowed`` is an error naming the allowed values."""
    if not isinstance(method, str):
        raise TypeError(f"method: expected one of {', '.join(repr(c) for c in allowed)}, got {type(method).__name__}")
    m = "approx" if method == "asymptotic" and "approx" in allowed else method
    if m not in allowed:
        names = ", ".join(repr(c) for c in allowed)
        extra = " ('asymptotic' is accepted for 'approx')" if "approx" in allowed else ""
        raise ValueError(f"method: {method!r} is not one of {names}{extra}")
    return m


def renamed(old: str, new: str, old_value: Any, new_value: Any, default: Any = None) -> Any:
    """Resolve an option renamed by the Conventions (``groupby=`` -> ``by=``...).

    The old keyword keeps working with a ``FutureWarning`` (not a
    DeprecationWarning: users should see it); passing both is an error.
    """
    if old_value is None:
        return new_value
    if new_value is not default:
        raise TypeError(f"pass {new}= only ({old}= is its old name)")
    import warnings

    warnings.warn(f"{old}= is now called {new}=; the old name will be removed in a later release", FutureWarning, stacklevel=3)
    return old_value


def nan_policy_arg(nan_policy: Any) -> str:
    if not isinstance(nan_policy, str) or nan_policy not in NAN_POLICIES:
        raise ValueError(f"nan_policy: {nan_policy!r} is not one of 'propagate', 'omit', 'raise'")
    return nan_policy


# ----------------------------------------------------------------------------
# units of CRP and of the global assessments (explicit keyword, current unit default)
# ----------------------------------------------------------------------------
CRP_UNITS = {"mg/L": 1.0, "mg/dL": 10.0}  # in mg/L
VAS_UNITS = {"mm": 1.0, "cm": 10.0}  # in mm


def _looks_like_other_unit(v: np.ndarray, unit: str, units: Mapping[str, float], full: bool = False) -> bool:
    """The rule of :func:`in_unit` over the finite values. The maximum decides whether a column
    can look like the other unit, and a sample's maximum is a lower bound of the column's: on a
    column of millions, a sample of ~4,000 values settles the usual answer (no), and only a
    sample that looks like the other unit is confirmed on the whole column."""
    step = 1 if full else max(1, v.size // 4096)
    part = v[::step]
    top = float(np.fmax.reduce(part))
    if np.isinf(top):
        part = part[np.isfinite(part)]
        top = float(part.max()) if part.size else np.nan
    if np.isnan(top):
        return False if step == 1 else _looks_like_other_unit(v, unit, units, True)
    top *= units[unit]  # in the base unit (mg/L, mm)
    if units is CRP_UNITS:
        looks = (unit == "mg/L" and top < 1.0) or unit == "mg/dL"
    else:
        looks = unit == "mm" and 0 < top <= 10.0
    if not looks:
        return False
    if step > 1:
        return _looks_like_other_unit(v, unit, units, True)
    if unit == "mg/dL" and not float(np.nanmedian(v[np.isfinite(v)])) * units[unit] > 100.0:
        return False
    return bool(np.count_nonzero(np.isfinite(v)) >= 5)


def in_unit(x: Any, name: str, kw: str, unit: str, units: Mapping[str, float], want: str) -> Any:
    """``x`` (a coerced float array) from ``unit`` (the keyword ``kw``) into
    ``want``, warning with :class:`~rheumstats.exceptions.UnitWarning` when the
    whole column looks like the other unit (at least 5 values: CRP all below
    1 mg/L or a median above 100 mg/L; a 0-100 mm VAS whose values are all <= 10)."""
    check_choice(unit, kw, tuple(units))
    if x is None:
        return None
    v = np.asarray(x, dtype=np.float64)
    if v.size >= 5 and _looks_like_other_unit(v, unit, units):
        import warnings

        from .exceptions import UnitWarning

        ok = v[np.isfinite(v)]
        other = [u for u in units if u != unit][0]
        warnings.warn(
            f"{name}: the values ({ok.min():g} to {ok.max():g}) look like {other}, not {unit}; if they are, pass {kw}={other!r}",
            UnitWarning,
            stacklevel=4,
        )
    factor = units[unit] / units[want]
    return v if factor == 1.0 else v * factor
