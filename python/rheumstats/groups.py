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
from typing import Any, Dict, Optional, Tuple

import numpy as np
import pandas as pd

from . import _rheumstats as _native
from ._result import ConfidenceInterval, Result
from ._validation import ALTERNATIVES, as_float, call, check_choice, check_conf_level, check_method, label_codes, matrix, nan_policy_arg, positive_int, renamed, resample_seed, table_counts

METHODS = ("auto", "exact", "approx")


def _ci(self: Any, conf_level: Optional[float], recompute: Any) -> ConfidenceInterval:
    if conf_level is None or float(conf_level) == self._conf_level:
        return ConfidenceInterval(self._ci_low, self._ci_high)
    return recompute(check_conf_level(conf_level))


# ----------------------------------------------------------------------------
# t-test
# ----------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class TtestResult(Result):
    """Two-sample t-test. ``mean_diff = mean(x) - mean(y)``; ``equal_var``
    False = Welch (Satterthwaite df), True = Student (pooled variance)."""

    statistic: float
    pvalue: float
    df: float
    mean_diff: float
    mean_x: float
    mean_y: float
    se: float
    n_x: int
    n_y: int
    equal_var: bool
    _ci_low: float
    _ci_high: float
    _conf_level: float
    _alternative: str = "two-sided"

    def confidence_interval(self, conf_level: Optional[float] = None) -> ConfidenceInterval:
        """CI of ``mean(x) - mean(y)`` (default: the level of the call; any
        other level from the stored difference, standard error and df)."""

        def again(c: float) -> ConfidenceInterval:
            m, s, d = (np.array([v], dtype=np.float64) for v in (self.mean_diff, self.se, self.df))
            lo, hi = _native.paired_t_interval(m, s, d, alternative=self._alternative, conf_level=c)
            return ConfidenceInterval(float(lo[0]), float(hi[0]))

        return _ci(self, conf_level, again)


