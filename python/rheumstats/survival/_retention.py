"""Drug retention: from start/stop dates and stop reasons to time, event, cause."""

from __future__ import annotations

import warnings
from typing import Any, Optional

import numpy as np
import pandas as pd

from .. import _rheumstats as _native
from ._common import UNITS


# ----------------------------------------------------------------------------
# retention
# ----------------------------------------------------------------------------
def _row_error(arg: str, data: pd.DataFrame, pos: int, message: str) -> ValueError:
    err = _native.InvalidInputError(f"{arg}[{pos}] (index {data.index[pos]!r}): {message}")
    setattr(err, "arg", arg)
    setattr(err, "row", pos)
    return err


def _parse_dates(s: Any, arg: str, dayfirst: Optional[bool], date_format: Optional[str]) -> Any:
    """Date strings -> datetimes. With ``date_format`` (strptime codes) or ``dayfirst`` as
    given; with neither, the column is read month-first and day-first, and if both
    readings succeed but differ (``10/01/2020``: 1 October or 10 January) it is an
    error naming the first such row: an ambiguous column is never guessed (issue 19).
    A column that only one reading accepts (``13/01/2020``) is read that way; ISO
    8601 dates (``2020-01-10``) are read as such whatever ``dayfirst`` says."""
    scalar = not isinstance(s, pd.Series)
    col = pd.Series([s]) if scalar else s

    def parse(**kw: Any) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "could not infer format": parsed per element
            return pd.to_datetime(col, errors="raise", **kw)

    iso = None
    if date_format is None:
        try:  # ISO 8601 (2020-01-10) is never ambiguous, whatever dayfirst says
            iso = parse(format="ISO8601")
        except (ValueError, TypeError):
            iso = None
    if iso is not None:
        out = iso
    elif date_format is not None:
        try:
            out = parse(format=date_format)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{arg}: does not match date_format={date_format!r} ({exc})") from None
    elif dayfirst is not None:
        out = parse(dayfirst=bool(dayfirst))
    else:
        got = []
        for df_ in (False, True):
            try:
                got.append(parse(dayfirst=df_))
            except (ValueError, TypeError) as exc:
                got.append(exc)
        m, d = got
        if isinstance(m, Exception) and isinstance(d, Exception):
            raise m
        if isinstance(m, Exception):
            out = d
        elif isinstance(d, Exception):
            out = m
        else:
            diff = np.flatnonzero((m != d).to_numpy() & m.notna().to_numpy())
            if diff.size:
                r = int(diff[0])
                where = "" if scalar else f"[{r}] (index {col.index[r]!r})"
                err = _native.InvalidInputError(
                    f"{arg}{where} = {col.iloc[r]!r}: ambiguous date, {m.iloc[r]:%Y-%m-%d} read month-first but "
                    f"{d.iloc[r]:%Y-%m-%d} read day-first; pass dayfirst=True/False or date_format= (e.g. '%d/%m/%Y')"
                )
                setattr(err, "arg", arg)
                setattr(err, "row", None if scalar else r)
                raise err
            out = m
    return out.iloc[0] if scalar else out


