"""Paired t-tests and ``compare`` (t-based columns) on Dask DataFrames.

Per partition and endpoint, Rust computes (n, mean, M2) of the differences of
complete pairs (plus the means of before/after and the number of incomplete
pairs); partials merge with Chan's parallel formula and the in-memory t-test
code runs on the merged moments.
"""

from __future__ import annotations

from typing import Any, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from .. import _rheumstats as _native
from .._validation import InvalidInputError, check_choice, check_conf_level
from ..paired import TtestResult, _alt
from ._core import aligned, check_frame, tree_reduce

NAN_POLICIES = ("propagate", "omit", "raise")


class _Moments:
    def __init__(self, before: List[str], after: Optional[List[str]], raise_nan: bool) -> None:
        self.before, self.after, self.raise_nan = before, after, raise_nan

    def _values(self, part: pd.DataFrame, cols: List[str], name: str) -> np.ndarray:
        out = np.empty((len(cols), len(part)), dtype=np.float64)
        for j, c in enumerate(cols):
            s = part[c]
            if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
                raise TypeError(f"{name}: column {c!r} must be numeric, got {s.dtype}")
            out[j] = s.to_numpy(dtype=np.float64, na_value=np.nan)
        return out

    def __call__(self, part: pd.DataFrame) -> np.ndarray:
        x = self._values(part, self.before, "x")
        y = None if self.after is None else self._values(part, self.after, "y")
        if self.raise_nan:
            for arr, name, cols in ((x, "x", self.before), (y, "y", self.after)):
                if arr is None:
                    continue
                bad = np.isnan(arr)
                if bad.any():
                    e, r = (int(v[0]) for v in np.nonzero(bad))
                    assert cols is not None  # arr is None exactly when its columns are
                    err = InvalidInputError(f"{name}[{r}] (index {part.index[r]!r}, column {cols[e]!r}) = nan: missing value; allowed a number")
                    for k, v in (("arg", name), ("row", r), ("value", float("nan"))):
                        setattr(err, k, v)
                    raise err
        return _native.dask_paired_moments(x, y)


def _merge(parts: list) -> np.ndarray:
    return _native.dask_paired_merge([aligned(p) for p in parts])


def _moments(ddf: Any, before: List[str], after: Optional[List[str]], nan_policy: str) -> np.ndarray:
    cols = check_frame(ddf, before + (after or []))
    return tree_reduce(ddf, cols, _Moments(before, after, nan_policy == "raise"), _merge)


def ttest(
    ddf: Any,
    before: str,
    after: Optional[str] = None,
    *,
    alternative: str = "two-sided",
    conf_level: float = 0.95,
    popmean: float = 0.0,
    nan_policy: str = "propagate",
) -> TtestResult:
    """Paired t-test of ``after - before`` (one-sample test of ``before`` when ``after`` is None)
    on a Dask DataFrame: the numbers of :func:`rheumstats.paired.ttest` (differences' moments merged
    with Chan's formula; agreement to rounding, ~1e-15 relative)."""
    conf_level = check_conf_level(conf_level)
    check_choice(nan_policy, "nan_policy", NAN_POLICIES)
    alternative = _alt(alternative)
    m = _moments(ddf, [before], None if after is None else [after], nan_policy)
    r = _native.dask_paired_ttest(
        aligned(m), alternative=alternative, conf_level=conf_level, popmean=float(popmean), propagate=nan_policy == "propagate", strict=True
    )
    f = lambda k: float(r[k][0])  # noqa: E731
    n = f("n")
    return TtestResult(
        statistic=f("statistic"), pvalue=f("pvalue"), df=f("df"), n=int(n) if not np.isnan(n) else n,
        mean_diff=f("mean_diff"), sd_diff=f("sd_diff"), se=f("se"), cohen_dz=f("cohen_dz"), srm=f("srm"),
        _ci_low=f("ci_low"), _ci_high=f("ci_high"), _conf_level=conf_level, _alternative=alternative,
    )


def compare(
    ddf: Any,
    pairs: Mapping[str, Tuple[str, str]],
    *,
    tests: Sequence[str] = ("t",),
    adjust: Optional[str] = "holm",
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """:func:`rheumstats.paired.compare` on a Dask DataFrame, t-based columns only.

    ``n, mean_before, mean_after, mean_change, sd_change, ci_low, ci_high, p_t,
    p_adjusted, cohen_dz`` over complete pairs per endpoint. Rank tests
    ('wilcoxon', 'sign') need the rows: a ``NotImplementedError`` names the
    in-memory call.
    """
    from .. import multitest

    if not isinstance(pairs, Mapping) or not pairs:
        raise TypeError("pairs: expected a non-empty mapping endpoint -> (before_column, after_column)")
    tests = tuple(tests)
    for t in tests:
        check_choice(t, "tests", ("t", "wilcoxon", "sign"))
    if tests != ("t",):
        raise NotImplementedError(
            "rs.dask.compare computes the t-based columns only (tests=('t',)); the Wilcoxon and sign tests "
            "need the rows in one place: use rheumstats.paired.compare on the columns in memory"
        )
    conf_level = check_conf_level(conf_level)
    names = list(pairs)
    for name in names:
        pr = pairs[name]
        if not (isinstance(pr, (tuple, list)) and len(pr) == 2):
            raise ValueError(f"pairs[{name!r}]: expected (before_column, after_column), got {pr!r}")
    m = _moments(ddf, [pairs[n][0] for n in names], [pairs[n][1] for n in names], "omit")
    r = _native.dask_paired_ttest(aligned(m), alternative="two-sided", conf_level=conf_level, popmean=0.0, propagate=False, strict=False)
    out = pd.DataFrame(
        {
            "n": r["n"],
            "mean_before": r["mean_x"],
            "mean_after": r["mean_y"],
            "mean_change": r["mean_diff"],
            "sd_change": r["sd_diff"],
            "ci_low": r["ci_low"],
            "ci_high": r["ci_high"],
            "p_t": r["pvalue"],
        },
        index=pd.Index(names, name="endpoint"),
    )
    if adjust is not None:
        out["p_adjusted"] = multitest.adjust(out["p_t"].to_numpy(), method=adjust)
    out["cohen_dz"] = r["cohen_dz"]
    out["n"] = m[:, 0].astype(np.int64)
    return out