def ttest(
    x: Any,
    y: Any,
    *,
    equal_var: bool = False,
    alternative: str = "two-sided",
    conf_level: float = 0.95,
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
        Applied in the Rust core; under 'propagate' a NaN gives NaN fields
        while ``n_x``/``n_y`` still count the values present.

    Returns
    -------
    TtestResult
        ``statistic, pvalue, df, mean_diff`` (x minus y), ``se``, ``n_x``,
        ``n_y``, ``confidence_interval()``.

    Raises
    ------
    InvalidInputError
        A group with fewer than 2 observations (Welch; Student needs 1 per
        group and 3 in all), or both groups constant (R stops likewise).
    """
    conf_level = check_conf_level(conf_level)
    d = call(
        _native.groups_ttest, as_float(x, "x"), as_float(y, "y"), equal_var=bool(equal_var), alternative=alternative,
        conf_level=conf_level, nan_policy=nan_policy_arg(nan_policy), index={"x": _index(x), "y": _index(y)},
    )
    return TtestResult(
        statistic=d["statistic"],
        pvalue=d["pvalue"],
        df=float(d["df"]),
        mean_diff=d["mean_diff"],
        mean_x=d["mean_x"],
        mean_y=d["mean_y"],
        se=d["se"],
        n_x=int(d["n_x"]),
        n_y=int(d["n_y"]),
        equal_var=bool(equal_var),
        _ci_low=d["ci_low"],
        _ci_high=d["ci_high"],
        _conf_level=conf_level,
        _alternative=alternative,
    )


def _index(a: Any) -> Optional[pd.Index]:
    return a.index if isinstance(a, pd.Series) else None


# ----------------------------------------------------------------------------
# Mann-Whitney
# ----------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class MannWhitneyResult(Result):
    """Wilcoxon-Mann-Whitney test. ``statistic`` is R's W (the U of x);
    ``estimate`` the Hodges-Lehmann shift (median of all ``x_i - y_j``).
    ``method`` is ``'exact'`` or ``'approx'`` (the p-value);
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
    _sorted: Any = None  # (x, y) (1-D) or (x, y, by_column) copies (2-D): the CI at another level
    _options: Any = None
    _index: Optional[pd.Index] = None

    def confidence_interval(self, conf_level: Optional[float] = None) -> ConfidenceInterval:
        """CI of the location shift x - y (Hodges-Lehmann), as R ``wilcox.test(conf.int=TRUE)``;
        another level from the stored samples (the order statistics of the differences)."""

        def again(c: float) -> ConfidenceInterval:
            s, o = self._sorted, self._options
            if len(s) == 2:
                d = _native.groups_mannwhitney(s[0], s[1], conf_level=c, conf_int=True, **o)
                return ConfidenceInterval(float(d["ci_low"][0]), float(d["ci_high"][0]))
            d = _native.groups_mannwhitney_rows(s[0], s[1], conf_level=c, conf_int=True, by_column=s[2], **o)
            return ConfidenceInterval(d["ci_low"], d["ci_high"])

        return _ci(self, conf_level, again)


def mannwhitney(
    x: Any,
    y: Any,
    *,
    alternative: str = "two-sided",
    method: str = "auto",
    correction: bool = True,
    conf_level: float = 0.95,
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
        p = ``P(|T - E T| >= |t - E T|)``, as coin). ``'approx'`` (alias
        ``'asymptotic'``): normal approximation with tie-corrected variance
        (R's default with ties). ``'auto'``: exact when both groups have fewer
        than 50 observations - **also with ties**, where R's ``wilcox.test``
        falls back to the normal approximation.
    correction : bool
        Continuity correction of the normal approximation (and its CI).
    conf_level : float
        Level of the Hodges-Lehmann CI: exact (R's) when the p-value is exact
        and there are no ties, else R's asymptotic interval.
    axis : int
        Observation axis for 2-D inputs.
    nan_policy : {'propagate', 'omit', 'raise'}
        Applied in the Rust core (per endpoint in matrix mode).
    conf_int : bool
        Compute the estimate and CI (set False to skip them for speed).

    Returns
    -------
    MannWhitneyResult
        ``statistic`` (W = rank sum of x - n_x(n_x+1)/2), ``pvalue``,
        ``method`` ('exact' / 'approx'), ``estimate``, ``n_x``, ``n_y`` and
        ``confidence_interval()``.

    Notes
    -----
    The estimate is always the median of the pairwise differences (the
    Hodges-Lehmann estimator); R's normal-approximation branch reports a root
    of its standardized statistic instead, which can differ slightly. The
    asymptotic CI limits are R's roots located exactly (R finds them with
    ``uniroot(tol = 1e-4)``).
    """
    check_choice(alternative, "alternative", ALTERNATIVES)
    method = check_method(method, METHODS)
    nan_policy_arg(nan_policy)
    conf_level = check_conf_level(conf_level)
    opts: Dict[str, Any] = dict(alternative=alternative, method=method, correction=bool(correction), nan_policy=nan_policy)
    two_d = (isinstance(x, pd.DataFrame) or np.ndim(x) == 2) or (isinstance(y, pd.DataFrame) or np.ndim(y) == 2)
    if two_d:
        if axis not in (0, 1, -1, -2):
            raise ValueError(f"axis: {axis!r} must be 0 or 1 for 2-D inputs")
        ax = axis % 2
        xm, lx = matrix(x, "x", ax)
        ym, ly = matrix(y, "y", ax)
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
            _native.groups_mannwhitney_rows, xm, ym, conf_level=conf_level, conf_int=bool(conf_int), by_column=ax == 0,
            index=idx, columns=cols, **opts,
        )
        labels = lx if lx is not None else ly
        meth = np.where(d["exact"], "exact", "approx").astype(object)
        cim = np.where(d["ci_exact"], "exact", "approx").astype(object)
        # endpoints as rows (copies: the caller may change x and y later): what
        # another CI level needs; the core sorts (sorting here cost more than the test)
        srt = (xm.copy(), ym.copy(), ax == 0) if conf_int else None
        return MannWhitneyResult(
            statistic=d["statistic"], pvalue=d["pvalue"], method=meth, estimate=d["estimate"],
            n_x=d["n_x"].astype(np.int64), n_y=d["n_y"].astype(np.int64), ci_method=cim,
            _ci_low=d["ci_low"], _ci_high=d["ci_high"], _conf_level=conf_level, _sorted=srt, _options=opts, _index=labels,
        )
    xa, ya = as_float(x, "x"), as_float(y, "y")
    d = call(
        _native.groups_mannwhitney, xa, ya, conf_level=conf_level, conf_int=bool(conf_int),
        index={"x": _index(x), "y": _index(y)}, **opts,
    )
    return MannWhitneyResult(
        statistic=float(d["statistic"][0]),
        pvalue=float(d["pvalue"][0]),
        method="exact" if d["exact"][0] else "approx",
        estimate=float(d["estimate"][0]),
        n_x=int(d["n_x"][0]),
        n_y=int(d["n_y"][0]),
        ci_method="exact" if d["ci_exact"][0] else "approx",
        _ci_low=float(d["ci_low"][0]),
        _ci_high=float(d["ci_high"][0]),
        _conf_level=conf_level,
        _sorted=(np.sort(xa), np.sort(ya)) if conf_int else None,
        _options=opts,
    )


# ----------------------------------------------------------------------------
# k groups
# ----------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class KruskalResult(Result):
    """Kruskal-Wallis H (ties-corrected), chi-squared df and p-value; ``levels``
    the group labels that took part."""

    statistic: float
    df: float
    pvalue: float
    n: int
    levels: tuple

    @property
    def groups(self) -> tuple:
        """Old name of ``levels``."""
        return self.levels


@dataclass(frozen=True, repr=False)
class AnovaResult(Result):
    """One-way ANOVA: F on ``df`` (between groups, k - 1) and ``df_denom``
    (within groups, N - k) degrees of freedom."""

    statistic: float
    df: float
    df_denom: float
    pvalue: float
    n: int
    levels: tuple

    @property
    def groups(self) -> tuple:
        """Old name of ``levels``."""
        return self.levels


def _grouped(values: Any, group: Any) -> Tuple[np.ndarray, np.ndarray, pd.Index, dict]:
    """values -> float64; group labels -> float codes (NaN = missing label, for
    the core's nan_policy) and the labels (categorical order, else sorted)."""
    v = as_float(values, "values")
    c, labels, _ = label_codes(group, "group", len(v), other="values")
    idx = _index(values) if _index(values) is not None else _index(group)
    return v, c, labels, {"values": idx, "group": idx}


def _k_groups(fn: Any, values: Any, group: Any, groups: Any, nan_policy: str) -> Tuple[dict, tuple]:
    group = renamed("groups", "group", groups, group)
    if group is None:
        raise TypeError("group: the group label of each value is required")
    v, c, uniques, idx = _grouped(values, group)
    d = call(fn, v, c, nan_policy=nan_policy_arg(nan_policy), index=idx)
    levels = tuple(uniques[np.asarray(d["levels"], dtype=np.int64)]) if len(d["levels"]) else tuple(uniques)
    return d, levels


def kruskal(values: Any, group: Any = None, *, nan_policy: str = "propagate", groups: Any = None) -> KruskalResult:
    """Kruskal-Wallis rank-sum test, as R ``kruskal.test(values, group)``.

    Parameters
    ----------
    values : array-like
        The outcome.
    group : array-like
        Group label per value (any hashable labels; at least 2 groups).
        ``groups=`` is its old name (FutureWarning).
    nan_policy : {'propagate', 'omit', 'raise'}
        A missing value or label; applied in the Rust core ('omit' drops the
        row, and a group left empty).

    Returns
    -------
    KruskalResult
        ``statistic`` (H, corrected for ties), ``df`` = k - 1, ``pvalue`` (chi-squared), ``n``, ``levels``.
    """
    d, levels = _k_groups(_native.groups_kruskal, values, group, groups, nan_policy)
    return KruskalResult(float(d["statistic"]), float(d["df"]), float(d["pvalue"]), int(d["n"]), levels)


def anova_oneway(values: Any, group: Any = None, *, nan_policy: str = "propagate", groups: Any = None) -> AnovaResult:
    """One-way analysis of variance (equal variances), as R ``oneway.test(values ~ group, var.equal = TRUE)``.

    Returns
    -------
    AnovaResult
        ``statistic`` (F), ``df`` = k - 1 (numerator), ``df_denom`` = N - k, ``pvalue``, ``n``, ``levels``.
    """
    d, levels = _k_groups(_native.groups_anova_oneway, values, group, groups, nan_policy)
    return AnovaResult(float(d["statistic"]), float(d["df"]), float(d["df_denom"]), float(d["pvalue"]), int(d["n"]), levels)


# ----------------------------------------------------------------------------
# tables
# ----------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class ChisqResult(Result):
    """Pearson's chi-squared test of independence (``expected`` counts under independence)."""

    statistic: float
    df: float
    pvalue: float
    expected: Any
    n: int
    correction: bool  # Yates' continuity correction applied (2 x 2 only)
    method: str = "approx"  # the chi-squared approximation


def chisq(table: Any, *, correction: bool = True) -> ChisqResult:
    """Chi-squared test of independence of a contingency table, as R ``chisq.test(table)``.

    Parameters
    ----------
    table : 2-D array-like or DataFrame (e.g. ``pd.crosstab``)
        Counts (integers >= 0); no row or column may be empty.
    correction : bool
        Yates' continuity correction (2x2 tables only, as R).

    Tables of counts take no ``nan_policy``: a missing count is an error.
    """
    arr, rows, cols = table_counts(table)
    d = call(_native.groups_chisq, arr, correction=bool(correction))
    exp = d["expected"]
    if rows is not None:
        exp = pd.DataFrame(exp, index=rows, columns=cols)
    return ChisqResult(float(d["statistic"]), float(d["df"]), float(d["pvalue"]), exp, int(arr.sum()), bool(d["corrected"]))


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
    method: str = "exact"  # or 'monte-carlo' (n_resamples given)
    n: int = 0

    def _has_ci(self) -> bool:
        return bool(np.shape(self._table) == (2, 2))

    def confidence_interval(self, conf_level: Optional[float] = None) -> ConfidenceInterval:
        """Exact CI of the odds ratio (2x2 tables only)."""
        if np.shape(self._table) != (2, 2):
            raise ValueError("confidence_interval: defined for 2 x 2 tables only")

        def again(c: float) -> ConfidenceInterval:
            return fisher_exact(self._table, conf_level=c, alternative=self._alternative).confidence_interval()

        return _ci(self, conf_level, again)


def fisher_exact(
    table: Any,
    *,
    alternative: str = "two-sided",
    conf_level: float = 0.95,
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

    Size guards (each an ``InvalidInputError`` naming the remedies, never a
    switch of method): a total above 1e6; a shorter side of more than 9
    categories (a 10 x 10 of total 50 already takes ~25 s); more than 100,000 ways to split the
    first (smallest) column, known before any work (the heaviest table known to
    finish, a 5 x 5 of total 116 with a strong diagonal, has ~15,000; tables with
    thousands per cell have millions); more than 32 million windows of
    partial tables in one column, 16 million distinct partial tables in one
    stage, or 2e9 column splits in all. A tripped guard stops every thread at
    once: a 4 x 3 table of total 11,000 is refused after seconds (it ran for
    minutes before, issue 19). The 2 x 2 test refuses more than 1e7 tables in
    its support and totals above 2^53.

    Parameters
    ----------
    table : array-like of int, shape (r, c)
        Counts (integers >= 0); r, c >= 2. An r x c table needs every row and
        column non-empty; a 2x2 table with an empty row or column is degenerate
        and gives p = 1, estimate 0, CI [0, inf], as R ``fisher.test``.
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
    arr, _, _ = table_counts(table)
    if n_resamples is not None:
        b = positive_int(n_resamples, "n_resamples")
        if arr.shape == (2, 2):
            raise ValueError("n_resamples: the Monte Carlo p-value is for r x c tables; the 2 x 2 test is exact and fast")
        if alternative != "two-sided":
            raise ValueError("alternative: one-sided alternatives are only defined for 2 x 2 tables")
        d = call(_native.groups_fisher_exact, arr, alternative=alternative, conf_level=conf_level, n_resamples=b, seed=resample_seed(seed))
        nan = float("nan")
        return FisherResult(nan, d["pvalue"], nan, nan, conf_level, arr, alternative, b, "monte-carlo", int(arr.sum()))
    d = call(_native.groups_fisher_exact, arr, alternative=alternative, conf_level=conf_level)
    return FisherResult(d["estimate"], d["pvalue"], d["ci_low"], d["ci_high"], conf_level, arr, alternative, None, "exact", int(arr.sum()))


# ----------------------------------------------------------------------------
# subgroup tables of change
# ----------------------------------------------------------------------------
def compare_subgroups(
    data: pd.DataFrame,
    pairs: Any,
    *,
    by: Any,
    adjust: Optional[str] = None,
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
        more. A between-group p is NaN when a subgroup has too few changes
        (fewer than 2 for the t-test, none for the rank tests); any other
        error of a between-group test is raised, not hidden.
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
        # a subgroup with too few changes gives NaN (documented); any other error is raised
        sizes = [len(c) for c in changes]
        vals = np.concatenate(changes)
        labs = np.repeat(np.arange(len(levels)), sizes)
        pt = pr = float("nan")
        if len(levels) == 2:
            if min(sizes) >= 2:
                pt = ttest(changes[0], changes[1]).pvalue
            if min(sizes) >= 1:
                pr = mannwhitney(changes[0], changes[1], conf_int=False).pvalue
        elif min(sizes) >= 1:
            if len(vals) > len(levels):
                pt = anova_oneway(vals, labs).pvalue
            pr = kruskal(vals, labs).pvalue
        p_t.append(pt)
        p_rank.append(pr)
    per = pd.DataFrame({"p_between_t": p_t, "p_between_rank": p_rank}, index=pd.Index(endpoints, name="endpoint"))
    if adjust is not None:
        per["p_between_t_adjusted"] = multitest.adjust(per["p_between_t"].to_numpy(), method=adjust)
        per["p_between_rank_adjusted"] = multitest.adjust(per["p_between_rank"].to_numpy(), method=adjust)
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
