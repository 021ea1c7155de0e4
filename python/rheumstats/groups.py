"""Independent-group comparisons (subgroups of a cohort), Rust core.

* :func:`ttest` - Welch (default) or Student two-sample t-test, as R ``t.test``.
* :func:`mannwhitney` - Wilcoxon-Mann-Whitney test with R's statistic ``W``,
  the exact null distribution **also with ties** (as ``coin::wilcox_test(...,
  distribution = "exact")``), the Hodges-Lehmann shift estimate and its CI; 2-D
  inputs with ``axis=`` test many endpoints at once.
* :func:`kruskal`, :func:`anova_oneway` - k-group rank test / one-way ANOVA.
* :func:`chisq`, :func:`fisher_exact` - contingency tables (Fisher: 2x2 odds
  ratio with exact CI, r x c exact p-value).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Tuple

import numpy as np
import pandas as pd

from . import _rheumstats as _native
from ._result import ConfidenceInterval, Result
from ._validation import ALTERNATIVES, NAN_POLICIES, as_float, call, check_choice, check_conf_level, positive_int, resample_seed

METHODS = ("auto", "exact", "approx")


def _ci(self: Any, conf_level: Optional[float], recompute: Any) -> ConfidenceInterval:
    if conf_level is None or float(conf_level) == self._conf_level:
        return ConfidenceInterval(self._ci_low, self._ci_high)
    return recompute(check_conf_level(conf_level))


def _nan_1d(a: np.ndarray, name: str, nan_policy: str) -> Tuple[np.ndarray, bool]:
    """Apply ``nan_policy`` to a 1-D sample: (values, propagate_nan)."""
    mask = np.isnan(a)
    if not mask.any():
        return a, False
    if nan_policy == "raise":
        i = int(np.flatnonzero(mask)[0])
        from .exceptions import InvalidInputError

        err = InvalidInputError(f"{name}[{i}] = nan: missing value with nan_policy='raise'")
        err.arg, err.row, err.col, err.value = name, i, None, float("nan")  # type: ignore[attr-defined]
        raise err
    if nan_policy == "omit":
        return np.ascontiguousarray(a[~mask]), False
    return a, True


# ----------------------------------------------------------------------------
# t-test
# ----------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class TtestResult(Result):
    """Two-sample t-test. ``mean_diff = mean(x) - mean(y)``."""

    statistic: float
    pvalue: float
    df: float
    mean_diff: float
    mean_x: float
    mean_y: float
    se: float
    method: str
    _ci_low: float
    _ci_high: float
    _conf_level: float
    _args: tuple

    def confidence_interval(self, conf_level: Optional[float] = None) -> ConfidenceInterval:
        """CI of ``mean(x) - mean(y)`` (default: the level of the call)."""

        def again(c: float) -> ConfidenceInterval:
            x, y, equal_var, alternative = self._args
            return ttest(x, y, equal_var=equal_var, alternative=alternative, conf_level=c).confidence_interval()

        return _ci(self, conf_level, again)


def ttest(
    x: Any,
    y: Any,
    equal_var: bool = False,
    alternative: str = "two-sided",
    conf_level: float = 0.95,
    *,
    nan_policy: str = "propagate",
) -> TtestResult:
    """Two-sample t-test of equal means, as R ``t.test(x, y)``.

    Parameters
    ----------
    x, y : array-like
        The two independent samples.
    equal_var : bool
        ``False`` (default): Welch's test with Satterthwaite df. ``True``:
        Student's test with the pooled variance.
    alternative : {'two-sided', 'less', 'greater'}
        ``'less'``: the mean of x is less than the mean of y.
    conf_level : float
        Level of the CI of the difference in means.
    nan_policy : {'propagate', 'omit', 'raise'}

    Returns
    -------
    TtestResult
        ``statistic, pvalue, df, mean_diff`` (x minus y), ``confidence_interval()``.

    Raises
    ------
    InvalidInputError
        A group with fewer than 2 observations (Welch; Student needs 1 per
        group and 3 in all), or both groups constant (R stops likewise).
    """
    check_choice(alternative, "alternative", ALTERNATIVES)
    check_choice(nan_policy, "nan_policy", NAN_POLICIES)
    conf_level = check_conf_level(conf_level)
    xa, nx = _nan_1d(as_float(x, "x"), "x", nan_policy)
    ya, ny = _nan_1d(as_float(y, "y"), "y", nan_policy)
    method = "Student" if equal_var else "Welch"
    if nx or ny:
        nan = float("nan")
        return TtestResult(nan, nan, nan, nan, nan, nan, nan, method, nan, nan, conf_level, (xa, ya, equal_var, alternative))
    d = call(_native.groups_ttest, xa, ya, bool(equal_var), alternative, conf_level)
    return TtestResult(
        statistic=d["statistic"],
        pvalue=d["pvalue"],
        df=d["df"],
        mean_diff=d["mean_diff"],
        mean_x=d["mean_x"],
        mean_y=d["mean_y"],
        se=d["se"],
        method=method,
        _ci_low=d["ci_low"],
        _ci_high=d["ci_high"],
        _conf_level=conf_level,
        _args=(xa, ya, bool(equal_var), alternative),
    )


# ----------------------------------------------------------------------------
# Mann-Whitney
# ----------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class MannWhitneyResult(Result):
    """Wilcoxon-Mann-Whitney test. ``statistic`` is R's W (the U of x);
    ``estimate`` the Hodges-Lehmann shift (median of all ``x_i - y_j``).
    ``method`` is ``'exact'`` or ``'asymptotic'`` (the p-value);
    ``ci_method`` says how the CI was obtained (exact only without ties)."""

    statistic: Any
    pvalue: Any
    method: Any
    estimate: Any
    n_x: Any
    n_y: Any
    ci_method: Any
    _ci_low: Any
    _ci_high: Any
    _conf_level: float
    _args: tuple
    _index: Optional[pd.Index] = None

    def confidence_interval(self, conf_level: Optional[float] = None) -> ConfidenceInterval:
        """CI of the location shift x - y (Hodges-Lehmann), as R ``wilcox.test(conf.int=TRUE)``."""

        def again(c: float) -> ConfidenceInterval:
            (x, y), o = self._args
            return mannwhitney(
                x, y, alternative=o["alternative"], method=o["method"], correction=o["correction"], conf_level=c,
                axis=o["axis"], nan_policy=o["nan_policy"], conf_int=True,
            ).confidence_interval()

        return _ci(self, conf_level, again)


def _matrix(a: Any, name: str, axis: int) -> Tuple[np.ndarray, Optional[pd.Index]]:
    """2-D input -> C-contiguous float64 (layout kept), plus endpoint labels."""
    labels: Optional[pd.Index] = None
    if isinstance(a, pd.DataFrame):
        labels = a.columns if axis == 0 else a.index
        cols = [pd.to_numeric(a[c], errors="raise") if not pd.api.types.is_numeric_dtype(a[c]) else a[c] for c in a.columns]
        try:
            arr = np.column_stack([np.asarray(c, dtype=np.float64) for c in cols]) if cols else np.empty((len(a), 0))
        except (TypeError, ValueError):
            raise TypeError(f"{name}: expected numeric columns") from None
    else:
        arr = np.asarray(a)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{name}: expected numeric values, got {arr.dtype} dtype")
        arr = arr.astype(np.float64, copy=False)
    if arr.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D array for matrix mode, got shape {arr.shape}")
    # C-contiguous as given: Rust reads columns (axis=0) or rows (axis=1) in place
    return np.ascontiguousarray(arr, dtype=np.float64), labels


def mannwhitney(
    x: Any,
    y: Any,
    alternative: str = "two-sided",
    method: str = "auto",
    correction: bool = True,
    conf_level: float = 0.95,
    *,
    axis: int = 0,
    nan_policy: str = "propagate",
    conf_int: bool = True,
) -> MannWhitneyResult:
    """Wilcoxon-Mann-Whitney rank-sum test of a location shift between x and y.

    Parameters
    ----------
    x, y : array-like
        1-D samples, or 2-D arrays/DataFrames with one endpoint per column
        (``axis=0``) or per row (``axis=1``); x and y then have the same number
        of endpoints (their group sizes may differ). Every result field is then
        an array, labelled by the endpoint names in ``to_frame()``.
    alternative : {'two-sided', 'less', 'greater'}
        ``'less'``: x tends to be smaller than y.
    method : {'auto', 'exact', 'approx'}
        ``'exact'``: the exact permutation distribution of the rank sum, with
        ties handled exactly through the integer doubled mid-ranks (two-sided
        p = ``P(|T - E T| >= |t - E T|)``, as coin). ``'approx'``: normal
        approximation with tie-corrected variance (R's default with ties).
        ``'auto'``: exact when both groups have fewer than 50 observations -
        **also with ties**, where R's ``wilcox.test`` falls back to the normal
        approximation.
    correction : bool
        Continuity correction of the normal approximation (and its CI).
    conf_level : float
        Level of the Hodges-Lehmann CI: exact (R's) when the p-value is exact
        and there are no ties, else R's asymptotic interval.
    axis : int
        Observation axis for 2-D inputs.
    nan_policy : {'propagate', 'omit', 'raise'}
    conf_int : bool
        Compute the estimate and CI (set False to skip them for speed).

    Returns
    -------
    MannWhitneyResult
        ``statistic`` (W = rank sum of x - n_x(n_x+1)/2), ``pvalue``,
        ``method``, ``estimate`` and ``confidence_interval()``.

    Notes
    -----
    The estimate is always the median of the pairwise differences (the
    Hodges-Lehmann estimator); R's normal-approximation branch reports a root
    of its standardized statistic instead, which can differ slightly. The
    asymptotic CI limits are R's roots located exactly (R finds them with
    ``uniroot(tol = 1e-4)``).
    """
    check_choice(alternative, "alternative", ALTERNATIVES)
    check_choice(method, "method", METHODS)
    check_choice(nan_policy, "nan_policy", NAN_POLICIES)
    conf_level = check_conf_level(conf_level)
    opts = dict(alternative=alternative, method=method, correction=bool(correction), axis=axis, nan_policy=nan_policy, conf_int=conf_int)
    two_d = (isinstance(x, pd.DataFrame) or np.ndim(x) == 2) or (isinstance(y, pd.DataFrame) or np.ndim(y) == 2)
    if two_d:
        if axis not in (0, 1, -1, -2):
            raise ValueError(f"axis: {axis!r} must be 0 or 1 for 2-D inputs")
        ax = axis % 2
        xm, lx = _matrix(x, "x", ax)
        ym, ly = _matrix(y, "y", ax)
        ex, ey = xm.shape[1 - ax], ym.shape[1 - ax]
        if ex != ey:
            raise ValueError(f"x and y must have the same number of endpoints; got {ex} and {ey}")
        cols, idx = {}, {}
        if ax == 0:
            for nm, a, lab in (("x", x, lx), ("y", y, ly)):
                if lab is not None:
                    cols[nm] = [str(c) for c in lab]
                    idx[nm] = a.index
        d = call(
            _native.groups_mannwhitney_rows, xm, ym, alternative, method, bool(correction), conf_level, bool(conf_int), nan_policy, ax == 0,
            index=idx, columns=cols,
        )
        labels = lx if lx is not None else ly
        meth = np.where(d["exact"], "exact", "asymptotic")
        cim = np.where(d["ci_exact"], "exact", "asymptotic")
        return MannWhitneyResult(
            statistic=d["statistic"], pvalue=d["pvalue"], method=meth, estimate=d["estimate"],
            n_x=d["n_x"].astype(np.int64), n_y=d["n_y"].astype(np.int64), ci_method=cim,
            _ci_low=d["ci_low"], _ci_high=d["ci_high"], _conf_level=conf_level, _args=((x, y), opts), _index=labels,
        )
    xa, nx = _nan_1d(as_float(x, "x"), "x", nan_policy)
    ya, ny = _nan_1d(as_float(y, "y"), "y", nan_policy)
    if nx or ny:
        nan = float("nan")
        return MannWhitneyResult(nan, nan, "exact" if method == "exact" else "asymptotic", nan, len(xa), len(ya), "asymptotic", nan, nan, conf_level, ((x, y), opts))
    d = call(_native.groups_mannwhitney, xa, ya, alternative, method, bool(correction), conf_level, bool(conf_int))
    return MannWhitneyResult(
        statistic=float(d["statistic"][0]),
        pvalue=float(d["pvalue"][0]),
        method="exact" if d["exact"][0] else "asymptotic",
        estimate=float(d["estimate"][0]),
        n_x=int(d["n_x"][0]),
        n_y=int(d["n_y"][0]),
        ci_method="exact" if d["ci_exact"][0] else "asymptotic",
        _ci_low=float(d["ci_low"][0]),
        _ci_high=float(d["ci_high"][0]),
        _conf_level=conf_level,
        _args=((x, y), opts),
    )


# ----------------------------------------------------------------------------
# k groups
# ----------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class KruskalResult(Result):
    """Kruskal-Wallis H (ties-corrected), chi-squared df and p-value."""

    statistic: float
    df: float
    pvalue: float
    n: int
    groups: tuple


@dataclass(frozen=True, repr=False)
class AnovaResult(Result):
    """One-way ANOVA F with ``df = (between, within)``."""

    statistic: float
    df: tuple
    pvalue: float
    n: int
    groups: tuple


def _grouped(values: Any, groups: Any, nan_policy: str) -> Tuple[np.ndarray, np.ndarray, tuple, bool]:
    check_choice(nan_policy, "nan_policy", NAN_POLICIES)
    v = as_float(values, "values")
    if isinstance(groups, pd.DataFrame):
        raise TypeError("groups: expected a 1-D array-like of group labels, got a DataFrame")
    g = groups.to_numpy() if isinstance(groups, pd.Series) else np.asarray(groups, dtype=object if not isinstance(groups, np.ndarray) else None)
    if g.ndim != 1:
        raise ValueError(f"groups: expected a 1-D array of labels, got shape {g.shape}")
    if len(g) != len(v):
        raise ValueError(f"values and groups must have the same length; got {len(v)} and {len(g)}")
    codes, uniques = pd.factorize(pd.Series(g), sort=True)
    missing = np.isnan(v) | (codes < 0)
    if missing.any():
        if nan_policy == "raise":
            i = int(np.flatnonzero(missing)[0])
            raise ValueError(f"values[{i}] / groups[{i}]: missing value with nan_policy='raise'")
        if nan_policy == "propagate":
            return v, codes.astype(np.float64), tuple(uniques), True
        keep = ~missing
        v, codes = v[keep], codes[keep]
        # drop levels that vanished
        codes, kept = pd.factorize(codes, sort=True)
        uniques = uniques[kept]
    return np.ascontiguousarray(v), np.ascontiguousarray(codes, dtype=np.float64), tuple(uniques), False


def kruskal(values: Any, groups: Any, *, nan_policy: str = "propagate") -> KruskalResult:
    """Kruskal-Wallis rank-sum test, as R ``kruskal.test(values, groups)``.

    Parameters
    ----------
    values : array-like
        The outcome.
    groups : array-like
        Group label per value (any hashable labels; at least 2 groups).

    Returns
    -------
    KruskalResult
        ``statistic`` (H, corrected for ties), ``df`` = k - 1, ``pvalue`` (chi-squared).
    """
    v, c, labels, prop = _grouped(values, groups, nan_policy)
    if prop:
        nan = float("nan")
        return KruskalResult(nan, nan, nan, len(v), labels)
    d = call(_native.groups_kruskal, v, c)
    return KruskalResult(d["statistic"], d["df"], d["pvalue"], int(d["n"]), labels)


def anova_oneway(values: Any, groups: Any, *, nan_policy: str = "propagate") -> AnovaResult:
    """One-way analysis of variance (equal variances), as R ``oneway.test(values ~ groups, var.equal = TRUE)``.

    Returns
    -------
    AnovaResult
        ``statistic`` (F), ``df`` = (k - 1, N - k), ``pvalue``.
    """
    v, c, labels, prop = _grouped(values, groups, nan_policy)
    if prop:
        nan = float("nan")
        return AnovaResult(nan, (nan, nan), nan, len(v), labels)
    d = call(_native.groups_anova_oneway, v, c)
    return AnovaResult(d["statistic"], tuple(d["df"]), d["pvalue"], int(d["n"]), labels)


# ----------------------------------------------------------------------------
# tables
# ----------------------------------------------------------------------------
def _table(table: Any) -> Tuple[np.ndarray, Optional[pd.Index], Optional[pd.Index]]:
    if isinstance(table, pd.DataFrame):
        rows, cols = table.index, table.columns
        try:
            arr = table.to_numpy(dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError("table: expected a table of counts (numeric)") from None
    else:
        rows = cols = None
        arr = np.asarray(table)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"table: expected counts, got {arr.dtype} dtype")
    if arr.ndim != 2:
        raise ValueError(f"table: expected a 2-D table of counts, got shape {arr.shape}")
    return np.ascontiguousarray(arr, dtype=np.float64), rows, cols


@dataclass(frozen=True, repr=False)
class ChisqResult(Result):
    """Pearson's chi-squared test of independence (``expected`` counts under independence)."""

    statistic: float
    df: float
    pvalue: float
    expected: Any
    method: str


def chisq(table: Any, correction: bool = True) -> ChisqResult:
    """Chi-squared test of independence of a contingency table, as R ``chisq.test(table)``.

    Parameters
    ----------
    table : 2-D array-like or DataFrame (e.g. ``pd.crosstab``)
        Counts (integers >= 0); no row or column may be empty.
    correction : bool
        Yates' continuity correction (2x2 tables only, as R).
    """
    arr, rows, cols = _table(table)
    d = call(_native.groups_chisq, arr, bool(correction))
    exp = d["expected"]
    if rows is not None:
        exp = pd.DataFrame(exp, index=rows, columns=cols)
    method = "Pearson's chi-squared test" + (" with Yates' continuity correction" if d["corrected"] else "")
    return ChisqResult(d["statistic"], d["df"], d["pvalue"], exp, method)


@dataclass(frozen=True, repr=False)
class FisherResult(Result):
    """Fisher's exact test. 2x2: ``estimate`` is the conditional MLE of the
    odds ratio, with an exact CI; r x c: p-value only (``estimate`` NaN).
    ``n_resamples`` is None for the exact p-value, else the number of Monte
    Carlo tables behind it."""

    estimate: float
    pvalue: float
    _ci_low: float
    _ci_high: float
    _conf_level: float
    _table: Any
    _alternative: str
    n_resamples: Optional[int] = None

    def confidence_interval(self, conf_level: Optional[float] = None) -> ConfidenceInterval:
        """Exact CI of the odds ratio (2x2 tables only)."""
        if np.shape(self._table) != (2, 2):
            raise ValueError("confidence_interval: defined for 2 x 2 tables only")

        def again(c: float) -> ConfidenceInterval:
            return fisher_exact(self._table, conf_level=c, alternative=self._alternative).confidence_interval()

        return _ci(self, conf_level, again)


def fisher_exact(
    table: Any,
    conf_level: float = 0.95,
    alternative: str = "two-sided",
    n_resamples: Optional[int] = None,
    seed: Any = None,
) -> FisherResult:
    """Fisher's exact test of independence, as R ``fisher.test(table)``.

    2x2: the conditional maximum-likelihood odds ratio and its exact
    (conditional) CI; ``alternative`` as R (``'less'``: odds ratio < 1).
    r x c: the exact two-sided p-value, summing the probabilities of all tables
    with the observed margins that are <= the observed one x (1 + 1e-7) (R's
    rule), by a network algorithm (Mehta & Patel) with exact bounds, run on all
    cores; the result does not depend on the number of threads.

    Cost grows quickly with the total, the number of cells and the strength of
    association (measured on 2 cores): a 5 x 5 with total ~120 takes ~0.02 s
    near independence but ~9 s with a strong diagonal; a 5 x 5 with total ~200
    takes 0.75-1 s near independence or with uneven margins (R: 3-12 minutes),
    and one with strong association can exceed the memory/work guard (after
    2-3 s, at most ~1.3 GB), which raises ``InvalidInputError``: then use
    ``n_resamples`` (a Monte Carlo p-value, as R ``simulate.p.value = TRUE``),
    collapse categories or use :func:`chisq`.

    Parameters
    ----------
    table : array-like of int, shape (r, c)
        Counts (integers >= 0) with no empty row or column; r, c >= 2.
    conf_level : float
        For the 2x2 odds-ratio CI, in (0, 1).
    alternative : {'two-sided', 'less', 'greater'}
        2x2 only; the r x c test is two-sided.
    n_resamples : int, optional
        r x c only: instead of the exact p-value, ``(1 + k) / (n_resamples + 1)``
        where ``k`` of ``n_resamples`` tables drawn under independence with the
        observed margins are at least as extreme (R ``fisher.test(simulate.p.value
        = TRUE, B = n_resamples)``; its standard error is about
        ``sqrt(p (1 - p) / n_resamples)``).
    seed : int, numpy.random.Generator or None
        Seed of the Monte Carlo draws; the same seed gives the same p-value on any
        number of threads.
    """
    check_choice(alternative, "alternative", ALTERNATIVES)
    conf_level = check_conf_level(conf_level)
    arr, _, _ = _table(table)
    if n_resamples is not None:
        b = positive_int(n_resamples, "n_resamples")
        if arr.shape == (2, 2):
            raise ValueError("n_resamples: the Monte Carlo p-value is for r x c tables; the 2 x 2 test is exact and fast")
        if alternative != "two-sided":
            raise ValueError("alternative: one-sided alternatives are only defined for 2 x 2 tables")
        d = call(_native.groups_fisher_exact, arr, alternative, conf_level, b, resample_seed(seed))
        nan = float("nan")
        return FisherResult(nan, d["pvalue"], nan, nan, conf_level, arr, alternative, b)
    d = call(_native.groups_fisher_exact, arr, alternative, conf_level)
    return FisherResult(d["estimate"], d["pvalue"], d["ci_low"], d["ci_high"], conf_level, arr, alternative)


# ----------------------------------------------------------------------------
# subgroup tables of change
# ----------------------------------------------------------------------------
def compare_subgroups(
    data: pd.DataFrame,
    pairs: Any,
    by: Any,
    adjust: Optional[str] = None,
    *,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Before/after change per endpoint within each subgroup, and a test of
    the difference in change between subgroups.

    Parameters
    ----------
    data : DataFrame
        One row per patient.
    pairs : mapping
        Endpoint name -> ``(before_column, after_column)`` (as :func:`rheumstats.paired.compare`).
    by : str or array-like
        Column name (or values aligned with ``data``) giving the subgroup; at
        least 2 levels. Rows with a missing subgroup are left out.
    adjust : str, optional
        Multiplicity adjustment across endpoints (:func:`rheumstats.multitest.adjust`)
        of ``p_between_t`` and ``p_between_rank`` -> ``p_between_t_adjusted``,
        ``p_between_rank_adjusted``.
    conf_level : float
        Level passed to :func:`rheumstats.paired.compare` (not reported here).

    Returns
    -------
    DataFrame indexed by (endpoint, subgroup)
        ``n, mean_before, mean_after, mean_change, sd_change, p_t, p_wilcoxon``
        (within-subgroup paired tests over complete pairs, from
        :func:`rheumstats.paired.compare`), and per endpoint (repeated on each
        of its rows) ``p_between_t`` and ``p_between_rank`` on the changes:
        Welch t and Mann-Whitney (method 'auto': exact below 50 per group,
        also with ties) for two subgroups; one-way ANOVA and Kruskal-Wallis for
        more. A between-group p is NaN when a subgroup has too few changes.
    """
    from . import multitest, paired

    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data: expected a DataFrame, got {type(data).__name__}")
    if isinstance(by, str):
        if by not in data.columns:
            raise ValueError(f"by: column {by!r} is not in data")
        g = data[by]
    else:
        g = pd.Series(np.asarray(by, dtype=object), index=data.index) if not isinstance(by, pd.Series) else by
        if len(g) != len(data):
            raise ValueError(f"by: expected {len(data)} values (one per row of data), got {len(g)}")
        g = pd.Series(g.array, index=data.index)  # positional; keeps a categorical's order
    if isinstance(g.dtype, pd.CategoricalDtype):
        levels = [c for c in g.cat.categories if (g == c).any()]
    else:
        levels = sorted(g.dropna().unique().tolist(), key=lambda v: (str(type(v)), v))
    if len(levels) < 2:
        raise ValueError(f"by: needs at least 2 subgroups to compare, got {len(levels)} ({levels!r})")
    if adjust is not None:
        check_choice(adjust, "adjust", ("bonferroni", "holm", "hochberg", "hommel", "bh", "by"))
    cols = ["n", "mean_before", "mean_after", "mean_change", "sd_change", "p_t", "p_wilcoxon"]
    parts = []
    for lvl in levels:
        sub = data.loc[(g == lvl).to_numpy()]
        c = paired.compare(sub, pairs, tests=("t", "wilcoxon"), adjust=None, conf_level=conf_level)[cols]
        parts.append(c)
    out = pd.concat(parts, keys=levels, names=["subgroup", "endpoint"]).swaplevel(0, 1)
    endpoints = list(pairs)
    out = out.reindex(pd.MultiIndex.from_product([endpoints, levels], names=["endpoint", "subgroup"]))
    p_t, p_rank = [], []
    for e in endpoints:
        before, after = pairs[e]
        changes = []
        for lvl in levels:
            sub = data.loc[(g == lvl).to_numpy()]
            d = pd.to_numeric(sub[after], errors="raise").to_numpy(dtype=float) - pd.to_numeric(sub[before], errors="raise").to_numpy(dtype=float)
            changes.append(d[~np.isnan(d)])
        pt = pr = float("nan")
        try:
            if len(levels) == 2:
                pt = ttest(changes[0], changes[1]).pvalue
            else:
                vals = np.concatenate(changes)
                labs = np.repeat(np.arange(len(levels)), [len(c) for c in changes])
                pt = anova_oneway(vals, labs).pvalue
        except ValueError:
            pass
        try:
            if len(levels) == 2:
                pr = mannwhitney(changes[0], changes[1], conf_int=False).pvalue
            else:
                vals = np.concatenate(changes)
                labs = np.repeat(np.arange(len(levels)), [len(c) for c in changes])
                pr = kruskal(vals, labs).pvalue
        except ValueError:
            pass
        p_t.append(pt)
        p_rank.append(pr)
    per = pd.DataFrame({"p_between_t": p_t, "p_between_rank": p_rank}, index=pd.Index(endpoints, name="endpoint"))
    if adjust is not None:
        per["p_between_t_adjusted"] = multitest.adjust(per["p_between_t"].to_numpy(), adjust)
        per["p_between_rank_adjusted"] = multitest.adjust(per["p_between_rank"].to_numpy(), adjust)
    out = out.join(per, on="endpoint")
    out["n"] = out["n"].astype(np.int64)
    return out


__all__ = [
    "compare_subgroups",
    "ttest",
    "mannwhitney",
    "kruskal",
    "anova_oneway",
    "chisq",
    "fisher_exact",
    "TtestResult",
    "MannWhitneyResult",
    "KruskalResult",
    "AnovaResult",
    "ChisqResult",
    "FisherResult",
]
