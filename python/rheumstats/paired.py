"""Paired and one-sample tests (Rust core), for one endpoint or many at once.

``x`` is the "before" measurement and ``y`` the "after" one; every test works
on the differences ``d = y - x`` (or on ``x`` itself when ``y`` is None, the
one-sample form). Each function accepts

* 1-D array-likes (list, ndarray, Series): one endpoint, scalar result fields;
* 2-D inputs (ndarray or DataFrame) with ``axis`` = the axis that holds the
  observations (scipy's convention; ``axis=0``: rows are patients, columns are
  endpoints). Every endpoint runs at once, in parallel, and every result field
  is an array (labels in ``result._index``: the DataFrame's column labels).

Missing values (``nan_policy``): ``'propagate'`` gives NaN for an endpoint
with any NaN; ``'omit'`` drops the pairs with a NaN on either side (per
endpoint); ``'raise'`` raises :class:`~rheumstats.exceptions.InvalidInputError`
naming the argument and row. In the 1-D form too few observations (or all
differences zero, for rank tests) raise ``InvalidInputError``; in matrix mode
such an endpoint gives a NaN row instead, so one empty feature does not stop
a run over thousands.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from typing import Any, Mapping, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from . import _rheumstats as _native
from ._result import ConfidenceInterval, Result
from ._validation import ALTERNATIVES, NAN_POLICIES, as_array, call, check_choice, check_conf_level, check_method, numeric_column, renamed
from ._validation import positive_int as _positive_int
from ._validation import resample_seed as _seed
from .exceptions import InvalidInputError
from ._paired_tables import McNemarResult, StuartMaxwellResult, mcnemar, stuart_maxwell

__all__ = [
    "ttest",
    "wilcoxon",
    "sign_test",
    "permutation_test",
    "bootstrap_ci",
    "mcnemar",
    "stuart_maxwell",
    "compare",
    "TtestResult",
    "WilcoxonResult",
    "SignTestResult",
    "PermutationTestResult",
    "BootstrapResult",
    "McNemarResult",
    "StuartMaxwellResult",
]


# ----------------------------------------------------------------------------
# input handling
# ----------------------------------------------------------------------------
class _Labels(Sequence[Any]):
    """A lazy list view of a pandas Index (labels as Python scalars, like ``list(index)``)."""

    def __init__(self, index: pd.Index) -> None:
        self._index = index

    def __len__(self) -> int:
        return len(self._index)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return self._index[i].tolist()
        return self._index[i : i + 1].tolist()[0] if i >= 0 else self._index[[i]].tolist()[0]


@dataclasses.dataclass
class _Paired:
    x: np.ndarray  # (endpoints, observations) float64, any strides
    y: Optional[np.ndarray]
    strict: bool  # 1-D form
    labels: Optional[pd.Index]  # endpoint labels (matrix mode)
    obs_index: Optional[pd.Index]  # observation labels (pandas input)

    def call(self, fn: Any, **options: Any) -> Any:
        """One native call, by keyword (``x``, ``y`` and the options)."""
        idx = {"x": self.obs_index, "y": self.obs_index}
        # labels are looked up only when an error names a column (no list of 20,000 labels per call)
        cols = {"x": _Labels(self.labels), "y": _Labels(self.labels)} if self.labels is not None else None
        return call(fn, x=self.x, y=self.y, index=idx, columns=cols, **options)

    def differences(self) -> np.ndarray:
        """``y - x`` (or a copy of ``x``), endpoints in rows: what
        ``confidence_interval(other level)`` of the rank and sign tests needs
        (their intervals sort within the core; sorting here cost more than the
        whole test)."""
        return self.x.copy() if self.y is None else self.y - self.x

    def n_complete(self) -> np.ndarray:
        ok = ~np.isnan(self.x)
        if self.y is not None:
            ok &= ~np.isnan(self.y)
        return ok.sum(axis=-1)





def _prepare(x: Any, y: Any, axis: int, nan_policy: str) -> _Paired:
    check_choice(nan_policy, "nan_policy", NAN_POLICIES)
    xv, xi, xc = as_array(x, "x")
    if y is not None:
        yv, yi, _ = as_array(y, "y")
        if xv.ndim != yv.ndim:
            raise ValueError(f"x and y must have the same number of dimensions; got shapes {xv.shape} and {yv.shape}")
        if xv.ndim == 2 and xv.shape != yv.shape:
            raise ValueError(f"x and y must have the same shape; got {xv.shape} and {yv.shape}")
        if xi is not None and yi is not None and not xi.equals(yi):
            raise ValueError("x and y are pandas objects with different indexes; align them first (e.g. take both from one DataFrame)")
        if xi is None:
            xi = yi
    else:
        yv = None
    if xv.ndim == 1:
        x2 = np.ascontiguousarray(xv.reshape(1, -1), dtype=np.float64)
        y2 = None if yv is None else np.ascontiguousarray(yv.reshape(1, -1), dtype=np.float64)
        return _Paired(x2, y2, True, None, xi)
    if not isinstance(axis, (int, np.integer)) or axis not in (0, 1, -1, -2):
        raise ValueError(f"axis: expected 0 or 1 for 2-D input, got {axis!r}")
    ax = int(axis) % 2
    labels = (xc if ax == 0 else xi) if (xc is not None or xi is not None) else None
    obs = xi if ax == 0 else (pd.Index(xc) if xc is not None else None)
    if labels is not None:
        labels = pd.Index(labels)
    else:
        labels = pd.RangeIndex(xv.shape[1 - ax])
    # a view with the observations last (no transposing copy): Rust reads strided rows
    x2 = np.moveaxis(xv, ax, -1)
    y2 = None if yv is None else np.moveaxis(yv, ax, -1)
    return _Paired(x2, y2, False, labels, obs)


def _out(p: _Paired, v: np.ndarray, integer: bool = False) -> Any:
    if p.strict:
        f = float(v[0])
        return int(f) if integer and not math.isnan(f) else f
    if integer:
        v = np.asarray(v)
        return v.astype(np.int64) if not np.isnan(v).any() else v
    return v


def _n(p: _Paired, v: np.ndarray) -> Any:
    """``n`` as an int (array of int64 in matrix mode); an endpoint left NaN
    under nan_policy='propagate' reports its number of complete pairs."""
    v = np.asarray(v, dtype=np.float64)
    if np.isnan(v).any():
        v = np.where(np.isnan(v), p.n_complete(), v)
    return int(v[0]) if p.strict else v.astype(np.int64)


def _alt(alternative: str) -> str:
    return check_choice(alternative, "alternative", ALTERNATIVES)


class _CI:
    """Mixin: ``confidence_interval(conf_level=None)``: the stored bounds at the
    call's level; another level from the stored quantities (``_interval``)."""

    def confidence_interval(self, conf_level: Optional[float] = None) -> ConfidenceInterval:
        if conf_level is None or check_conf_level(conf_level) == self._conf_level:  # type: ignore[attr-defined]
            return ConfidenceInterval(self._ci_low, self._ci_high)  # type: ignore[attr-defined]
        lo, hi = self._interval(check_conf_level(conf_level))  # type: ignore[attr-defined]
        if np.ndim(self._ci_low) == 0:  # type: ignore[attr-defined]
            return ConfidenceInterval(float(lo[0]), float(hi[0]))
        return ConfidenceInterval(lo, hi)


