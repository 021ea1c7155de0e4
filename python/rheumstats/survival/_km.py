"""Kaplan–Meier curves and G-rho (log-rank) tests."""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import numpy as np
import pandas as pd

from .. import _rheumstats as _native
from .._result import LazyTable as _LazyTable
from .._result import Result
from .._validation import as_float, call, check_conf_level
from ._common import _TOL, _codes, _index_of, _label_lookup, _pyplot, _resolve, _times


# ----------------------------------------------------------------------------
# Kaplan–Meier
# ----------------------------------------------------------------------------
def _findq(x: np.ndarray, y: np.ndarray, p: float, tol: float = _TOL) -> float:
    """R's quantile rule (``survival:::findq``) on x = (0, times), y = (0, 1 - S)."""
    xmax = x[-1]
    if np.all(np.isnan(y)) or np.nanmax(y) < p:
        return np.nan
    # duplicated(): drop exact repeats of an earlier value (NaN repeats too), keep the first
    vals = y.copy()
    _, first = np.unique(np.where(np.isnan(vals), np.inf, vals), return_index=True)
    dup = np.ones(len(y), dtype=bool)
    dup[first] = False
    keep = ~dup
    x, y = x[keep], y[keep]
    ok = ~np.isnan(y)
    if ok.sum() < 2:
        return np.nan
    pos = np.flatnonzero(ok)

    def first_at_least(v: np.ndarray) -> Optional[int]:
        hit = np.flatnonzero(v[ok] >= p)
        return int(pos[hit[0]]) if hit.size else None

    i1 = first_at_least(y + tol)
    i2 = first_at_least(y - tol)
    if i1 is None:
        return np.nan
    if p == 0:
        return float(x[0])
    yn = y[-1]
    if not np.isnan(yn) and abs(p - yn) < tol:
        return float((x[i1] + xmax) / 2)
    if i2 is None:
        return np.nan
    return float((x[i1] + x[i2]) / 2)


_KM_COLS = ("time", "n_risk", "n_event", "n_censor", "survival", "se", "ci_low", "ci_high")


class _Pending:
    """How ``repr`` shows a table not built yet (its shape, as for a DataFrame)."""

    def __init__(self, shape: tuple) -> None:
        self.shape = shape

    def __repr__(self) -> str:
        return f"<DataFrame shape={self.shape}>"


