"""Plots for cohort papers (matplotlib, an optional extra: ``pip install rheumstats[plot]``).

Every function draws on ``ax`` (a new figure when ``None``) and returns the
``Axes``; nothing is shown or saved. Survival curves live on their result
objects (``KaplanMeier.plot()``, ``CumulativeIncidence.plot()``).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np
import pandas as pd


def _plt():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError("rheumstats.plot needs matplotlib: pip install 'rheumstats[plot]'") from exc
    return plt


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    _, ax = _plt().subplots(figsize=(6, 4))
    return ax


def _need(data: pd.DataFrame, columns: Sequence[str], name: str = "data") -> None:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{name}: expected a DataFrame, got {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}")


def _subject_segments(d: pd.DataFrame, subject: str, time: str, value: str) -> list:
    """One (k, 2) array of (time, value) per subject of ``d`` (sorted by subject, time)."""
    xy = d[[time, value]].to_numpy(dtype=float)
    codes = pd.factorize(d[subject], sort=False)[0]
    cuts = np.flatnonzero(np.diff(codes)) + 1
    return np.split(xy, cuts)


def spaghetti(
    data: pd.DataFrame,
    subject: str,
    time: str,
    value: str,
    *,
    ax: Any = None,
    mean: bool = True,
    color: str = "0.6",
    mean_color: str = "C3",
    max_subjects: Optional[int] = 300,
    seed: int = 0,
    min_n: int = 3,
) -> Any:
    """One line per subject of ``value`` over ``time``, with the mean trajectory.

    Parameters
    ----------
    data : DataFrame
        Long format, one row per subject-visit.
    subject, time, value : str
        Column names (time in the unit of the data, e.g. months).
    mean : bool
        Draw the mean at each time point (with its 95% CI as error bars,
        t-based, over *all* subjects observed at that time).
    max_subjects : int or None
        With more subjects than this, draw the lines of a random sample of
        ``max_subjects`` of them (drawn with ``seed``); the legend says
        "k of n subjects (random sample)". The mean and CI always use every
        subject. ``None`` draws every subject.
    seed : int
        Seed of the sample (the same data and seed give the same picture).
    min_n : int
        The mean and its CI are drawn at the time points observed in at
        least ``min_n`` subjects (a CI from one or two late stragglers would
        only stretch the axis).

    Returns
    -------
    matplotlib Axes. The subject lines are one ``LineCollection`` (in
    ``ax.collections``, one path per drawn subject, labelled with the count),
    their points one marker line; then the mean line (label ``'mean'``).
    The legend sits in the upper right corner (a fixed place: no search
    over the data points).
    """
    from matplotlib.collections import LineCollection

    _need(data, [subject, time, value])
    if max_subjects is not None and (not isinstance(max_subjects, (int, np.integer)) or max_subjects < 1):
        raise ValueError(f"max_subjects must be a positive integer or None; got {max_subjects!r}")
    ax = _axes(ax)
    d = data[[subject, time, value]].dropna().sort_values([subject, time], kind="stable")
    ids = pd.unique(d[subject])
    total = len(ids)
    shown = d
    if max_subjects is not None and total > max_subjects:
        keep = np.random.default_rng(seed).choice(total, size=max_subjects, replace=False)
        shown = d[d[subject].isin(ids[np.sort(keep)])]
        label = f"{max_subjects:,} of {total:,} subjects (random sample)"
    else:
        label = f"{total:,} subjects"
    alpha = 0.7 if len(pd.unique(shown[subject])) <= 60 else 0.45
    if len(shown):
        segs = _subject_segments(shown, subject, time, value)
        ax.add_collection(LineCollection(segs, colors=color, linewidths=0.8, alpha=alpha, label=label))
        ax.plot(shown[time].to_numpy(dtype=float), shown[value].to_numpy(dtype=float), ls="none", marker="o", ms=2, color=color, alpha=alpha)
        ax.autoscale_view()
    if not isinstance(min_n, (int, np.integer)) or min_n < 1:
        raise ValueError(f"min_n must be a positive integer; got {min_n!r}")
    if mean and len(d):
        stats = d.groupby(time)[value].agg(["mean", "std", "count"])
        stats = stats[stats["count"] >= min_n]
        from . import _rheumstats as _native  # t quantile from the Rust core (statrs)

        half = np.array(
            [_native.dist_t_ppf(0.975, c - 1) * s / np.sqrt(c) if c > 1 else np.nan for s, c in zip(stats["std"], stats["count"])]
        )
        x, m = stats.index.to_numpy(dtype=float), stats["mean"].to_numpy()
        ax.plot(x, m, color=mean_color, lw=2.2, marker="s", ms=4, label="mean", zorder=5)
        ax.vlines(x, m - half, m + half, color=mean_color, lw=1.5, zorder=5)
        ax.legend(loc="upper right", frameon=False, fontsize="small")
    ax.set_xlabel(time)
    ax.set_ylabel(value)
    return ax


def paired(
    before: Any,
    after: Any,
    *,
    labels: Sequence[str] = ("before", "after"),
    ax: Any = None,
    ylabel: Optional[str] = None,
    max_pairs: Optional[int] = 300,
    seed: int = 0,
) -> Any:
    """Before/after plot: one line per subject joining its two values, plus both medians.

    Parameters
    ----------
    before, after : array-like of equal length (pairs with a NaN are skipped)
    labels : the two x-axis labels.
    max_pairs : int or None
        With more complete pairs than this, draw a random sample of
        ``max_pairs`` of them (``seed``); the medians use every pair.

    Returns
    -------
    matplotlib Axes. The pairs are one ``LineCollection`` per direction
    (down = C0, up = C3, unchanged = grey) in ``ax.collections``, one path
    per drawn pair; then the median line (label ``'median'``). Legend in
    the upper right corner.
    """
    from matplotlib.collections import LineCollection

    from ._validation import as_float

    b, a = as_float(before, "before"), as_float(after, "after")
    if b.shape != a.shape:
        raise ValueError(f"before and after must have the same length; got {b.shape[0]} and {a.shape[0]}")
    ok = ~(np.isnan(b) | np.isnan(a))
    if not ok.any():
        raise ValueError("before, after: no complete pair to plot")
    ax = _axes(ax)
    bb, aa = b[ok], a[ok]
    idx = np.arange(len(bb))
    if max_pairs is not None and len(bb) > max_pairs:
        idx = np.sort(np.random.default_rng(seed).choice(len(bb), size=max_pairs, replace=False))
    y0, y1 = bb[idx], aa[idx]
    alpha = 0.7 if len(idx) <= 60 else 0.4
    for mask, col in ((y1 < y0, "C0"), (y1 > y0, "C3"), (y1 == y0, "0.5")):
        if mask.any():
            segs = np.stack([np.column_stack([np.zeros(mask.sum()), y0[mask]]), np.column_stack([np.ones(mask.sum()), y1[mask]])], axis=1)
            ax.add_collection(LineCollection(segs, colors=col, linewidths=0.9, alpha=alpha))  # type: ignore[arg-type]
    ax.plot(np.r_[np.zeros(len(idx)), np.ones(len(idx))], np.r_[y0, y1], ls="none", marker="o", ms=3, color="0.3", alpha=alpha)
    ax.plot([0, 1], [np.median(bb), np.median(aa)], color="k", lw=2.5, label="median", zorder=5)
    if len(idx) < len(bb):
        ax.plot([], [], color="0.5", lw=0.9, label=f"{len(idx):,} of {len(bb):,} pairs (random sample)")
    ax.set_xticks([0, 1])
    ax.set_xticklabels(list(labels))
    ax.set_xlim(-0.3, 1.3)
    ax.autoscale_view(scalex=False)
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.legend(loc="upper right", frameon=False, fontsize="small")
    return ax


def forest(
    table: pd.DataFrame,
    *,
    estimate: str = "mean_change",
    low: str = "ci_low",
    high: str = "ci_high",
    ax: Any = None,
    null: float = 0.0,
    xlabel: str = "mean change (95% CI)",
) -> Any:
    """Forest plot of a table with one row per endpoint, e.g. ``rs.paired.compare(...)``.

    Parameters
    ----------
    table : DataFrame
        Index = endpoint labels; columns ``estimate``, ``low``, ``high``.
    null : float
        Position of the vertical no-effect line.

    Returns
    -------
    matplotlib Axes. One horizontal CI line per row (top row first), y tick labels = the index.
    """
    _need(table, [estimate, low, high], "table")
    if len(table) == 0:
        raise ValueError("table: no rows to plot")
    ax = _axes(ax)
    y = np.arange(len(table))[::-1]
    est, lo, hi = (table[c].to_numpy(dtype=float) for c in (estimate, low, high))
    for yi, e, l, h in zip(y, est, lo, hi):
        ax.plot([l, h], [yi, yi], color="C0", lw=2)
    ax.plot(est, y, "s", color="C0", ms=6, zorder=5)
    ax.axvline(null, color="0.4", lw=1, ls="--")
    ax.set_yticks(y)
    ax.set_yticklabels([str(i) for i in table.index])
    ax.set_xlabel(xlabel)
    return ax


def _count_label(x: Any) -> str:
    """A count under a tick, short enough not to run into its neighbours:
    85955 -> '86.0k', 123456 -> '123k' (registry sizes); smaller as they are."""
    if isinstance(x, (int, np.integer)):
        v = int(x)
        if abs(v) >= 10_000:
            return f"{v / 1000:.0f}k" if abs(v) >= 100_000 else f"{v / 1000:.1f}k"
    return str(x)


def _rows_under(ax: Any, ticks: np.ndarray, rows: list, title: Optional[str], first: float = 34.0, step: float = 12.0) -> list:
    """Rows of labels under ``ax``, each label under its x tick (one secondary x axis per row)."""
    from matplotlib.transforms import offset_copy

    ax.set_xticks(ticks)
    lim = ax.get_xlim()
    fig = ax.figure
    if title is not None and len(rows) > 1:
        ax.text(0.0, 0.0, title, transform=offset_copy(ax.transAxes, fig, x=-6, y=-first + step, units="points"),
                ha="right", va="center", fontsize="small", fontweight="bold")
    out = []
    for k, (name, labels) in enumerate(rows):
        off = first + k * step
        a2 = ax.twiny()
        a2.set_xlim(lim)
        a2.set_xticks(ticks)
        a2.set_xticklabels([_count_label(x) for x in labels], fontsize="small")
        a2.xaxis.set_ticks_position("bottom")
        a2.xaxis.set_label_position("bottom")
        a2.spines["bottom"].set_position(("outward", off))
        for side in a2.spines.values():
            side.set_visible(False)
        a2.tick_params(axis="x", length=0, pad=0)
        a2.patch.set_visible(False)
        ax.text(0.0, 0.0, name, transform=offset_copy(ax.transAxes, fig, x=-6, y=-off - 5, units="points"),
                ha="right", va="center", fontsize="small")
        out.append(a2)
    return out


def at_risk_counts(km: Any, times: Any, ax: Any, *, title: str = "At risk") -> list:
    """Numbers at risk of a ``KaplanMeier`` under ``ax``, each under its x tick.

    Like lifelines' ``add_at_risk_counts``: the x ticks of ``ax`` are set to
    ``times`` and under them, one row per curve, a secondary x axis whose tick
    labels are the numbers at risk (``km.risk_table(times)``), so each number
    sits exactly under its tick whatever the figure size. Row names (the
    group, or ``title`` for a single curve) stand left of the axis.

    Returns the list of secondary axes (one per row), top row first.
    """
    t = np.asarray(times, dtype=float)
    if t.ndim != 1 or len(t) == 0 or not np.all(np.isfinite(t)):
        raise ValueError("times: expected a non-empty 1-D array of finite times")
    rt = km.risk_table(t)
    if "group" in rt.columns:
        rows = [(str(g), [int(c) for c in rt[rt["group"] == g]["n_risk"]]) for g in pd.unique(rt["group"])]
    else:
        rows = [(title, [int(c) for c in rt["n_risk"]])]
    return _rows_under(ax, t, rows, title)


def lsmeans(
    table: pd.DataFrame,
    *,
    x: str = "month",
    estimate: str = "estimate",
    low: str = "ci_low",
    high: str = "ci_high",
    n: Optional[str] = "n",
    ax: Any = None,
    null: Optional[float] = 0.0,
    color: str = "C0",
    label: Optional[str] = None,
    xlabel: Optional[str] = None,
) -> Any:
    """LS-means (or any estimates) with their CIs over visits, e.g. ``MmrmResult.lsmeans()``.

    Parameters
    ----------
    table : DataFrame
        One row per visit with columns ``x`` (numeric visit time; the index is
        used when ``x`` is not a column), ``estimate``, ``low``, ``high``, and
        optionally ``n`` (patients observed at the visit), printed under each
        x tick as a row labelled "n".
    null : float or None
        Position of a dashed reference line (no change); ``None`` for none.

    Returns
    -------
    matplotlib Axes: one line with markers through the estimates, one
    vertical CI segment per visit (``ax.collections``), x ticks at the
    visits, and the row of ``n`` under the axis.
    """
    cols = [estimate, low, high] + ([x] if x in table.columns else []) + ([n] if n else [])
    _need(table, cols, "table")
    if len(table) == 0:
        raise ValueError("table: no rows to plot")
    ax = _axes(ax)
    xs = (table[x] if x in table.columns else pd.Series(table.index, index=table.index)).to_numpy(dtype=float)
    est, lo, hi = (table[c].to_numpy(dtype=float) for c in (estimate, low, high))
    if null is not None:
        ax.axhline(null, color="0.5", lw=1, ls="--", zorder=1)
    ax.plot(xs, est, color=color, marker="o", ms=5, lw=1.8, label=label, zorder=4)
    ax.vlines(xs, lo, hi, color=color, lw=1.6, zorder=4)
    ax.set_xlabel(xlabel or x)
    if label:
        ax.legend(loc="upper right", frameon=False, fontsize="small")
    if n:
        _rows_under(ax, xs, [("n", [int(k) for k in table[n]])], None)
    else:
        ax.set_xticks(xs)
    return ax


__all__ = ["spaghetti", "paired", "forest", "at_risk_counts", "lsmeans"]
