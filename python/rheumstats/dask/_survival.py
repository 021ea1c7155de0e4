"""Kaplan–Meier, G-rho tests and Aalen–Johansen on Dask DataFrames.

Each partition is tabulated in Rust: for every distinct time, the number of
rows per (stratum, group, event) or (group, cause). The tables are summed by
time in a tree (labels united across partitions) and the in-memory estimator
runs on the merged table, so the numbers are those of ``rs.survival``.
"""

from __future__ import annotations

from typing import Any, List, Optional

import numpy as np
import pandas as pd

from .. import _rheumstats as _native
from .._validation import as_float, call, check_choice, check_conf_level
from ..survival import CumulativeIncidence, KaplanMeier, LogrankResult
from ..survival._common import CONF_TYPES
from ..survival._competing import cif_table
from ._core import Table, aligned, check_frame, finish_dims, label_order, local_codes, merge_tables, tree_reduce


def _tabulate(part: pd.DataFrame, time: str, event: Optional[str], dims: List[Optional[str]]) -> Table:
    """One partition's table over the label columns ``dims`` (mixed-radix code, first dimension outermost)."""
    # aligned copies when needed: a partition deserialized on a worker may sit at an odd address
    t = aligned(as_float(part[time], "time"))
    e = None if event is None else aligned(as_float(part[event], "event"))
    labels: List[pd.Index] = []
    code: Optional[np.ndarray] = None
    for col in dims:
        c, lab = local_codes(part, str(col))
        code = c if code is None else code * len(lab) + c
        labels.append(lab)
    n_codes = int(np.prod([len(x) for x in labels], dtype=np.int64)) if labels else 1
    idx = part.index
    times, counts = call(_native.dask_survival_table, t, e, code, n_codes, index={"time": idx, "event": idx, "group": idx})
    return Table(labels, 1 if event is None else 2, times, counts)


class _Chunk:
    """A picklable per-partition function (module-level class: workers import it)."""

    def __init__(self, time: str, event: Optional[str], dims: List[Optional[str]], cause: Optional[str] = None) -> None:
        self.time, self.event, self.dims, self.cause = time, event, dims, cause

    def __call__(self, part: pd.DataFrame) -> Table:
        if self.cause is not None:
            # causes are labelled by their numeric code (as in memory): a bool or
            # int column would otherwise keep labels (True) that the merged,
            # numeric cause order cannot find (issue 19)
            part = part.assign(**{self.cause: _check_causes(part, self.cause)})
        return _tabulate(part, self.time, self.event, [d for d in self.dims if d is not None])


def _check_causes(part: pd.DataFrame, col: str) -> np.ndarray:
    """The causes as float codes; an error naming the row for a missing or non-integer cause."""
    c = as_float(part[col], "cause")
    bad = ~(c >= 0) | (c != np.floor(c)) | ~np.isfinite(c)
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        reason = "missing value" if np.isnan(c[r]) else "not an integer >= 0"
        err = _native.InvalidInputError(f"cause[{r}] (index {part.index[r]!r}) = {c[r]}: {reason}; causes must be integers >= 0 (0 = censored)")
        for k, v in (("arg", "cause"), ("row", r), ("value", float(c[r]))):
            setattr(err, k, v)
        raise err
    return c


def _merged(ddf: Any, time: str, event: Optional[str], dims: List[Optional[str]], cause: Optional[str] = None) -> Table:
    cols = check_frame(ddf, [time, event, *dims, cause])
    use: List[Optional[str]] = [d for d in dims if d is not None]
    if cause is not None:
        use.append(cause)
    table = tree_reduce(ddf, cols, _Chunk(time, event, use, None), merge_tables) if cause is None else tree_reduce(
        ddf, cols, _Chunk(time, event, use, cause), merge_tables
    )
    if len(table.times) == 0:
        raise _native.InvalidInputError("time: no rows (every partition is empty); need at least 1")
    return table


def _by(by: Optional[str], group: Optional[str]) -> Optional[str]:
    """The grouping column, named by ``by=`` (the Conventions' word for a column name) or given
    as ``group`` (positional, the in-memory calls' word); not both."""
    if group is not None:
        if by is not None:
            raise TypeError("by: give the grouping column as by= or as group=, not both")
        return group
    return by