@dataclasses.dataclass(frozen=True, repr=False)
class KaplanMeier(Result):
    """Kaplan–Meier curves (one per group), as R ``survfit``.

    ``table`` has one row per distinct time (event or censoring) and group:
    ``time, n_risk, n_event, n_censor, survival, se, ci_low, ci_high``
    (``group`` first when grouped). ``se`` is the Greenwood standard error
    of the cumulative hazard −log S(t), as R reports it (multiply by S(t) for
    the standard error of S). The table is built on first access;
    ``at``, ``median``, ``risk_table``, ``plot`` and ``repr`` work from the
    curve's arrays without it.
    """

    table: Any = _LazyTable()
    conf_level: float = 0.95
    conf_type: str = "log-log"
    _grouped: bool = False
    _groups: tuple = ()
    # the native columns (float arrays named as the table's) and, when grouped,
    # (label, start, stop) of each group's rows; None when built from a table
    _cols: Optional[dict] = None
    _spans: tuple = ()

    def _build_table(self) -> pd.DataFrame:
        cols = self._cols
        if cols is None:
            raise ValueError("KaplanMeier: neither a table nor the curve's columns were given")
        table = pd.DataFrame({c: (cols[c].astype(np.int64) if c.startswith("n_") else cols[c]) for c in _KM_COLS})
        if self._grouped:
            labels = pd.Index([g for g, _, _ in self._spans])
            lengths = np.array([b - a for _, a, b in self._spans], dtype=np.int64)
            table.insert(0, "group", labels.repeat(lengths))
        return table

    def _public(self) -> dict:
        built = self.__dict__.get("_table_value")
        shape = (len(self._cols["time"]), len(_KM_COLS) + int(self._grouped)) if self._cols is not None else (0, 0)
        return {"table": built if built is not None else _Pending(shape), "conf_level": self.conf_level, "conf_type": self.conf_type}

    def to_dict(self) -> dict:
        return {"table": self.table, "conf_level": self.conf_level, "conf_type": self.conf_type}

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def _curves(self):
        """(group label or None, dict of the curve's numpy columns) per curve."""
        if self._cols is not None:
            if not self._grouped:
                yield None, self._cols
            else:
                for g, a, b in self._spans:
                    yield g, {c: v[a:b] for c, v in self._cols.items()}
            return
        tab = self.table
        if not self._grouped:
            yield None, {c: tab[c].to_numpy() for c in _KM_COLS}
        else:
            for g in self._groups:
                sub = tab[tab["group"] == g]
                yield g, {c: sub[c].to_numpy() for c in _KM_COLS}

    def survival_at(self, times: Any) -> pd.DataFrame:
        """Old name of :meth:`at` (kept as an alias)."""
        return self.at(times)

    def at(self, times: Any) -> pd.DataFrame:
        """S(t) (a right-continuous step; 1 before the first time) with its standard error and limits.

        Returns a DataFrame ``time, survival, se, ci_low, ci_high`` (``group`` first when grouped).
        """
        t = as_float(times, "times")
        if np.any(np.isnan(t)) or np.any(t < 0):
            raise ValueError("times: expected times >= 0 without missing values")
        rows = []
        for g, tab in self._curves():
            tt = tab["time"]
            j = np.searchsorted(tt, t, side="right") - 1
            before = j < 0
            jj = np.where(before, 0, j)
            part = {
                "time": t,
                "survival": np.where(before, 1.0, tab["survival"][jj]),
                "se": np.where(before, 0.0, tab["se"][jj]),
                "ci_low": np.where(before, 1.0, tab["ci_low"][jj]),
                "ci_high": np.where(before, 1.0, tab["ci_high"][jj]),
            }
            df = pd.DataFrame(part)
            if g is not None:
                df.insert(0, "group", g)
            rows.append(df)
        return pd.concat(rows, ignore_index=True)

    def risk_table(self, times: Any) -> pd.DataFrame:
        """Numbers at risk at each time (subjects with time >= t) and the cumulative events and censorings up to t.

        Returns ``time, n_risk, n_event, n_censor`` (``group`` first when grouped); the at-risk
        table printed under a Kaplan–Meier plot.
        """
        t = as_float(times, "times")
        rows = []
        for g, tab in self._curves():
            tt = tab["time"]
            nr = tab["n_risk"]
            k = np.searchsorted(tt, t, side="left")
            n_risk = np.where(k < len(tt), nr[np.minimum(k, len(tt) - 1)], 0.0)
            j = np.searchsorted(tt, t, side="right")
            ce = np.concatenate([[0.0], np.cumsum(tab["n_event"])])
            cc = np.concatenate([[0.0], np.cumsum(tab["n_censor"])])
            df = pd.DataFrame({"time": t, "n_risk": n_risk.astype(np.int64), "n_event": ce[j].astype(np.int64), "n_censor": cc[j].astype(np.int64)})
            if g is not None:
                df.insert(0, "group", g)
            rows.append(df)
        return pd.concat(rows, ignore_index=True)

    def median(self) -> pd.DataFrame:
        """Median survival with its confidence interval, by R's rule (``quantile.survfit``).

        The median is the first time S(t) <= 0.5; when S(t) equals 0.5 over an
        interval it is the midpoint of that interval. The limits apply the same
        rule to the lower and upper confidence curves. NaN when not reached.
        Returns a DataFrame ``median, ci_low, ci_high`` indexed by group
        (a single row labelled ``'all'`` when ungrouped).
        """
        out = []
        idx = []
        for g, tab in self._curves():
            x = np.concatenate([[0.0], tab["time"]])

            def q(col: str) -> float:
                return _findq(x, np.concatenate([[0.0], 1.0 - tab[col]]), 0.5)

            out.append((q("survival"), q("ci_low"), q("ci_high")))
            idx.append("all" if g is None else g)
        return pd.DataFrame(out, columns=["median", "ci_low", "ci_high"], index=pd.Index(idx, name="group"))

    def plot(self, ax: Any = None, *, ci: bool = True, censor_marks: bool = True, at_risk: Any = None, **kwargs: Any) -> Any:
        """Step curve(s) with censoring ticks and a confidence band; returns the axes.

        ``at_risk``: times at which to print the numbers at risk under the axis.
        Needs matplotlib (``pip install rheumstats[plot]``).
        """
        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots()
        for g, tab in self._curves():
            t = np.concatenate([[0.0], tab["time"]])
            s = np.concatenate([[1.0], tab["survival"]])
            label = None if g is None else str(g)
            (line,) = ax.step(t, s, where="post", label=label, **kwargs)
            color = line.get_color()
            if ci:
                lo = np.concatenate([[1.0], tab["ci_low"]])
                hi = np.concatenate([[1.0], tab["ci_high"]])
                ax.fill_between(t, lo, hi, step="post", alpha=0.2, color=color, linewidth=0)
            if censor_marks:
                cens = tab["n_censor"] > 0
                ax.plot(tab["time"][cens], tab["survival"][cens], "|", color=color, markersize=8)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("time")
        ax.set_ylabel("survival probability")
        if self._grouped:
            ax.legend()
        if at_risk is not None:
            rt = self.risk_table(at_risk)
            lines = []
            for g, _ in self._curves():
                sub = rt if g is None else rt[rt["group"] == g]
                lines.append(("" if g is None else f"{g}: ") + "  ".join(str(v) for v in sub["n_risk"]))
            ax.set_xticks(np.asarray(as_float(at_risk, "at_risk")))
            ax.text(0.0, -0.18, "At risk\n" + "\n".join(lines), transform=ax.transAxes, va="top", fontsize="small", family="monospace")
        return ax


