"""The Cox proportional hazards model on Dask DataFrames.

A first pass collects, over the rows used, the row and event counts, the
covariate sums (numeric columns) and level counts (text/categorical columns,
which enter in treatment coding as in memory), so the design and the
covariate means are fixed globally. Then each Newton iteration sends β to
the partitions; each returns, per distinct (stratum, time), the sums of w,
w·x, w·xxᵀ over its rows and of 1, w, w·x, w·xxᵀ, x, η over its events
(w = exp(η), η = (x − x̄)ᵀβ), computed in Rust; the tables are summed by
(stratum, time) in a tree, and on the client the risk-set sums are
cumulated in decreasing time per stratum and the in-memory Efron/Breslow
step and Newton–Raphson iteration (the Rust ``Newton`` stepper the
in-memory fit uses) take it from there. Traffic per iteration and
partition: (p² + 4p + 6) numbers per distinct (stratum, time).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
import pandas as pd

from .. import _rheumstats as _native
from .._validation import as_float, call, check_choice, check_conf_level
from ..exceptions import ConvergenceError, InvalidInputError
from ..survival._common import TIES
from ..survival._cox import CoxPH, cox_result
from ._core import _require_dask, aligned, check_frame, known_categories, reduce_layer

__all__ = ["coxph"]


def _is_factor(dtype: Any) -> bool:
    return isinstance(dtype, pd.CategoricalDtype) or not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))


def _strata_key(sub: pd.DataFrame, strs: List[str]) -> pd.Series:
    if len(strs) > 1:
        return sub[strs].astype(str).agg("\x1f".join, axis=1)
    return sub[strs[0]]


class _Scan:
    """Pass 1 on one partition: counts, sums, extremes, level counts, strata labels."""

    def __init__(self, time: str, event: str, covs: List[str], factors: List[str], strs: List[str], nan_policy: str) -> None:
        self.time, self.event, self.covs, self.factors, self.strs, self.nan_policy = time, event, covs, factors, strs, nan_policy

    def __call__(self, part: pd.DataFrame) -> dict:
        used = [self.time, self.event, *self.covs, *self.strs]
        miss = part[used].isna().to_numpy()
        keep = ~miss.any(axis=1)
        if self.nan_policy == "raise" and not keep.all():
            r = int(np.flatnonzero(~keep)[0])
            col = used[int(np.flatnonzero(miss[r])[0])]
            err = InvalidInputError(f"{col}[{r}] (index {part.index[r]!r}) = nan: missing value with nan_policy='raise'")
            err.arg, err.row, err.col, err.value = str(col), r, None, float("nan")  # type: ignore[attr-defined]
            raise err
        sub = part.loc[keep]
        nums = [c for c in self.covs if c not in self.factors]
        xs = {c: sub[c].to_numpy(dtype=np.float64) for c in nums}
        return {
            "n_total": len(part),
            "n": len(sub),
            "events": float(np.nansum(sub[self.event].to_numpy(dtype=np.float64) == 1.0)),
            "sum": {c: float(v.sum()) for c, v in xs.items()},
            "min": {c: float(v.min()) if v.size else np.inf for c, v in xs.items()},
            "max": {c: float(v.max()) if v.size else -np.inf for c, v in xs.items()},
            "counts": {c: sub[c].astype(object).value_counts() for c in self.factors},
            "strata": pd.unique(_strata_key(sub, self.strs).to_numpy(dtype=object)) if self.strs else np.empty(0, dtype=object),
        }


def _merge_scans(parts: list) -> dict:
    first = parts[0]
    out: Dict[str, Any] = {k: sum(p[k] for p in parts) for k in ("n_total", "n", "events")}
    out["sum"] = {c: sum(p["sum"][c] for p in parts) for c in first["sum"]}
    out["min"] = {c: min(p["min"][c] for p in parts) for c in first["min"]}
    out["max"] = {c: max(p["max"][c] for p in parts) for c in first["max"]}
    out["counts"] = {c: pd.concat([p["counts"][c] for p in parts]).groupby(level=0, sort=False).sum() for c in first["counts"]}
    out["strata"] = pd.unique(np.concatenate([p["strata"] for p in parts]))
    return out


class _Prepare:
    """The rows used of one partition as (time, event, covariates, strata codes, index)."""

    def __init__(self, time: str, event: str, covs: List[str], levels: Dict[str, list], strs: List[str], strata: Optional[pd.Index]) -> None:
        self.time, self.event, self.covs, self.levels, self.strs, self.strata = time, event, covs, levels, strs, strata

    def __call__(self, part: pd.DataFrame) -> tuple:
        used = [self.time, self.event, *self.covs, *self.strs]
        sub = part.loc[~part[used].isna().to_numpy().any(axis=1)]
        cols: List[np.ndarray] = []
        for c in self.covs:
            if c in self.levels:
                v = sub[c].astype(object).to_numpy()
                cols.extend((v == lv).astype(np.float64) for lv in self.levels[c][1:])
            else:
                cols.append(sub[c].to_numpy(dtype=np.float64))
        x = np.ascontiguousarray(np.column_stack(cols)) if cols and len(sub) else np.empty((len(sub), max(len(cols), 1)))
        s = None
        if self.strata is not None:
            s = self.strata.get_indexer(_strata_key(sub, self.strs).to_numpy(dtype=object)).astype(np.float64)
        t = aligned(as_float(sub[self.time], "time"))
        e = aligned(as_float(sub[self.event], "event"))
        return t, e, x, s, sub.index


class _Sums:
    """One partition's (stratum, time) sums at β (Rust)."""

    def __init__(self, means: np.ndarray, beta: np.ndarray) -> None:
        self.means, self.beta = means, beta

    def __call__(self, prepared: tuple) -> np.ndarray:
        t, e, x, s, idx = prepared
        p = len(self.means)
        if len(t) == 0:
            return np.empty((0, p * p + 4 * p + 6))
        # aligned copies when needed: arrays moved between workers may arrive at odd addresses
        return call(
            _native.dask_cox_sums, aligned(t), aligned(e), aligned(x), None if s is None else aligned(s), aligned(self.means), aligned(self.beta),
            index={"time": idx, "event": idx, "covariates": idx},
        )


