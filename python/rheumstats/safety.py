"""Adverse events on drug: patient-years of exposure, incidence rates with
exact Poisson (Garwood) CIs and exact rate ratios, as R ``poisson.test``."""

from __future__ import annotations

import functools

from dataclasses import dataclass
from typing import Any, Optional, Sequence

import numpy as np
import pandas as pd

from . import _rheumstats as _native
from ._result import ConfidenceInterval, Result
from ._validation import as_float, call, check_choice, check_conf_level, nan_policy_arg, renamed

from .survival._common import UNITS  # days per unit (Julian year: 365.25 days; month = year / 12)


# ----------------------------------------------------------------------------
# exposure
# ----------------------------------------------------------------------------
def _column(data: pd.DataFrame, col: Any, name: str) -> pd.Series:
    if isinstance(col, str):
        if col not in data.columns:
            raise ValueError(f"{name}: column {col!r} is not in data (columns: {list(data.columns)})")
        return data[col]
    s = pd.Series(col)
    if len(s) != len(data):
        raise ValueError(f"{name}: expected a column name or {len(data)} values, got {len(s)}")
    return pd.Series(s.to_numpy(), index=data.index)


def exposure(
    data: pd.DataFrame,
    start: Any,
    stop: Any,
    *,
    censor_date: Any = None,
    unit: str = "years",
    numeric_unit: str = "days",
    dayfirst: Optional[bool] = None,
    date_format: Optional[str] = None,
) -> pd.Series:
    """Time on drug per patient (patient-years by default).

    Parameters
    ----------
    data : DataFrame
        One row per patient (treatment course).
    start, stop : str or array-like
        Column names (or values) of the start and stop of treatment: dates
        (datetime64 or strings pandas parses) or numbers (times in
        ``numeric_unit``). A missing stop means still on drug at ``censor_date``.
    censor_date : date or number, optional
        Data cut-off: missing stops are set to it and later stops truncated.
    unit : {'years', 'months', 'weeks', 'days'}
        Output unit (Julian year of 365.25 days; month = year / 12).
    dayfirst, date_format : optional
        How to read date strings, as :func:`rheumstats.survival.retention`: an
        ambiguous column (``10/01/2020`` read both ways gives different dates)
        is an error unless one of them is given.

    Returns
    -------
    Series
        Exposure per patient in ``unit``, indexed like ``data``.
    """
    from .survival import _on_drug_time  # the one date/duration arithmetic, shared with retention()

    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data: expected a DataFrame, got {type(data).__name__}")
    check_choice(unit, "unit", tuple(UNITS))
    check_choice(numeric_unit, "numeric_unit", tuple(UNITS))
    d = pd.DataFrame({"start": _column(data, start, "start"), "stop": _column(data, stop, "stop")}, index=data.index)
    s = d["start"]
    numeric = pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)
    # numbers are durations in numeric_unit; dates give times directly in `unit`
    time, _, _ = _on_drug_time(d, "start", "stop", censor_date, numeric_unit if numeric else unit, dayfirst, date_format)
    if numeric:
        time = time * UNITS[numeric_unit] / UNITS[unit]
    return pd.Series(time, index=data.index, name=f"exposure_{unit}")


# ----------------------------------------------------------------------------
# rates
# ----------------------------------------------------------------------------
def _plain_labels(by: np.ndarray) -> bool:
    """Labels whose sorted distinct values numpy finds as ``pd.factorize(sort=True)`` does: integers,
    booleans, strings, and floats without NaN (a missing label takes the general path and its error)."""
    kind = by.dtype.kind
    return kind in "biuU" or (kind == "f" and not np.isnan(by).any())


@functools.lru_cache(maxsize=64)
def _positions(n: int) -> pd.Index:
    """The rows 0..n-1 of a result without an input index: the int64 Index of ``pd.Index(list(range(n)))``,
    built once per n (building it is a third of a one-rate call); callers take a ``copy()`` (shallow:
    the values are shared and immutable, the name is not, so ``out.index.name = ...`` stays local)."""
    return pd.Index(list(range(n)))


_RATE_COLUMNS = pd.Index(["events", "exposure", "rate", "ci_low", "ci_high"])  # the core's table