def _sorted_paired(d: np.ndarray) -> "_Paired":
    return _Paired(d, None, d.shape[0] == 1, None, None)


# ----------------------------------------------------------------------------
# t-test
# ----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, repr=False)
class TtestResult(Result):
    """Paired / one-sample t-test. ``cohen_dz = (mean_diff - popmean) / sd_diff``;
    ``srm = mean_diff / sd_diff`` (standardized response mean)."""

    statistic: Any
    pvalue: Any
    df: Any
    n: Any
    mean_diff: Any
    sd_diff: Any
    se: Any
    cohen_dz: Any
    srm: Any
    _ci_low: Any = None
    _ci_high: Any = None
    _conf_level: float = 0.95
    _alternative: str = "two-sided"
    _index: Optional[pd.Index] = None

    def confidence_interval(self, conf_level: Optional[float] = None) -> ConfidenceInterval:
        """CI of the mean difference (one-sided alternatives: half-infinite, as R)."""
        if conf_level is None or check_conf_level(conf_level) == self._conf_level:
            return ConfidenceInterval(self._ci_low, self._ci_high)
        m, s, d = (np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in (self.mean_diff, self.se, self.df))
        lo, hi = _native.paired_t_interval(m, s, d, alternative=self._alternative, conf_level=float(conf_level))
        if np.ndim(self.mean_diff) == 0:
            return ConfidenceInterval(float(lo[0]), float(hi[0]))
        return ConfidenceInterval(lo, hi)


