"""Aalen–Johansen cumulative incidence of competing causes and Gray's test."""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Optional, Tuple

import numpy as np
import pandas as pd

from .. import _rheumstats as _native
from .._result import Result
from .._validation import as_float, call, check_conf_level
from ._common import _codes, _index_of, _label_lookup, _pyplot, _resolve, _times


# ----------------------------------------------------------------------------
# competing risks
# ----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, repr=False)
class CumulativeIncidence(Result):
    """Aalen–Johansen cumulative incidence per cause (and group).

    ``table`` is long: one row per distinct time, cause (and group) with
    ``time, cause, n_risk, n_event, cif, se, ci_low, ci_high`` (``group``
    first when grouped). ``se`` is R's infinitesimal-jackknife standard
    error of the CIF (multi-state ``survfit``); the limits use R's default
    'log' type for state probabilities.
    """

    table: pd.DataFrame
    causes: tuple
    conf_level: float
    _grouped: bool = False
    _groups: tuple = ()
    _time: Optional[np.ndarray] = None
    _cause: Optional[np.ndarray] = None
    _group: Optional[np.ndarray] = None

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def at(self, times: Any) -> pd.DataFrame:
        """CIF of each cause at the given times (right-continuous; 0 before the first time).

        Long DataFrame ``time, cause, cif, se, ci_low, ci_high`` (``group`` first when grouped).
        """
        t = as_float(times, "times")
        if np.any(np.isnan(t)) or np.any(t < 0):
            raise ValueError("times: expected times >= 0 without missing values")
        out = []
        keys = self._groups if self._grouped else (None,)
        for g in keys:
            for c in self.causes:
                tab = self.table[self.table["cause"] == c]
                if g is not None:
                    tab = tab[tab["group"] == g]
                tt = tab["time"].to_numpy()
                j = np.searchsorted(tt, t, side="right") - 1
                before = j < 0
                jj = np.where(before, 0, j)
                df = pd.DataFrame({
                    "time": t,
                    "cause": c,
                    "cif": np.where(before, 0.0, tab["cif"].to_numpy()[jj]),
                    "se": np.where(before, 0.0, tab["se"].to_numpy()[jj]),
                    "ci_low": np.where(before, np.nan, tab["ci_low"].to_numpy()[jj]),
                    "ci_high": np.where(before, np.nan, tab["ci_high"].to_numpy()[jj]),
                })
                if g is not None:
                    df.insert(0, "group", g)
                out.append(df)
        return pd.concat(out, ignore_index=True)

    def test(self, rho: float = 0) -> pd.DataFrame:
        """Gray's test of equal cumulative incidence across groups, per cause (``cmprsk::cuminc``).

        Returns a DataFrame ``cause, statistic, df, pvalue``.
        """
        if not self._grouped:
            raise ValueError("test: Gray's test compares groups; call cumulative_incidence(..., group=...) first")
        d = call(_native.survival_gray, self._time, self._cause, self._group, rho=float(rho))
        return pd.DataFrame({
            "cause": d["cause"].astype(np.int64),
            "statistic": d["statistic"],
            "df": d["df"].astype(np.int64),
            "pvalue": d["pvalue"],
        })

    def plot(self, ax: Any = None, *, stacked: bool = False, labels: Any = None, **kwargs: Any) -> Any:
        """Step curves of each cause's CIF (per group), or stacked areas (``stacked=True``); returns the axes.

        ``labels`` maps cause codes to legend names, e.g. ``retention(...).attrs['causes']``.
        """
        names = dict(labels or {})
        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots()
        keys = self._groups if self._grouped else (None,)
        for g in keys:
            base = None
            for c in self.causes:
                tab = self.table[self.table["cause"] == c]
                if g is not None:
                    tab = tab[tab["group"] == g]
                t = np.concatenate([[0.0], tab["time"].to_numpy()])
                y = np.concatenate([[0.0], tab["cif"].to_numpy()])
                cname = str(names.get(c, f"cause {c}"))
                label = cname if g is None else f"{g}, {cname}"
                if stacked:
                    lo = np.zeros_like(y) if base is None else base
                    ax.fill_between(t, lo, lo + y, step="post", alpha=0.6, label=label)
                    base = lo + y
                else:
                    ax.step(t, y, where="post", label=label, **kwargs)
        ax.set_ylim(0, 1)
        ax.set_xlabel("time")
        ax.set_ylabel("cumulative incidence")
        ax.legend()
        return ax



def cif_table(d: Any) -> Tuple[pd.DataFrame, Tuple[int, ...], Callable[[Any], np.ndarray]]:
    """The long CIF table (one row per time and cause) from the native Aalen–Johansen
    output, the causes, and the repeat that spreads a per-time column over the causes
    (also used by rs.dask on merged partial tables)."""
    causes = tuple(int(v) for v in d["causes"])
    k = len(causes)
    m = len(d["time"])

    def rep(a: Any) -> np.ndarray:
        return np.repeat(np.asarray(a), k)

    table = pd.DataFrame({
        "time": rep(d["time"]),
        "cause": np.tile(np.asarray(causes, dtype=np.int64), m),
        "n_risk": rep(d["n_risk"]).astype(np.int64),
        "n_event": rep(d["n_event"]).astype(np.int64),
        "cif": d["cif"],
        "se": d["se"],
        "ci_low": d["ci_low"],
        "ci_high": d["ci_high"],
    })
    return table, causes, rep


def cumulative_incidence(
    time: Any, cause: Any, group: Any = None, *, conf_level: float = 0.95, nan_policy: str = "raise",
) -> CumulativeIncidence:
    """Aalen–Johansen cumulative incidence of competing causes, as R multi-state ``survfit``.

    Parameters
    ----------
    time : array-like
        Times, finite and >= 0.
    cause : array-like
        0 = censored, 1, 2, ... = the cause of the event (e.g. 1 inefficacy,
        2 adverse event); integers >= 0.
    group : array-like, optional
        Group labels: one set of curves per group, and Gray's test via ``.test()``.
    conf_level : float
    nan_policy : {'raise', 'omit'}
        As :func:`kaplan_meier`: a missing value is an error naming the row, or its row is left out.

    Examples
    --------
    >>> import rheumstats as rs
    >>> ci = rs.survival.cumulative_incidence([1, 2, 3, 4], [1, 2, 0, 1])
    >>> ci.at([4])["cif"].tolist()
    [0.75, 0.25]
    """
    conf_level = check_conf_level(conf_level)
    t = _times(time, "time")
    c = as_float(cause, "cause")
    index = _index_of(time, cause, group)
    codes: Optional[np.ndarray] = None
    labels: Optional[pd.Index] = None
    present: Any = None
    if group is not None:
        codes, labels, present = _codes(group, "group", len(t), nan_policy)
    d = call(_native.survival_aalen_johansen, t, c, codes, conf_level=conf_level, nan_policy=nan_policy, index={"time": index, "cause": index, "group": index})
    keep = ~(np.isnan(t) | np.isnan(c) | (np.isnan(codes) if codes is not None else False))  # the rows used (for .test())
    table, causes, rep = cif_table(d)
    groups: tuple = ()
    grouped = codes is not None
    if codes is not None:
        labels, present = _resolve(labels, present, d["group"])
        table.insert(0, "group", _label_lookup(labels, present, rep(d["group"])))
        groups = tuple(labels)
    return CumulativeIncidence(
        table=table, causes=causes, conf_level=conf_level, _grouped=grouped, _groups=groups,
        _time=t[keep], _cause=c[keep], _group=None if codes is None else codes[keep],
    )