def incidence_rate(
    events: Any,
    exposure: Any,
    *,
    group: Any = None,
    per: float = 100,
    conf_level: float = 0.95,
    nan_policy: str = "propagate",
    by: Any = None,
) -> pd.DataFrame:
    """Exposure-adjusted incidence rate with the exact Poisson (Garwood) CI.

    Without ``group``: one rate per element (e.g. one row per event type, or a
    single scalar count and exposure). With ``group``: events and exposures are
    summed within each group first (e.g. per-patient counts and patient-years).
    ``rate = events / exposure * per`` with CI
    ``[qgamma(a/2, x), qgamma(1 - a/2, x + 1)] / T * per``, as R
    ``poisson.test(x, T)``; zero events give a rate of 0 with an upper limit.

    Parameters
    ----------
    events : array-like or scalar
        Event counts (integers >= 0), per row or per patient.
    exposure : array-like or scalar
        Exposure (e.g. patient-years from :func:`exposure`), >= 0, same length
        as ``events``; each rate's total exposure must be > 0.
    per : float
        Rate per this many units of exposure (default 100 patient-years).
    group : array-like, optional
        Group labels per element: one row per group (sorted levels). ``by=``
        is its old name (FutureWarning).
    nan_policy : {'propagate', 'omit', 'raise'}
        A missing count or exposure: 'propagate' gives a NaN rate for its
        row/group, 'omit' leaves the element out, 'raise' names its row.

    Returns
    -------
    DataFrame
        ``events, exposure, rate, ci_low, ci_high``; indexed like the input
        (Series index or 0..n-1) or by the levels of ``group``.

    Examples
    --------
    Two event types over the same 42.5 patient-years, then per-patient data by drug::

        rs.safety.incidence_rate([3, 0], [42.5, 42.5])
        rs.safety.incidence_rate(events, years, group=drug)
    """
    by = renamed("by", "group", by, group)
    conf_level = check_conf_level(conf_level)
    nan_policy_arg(nan_policy)
    ev = as_float(events, "events")
    ex = as_float(exposure, "exposure")
    if len(ev) != len(ex):
        raise ValueError(f"events and exposure must have the same length; got {len(ev)} and {len(ex)}")
    index = events.index if isinstance(events, pd.Series) else (exposure.index if isinstance(exposure, pd.Series) else None)
    if by is None:
        codes = np.arange(len(ev), dtype=np.float64)
        labels: Sequence[Any] = list(index) if index is not None else range(len(ev))
        name = index.name if index is not None else None
    elif isinstance(by, np.ndarray) and by.ndim == 1 and len(by) == len(ev) and _plain_labels(by):
        # numbers without NaN, booleans or strings: sorted levels and codes in numpy (no Series)
        uniq, inv = np.unique(by, return_inverse=True)
        codes = inv.astype(np.float64)
        labels = uniq.tolist()
        name = None
    else:
        b = by if isinstance(by, pd.Series) else pd.Series(np.asarray(by, dtype=object))
        if len(b) != len(ev):
            raise ValueError(f"group must have the same length as events; got {len(b)} and {len(ev)}")
        c, uniq = pd.factorize(b, sort=True)
        if (c < 0).any():
            i = int(np.flatnonzero(c < 0)[0])
            raise ValueError(f"group[{i}]: missing group label")
        codes = c.astype(np.float64)
        labels = list(uniq)
        name = b.name if isinstance(by, pd.Series) else None
    d = call(
        _native.safety_incidence_rate, ev, ex, np.ascontiguousarray(codes), n_groups=len(labels), per=float(per),
        conf_level=conf_level, nan_policy=nan_policy, index={"events": index, "exposure": index},
    )
    # one float64 block from the core (a frame from a dict of five columns costs ~100 us more per call)
    rows = _positions(len(labels)).copy() if isinstance(labels, range) else pd.Index(labels, name=name)
    out = pd.DataFrame(d["table"], columns=_RATE_COLUMNS, index=rows, copy=False)
    if all(d["kept"]):
        return out
    return out[np.asarray(d["kept"], dtype=bool)]  # nan_policy='omit': a group with no row left


@dataclass(frozen=True, repr=False)
class RateRatioResult(Result):
    """Ratio of the event rate of group 1 to that of group 2, exact conditional test."""

    estimate: float
    pvalue: float
    events: tuple
    exposure: tuple
    _ci_low: float
    _ci_high: float
    _conf_level: float
    _alternative: str

    def confidence_interval(self, conf_level: Optional[float] = None) -> ConfidenceInterval:
        """Exact conditional CI of the rate ratio (Clopper-Pearson on the binomial split)."""
        if conf_level is None or float(conf_level) == self._conf_level:
            return ConfidenceInterval(self._ci_low, self._ci_high)
        r = rate_ratio(self.events, self.exposure, conf_level=conf_level, alternative=self._alternative)
        return r.confidence_interval()


def rate_ratio(events: Any, exposure: Any, *, alternative: str = "two-sided", conf_level: float = 0.95) -> RateRatioResult:
    """Rate ratio of two groups, ``(x1/T1) / (x2/T2)``, with the exact
    conditional p-value (ratio 1) and CI, as R ``poisson.test(c(x1, x2), c(T1, T2))``.

    Parameters
    ----------
    events : 2 integers
        Total events in groups 1 and 2.
    exposure : 2 positive numbers
        Total exposure (e.g. patient-years) in groups 1 and 2.
    alternative : {'two-sided', 'less', 'greater'}
        ``'greater'``: the rate of group 1 is higher.
    """
    conf_level = check_conf_level(conf_level)
    ev = as_float(events, "events")
    ex = as_float(exposure, "exposure")
    if len(ev) != 2:
        raise ValueError(f"events: expected the event counts of 2 groups, got {len(ev)} values")
    if len(ex) != 2:
        raise ValueError(f"exposure: expected the exposures of 2 groups, got {len(ex)} values")
    e2 = (float(ev[0]), float(ev[1]))
    t2 = (float(ex[0]), float(ex[1]))
    d = call(_native.safety_rate_ratio, e2, t2, alternative=alternative, conf_level=conf_level)
    return RateRatioResult(d["estimate"], d["pvalue"], e2, t2, d["ci_low"], d["ci_high"], conf_level, alternative)


__all__ = ["exposure", "incidence_rate", "rate_ratio", "RateRatioResult", "UNITS"]
