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
        t-based, over the subjects observed at that time).

    Returns
    -------
    matplotlib Axes. Lines: one per subject, then the mean line (label ``'mean'``).
    """
    _need(data, [subject, time, value])
    ax = _axes(ax)
    d = data[[subject, time, value]].dropna().sort_values([subject, time])
    for _, g in d.groupby(subject, sort=True):
        ax.plot(g[time].to_numpy(), g[value].to_numpy(), color=color, lw=0.8, alpha=0.7, marker="o", ms=2)
    if mean:
        stats = d.groupby(time)[value].agg(["mean", "std", "count"])
        from . import _rheumstats as _native  # t quantile from the Rust core (statrs)

        half = np.array(
            [_native.dist_t_ppf(0.975, c - 1) * s / np.sqrt(c) if c > 1 else np.nan for s, c in zip(stats["std"], stats["count"])]
        )
        x, m = stats.index.to_numpy(), stats["mean"].to_numpy()
        ax.plot(x, m, color=mean_color, lw=2.2, marker="s", ms=4, label="mean", zorder=5)
        ax.vlines(x, m - half, m + half, color=mean_color, lw=1.5, zorder=5)
        ax.legend(loc="best", frameon=False)
    ax.set_xlabel(time)
    ax.set_ylabel(value)
    return ax


def paired(before: Any, after: Any, *, labels: Sequence[str] = ("before", "after"), ax: Any = None, ylabel: Optional[str] = None) -> Any:
    """Before/after plot: one line per subject joining its two values, plus both medians.

    Parameters
    ----------
    before, after : array-like of equal length (pairs with a NaN are skipped)
    labels : the two x-axis labels.

    Returns
    -------
    matplotlib Axes. Lines: one per complete pair, then the median line (label ``'median'``).
    """
    from ._validation import as_float

    b, a = as_float(before, "before"), as_float(after, "after")
    if b.shape != a.shape:
        raise ValueError(f"before and after must have the same length; got {b.shape[0]} and {a.shape[0]}")
    ok = ~(np.isnan(b) | np.isnan(a))
    if not ok.any():
        raise ValueError("before, after: no complete pair to plot")
    ax = _axes(ax)
    for y0, y1 in zip(b[ok], a[ok]):
        ax.plot([0, 1], [y0, y1], color="C0" if y1 < y0 else ("C3" if y1 > y0 else "0.5"), lw=0.9, alpha=0.7, marker="o", ms=3)
    ax.plot([0, 1], [np.median(b[ok]), np.median(a[ok])], color="k", lw=2.5, label="median", zorder=5)
    ax.set_xticks([0, 1])
    ax.set_xticklabels(list(labels))
    ax.set_xlim(-0.3, 1.3)
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.legend(loc="best", frameon=False)
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


__all__ = ["spaghetti", "paired", "forest"]
