"""Exposure-adjusted incidence rates on Dask DataFrames: event and exposure sums per ``by`` level."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
import pandas as pd

from .. import _rheumstats as _native
from .._validation import InvalidInputError, as_float, check_conf_level
from ._core import aligned, check_frame, label_order, local_codes, tree_reduce


def _bad(part: pd.DataFrame, name: str, v: np.ndarray, bad: np.ndarray, allowed: str) -> None:
    r = int(np.flatnonzero(bad)[0])
    reason = "missing value" if np.isnan(v[r]) else "out of range"
    err = InvalidInputError(f"{name}[{r}] (index {part.index[r]!r}) = {v[r]}: {reason}; {allowed}")
    for k, val in (("arg", name), ("row", r), ("value", float(v[r]))):
        setattr(err, k, val)
    raise err


class _Sums:
    def __init__(self, events: str, exposure: str, by: Optional[str]) -> None:
        self.events, self.exposure, self.by = events, exposure, by

    def __call__(self, part: pd.DataFrame) -> tuple:
        ev = as_float(part[self.events], "events")
        ex = as_float(part[self.exposure], "exposure")
        bad = ~(ev >= 0) | ~np.isfinite(ev) | (ev != np.floor(ev))
        if bad.any():
            _bad(part, "events", ev, bad, "event counts must be integers >= 0")
        bad = ~(ex >= 0) | ~np.isfinite(ex)
        if bad.any():
            _bad(part, "exposure", ex, bad, "exposure must be a finite number >= 0")
        if self.by is None:
            return pd.Index(["all"]), np.array([ev.sum()]), np.array([ex.sum()])
        codes, labels = local_codes(part, self.by)
        k = len(labels)
        c = codes.astype(np.int64)
        return labels, np.bincount(c, weights=ev, minlength=k), np.bincount(c, weights=ex, minlength=k)


def _merge(parts: list) -> tuple:
    seen = [p[0] for p in parts if len(p[0])]
    if not seen:
        return parts[0]
    labels = seen[0]
    for s in seen[1:]:
        labels = labels.append(s).unique()
    labels = pd.Index(labels)
    ev = np.zeros(len(labels))
    ex = np.zeros(len(labels))
    for lab, e, x in parts:
        pos = labels.get_indexer(lab)
        np.add.at(ev, pos, e)
        np.add.at(ex, pos, x)
    return labels, ev, ex


def incidence_rate(ddf: Any, events: str, exposure: str, *, by: Optional[str] = None, per: float = 100, conf_level: float = 0.95) -> pd.DataFrame:
    """:func:`rheumstats.safety.incidence_rate` with ``by`` on a Dask DataFrame (sums of events and
    exposure per level, merged across partitions; ``by=None``: one overall rate, row ``'all'``).

    Returns ``events, exposure, rate, ci_low, ci_high`` indexed by the sorted levels of ``by``.
    """
    conf_level = check_conf_level(conf_level)
    cols = check_frame(ddf, [events, exposure, by])
    labels, ev, ex = tree_reduce(ddf, cols, _Sums(events, exposure, by), _merge)
    if by is not None:
        order = label_order(ddf, by)(labels)
        pos = labels.get_indexer(order)
        labels, ev, ex = order, ev[pos], ex[pos]
    k = len(labels)
    d = _native.safety_incidence_rate(
        aligned(ev), aligned(ex), np.arange(k, dtype=np.float64), n_groups=k, per=float(per), conf_level=conf_level, nan_policy="raise"
    )
    return pd.DataFrame(d["table"], columns=pd.Index(["events", "exposure", "rate", "ci_low", "ci_high"]), index=pd.Index(labels, name=by), copy=False)