def ttest(
    x: Any,
    y: Any = None,
    *,
    alternative: str = "two-sided",
    conf_level: float = 0.95,
    popmean: float = 0.0,
    axis: int = 0,
    nan_policy: str = "propagate",
) -> TtestResult:
    """Paired t-test of ``y - x`` (or one-sample t-test of ``x`` when ``y`` is None).

    Same numbers as R ``t.test(y, x, paired = TRUE, mu = popmean)`` and scipy
    ``ttest_rel(y, x)``. All differences equal (sd 0) gives NaN statistics, as scipy.

    Parameters
    ----------
    x, y : array-like, 1-D or 2-D
        Before and after values (any units); y = None for the one-sample test.
    alternative : {'two-sided', 'less', 'greater'}
        About the mean difference relative to ``popmean``.
    conf_level : float in (0, 1)
    popmean : float
        Mean difference under the null hypothesis.
    axis : int
        2-D inputs: the axis holding the observations.
    nan_policy : {'propagate', 'omit', 'raise'}

    Returns
    -------
    TtestResult
        ``statistic, pvalue, df, n, mean_diff, sd_diff, se, cohen_dz, srm`` and
        ``confidence_interval(conf_level=None)``.
    """
    conf_level = check_conf_level(conf_level)
    p = _prepare(x, y, axis, nan_policy)
    r = p.call(
        _native.paired_ttest, alternative=_alt(alternative), conf_level=conf_level, popmean=float(popmean),
        nan_policy=nan_policy, strict=p.strict,
    )
    return TtestResult(
        statistic=_out(p, r["statistic"]),
        pvalue=_out(p, r["pvalue"]),
        df=_out(p, r["df"]),
        n=_n(p, r["n"]),
        mean_diff=_out(p, r["mean_diff"]),
        sd_diff=_out(p, r["sd_diff"]),
        se=_out(p, r["se"]),
        cohen_dz=_out(p, r["cohen_dz"]),
        srm=_out(p, r["srm"]),
        _ci_low=_out(p, r["ci_low"]),
        _ci_high=_out(p, r["ci_high"]),
        _conf_level=conf_level,
        _alternative=alternative,
        _index=p.labels,
    )


