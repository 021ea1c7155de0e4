"""Paired categorical data: McNemar (paired booleans) and Stuart–Maxwell (paired categories).
Public through :mod:`rheumstats.paired`."""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from . import _rheumstats as _native
from ._result import LazyTable, Result
from ._validation import NAN_POLICIES, as_array, call, check_choice, check_method, renamed


@dataclasses.dataclass(frozen=True, repr=False)
class McNemarResult(Result):
    """McNemar test; ``b`` = pairs (x true, y false), ``c`` = pairs (x false, y true)."""

    statistic: Any
    pvalue: Any
    b: Any
    c: Any
    method: str  # 'exact' (binomial) or 'approx' (chi-squared)
    n: int = 0


def _pair_1d(x: Any, y: Any) -> Tuple[Any, Any, Optional[pd.Index]]:
    for v, name in ((x, "x"), (y, "y")):
        if isinstance(v, pd.DataFrame) or np.ndim(v) != 1:
            raise ValueError(f"{name}: expected a 1-D array-like, got {np.ndim(v)}-D input")
    ix = x.index if isinstance(x, pd.Series) else None
    iy = y.index if isinstance(y, pd.Series) else None
    if ix is not None and iy is not None and not ix.equals(iy):
        raise ValueError("x and y are pandas Series with different indexes; align them first")
    return x, y, ix if ix is not None else iy


def mcnemar(
    x: Any, y: Any, *, method: str = "auto", correction: bool = True, nan_policy: str = "propagate", exact: Optional[bool] = None,
) -> McNemarResult:
    """McNemar test of paired booleans (``x`` before, ``y`` after; True/False or 1/0).

    ``method='approx'`` (alias ``'asymptotic'``): chi-squared statistic as R
    ``mcnemar.test`` (continuity correction when ``correction`` and b != c).
    ``method='exact'``: two-sided exact binomial test of b among b + c
    discordant pairs (``statistic`` = b). ``'auto'`` is exact when b + c < 25.
    ``exact=True/False`` is the old spelling of ``method='exact'/'approx'``
    (FutureWarning). ``n`` = complete pairs.
    """
    check_choice(nan_policy, "nan_policy", NAN_POLICIES)
    if exact is not None:
        method = renamed("exact", "method", "exact" if exact else "approx", method, "auto")
    method = check_method(method)
    x, y, idx = _pair_1d(x, y)
    xv, _, _ = as_array(x, "x")
    yv, _, _ = as_array(y, "y")
    xv = np.ascontiguousarray(xv, dtype=np.float64)
    yv = np.ascontiguousarray(yv, dtype=np.float64)
    r = call(
        _native.paired_mcnemar, x=xv, y=yv, exact={"auto": None, "exact": True, "approx": False}[method],
        correction=bool(correction), nan_policy=nan_policy, index={"x": idx, "y": idx},
    )
    b, c = r["b"], r["c"]
    return McNemarResult(
        statistic=float(r["statistic"]),
        pvalue=float(r["pvalue"]),
        b=int(b) if not math.isnan(b) else b,
        c=int(c) if not math.isnan(c) else c,
        method="exact" if r["exact"] else "approx",
        n=int((~np.isnan(xv) & ~np.isnan(yv)).sum()) if len(xv) == len(yv) else 0,
    )


@dataclasses.dataclass(frozen=True, repr=False)
class StuartMaxwellResult(Result):
    """Stuart–Maxwell test of marginal homogeneity; ``table`` rows = x, columns = y."""

    statistic: float
    df: float
    pvalue: float
    table: Any = LazyTable()  # a DataFrame, built on first access
    n: int = 0
    _counts: Any = None  # the table's counts and its categories, until it is built
    _cats: Any = None

    def _build_table(self) -> pd.DataFrame:
        return pd.DataFrame(self._counts, index=pd.Index(self._cats, name="x"), columns=pd.Index(self._cats, name="y"))


