"""rs.longitudinal: long-format helpers and nonparametric tests over visits.

Helpers: :func:`change_from_baseline`, :func:`visit_window`, :func:`locf`,
:func:`auc`, :func:`slopes`. Tests: :func:`friedman`, :func:`cochran_q`,
:func:`skillings_mack`, :func:`page_trend`.

Every call takes a long-format DataFrame (one row per subject and visit; rows
in any order) and column names. Subjects may be strings, integers or
categoricals; they are encoded once and the Rust core groups the rows by
subject in one pass, so ``value`` may name several columns at no extra cost
(the tests then return one result per column, every field an array).
One row per subject and time: a duplicate is an error that names both rows.
Rows without a subject or time are left out and counted (``n_dropped``;
under ``nan_policy='raise'`` they are an error). Inputs are never modified.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np
import pandas as pd

from .._result import Result
from .._validation import _native, check_choice
from ._repeated_input import encode, out_names, run, targets_array

__all__ = [
    "change_from_baseline",
    "visit_window",
    "locf",
    "auc",
    "slopes",
    "friedman",
    "cochran_q",
    "skillings_mack",
    "page_trend",
    "RepeatedTestResult",
    "PageTrendResult",
]


def _no_clash(data: pd.DataFrame, names: Any, what: str) -> None:
    clash = [c for c in names if c in data.columns]
    if clash:
        raise ValueError(f"{what}: data already has column(s) {clash}; rename them first")


# ----------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------
def change_from_baseline(
    data: pd.DataFrame,
    subject: Any,
    time: Any,
    value: Any,
    baseline: Any = 0,
    *,
    nan_policy: str = "propagate",
) -> pd.DataFrame:
    """Change from baseline per row.

    Parameters
    ----------
    data : DataFrame
        Long format: one row per subject and visit, rows in any order.
    subject, time : str
        Column names; ``time`` numeric (e.g. months).
    value : str or list of str
        Value column(s).
    baseline : number or ``'first'``
        The baseline visit time (its row's value is the baseline; a subject
        without that visit gets NaN), or ``'first'``: each subject's first
        non-missing value in time order.

    Returns
    -------
    DataFrame
        A copy of ``data`` (every column, same row order and index) plus
        ``baseline``, ``change`` = value − baseline and ``pct_change`` =
        100 · change / baseline (NaN where the baseline is 0); with several
        value columns ``<value>_baseline`` etc. ``attrs``: ``n_dropped`` (rows
        without subject/time), ``no_baseline`` (subjects without a baseline,
        per value column).
    """
    if isinstance(baseline, str):
        if baseline != "first":
            raise ValueError(f"baseline: {baseline!r} is neither a visit time nor 'first'")
        b = None
    elif isinstance(baseline, (bool, np.bool_)) or not isinstance(baseline, (int, float, np.integer, np.floating)):
        raise TypeError(f"baseline: expected a visit time (number) or 'first', got {type(baseline).__name__}")
    else:
        b = float(baseline)
    e = encode(data, subject, time, value, nan_policy=nan_policy)
    names = out_names(e.value_names, ("baseline", "change", "pct_change"))
    _no_clash(data, names, "change_from_baseline")
    d = run(_native.repeated_change_from_baseline, e, e.values, baseline=b, nan_policy=nan_policy)
    out = data.copy(deep=False)
    for name, col in zip(names, d["columns"]):
        out[name] = _own(col, data.index)
    out.attrs = {**data.attrs, "n_dropped": int(d["n_dropped"]), "no_baseline": dict(zip(e.value_names, map(int, d["no_baseline"])))}
    return out


def _own(col: np.ndarray, index: pd.Index) -> pd.Series:
    """A new column from an array the core just made for us: wrapped without
    the copy pandas makes when a bare array is assigned (tens of ms per
    column at 10M rows)."""
    return pd.Series(col, index=index, copy=False)


def _frame(cols: dict) -> pd.DataFrame:
    """A DataFrame from freshly made columns, without stacking same-dtype
    columns into one block (a copy of the whole output). Wide outputs are
    built the usual way (pandas warns about frames of many blocks)."""
    if len(cols) > 32:
        return pd.DataFrame(cols)
    items = iter(cols.items())
    name, first = next(items)
    out = pd.DataFrame({name: first}, copy=False)
    for name, col in items:
        out[name] = col if isinstance(col, pd.api.extensions.ExtensionArray) else _own(np.asarray(col), out.index)
    return out


def _numpy_dtype(col: pd.Series, dt: type) -> bool:
    return isinstance(col.dtype, np.dtype) and col.dtype == dt


def _take(col: pd.Series, rows: np.ndarray) -> Any:
    arr = col.array
    if isinstance(arr, pd.arrays.NumpyExtensionArray):
        return pd.api.extensions.take(arr.to_numpy(), rows, allow_fill=True)
    return arr.take(rows, allow_fill=True)


def visit_window(
    data: pd.DataFrame,
    subject: Any,
    time: Any,
    targets: Any,
    width: float,
    *,
    nan_policy: str = "propagate",
) -> pd.DataFrame:
    """The visit closest to each target time, within ± ``width``.

    Returns one row per subject × target (subjects sorted, targets in order):
    ``subject``, ``target``, every other column of the chosen row (the
    ``time`` column holds the actual visit time) and ``distance`` =
    |time − target|. Ties go to the earlier visit. A subject with no visit in
    the window gets a row of NaN with its subject and target, so dropouts stay
    visible. One visit may serve two targets whose windows overlap.
    ``targets`` must be increasing; ``width`` >= 0 (same unit as ``time``).
    """
    tg = targets_array(targets)
    if isinstance(width, (bool, np.bool_)) or not isinstance(width, (int, float, np.integer, np.floating)):
        raise TypeError(f"width: expected a number >= 0, got {type(width).__name__}")
    e = encode(data, subject, time, need_value=False, nan_policy=nan_policy)
    _no_clash(data, ["target", "distance"], "visit_window")
    # float64 and int64 columns are carried by the core (in parallel); others by pandas' take
    others = [c for c in data.columns if c != subject]
    cols = {c: data[c] for c in others}
    floats = [c for c in others if _numpy_dtype(cols[c], np.float64)]
    ints = [c for c in others if _numpy_dtype(cols[c], np.int64)]
    d = run(
        _native.repeated_visit_window,
        e,
        tg,
        width=float(width),
        nan_policy=nan_policy,
        floats=[np.ascontiguousarray(cols[c].to_numpy()) for c in floats],
        ints=[np.ascontiguousarray(cols[c].to_numpy()) for c in ints],
    )
    rows = d["rows"]
    carried = dict(zip(floats, d["floats"]))
    carried.update(zip(ints, d["ints"]))
    out = {subject: e.labels_of_ids(d["ids"]), "target": d["target"]}
    for c in others:
        out[c] = carried[c] if c in carried else _take(cols[c], rows)
    out["distance"] = d["distance"]
    res = _frame(out)
    res.attrs = {"n_dropped": int(d["n_dropped"]), "n_missing": int(d["n_missing"])}
    return res


def locf(
    data: pd.DataFrame,
    subject: Any,
    time: Any,
    value: Any,
    targets: Any = None,
    *,
    nan_policy: str = "propagate",
) -> pd.DataFrame:
    """Last observation carried forward.

    ``targets=None``: a copy of ``data`` in which each missing ``value`` is the
    subject's last non-missing value at an earlier time (NaN when none).
    With ``targets`` (increasing times): one row per subject × target with
    ``subject``, ``time`` = the target, the carried value(s) and
    ``observed_time`` (``<value>_observed_time`` with several value columns):
    the time of the observation carried (NaN when the subject has none at or
    before the target). ``nan_policy`` governs rows without subject/time.
    """
    e = encode(data, subject, time, value, nan_policy=nan_policy)
    tg = None if targets is None else targets_array(targets)
    d = run(_native.repeated_locf, e, e.values, tg, nan_policy=nan_policy)
    if tg is None:
        out = data.copy(deep=False)
        filled = {}
        for name, col in zip(e.value_names, d["values"]):
            before = int(np.isnan(data[name].to_numpy(dtype=np.float64, na_value=np.nan)).sum())
            filled[name] = before - int(np.isnan(col).sum())
            out[name] = _own(col, data.index)
        out.attrs = {**data.attrs, "n_dropped": int(d["n_dropped"]), "n_filled": filled}
        return out
    nt = len(tg)
    codes = np.repeat(d["subjects"], nt)
    res = {subject: e.labels(codes), time: np.tile(tg, len(d["subjects"]))}
    tnames = ["observed_time"] if len(e.value_names) == 1 else [f"{v}_observed_time" for v in e.value_names]
    for v, col in zip(e.value_names, d["values"]):
        res[v] = col
    for tn, col in zip(tnames, d["times"]):
        res[tn] = col
    out = _frame(res)
    out.attrs = {"n_dropped": int(d["n_dropped"])}
    return out


def _per_subject(e, d, fields) -> pd.DataFrame:
    idx = pd.Index(e.labels(d["subjects"]), name=None)
    names = out_names(e.value_names, fields)
    cols = d["columns"]
    m, f = len(e.value_names), len(fields)
    # the core returns field-major blocks per value column
    ordered = {}
    for vi in range(m):
        for fi in range(f):
            ordered[names[vi * f + fi]] = cols[vi * f + fi]
    return pd.DataFrame(ordered, index=idx)


def auc(
    data: pd.DataFrame,
    subject: Any,
    time: Any,
    value: Any,
    *,
    normalise: bool = False,
    nan_policy: str = "propagate",
) -> pd.DataFrame:
    """Area under the value–time curve per subject (trapezoid rule).

    Returns a DataFrame indexed by subject with ``auc`` and ``n`` (visits
    used); ``<value>_auc``, ``<value>_n`` with several value columns.
    ``normalise=True`` divides by the time span (first to last visit used):
    a time-averaged value. Subjects with fewer than two visits get NaN and
    are counted in ``attrs['n_short']``. A missing value makes the subject's
    AUC NaN under ``'propagate'``; ``'omit'`` skips that visit.
    """
    if not isinstance(normalise, (bool, np.bool_)):
        raise TypeError(f"normalise: expected True or False, got {normalise!r}")
    e = encode(data, subject, time, value, nan_policy=nan_policy)
    d = run(_native.repeated_per_subject, e, e.values, what="auc", normalise=bool(normalise), nan_policy=nan_policy)
    m = len(e.value_names)
    cols = d["columns"]  # m AUC columns, then m counts
    d = {**d, "columns": [c for vi in range(m) for c in (cols[vi], cols[m + vi])]}
    out = _per_subject(e, d, ("auc", "n"))
    for c in out.columns:
        if c == "n" or c.endswith("_n"):
            out[c] = out[c].astype(np.int64)
    out.index.name = subject
    out.attrs = {"n_dropped": int(d["n_dropped"]), "n_short": {v: int((cols[m + vi] < 2).sum()) for vi, v in enumerate(e.value_names)}}
    return out


def slopes(
    data: pd.DataFrame,
    subject: Any,
    time: Any,
    value: Any,
    *,
    nan_policy: str = "propagate",
) -> pd.DataFrame:
    """Ordinary least-squares line of value on time per subject.

    Returns a DataFrame indexed by subject with ``slope`` (value units per
    time unit), ``se`` (its standard error; needs 3 visits), ``intercept``
    (value at time 0) and ``n``; prefixed by the value name with several
    value columns. Fewer than two visits: NaN. Missing values as in :func:`auc`.
    """
    e = encode(data, subject, time, value, nan_policy=nan_policy)
    d = run(_native.repeated_per_subject, e, e.values, what="slopes", normalise=False, nan_policy=nan_policy)
    out = _per_subject(e, d, ("slope", "se", "intercept", "n"))
    for c in out.columns:
        if c == "n" or c.endswith("_n"):
            out[c] = out[c].astype(np.int64)
    out.index.name = subject
    out.attrs = {"n_dropped": int(d["n_dropped"])}
    return out


# ----------------------------------------------------------------------------
# tests
# ----------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class RepeatedTestResult(Result):
    """Friedman, Cochran's Q or Skillings–Mack: ``statistic`` (chi-squared
    with ``df`` = visits − 1), ``pvalue``, ``n`` (subjects used),
    ``n_dropped`` (subjects left out: incomplete, or fewer than two visits for
    Skillings–Mack), ``n_missing`` (missing values; under ``'propagate'`` any
    makes the result NaN), ``k`` (visits). Arrays, labelled by value column,
    when several value columns are given."""

    statistic: Any
    df: Any
    pvalue: Any
    n: Any
    n_dropped: Any
    n_missing: Any
    k: int
    method: str
    test: str
    _index: Optional[pd.Index] = None


@dataclass(frozen=True, repr=False)
class PageTrendResult(Result):
    """Page's L (sum of visit order × rank sum), its standardised value ``z``
    and the normal-approximation ``pvalue`` for ``alternative``."""

    statistic: Any
    z: Any
    pvalue: Any
    n: Any
    n_dropped: Any
    n_missing: Any
    k: int
    alternative: str
    method: str
    _index: Optional[pd.Index] = None


def _test(data, subject, time, value, test, nan_policy, alternative="two-sided"):
    e = encode(data, subject, time, value, nan_policy=nan_policy)
    d = run(_native.repeated_test, e, e.values, test=test, alternative=alternative, nan_policy=nan_policy)
    many = isinstance(value, (list, tuple, pd.Index))

    def f(name, integer=False):
        a = d[name]
        if integer:
            a = a.astype(np.int64)
        if many:
            return a
        return int(a[0]) if integer else float(a[0])

    idx = e.value_index if many else None
    return d, f, idx


def friedman(data: pd.DataFrame, subject: Any, time: Any, value: Any, *, nan_policy: str = "propagate") -> RepeatedTestResult:
    """Friedman rank test of equal distributions across visits (blocks =
    subjects), corrected for ties as R ``friedman.test``; chi-squared p.

    Only subjects with a value at every visit are used (the rest are counted
    in ``n_dropped``), as R drops incomplete blocks; see :func:`skillings_mack`
    for a test that uses incomplete subjects. ``nan_policy='omit'`` treats a
    missing value as a missing visit.
    """
    d, f, idx = _test(data, subject, time, value, "friedman", nan_policy)
    return RepeatedTestResult(f("statistic"), f("df"), f("pvalue"), f("n", True), f("n_dropped", True), f("n_missing", True), int(d["k"]), "approx", "friedman", idx)


def cochran_q(data: pd.DataFrame, subject: Any, time: Any, value: Any, *, nan_policy: str = "propagate") -> RepeatedTestResult:
    """Cochran's Q test of equal proportions across visits for a binary
    outcome (0/1 or False/True; anything else is an error naming the row);
    chi-squared p with visits − 1 df. Complete subjects only, as :func:`friedman`.
    """
    d, f, idx = _test(data, subject, time, value, "cochran_q", nan_policy)
    return RepeatedTestResult(f("statistic"), f("df"), f("pvalue"), f("n", True), f("n_dropped", True), f("n_missing", True), int(d["k"]), "approx", "cochran_q", idx)


def skillings_mack(data: pd.DataFrame, subject: Any, time: Any, value: Any, *, nan_policy: str = "omit") -> RepeatedTestResult:
    """Skillings–Mack test: Friedman's test for subjects with missing visits
    (Skillings & Mack 1981, Technometrics 23:171–177; the statistic of the R
    package ``Skillings.Mack``). Ranks within each subject's observed visits
    (mid-ranks for ties, no tie correction), adjusted rank sums weighted by
    sqrt(12 / (k_i + 1)), and their covariance from the pair counts; the
    statistic is referred to chi-squared with visits − 1 df. Subjects with
    fewer than two visits carry no information and are counted in
    ``n_dropped``. With complete data and no ties it equals Friedman's
    statistic. Missing values default to ``'omit'`` (a missing cell is what
    the test is for).
    """
    d, f, idx = _test(data, subject, time, value, "skillings_mack", nan_policy)
    return RepeatedTestResult(f("statistic"), f("df"), f("pvalue"), f("n", True), f("n_dropped", True), f("n_missing", True), int(d["k"]), "approx", "skillings_mack", idx)


def page_trend(
    data: pd.DataFrame,
    subject: Any,
    time: Any,
    value: Any,
    *,
    alternative: str = "greater",
    method: str = "approx",
    nan_policy: str = "propagate",
) -> PageTrendResult:
    """Page's test of an ordered trend across visits (in time order).

    L = sum over visits of (visit order 1..k) × (rank sum); ``alternative=
    'greater'`` (the default, as Page and scipy) tests for values increasing
    with time, ``'less'`` for decreasing, ``'two-sided'`` either. The p-value
    is the normal approximation (scipy ``page_trend_test(method='asymptotic')``);
    ties get mid-ranks. Complete subjects only, as :func:`friedman`.
    """
    check_choice(alternative, "alternative", ("two-sided", "less", "greater"))
    check_choice(method, "method", ("approx", "asymptotic", "exact", "auto"))
    if method in ("exact", "auto"):
        raise ValueError(
            f"method: {method!r} is not available; page_trend has the normal approximation only "
            "(method='approx'); scipy.stats.page_trend_test(method='exact') gives the exact p for small designs"
        )
    d, f, idx = _test(data, subject, time, value, "page_trend", nan_policy, alternative)
    return PageTrendResult(f("statistic"), f("z"), f("pvalue"), f("n", True), f("n_dropped", True), f("n_missing", True), int(d["k"]), alternative, "approx", idx)