# ----------------------------------------------------------------------------
# Wilcoxon signed-rank
# ----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, repr=False)
class WilcoxonResult(_CI, Result):
    """Wilcoxon signed-rank test. ``statistic`` is V (sum of positive ranks, as R);
    ``estimate`` the Hodges–Lehmann pseudo-median."""

    statistic: Any
    pvalue: Any
    n: Any
    method: Any
    estimate: Any
    n_zero: Any = None
    zstatistic: Any = None
    _ci_low: Any = None
    _ci_high: Any = None
    _conf_level: float = 0.95
    _index: Optional[pd.Index] = None
    _sorted: Any = None  # the differences, endpoints in rows (for another CI level)
    _options: Any = None

    def _interval(self, conf_level: float) -> Tuple[np.ndarray, np.ndarray]:
        """The Hodges-Lehmann CI at another level: the order statistics of the
        Walsh averages of the stored differences (R's rule, as the call)."""
        q = _sorted_paired(self._sorted)
        r = q.call(_native.paired_wilcoxon, conf_level=conf_level, conf_int=True, strict=False, **self._options)
        return r["ci_low"], r["ci_high"]


_METHOD_NAMES = np.array(["", "exact", "approx"], dtype=object)


def wilcoxon(
    x: Any,
    y: Any = None,
    *,
    alternative: str = "two-sided",
    method: str = "auto",
    zero_method: str = "wilcox",
    correction: bool = True,
    conf_level: float = 0.95,
    axis: int = 0,
    nan_policy: str = "propagate",
    popmean: float = 0.0,
    conf_int: bool = True,
) -> WilcoxonResult:
    """Wilcoxon signed-rank test of ``y - x`` (or of ``x - popmean``).

    ``method='exact'`` uses the exact permutation distribution of V, also with
    ties and zeros (doubled mid-ranks; the same p-values as
    ``coin::wilcoxsign_test(distribution = "exact")``). ``'auto'`` is exact
    when at most 50 differences enter the test, otherwise the normal
    approximation with tie correction and (``correction=True``) continuity
    correction, as R ``wilcox.test(..., exact = FALSE, correct = TRUE)``.

    Zeros (``zero_method``): ``'wilcox'`` drops them (R, scipy's default);
    ``'pratt'`` ranks them with the others and then drops them (coin's
    default); ``'zsplit'`` gives half of each zero's rank to each sign (scipy).

    The Hodges–Lehmann estimate and its confidence interval follow R
    ``wilcox.test(conf.int = TRUE)`` (zero differences dropped): exact
    inversion when there are no ties or zeros and n < 50, otherwise the
    asymptotic interval (R finds it with ``uniroot(tol = 1e-4)``; here the
    root is located exactly among the Walsh averages). ``conf_int=False``
    skips them (faster for many long endpoints).

    Returns
    -------
    WilcoxonResult
        ``statistic`` (V), ``pvalue``, ``n`` (differences in the test),
        ``method`` ('exact' / 'approx'), ``estimate``, ``confidence_interval()``.
    """
    conf_level = check_conf_level(conf_level)
    method = check_method(method)
    p = _prepare(x, y, axis, nan_policy)
    opts = dict(
        alternative=_alt(alternative), method=method, zero_method=zero_method, correction=bool(correction),
        popmean=float(popmean), nan_policy=nan_policy,
    )
    r = p.call(_native.paired_wilcoxon, conf_level=conf_level, conf_int=bool(conf_int), strict=p.strict, **opts)
    ex = r["exact"]
    # (indexing a small object array: far faster than np.where on strings)
    names = _METHOD_NAMES[np.where(np.isnan(ex), 0, np.where(ex == 1.0, 1, 2))]
    return WilcoxonResult(
        statistic=_out(p, r["statistic"]),
        pvalue=_out(p, r["pvalue"]),
        n=_n(p, r["n"]),
        method=str(names[0]) if p.strict else names,
        estimate=_out(p, r["estimate"]),
        n_zero=_out(p, r["n_zero"], True),
        zstatistic=_out(p, r["zstatistic"]),
        _ci_low=_out(p, r["ci_low"]),
        _ci_high=_out(p, r["ci_high"]),
        _conf_level=conf_level,
        _index=p.labels,
        _sorted=p.differences() if conf_int else None,
        _options=opts,
    )