def stuart_maxwell(x: Any, y: Any, *, categories: Optional[Sequence[Any]] = None, nan_policy: str = "propagate") -> StuartMaxwellResult:
    """Stuart–Maxwell test that the marginal distributions of paired categories agree.

    ``x``, ``y``: paired category labels (any hashable values; missing =
    None/NaN). Categories are the union of both (their order from pandas
    Categoricals, else sorted), or ``categories``. Categories unused by both
    margins are dropped; df = (used categories) - 1. A singular covariance
    (e.g. all pairs concordant) raises :class:`~rheumstats.ConvergenceError`.
    """
    check_choice(nan_policy, "nan_policy", NAN_POLICIES)
    x, y, idx = _pair_1d(x, y)
    fast = _numeric_codes(x, y) if categories is None else None
    if fast is not None:
        return _stuart_maxwell_result(fast[0], fast[1], fast[2], nan_policy, idx)
    xs, ys = pd.Series(np.asarray(x, dtype=object) if not isinstance(x, pd.Series) else x.to_numpy(dtype=object)), pd.Series(
        np.asarray(y, dtype=object) if not isinstance(y, pd.Series) else y.to_numpy(dtype=object)
    )
    if len(xs) != len(ys):
        raise ValueError(f"x and y must have the same length; got {len(xs)} and {len(ys)}")
    if categories is None:
        cats: list = []
        for v in (x, y):
            if isinstance(getattr(v, "dtype", None), pd.CategoricalDtype):
                cats += [c for c in v.dtype.categories if c not in cats]  # type: ignore[union-attr]
        rest = pd.unique(pd.concat([xs, ys]).dropna())
        extra = [c for c in rest if c not in cats]
        try:
            extra = sorted(extra)
        except TypeError:
            pass
        cats = cats + extra
    else:
        cats = list(categories)
    lookup = {c: i for i, c in enumerate(cats)}

    def codes(s: pd.Series, name: str) -> np.ndarray:
        out = np.empty(len(s))
        for i, v in enumerate(s):
            if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
                out[i] = np.nan
            elif v in lookup:
                out[i] = lookup[v]
            else:
                raise ValueError(f"{name}[{i}] = {v!r}: not one of the categories {cats}")
        return out

    return _stuart_maxwell_result(codes(xs, "x"), codes(ys, "y"), cats, nan_policy, idx)


def _numeric_codes(x: Any, y: Any) -> Optional[tuple]:
    """Category codes of paired numbers (numpy arrays or Series of one numpy numeric kind), with
    no per-element Python work: (x codes, y codes, sorted categories), NaN = missing; None for
    other inputs (labels, Categoricals, mixed kinds), which take the general path. The categories
    are the sorted distinct values as Python numbers, as the general path finds them."""
    xa = x.to_numpy() if isinstance(x, pd.Series) and isinstance(x.dtype, np.dtype) else x
    ya = y.to_numpy() if isinstance(y, pd.Series) and isinstance(y.dtype, np.dtype) else y
    if not (isinstance(xa, np.ndarray) and isinstance(ya, np.ndarray)):
        return None
    kind = xa.dtype.kind
    if kind not in "biuf" or ya.dtype.kind != kind or len(xa) != len(ya):
        return None
    both = np.concatenate([xa, ya])
    if kind == "f":
        both = both[~np.isnan(both)]
    cats = np.unique(both)
    def codes(v: np.ndarray) -> np.ndarray:
        c = np.searchsorted(cats, v).astype(np.float64)
        if kind == "f":
            c[np.isnan(v)] = np.nan
        return c
    return codes(xa), codes(ya), cats.tolist()


def _stuart_maxwell_result(xc: np.ndarray, yc: np.ndarray, cats: list, nan_policy: str, idx: Optional[pd.Index]) -> StuartMaxwellResult:
    r = call(_native.paired_stuart_maxwell, x=xc, y=yc, k=len(cats), nan_policy=nan_policy, index={"x": idx, "y": idx})
    counts = r["table"]
    total = counts.sum()  # NaN only with a missing pair under 'propagate'
    n = int(total) if total == total else int(np.nansum(counts))
    return StuartMaxwellResult(statistic=float(r["statistic"]), df=float(r["df"]), pvalue=float(r["pvalue"]), n=n, _counts=counts, _cats=cats)


for _cls in (McNemarResult, StuartMaxwellResult):
    _cls.__module__ = "rheumstats.paired"