class _Merge:
    def __init__(self, p: int) -> None:
        self.p = p

    def __call__(self, tables: list) -> np.ndarray:
        return _native.dask_cox_merge([aligned(t) for t in tables], self.p)


def coxph(
    ddf: Any,
    time: Optional[str] = None,
    event: Optional[str] = None,
    covariates: Union[None, str, Sequence[str]] = None,
    *,
    ties: str = "efron",
    strata: Union[None, str, Sequence[str]] = None,
    conf_level: float = 0.95,
    max_iter: int = 20,
    nan_policy: str = "omit",
    persist: bool = False,
) -> CoxPH:
    """Cox proportional hazards model of a Dask DataFrame: the fit of
    :func:`rheumstats.survival.coxph` (same arguments, same :class:`CoxPH`).

    Each Newton iteration merges per-(stratum, distinct time) sums of w, w·x,
    w·xxᵀ over rows and events (w = exp(xᵀβ)); ties across partitions are
    summed exactly (Efron or Breslow). ``concordance`` needs every pair of
    rows and is not computed (NaN). ``persist=True`` keeps the prepared
    columns in the workers' memory between iterations (faster; the cluster
    then holds n × (p + 3) numbers); by default each iteration re-reads the
    partitions, so memory stays at one partition per task. ``max_iter`` is at
    most 1000, as in memory.
    """
    dask, _ = _require_dask()
    if time is None or event is None or covariates is None:
        raise TypeError("coxph: time, event and covariates (column names of ddf) are required")
    check_choice(nan_policy, "nan_policy", ("omit", "raise"))
    check_choice(ties, "ties", TIES)
    conf_level = check_conf_level(conf_level)
    if not isinstance(max_iter, (int, np.integer)) or max_iter < 0:
        raise InvalidInputError(f"max_iter: {max_iter!r} must be an integer >= 0")
    _native.DaskCoxNewton(1, ties=ties, max_iter=int(max_iter), conf_level=conf_level)  # the core's checks (max_iter <= 1000) before any pass over the data
    covs = [covariates] if isinstance(covariates, str) else list(covariates)
    strs = [] if strata is None else ([strata] if isinstance(strata, str) else list(strata))
    if not covs:
        raise ValueError("covariates: at least one covariate is needed")
    cols = check_frame(ddf, [time, event, *covs, *strs])
    meta = ddf._meta
    factors = [c for c in covs if _is_factor(meta[c].dtype)]
    parts = ddf[cols].to_delayed(optimize_graph=True)
    if not parts:
        raise ValueError("ddf: no partitions")
    scan = reduce_layer([dask.delayed(_Scan(time, event, covs, factors, strs, nan_policy), pure=True)(p) for p in parts], _merge_scans)
    n = int(scan["n"])
    if n == 0:
        raise InvalidInputError(f"data: no complete rows in the used columns {cols}")
    if scan["events"] == 0:
        raise InvalidInputError("event: no events; a Cox model needs at least one")
    levels: Dict[str, list] = {}
    names: List[str] = []
    means: List[float] = []
    for c in covs:
        if c in factors:
            cnt = scan["counts"][c]
            cats = known_categories(ddf, c)
            if cats is not None:
                lev = [lv for lv in cats if lv in cnt.index]
            else:
                lev = sorted(cnt.index, key=lambda v: (str(type(v)), v))
            levels[c] = lev
            for lv in lev[1:]:
                names.append(f"{c}[T.{lv}]")
                means.append(float(cnt[lv]) / n)
        else:
            if scan["min"][c] == scan["max"][c]:
                raise ConvergenceError(f"covariates: {c!r} is constant in the rows used; it cannot be estimated (drop it)")
            names.append(str(c))
            means.append(scan["sum"][c] / n)
    p = len(names)
    if p == 0:
        raise ValueError("covariates: no usable term (a categorical covariate with a single level?)")
    strata_index = pd.Index(scan["strata"], dtype=object) if strs else None
    prep = [dask.delayed(_Prepare(time, event, covs, levels, strs, strata_index), pure=True)(part) for part in parts]
    if persist:
        prep = list(dask.persist(*prep))
    mean_arr = np.asarray(means, dtype=np.float64)
    newton = _native.DaskCoxNewton(p, ties=ties, max_iter=int(max_iter), conf_level=conf_level)
    while (beta := newton.point()) is not None:
        sums = _Sums(mean_arr, np.asarray(beta, dtype=np.float64))
        table = reduce_layer([dask.delayed(sums, pure=True)(pr) for pr in prep], _Merge(p))
        newton.observe(aligned(table))
    res = newton.result(int(scan["events"]))
    return cox_result(res, names, ties, conf_level, n=n, n_missing=int(scan["n_total"] - n), stacklevel=3)