# ----------------------------------------------------------------------------
# sign test
# ----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, repr=False)
class SignTestResult(_CI, Result):
    """Sign test (exact binomial, as R ``binom.test(n_pos, n_pos + n_neg)``)."""

    statistic: Any
    pvalue: Any
    n_pos: Any
    n_neg: Any
    n_zero: Any
    estimate: Any
    _ci_low: Any = None
    _ci_high: Any = None
    _ci_level: Any = None
    _conf_level: float = 0.95
    _index: Optional[pd.Index] = None
    _sorted: Any = None  # the differences, endpoints in rows (for another CI level)
    _options: Any = None

    def _interval(self, conf_level: float) -> Tuple[np.ndarray, np.ndarray]:
        """The distribution-free interval at another level: order statistics of the stored differences."""
        q = _sorted_paired(self._sorted)
        r = q.call(_native.paired_sign_test, conf_level=conf_level, strict=False, **self._options)
        return r["ci_low"], r["ci_high"]


def sign_test(
    x: Any,
    y: Any = None,
    *,
    alternative: str = "two-sided",
    conf_level: float = 0.95,
    axis: int = 0,
    nan_policy: str = "propagate",
    popmean: float = 0.0,
) -> SignTestResult:
    """Sign test of ``y - x``: zero differences are dropped from the test.

    ``statistic`` = number of positive differences; ``estimate`` = median of all
    differences; ``confidence_interval()`` = the distribution-free interval
    ``[d_(k), d_(n+1-k)]`` of order statistics with the largest k giving coverage
    >= ``conf_level`` (the range when n is too small; achieved level in ``_ci_level``).
    """
    conf_level = check_conf_level(conf_level)
    p = _prepare(x, y, axis, nan_policy)
    opts = dict(alternative=_alt(alternative), popmean=float(popmean), nan_policy=nan_policy)
    r = p.call(_native.paired_sign_test, conf_level=conf_level, strict=p.strict, **opts)
    return SignTestResult(
        statistic=_out(p, r["statistic"], True),
        pvalue=_out(p, r["pvalue"]),
        n_pos=_out(p, r["n_pos"], True),
        n_neg=_out(p, r["n_neg"], True),
        n_zero=_out(p, r["n_zero"], True),
        estimate=_out(p, r["estimate"]),
        _ci_low=_out(p, r["ci_low"]),
        _ci_high=_out(p, r["ci_high"]),
        _ci_level=_out(p, r["ci_level"]),
        _conf_level=conf_level,
        _index=p.labels,
        _sorted=p.differences(),
        _options=opts,
    )


# ----------------------------------------------------------------------------
# permutation test
# ----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, repr=False)
class PermutationTestResult(Result):
    """Sign-flip permutation test of the mean (or median) difference."""

    statistic: Any
    pvalue: Any
    n_resamples: Any
    method: Any  # 'exact' (all 2**n sign vectors) or 'monte-carlo'
    _index: Optional[pd.Index] = None

    @property
    def exact(self) -> Any:
        """Old name: True where ``method == 'exact'``."""
        return np.asarray(self.method) == "exact" if np.ndim(self.method) else self.method == "exact"