def kaplan_meier(
    ddf: Any, time: str, event: str, group: Optional[str] = None, *, by: Optional[str] = None, conf_level: float = 0.95, conf_type: str = "log-log"
) -> KaplanMeier:
    """Kaplan–Meier curves of a Dask DataFrame: the numbers of :func:`rheumstats.survival.kaplan_meier`.

    The grouping column is ``group`` (positional) or ``by=``. Merges, per partition, the
    events and censorings at each distinct time (per group).
    """
    group = _by(by, group)
    conf_level = check_conf_level(conf_level)
    check_choice(conf_type, "conf_type", CONF_TYPES)
    table = _merged(ddf, time, event, [group])
    if group is not None:
        table = finish_dims(table, [label_order(ddf, group)])
    n_groups = len(table.dims[0]) if group is not None else 1
    d = _native.dask_survival_km(aligned(table.times), aligned(table.counts), n_groups=n_groups, conf_level=conf_level, conf_type=conf_type)
    cols = ["time", "n_risk", "n_event", "n_censor", "survival", "se", "ci_low", "ci_high"]
    out = pd.DataFrame({c: d[c] for c in cols})
    for c in ("n_risk", "n_event", "n_censor"):
        out[c] = out[c].astype(np.int64)
    groups: tuple = ()
    if group is not None:
        labels = table.dims[0]
        out.insert(0, "group", labels.take(d["group"].astype(np.int64)))
        groups = tuple(labels)
    return KaplanMeier(table=out, conf_level=conf_level, conf_type=conf_type, _grouped=group is not None, _groups=groups)


def logrank(
    ddf: Any, time: str, event: str, group: Optional[str] = None, *, by: Optional[str] = None, strata: Optional[str] = None, rho: float = 0
) -> LogrankResult:
    """G-rho test (log-rank for ``rho = 0``) of a Dask DataFrame: the numbers of :func:`rheumstats.survival.logrank`.

    The grouping column is ``group`` (positional) or ``by=``. Merges, per partition, the
    events and censorings at each distinct time per (stratum, group).
    """
    group = _by(by, group)
    try:
        rho = float(rho)
    except (TypeError, ValueError):
        raise TypeError(f"rho: expected a number >= 0, got {rho!r}") from None
    if group is None:
        raise TypeError("by: expected the grouping column's name")
    dims: List[Optional[str]] = [strata, group] if strata is not None else [group]
    table = _merged(ddf, time, event, dims)
    table = finish_dims(table, [label_order(ddf, c) for c in dims if c is not None])
    labels = table.dims[-1]
    n_strata = len(table.dims[0]) if strata is not None else 1
    d = _native.dask_survival_logrank(aligned(table.times), aligned(table.counts), n_strata=n_strata, k=len(labels), rho=rho)
    idx = pd.Index(labels, name=group)
    obs = pd.Series(d["observed"], index=idx, name="observed")
    exp = pd.Series(d["expected"], index=idx, name="expected")
    return LogrankResult(statistic=float(d["statistic"]), df=int(d["df"]), pvalue=float(d["pvalue"]), observed=obs, expected=exp, rho=rho)


class DaskCumulativeIncidence(CumulativeIncidence):
    """A :class:`~rheumstats.survival.CumulativeIncidence` computed from merged partition tables.

    Gray's test (``.test()``) needs the rows (its score process is not a sum of
    per-time counts in this implementation): run it in memory.
    """

    def test(self, rho: float = 0) -> pd.DataFrame:
        raise NotImplementedError(
            "Gray's test is not available on Dask data; run rheumstats.survival.cumulative_incidence(...).test() "
            "on the (time, cause, group) columns in memory"
        )


def cumulative_incidence(
    ddf: Any, time: str, cause: str, group: Optional[str] = None, *, by: Optional[str] = None, conf_level: float = 0.95
) -> CumulativeIncidence:
    """Aalen–Johansen cumulative incidence of a Dask DataFrame: the numbers of
    :func:`rheumstats.survival.cumulative_incidence`.

    The grouping column is ``group`` (positional) or ``by=``. Merges, per partition, the
    rows per (group, cause) at each distinct time (cause 0 = censored).
    """
    group = _by(by, group)
    conf_level = check_conf_level(conf_level)
    dims = [group, cause] if group is not None else [cause]
    table = _merged(ddf, time, None, [group], cause=cause)

    def cause_order(labels: pd.Index) -> pd.Index:
        pos = np.sort(np.asarray(labels, dtype=np.float64))
        return pd.Index(np.concatenate([[0.0], pos[pos > 0]]))

    orders = ([label_order(ddf, group)] if group is not None else []) + [cause_order]
    table = finish_dims(table, orders)
    causes_f = np.asarray(table.dims[-1], dtype=np.float64)[1:]
    n_groups = len(table.dims[0]) if group is not None else 1
    d = _native.dask_survival_aj(
        aligned(table.times), aligned(table.counts), n_groups=n_groups, causes=[int(v) for v in causes_f], conf_level=conf_level
    )
    out, causes, rep = cif_table(d)
    groups: tuple = ()
    if group is not None:
        labels = table.dims[0]
        out.insert(0, "group", labels.take(rep(d["group"]).astype(np.int64)))
        groups = tuple(labels)
    del dims
    return DaskCumulativeIncidence(table=out, causes=causes, conf_level=conf_level, _grouped=group is not None, _groups=groups)