def kaplan_meier(
    time: Any,
    event: Any,
    group: Any = None,
    *,
    conf_level: float = 0.95,
    conf_type: str = "log-log",
    nan_policy: str = "raise",
) -> KaplanMeier:
    """Kaplan–Meier survival curves, as R ``survfit(Surv(time, event) ~ group)``.

    Parameters
    ----------
    time : array-like
        Follow-up times, finite and >= 0 (any unit).
    event : array-like
        1 = event (e.g. drug stopped), 0 = censored (still on drug at ``time``).
        At a time with both, events come first (censored subjects count as at risk).
    group : array-like, optional
        Group labels; one curve per label (Categorical order, else sorted).
    conf_level : float
        Confidence level of the pointwise limits.
    conf_type : {'log-log', 'log', 'plain'}
        R's ``conf.type``: limits on the log(−log S), log S or S scale.
    nan_policy : {'raise', 'omit'}
        A missing time, event or group: an error naming the row (the default;
        a curve cannot 'propagate'), or ``'omit'``: the row is left out (in
        the Rust core; errors still name the input row).

    Returns
    -------
    KaplanMeier
        ``.table``, ``.at(times)`` (alias ``.survival_at``), ``.median()``, ``.risk_table(times)``, ``.plot()``.

    Examples
    --------
    >>> import rheumstats as rs
    >>> km = rs.survival.kaplan_meier([1, 2, 2, 3, 4], [1, 1, 0, 1, 0])
    >>> km.table["survival"].round(3).tolist()
    [0.8, 0.6, 0.3, 0.3]
    """
    conf_level = check_conf_level(conf_level)
    t = _times(time, "time")
    e = as_float(event, "event")
    index = _index_of(time, event, group)
    codes: Optional[np.ndarray] = None
    labels: Optional[pd.Index] = None
    present: Any = None
    if group is not None:
        codes, labels, present = _codes(group, "group", len(t), nan_policy)
    d = call(
        _native.survival_km, t, e, codes, conf_level=conf_level, conf_type=conf_type, nan_policy=nan_policy,
        index={"time": index, "event": index, "group": index},
    )
    cols = {c: d[c] for c in _KM_COLS}
    spans: tuple = ()
    groups: tuple = ()
    grouped = codes is not None
    if codes is not None:
        out_codes = d["group"]
        labels, present = _resolve(labels, present, out_codes)
        # rows come stacked by group code: one span per group present
        starts = np.concatenate([[0], np.flatnonzero(out_codes[1:] != out_codes[:-1]) + 1])
        stops = np.append(starts[1:], len(out_codes))
        first = _label_lookup(labels, present, out_codes[starts]) if len(out_codes) else labels[:0]
        spans = tuple((g, int(a), int(b)) for g, a, b in zip(first, starts, stops))
        groups = tuple(labels)
    return KaplanMeier(conf_level=conf_level, conf_type=conf_type, _grouped=grouped, _groups=groups, _cols=cols, _spans=spans)