def permutation_test(
    x: Any,
    y: Any = None,
    *,
    statistic: str = "mean",
    alternative: str = "two-sided",
    n_resamples: Optional[int] = None,
    seed: Any = None,
    axis: int = 0,
    nan_policy: str = "propagate",
    popmean: float = 0.0,
) -> PermutationTestResult:
    """Sign-flip permutation test of ``y - x`` (scipy ``permutation_test`` with
    ``permutation_type='samples'`` on the differences). ``method`` of the result:
    ``'exact'`` (every sign vector) or ``'monte-carlo'``.

    With ``n_resamples=None`` all ``2**n`` sign vectors are enumerated when
    n <= 30 (``statistic='mean'``; n <= 20 for ``'median'``), otherwise 9,999
    Monte Carlo resamples are drawn; a given ``n_resamples >= 2**n`` is also
    exact. Null values within a relative ``100 * eps`` of the observed
    statistic count as ties, as scipy. Monte Carlo p = (count + 1) / (n_resamples + 1).
    """
    check_choice(statistic, "statistic", ("mean", "median"))
    nr = None if n_resamples is None else _positive_int(n_resamples, "n_resamples")
    p = _prepare(x, y, axis, nan_policy)
    r = p.call(
        _native.paired_permutation_test, statistic=statistic, alternative=_alt(alternative), n_resamples=nr,
        seed=_seed(seed), popmean=float(popmean), nan_policy=nan_policy, strict=p.strict,
    )
    names = np.where(r["exact"] == 1.0, "exact", "monte-carlo").astype(object)
    return PermutationTestResult(
        statistic=_out(p, r["statistic"]),
        pvalue=_out(p, r["pvalue"]),
        n_resamples=_out(p, r["n_resamples"], True),
        method=str(names[0]) if p.strict else names,
        _index=p.labels,
    )


# ----------------------------------------------------------------------------
# bootstrap
# ----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, repr=False)
class BootstrapResult(_CI, Result):
    """Bootstrap confidence interval of the mean (or median) difference."""

    estimate: Any
    se: Any
    n_resamples: Any
    ci_method: str = "bca"
    _ci_low: Any = None
    _ci_high: Any = None
    _conf_level: float = 0.95
    _index: Optional[pd.Index] = None
    _sorted: Any = None  # the differences in input order (the same seed redraws the same resamples)
    _options: Any = None

    @property
    def standard_error(self) -> Any:
        """Old name of ``se``."""
        return self.se

    @property
    def method(self) -> str:
        """Old name of ``ci_method``."""
        return self.ci_method

    def _interval(self, conf_level: float) -> Tuple[np.ndarray, np.ndarray]:
        """The interval at another level from the same bootstrap distribution:
        the stored differences and seed give the very same resamples."""
        q = _sorted_paired(self._sorted)
        r = q.call(_native.paired_bootstrap, conf_level=conf_level, strict=False, **self._options)
        return r["ci_low"], r["ci_high"]


_SECONDS_PER_DRAW = 4e-9  # rough cost of one resampled value (release build, one core)


def _use_progress(progress: Optional[bool], draws: float) -> Any:
    if progress is False:
        return None
    if progress is None:
        import os

        expected = draws * _SECONDS_PER_DRAW / max(1, os.cpu_count() or 1)
        if expected < 2.0:
            return None
    try:
        from tqdm.auto import tqdm  # type: ignore[import-untyped]
    except ImportError:
        if progress:
            warnings.warn("progress=True needs tqdm (pip install tqdm); running without a progress bar", stacklevel=3)
        return None
    return tqdm