def _as_datetime_or_number(s: pd.Series, arg: str, dayfirst: Optional[bool] = None, date_format: Optional[str] = None) -> tuple:
    """A column of dates (datetime dtype or date strings) -> ('date', datetime64[ns] array);
    a numeric column -> ('number', float array). Date strings as :func:`_parse_dates`."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        if s.dt.tz is not None:
            s = s.dt.tz_localize(None)
        return "date", s.to_numpy(dtype="datetime64[ns]")
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return "number", s.to_numpy(dtype=np.float64, na_value=np.nan)
    try:
        conv = _parse_dates(s, arg, dayfirst, date_format)
    except _native.InvalidInputError:
        raise
    except (ValueError, TypeError) as exc:
        if date_format is not None:
            raise

        raise TypeError(f"{arg}: expected dates (datetime or date strings) or numbers, could not read the column ({exc})") from None
    return "date", conv.to_numpy(dtype="datetime64[ns]")


def _on_drug_time(
    data: pd.DataFrame,
    start: str,
    stop: str,
    censor_date: Any = None,
    unit: str = "years",
    dayfirst: Optional[bool] = None,
    date_format: Optional[str] = None,
) -> tuple:
    """Time on drug per patient: shared by :func:`retention` and ``rs.safety.exposure``.

    Parameters
    ----------
    data : DataFrame with columns ``start`` and ``stop``.
    start, stop : column names. Dates (datetime dtype or date strings) or numbers
        (durations on one scale, already in ``unit``). A missing ``stop`` means
        still on drug: follow-up ends at ``censor_date``.
    censor_date : date / number, optional
        End of follow-up (data cut). Needed when any ``stop`` is missing; a
        ``stop`` after it is truncated to it.
    unit : {'days', 'weeks', 'months', 'years'}
        Unit of the result for dates (a year = 365.25 days, a month = 1/12 year).

    Returns
    -------
    (time, truncated, open_) : float array of times in ``unit``; bool array, True where
    ``stop`` was after ``censor_date`` and the time was cut there; bool array, True where
    ``stop`` was missing (time runs to ``censor_date``).

    Raises ValueError naming the row for a missing start, a stop before start, a
    censor_date before start, and for an unknown unit.
    """
    if unit not in UNITS:
        raise ValueError(f"unit: {unit!r} is not one of {', '.join(repr(u) for u in UNITS)}")
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data: expected a pandas DataFrame, got {type(data).__name__}")
    for arg, col in (("start", start), ("stop", stop)):
        if col not in data.columns:
            raise ValueError(f"{arg}: column {col!r} not in data")
    kind_a, a = _as_datetime_or_number(data[start], "start", dayfirst, date_format)
    kind_b, b = _as_datetime_or_number(data[stop], "stop", dayfirst, date_format)
    if data[stop].isna().all():
        kind_b, b = kind_a, (np.full(len(data), np.datetime64("NaT"), dtype="datetime64[ns]") if kind_a == "date" else np.full(len(data), np.nan))
    if kind_a != kind_b:
        raise TypeError(f"start and stop: one holds dates and the other numbers ({kind_a} vs {kind_b}); use the same kind")
    if kind_a == "date":
        a_num = np.where(np.isnat(a), np.nan, a.astype("int64").astype(np.float64) / 86400e9)
        b_num = np.where(np.isnat(b), np.nan, b.astype("int64").astype(np.float64) / 86400e9)
        scale = UNITS[unit]
        cd = None
        if censor_date is not None:
            try:
                cd_ts = pd.Timestamp(_parse_dates(censor_date, "censor_date", dayfirst, date_format) if isinstance(censor_date, str) else censor_date)
            except _native.InvalidInputError:
                raise
            except (ValueError, TypeError):
                raise TypeError(f"censor_date: expected a date, got {censor_date!r}") from None
            if cd_ts is pd.NaT:
                raise ValueError("censor_date: is missing")
            cd = cd_ts.tz_localize(None).value / 86400e9 if cd_ts.tzinfo else cd_ts.value / 86400e9
    else:
        a_num, b_num, scale = a, b, 1.0
        cd = None
        if censor_date is not None:
            try:
                cd = float(censor_date)
            except (TypeError, ValueError):
                raise TypeError(f"censor_date: start/stop are numbers, so censor_date must be a number, got {censor_date!r}") from None
    miss_a = np.flatnonzero(np.isnan(a_num))
    if miss_a.size:
        raise _row_error("start", data, int(miss_a[0]), "missing start; every patient needs the date the drug was started")
    open_ = np.isnan(b_num)
    if open_.any() and cd is None:
        r = int(np.flatnonzero(open_)[0])
        raise _row_error("stop", data, r, "missing stop (still on drug) but no censor_date given; pass censor_date= (the data cut)")
    end = np.where(open_, cd if cd is not None else np.nan, b_num)
    truncated = np.zeros(len(data), dtype=bool)
    if cd is not None:
        truncated = ~open_ & (b_num > cd)
        end = np.where(truncated, cd, end)
    bad = np.flatnonzero(end < a_num)
    if bad.size:
        r = int(bad[0])
        what = "censor_date is before start" if (open_[r] or truncated[r]) else "stop is before start"
        raise _row_error("stop", data, r, what)
    return (end - a_num) / scale, truncated, open_


def retention(
    data: pd.DataFrame,
    start: str,
    stop: str,
    reason: str,
    censor_date: Any = None,
    unit: str = "years",
    *,
    missing_reason: Optional[str] = None,
    dayfirst: Optional[bool] = None,
    date_format: Optional[str] = None,
) -> pd.DataFrame:
    """Drug-retention data: per-patient ``time, event, cause`` from start/stop dates and stop reasons.

    Parameters
    ----------
    data : DataFrame, one row per patient (treatment course).
    start, stop : column names with dates (or numeric times in ``unit``).
    reason : column name with the reason the drug was stopped. Empty / NaN
        means not stopped: the patient is censored at ``stop`` when a date is
        given there (last follow-up) and otherwise at ``censor_date``.
        Reasons are grouped case-insensitively (surrounding spaces ignored).
    censor_date : date or number, optional
        Data cut: needed when a ``stop`` is missing. A stop after it is censored at it.
    unit : {'days', 'weeks', 'months', 'years'}
    missing_reason : {'censor', 'unknown', 'error'}, optional
        A stop date with an empty reason: ``'censor'`` reads it as last
        follow-up (censored there); ``'unknown'`` as a stop for an unknown
        reason (an event, cause ``'unknown'``); ``'error'`` refuses it, naming
        the first row. Default (None): ``'censor'`` with a
        :class:`~rheumstats.exceptions.MissingReasonWarning` giving the count,
        since censoring stops of unknown reason biases retention upward.
        ``result.attrs['missing_reason']`` holds ``{'policy', 'n'}``.
    dayfirst : bool, optional
        How to read date strings such as ``10/01/2020``. By default a column
        is read both ways and must give the same dates (or parse only one
        way); an ambiguous column is an error naming the row.
    date_format : str, optional
        strptime format of the date strings (e.g. ``'%d/%m/%Y'``); overrides ``dayfirst``.

    Returns
    -------
    DataFrame with the index of ``data`` and columns ``time`` (float, in
    ``unit``), ``event`` (1 = stopped, 0 = censored) and ``cause`` (0 =
    censored, 1, 2, ... = reasons in alphabetical order of their lower-case
    label). ``result.attrs['causes']`` maps each code to its reason label.
    Feed ``time, event`` to :func:`kaplan_meier` / :func:`logrank` and
    ``time, cause`` to :func:`cumulative_incidence`.

    Examples
    --------
    >>> import pandas as pd, rheumstats as rs
    >>> d = pd.DataFrame({"start": ["2020-01-01", "2020-01-01"], "stop": ["2020-07-01", None],
    ...                   "why": ["Infection", None]})
    >>> r = rs.survival.retention(d, "start", "stop", "why", censor_date="2021-01-01", unit="days")
    >>> r["time"].tolist(), r["event"].tolist(), r.attrs["causes"]
    ([182.0, 366.0], [1, 0], {1: 'infection'})
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data: expected a pandas DataFrame, got {type(data).__name__}")
    if reason not in data.columns:
        raise ValueError(f"reason: column {reason!r} not in data")
    if missing_reason is not None and missing_reason not in ("censor", "unknown", "error"):
        raise ValueError(f"missing_reason: {missing_reason!r} is not one of 'censor', 'unknown', 'error'")
    time, truncated, open_ = _on_drug_time(data, start, stop, censor_date, unit, dayfirst, date_format)
    raw = data[reason]
    labels = raw.astype("string").str.strip().str.casefold()
    stopped = (labels.notna() & (labels != "")).to_numpy(dtype=bool)
    # a stop date (not cut by censor_date) without a reason
    no_reason = ~stopped & ~open_ & ~truncated
    n_missing = int(no_reason.sum())
    policy = missing_reason or "censor"
    if n_missing and policy == "error":
        r = int(np.flatnonzero(no_reason)[0])
        raise _row_error("reason", data, r, "stop date without a stop reason; pass missing_reason='censor' (last follow-up) or 'unknown'")
    if n_missing and missing_reason is None:
        from ..exceptions import MissingReasonWarning

        warnings.warn(
            f"reason: {n_missing} stop date(s) without a stop reason were censored as last follow-up; "
            "if these patients stopped the drug, retention is biased upward. Pass missing_reason='censor', 'unknown' or 'error'.",
            MissingReasonWarning,
            stacklevel=2,
        )
    if n_missing and policy == "unknown":
        labels = labels.mask(pd.Series(no_reason, index=labels.index), "unknown")
        stopped = stopped | no_reason
    bad = np.flatnonzero(stopped & open_)
    if bad.size:
        raise _row_error("stop", data, int(bad[0]), f"a stop reason ({raw.iloc[int(bad[0])]!r}) is given but the stop date is missing")
    event = stopped & ~truncated
    uniq = sorted(set(labels[event].tolist()))
    codes = {lab: i + 1 for i, lab in enumerate(uniq)}
    cause = np.zeros(len(data), dtype=np.int64)
    if event.any():
        cause[event] = labels[event].map(codes).to_numpy(dtype=np.int64)
    out = pd.DataFrame({"time": time, "event": event.astype(np.int64), "cause": cause}, index=data.index)
    out.attrs["causes"] = {v: k for k, v in codes.items()}
    out.attrs["missing_reason"] = {"policy": policy, "n": n_missing}
    return out
