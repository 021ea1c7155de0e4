"""Shared input helpers of the survival package (group codes, times, matplotlib)."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
import pandas as pd

from .. import _rheumstats as _native
from .._validation import as_float

CONF_TYPES = ("log-log", "log", "plain")
TIES = ("efron", "breslow")
UNITS = {"days": 1.0, "weeks": 7.0, "months": 365.25 / 12.0, "years": 365.25}
"""Length of each time unit in days (a year is 365.25 days, a month a twelfth of it)."""

_TOL = float(np.sqrt(np.finfo(float).eps))  # R's quantile.survfit tolerance


# ----------------------------------------------------------------------------
# input helpers
# ----------------------------------------------------------------------------
def _index_of(*xs: Any) -> Optional[pd.Index]:
    for x in xs:
        if isinstance(x, pd.Series):
            return x.index
    return None


def _codes(x: Any, name: str, n: int, nan_policy: str = "raise") -> tuple:
    """Group/strata labels -> (float codes, labels, present codes).

    ``labels[i]`` is the label of code ``present[i]``; only labels that occur are
    listed. Categorical order is kept, other labels are sorted. Whole numbers
    >= 0 (e.g. 1/2 for sex) are used as codes directly, with no hashing pass:
    then ``labels`` and ``present`` are None and the caller reads the codes that
    occur from the native output (codes that do not occur are empty groups).
    A missing label is an error, or (``nan_policy='omit'``) a NaN code that the
    core drops with its row.
    """
    if isinstance(x, pd.DataFrame):
        raise TypeError(f"{name}: expected a 1-D array-like of labels, got a DataFrame")
    if isinstance(x, np.ndarray) and x.ndim == 1 and x.dtype.kind in "iuf" and len(x) == n and n > 0:
        # numbers straight from numpy: no Series (pandas would copy the array)
        direct = _direct_codes(x, n)
        if direct is not None:
            return direct
    s = x if isinstance(x, pd.Series) else pd.Series(np.asarray(x) if not isinstance(x, (list, tuple)) else list(x))
    if s.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array-like")
    if len(s) != n:
        raise _native.InvalidInputError(f"time and {name} must have the same length; got {n} and {len(s)}")
    kind = s.dtype.kind if isinstance(s.dtype, np.dtype) else ""
    if kind in ("i", "u", "f") and n > 0:
        direct = _direct_codes(s.to_numpy(), n)
        if direct is not None:
            return direct
    miss = np.flatnonzero(pd.isna(s).to_numpy())
    if miss.size and nan_policy == "omit":
        codes, uniques = pd.factorize(s, sort=not isinstance(s.dtype, pd.CategoricalDtype))
        if isinstance(s.dtype, pd.CategoricalDtype):
            cat = s.cat.remove_unused_categories()
            c = cat.cat.codes.to_numpy(dtype=np.float64)
            c[c < 0] = np.nan
            return c, pd.Index(cat.cat.categories), np.arange(len(cat.cat.categories))
        c = codes.astype(np.float64)
        c[codes < 0] = np.nan
        return c, pd.Index(uniques), np.arange(len(uniques))
    if miss.size:
        r = int(miss[0])
        where = f" (index {s.index[r]!r})" if isinstance(x, pd.Series) else ""
        err = _native.InvalidInputError(f"{name}[{r}]{where} = nan: missing value; every row needs a {name} label")
        setattr(err, "arg", name)
        setattr(err, "row", r)
        raise err
    if isinstance(s.dtype, pd.CategoricalDtype):
        cat = s.cat.remove_unused_categories()
        labels = pd.Index(cat.cat.categories)
        return cat.cat.codes.to_numpy(dtype=np.float64), labels, np.arange(len(labels))
    codes, uniques = pd.factorize(s, sort=True)
    labels = pd.Index(uniques)
    return codes.astype(np.float64), labels, np.arange(len(labels))


def _direct_codes(v: np.ndarray, n: int) -> Optional[tuple]:
    """Whole numbers >= 0 below 4n + 1024 as codes directly: (float codes, None, dtype); None otherwise
    (missing values, negative, fractional or large numbers: hashed by the caller)."""
    kind = v.dtype.kind
    if kind in "iu":
        lo, hi = v.min(), v.max()  # on the integers: no float copy needed to test the range
        if lo >= 0 and hi < 4 * n + 1024:
            return np.ascontiguousarray(v, dtype=np.float64), None, v.dtype
        return None
    vf = np.ascontiguousarray(v, dtype=np.float64)
    if np.isnan(vf).any():
        return None  # reported by the caller with the row
    if vf.min() >= 0 and vf.max() < 4 * n + 1024 and bool(np.all(vf == np.floor(vf))):
        return vf, None, v.dtype
    return None


def _resolve(labels: Optional[pd.Index], present: Any, codes_out: np.ndarray) -> tuple:
    """(labels, present codes) once the native output is known: for numbers used as codes
    directly (`labels` None, `present` their dtype) the codes that occur in ``codes_out``."""
    if labels is not None:
        return labels, present
    pres = np.unique(codes_out).astype(np.int64)
    return pd.Index(pres.astype(present)), pres


def _label_lookup(labels: pd.Index, present: np.ndarray, codes_out: np.ndarray) -> pd.Index:
    """Labels of output rows given their group codes."""
    pos = np.empty(int(present.max()) + 1 if present.size else 0, dtype=np.int64)
    pos[present] = np.arange(len(present))
    return labels.take(pos[codes_out.astype(np.int64)])


def _times(x: Any, name: str) -> np.ndarray:
    if isinstance(x, pd.Series) and pd.api.types.is_bool_dtype(x.dtype) and name == "time":
        raise TypeError(f"{name}: expected numeric times, got booleans")
    return as_float(x, name)



def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("plotting needs matplotlib: pip install rheumstats[plot]") from None
    return plt