def bootstrap_ci(
    x: Any,
    y: Any = None,
    *,
    statistic: str = "mean",
    ci_method: str = "bca",
    n_resamples: int = 10_000,
    conf_level: float = 0.95,
    seed: Any = None,
    axis: int = 0,
    nan_policy: str = "propagate",
    progress: Optional[bool] = None,
    method: Optional[str] = None,
) -> BootstrapResult:
    """Bootstrap CI of the mean (or median) of ``y - x`` (pairs are resampled together).

    ``ci_method``: ``'percentile'``, ``'basic'`` or ``'bca'`` (bias-corrected and
    accelerated, jackknife acceleration; the formulas of scipy.stats.bootstrap).
    Resampling runs in parallel in Rust; each block of 256 resamples has its own
    RNG stream derived from ``(seed, endpoint, block)``, so a seed gives the same
    numbers whatever the thread count. ``se`` is the SD of the
    bootstrap distribution (``standard_error`` is kept as a read-only alias).
    ``method=`` is the old name of ``ci_method`` (FutureWarning).
    ``confidence_interval(other level)`` redraws the same resamples from the
    stored differences and seed (the same distribution, another quantile). A tqdm progress bar appears when the run is expected
    to take more than about 2 s (``progress=True``/``False`` forces it on/off;
    tqdm is optional).
    """
    conf_level = check_conf_level(conf_level)
    check_choice(statistic, "statistic", ("mean", "median"))
    ci_method = renamed("method", "ci_method", method, ci_method, "bca")
    check_choice(str(ci_method).lower(), "ci_method", ("bca", "percentile", "basic"))
    ci_method = str(ci_method).lower()
    nr = _positive_int(n_resamples, "n_resamples")
    s = _seed(seed)
    p = _prepare(x, y, axis, nan_policy)
    opts = dict(statistic=statistic, method=ci_method, n_resamples=nr, seed=s, endpoint_offset=0, nan_policy=nan_policy)
    if nr > int(_native.BOOTSTRAP_MAX_RESAMPLES):  # the core's limit, before any chunk runs
        raise InvalidInputError(f"n_resamples: {nr} is too many (at most {int(_native.BOOTSTRAP_MAX_RESAMPLES)}: each resampled statistic is kept)")
    bar = _use_progress(progress, float(nr) * p.x.shape[0] * p.x.shape[1])
    if bar is None:
        r = p.call(_native.paired_bootstrap, conf_level=conf_level, strict=p.strict, **opts)
    elif p.strict:
        task = int(_native.BOOTSTRAP_TASK)
        step = max(task, -(-nr // 50 // task) * task)
        parts = []
        with bar(total=nr, desc="bootstrap", unit="resample") as pb:
            for lo in range(0, nr, step):
                hi = min(nr, lo + step)
                parts.append(p.call(_native.paired_bootstrap_distribution, statistic=statistic, seed=s, lo=lo, hi=hi, nan_policy=nan_policy))
                pb.update(hi - lo)
        r = p.call(
            _native.paired_bootstrap_interval, theta_b=np.concatenate(parts), statistic=statistic, method=ci_method,
            conf_level=conf_level, nan_policy=nan_policy,
        )
    else:
        m = p.x.shape[0]
        step = max(1, m // 50)
        parts = []
        with bar(total=m, desc="bootstrap", unit="endpoint") as pb:
            for lo in range(0, m, step):
                hi = min(m, lo + step)
                sub = _Paired(p.x[lo:hi], None if p.y is None else p.y[lo:hi], False, p.labels[lo:hi] if p.labels is not None else None, p.obs_index)
                parts.append(sub.call(_native.paired_bootstrap, conf_level=conf_level, strict=False, **{**opts, "endpoint_offset": lo}))
                pb.update(hi - lo)
        r = {k: np.concatenate([q[k] for q in parts]) for k in parts[0]}
    return BootstrapResult(
        estimate=_out(p, r["estimate"]),
        se=_out(p, r["se"]),
        n_resamples=nr,
        ci_method=ci_method,
        _ci_low=_out(p, r["ci_low"]),
        _ci_high=_out(p, r["ci_high"]),
        _conf_level=conf_level,
        _index=p.labels,
        _sorted=p.x if p.y is None else p.y - p.x,
        _options=opts,
    )


# ----------------------------------------------------------------------------
# compare: the table a paper prints
# ----------------------------------------------------------------------------
def compare(
    data: pd.DataFrame,
    pairs: Mapping[str, Tuple[str, str]],
    *,
    tests: Sequence[str] = ("t", "wilcoxon"),
    adjust: Optional[str] = "holm",
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Before/after summary per endpoint, computed over complete pairs.

    Parameters
    ----------
    data : DataFrame
        One row per patient.
    pairs : mapping
        Endpoint name -> ``(before_column, after_column)``.
    tests : sequence of {'t', 'wilcoxon', 'sign'}
        Tests to run (columns ``p_t``, ``p_wilcoxon``, ``p_sign``).
    adjust : str or None
        Multiplicity adjustment (:func:`rheumstats.multitest.adjust`) of the
        p-values of the FIRST test in ``tests``, across endpoints -> ``p_adjusted``.
    conf_level : float
        Level of the t interval of the mean change (``ci_low``, ``ci_high``).

    Returns
    -------
    DataFrame indexed by endpoint
        ``n, mean_before, mean_after, mean_change, sd_change, ci_low, ci_high,
        p_t, p_wilcoxon, p_adjusted, cohen_dz`` (p columns for the tests run).
    """
    from . import multitest

    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data: expected a DataFrame, got {type(data).__name__}")
    if not isinstance(pairs, Mapping) or not pairs:
        raise TypeError("pairs: expected a non-empty mapping endpoint -> (before_column, after_column)")
    tests = tuple(tests)
    for t in tests:
        check_choice(t, "tests", ("t", "wilcoxon", "sign"))
    if not tests:
        raise ValueError("tests: name at least one of 't', 'wilcoxon', 'sign'")
    conf_level = check_conf_level(conf_level)
    names = list(pairs)
    before, after = [], []
    for name in names:
        pr = pairs[name]
        if not (isinstance(pr, (tuple, list)) and len(pr) == 2):
            raise ValueError(f"pairs[{name!r}]: expected (before_column, after_column), got {pr!r}")
        for c in pr:
            if c not in data.columns:
                raise ValueError(f"pairs[{name!r}]: column {c!r} is not in data")
        before.append(pr[0])
        after.append(pr[1])
    xb = pd.DataFrame({n: data[c] for n, c in zip(names, before)}, index=data.index)
    ya = pd.DataFrame({n: data[c] for n, c in zip(names, after)}, index=data.index)
    try:
        p = _prepare(xb, ya, 0, "omit")
    except TypeError:
        # name the data's column and its first bad row, not the internal before/after frames
        for n, b, a in zip(names, before, after):
            for c in (b, a):
                numeric_column(data[c], f"pairs[{n!r}]")
        raise
    r = p.call(
        _native.paired_ttest, alternative="two-sided", conf_level=conf_level, popmean=0.0, nan_policy="omit", strict=False, means=True,
    )
    out = pd.DataFrame(
        {
            "n": r["n"],
            "mean_before": r["mean_x"],
            "mean_after": r["mean_y"],
            "mean_change": r["mean_diff"],
            "sd_change": r["sd_diff"],
            "ci_low": r["ci_low"],
            "ci_high": r["ci_high"],
        },
        index=pd.Index(names, name="endpoint"),
    )
    pcols = {}
    for t in tests:
        if t == "t":
            pcols["p_t"] = r["pvalue"]
        elif t == "wilcoxon":
            w = p.call(
                _native.paired_wilcoxon, alternative="two-sided", method="auto", zero_method="wilcox", correction=True,
                conf_level=conf_level, popmean=0.0, conf_int=False, nan_policy="omit", strict=False,
            )
            pcols["p_wilcoxon"] = w["pvalue"]
        else:
            s = p.call(
                _native.paired_sign_test, alternative="two-sided", conf_level=conf_level, popmean=0.0, nan_policy="omit", strict=False,
            )
            pcols["p_sign"] = s["pvalue"]
    for k, v in pcols.items():
        out[k] = v
    if adjust is not None:
        first = {"t": "p_t", "wilcoxon": "p_wilcoxon", "sign": "p_sign"}[tests[0]]
        out["p_adjusted"] = multitest.adjust(out[first].to_numpy(), method=adjust)
    out["cohen_dz"] = r["cohen_dz"]
    # complete pairs per endpoint (also where too few pairs left the statistics NaN)
    assert p.y is not None
    out["n"] = (~np.isnan(p.x) & ~np.isnan(p.y)).sum(axis=1).astype(np.int64)
    return out