# ----------------------------------------------------------------------------
# log-rank
# ----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, repr=False)
class LogrankResult(Result):
    """G-rho test: ``statistic`` (chi-squared), ``df``, ``pvalue``; ``observed``/``expected`` per group
    (weighted by S(t−)^rho, as R ``survdiff`` reports them)."""

    statistic: float
    df: float
    pvalue: float
    observed: pd.Series
    expected: pd.Series
    rho: float
    n: int = 0


def logrank(time: Any, event: Any, group: Any, *, strata: Any = None, rho: float = 0, nan_policy: str = "raise") -> LogrankResult:
    """Compare survival curves with the G-rho family, as R ``survdiff(..., rho)``.

    ``rho = 0`` is the log-rank test; ``rho = 1`` Peto & Peto's modification of
    the Gehan–Wilcoxon test (weights S(t−), the pooled Kaplan–Meier within the
    stratum). With ``strata``, observed − expected and its variance are summed
    over strata. The statistic has (number of groups with expected > 0) − 1
    degrees of freedom. ``nan_policy``: ``'raise'`` (default) or ``'omit'``, as
    :func:`kaplan_meier`.

    Examples
    --------
    >>> import rheumstats as rs
    >>> r = rs.survival.logrank([1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 1, 0], ["a", "b", "a", "b", "a", "b"])
    >>> round(r.statistic, 4), r.df
    (1.2222, 1.0)
    """
    t = _times(time, "time")
    e = as_float(event, "event")
    index = _index_of(time, event, group, strata)
    codes, labels, present = _codes(group, "group", len(t), nan_policy)
    s = None
    if strata is not None:
        s, _, _ = _codes(strata, "strata", len(t), nan_policy)
    try:
        rho = float(rho)
    except (TypeError, ValueError):
        raise TypeError(f"rho: expected a number >= 0, got {rho!r}") from None
    n_groups = 0 if labels is None else len(labels)
    d = call(
        _native.survival_logrank, t, e, codes, s, rho=rho, nan_policy=nan_policy, n_groups=n_groups,
        index={"time": index, "event": index, "group": index, "strata": index},
    )
    if labels is None:
        labels, present = _resolve(None, present, np.flatnonzero(d["n"]))
    else:  # groups whose rows were all omitted (nan_policy='omit') are left out, as R survdiff
        kept = d["n"][present] > 0
        labels, present = labels[kept], present[kept]
    name = getattr(group, "name", None)
    obs = pd.Series(d["observed"][present], index=pd.Index(labels, name=name), name="observed")
    exp = pd.Series(d["expected"][present], index=pd.Index(labels, name=name), name="expected")
    return LogrankResult(
        statistic=float(d["statistic"]), df=float(d["df"]), pvalue=float(d["pvalue"]), observed=obs, expected=exp, rho=rho, n=int(np.sum(d["n"])),
    )
