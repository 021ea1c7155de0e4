"""Drug retention and time-to-event analysis (Rust core), matching R ``survival``.

* :func:`kaplan_meier` — Kaplan–Meier curves with Greenwood standard errors and
  R's ``conf.type`` confidence limits (as ``survfit``).
* :func:`logrank` — the G-rho family of k-sample tests (``survdiff``), stratified.
* :func:`cumulative_incidence` — Aalen–Johansen cumulative incidence of competing
  causes (multi-state ``survfit``) and Gray's test (``cmprsk::cuminc``).
* :func:`coxph` — the Cox model (``coxph``, Efron or Breslow ties).
* :func:`retention` — from per-patient start/stop dates and stop reasons to the
  ``time, event, cause`` columns the calls above take.

Times must be finite and >= 0; events are 0 (censored) / 1 (event); causes are
integers >= 0 with 0 = censored. Bad values raise
:class:`~rheumstats.exceptions.InvalidInputError` (a ``ValueError``) naming
the argument and the row (and pandas index label). There is no silent
dropping of missing times or events: a NaN is an error.
"""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _rheumstats as _native
from ._result import Result
from ._validation import as_float, call, check_choice, check_conf_level
from .exceptions import ConvergenceError, ConvergenceWarning

CONF_TYPES = ("log-log", "log", "plain")
TIES = ("efron", "breslow")
UNITS = {"days": 1.0, "weeks": 7.0, "months": 365.25 / 12.0, "years": 365.25}
"""Length of each time unit in days (a year is 365.25 days, a month a twelfth of it)."""

_TOL = float(np.sqrt(np.finfo(float).eps))  # R's quantile.survfit tolerance


# ----------------------------------------------------------------------------
# input helpers
# ----------------------------------------------------------------------------
def _index_of(*xs: Any) -> Optional[pd.Index]:
    for x in xs:
        if isinstance(x, pd.Series):
            return x.index
    return None


def _codes(x: Any, name: str, n: int) -> tuple:
    """Group/strata labels -> (float codes, labels, present codes).

    ``labels[i]`` is the label of code ``present[i]``; only labels that occur are
    listed. Categorical order is kept, other labels are sorted. Whole numbers
    >= 0 (e.g. 1/2 for sex) are used as codes directly, with no hashing pass:
    then ``labels`` and ``present`` are None and the caller reads the codes that
    occur from the native output (codes that do not occur are empty groups).
    A missing label is an error.
    """
    if isinstance(x, pd.DataFrame):
        raise TypeError(f"{name}: expected a 1-D array-like of labels, got a DataFrame")
    s = x if isinstance(x, pd.Series) else pd.Series(np.asarray(x) if not isinstance(x, (list, tuple)) else list(x))
    if s.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array-like")
    if len(s) != n:
        raise _native.InvalidInputError(f"time and {name} must have the same length; got {n} and {len(s)}")
    kind = s.dtype.kind if isinstance(s.dtype, np.dtype) else ""
    if kind in ("i", "u", "f") and n > 0:
        v = s.to_numpy()
        vf = np.ascontiguousarray(v, dtype=np.float64)
        if kind == "f" and np.isnan(vf).any():
            pass  # reported below with the row
        elif vf.min() >= 0 and vf.max() < 4 * n + 1024 and (kind in "iu" or bool(np.all(vf == np.floor(vf)))):
            return vf, None, v.dtype
    miss = np.flatnonzero(pd.isna(s).to_numpy())
    if miss.size:
        r = int(miss[0])
        where = f" (index {s.index[r]!r})" if isinstance(x, pd.Series) else ""
        err = _native.InvalidInputError(f"{name}[{r}]{where} = nan: missing value; every row needs a {name} label")
        setattr(err, "arg", name)
        setattr(err, "row", r)
        raise err
    if isinstance(s.dtype, pd.CategoricalDtype):
        cat = s.cat.remove_unused_categories()
        labels = pd.Index(cat.cat.categories)
        return cat.cat.codes.to_numpy(dtype=np.float64), labels, np.arange(len(labels))
    codes, uniques = pd.factorize(s, sort=True)
    labels = pd.Index(uniques)
    return codes.astype(np.float64), labels, np.arange(len(labels))


def _resolve(labels: Optional[pd.Index], present: Any, codes_out: np.ndarray) -> tuple:
    """(labels, present codes) once the native output is known: for numbers used as codes
    directly (`labels` None, `present` their dtype) the codes that occur in ``codes_out``."""
    if labels is not None:
        return labels, present
    pres = np.unique(codes_out).astype(np.int64)
    return pd.Index(pres.astype(present)), pres


def _label_lookup(labels: pd.Index, present: np.ndarray, codes_out: np.ndarray) -> pd.Index:
    """Labels of output rows given their group codes."""
    pos = np.empty(int(present.max()) + 1 if present.size else 0, dtype=np.int64)
    pos[present] = np.arange(len(present))
    return labels.take(pos[codes_out.astype(np.int64)])


def _times(x: Any, name: str) -> np.ndarray:
    if isinstance(x, pd.Series) and pd.api.types.is_bool_dtype(x.dtype) and name == "time":
        raise TypeError(f"{name}: expected numeric times, got booleans")
    return as_float(x, name)


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


@dataclasses.dataclass(frozen=True, repr=False)
class KaplanMeier(Result):
    """Kaplan–Meier curves (one per group), as R ``survfit``.

    ``table`` has one row per distinct time (event or censoring) and group:
    ``time, n_risk, n_event, n_censor, survival, std_err, ci_low, ci_high``
    (``group`` first when grouped). ``std_err`` is the Greenwood standard error
    of the cumulative hazard −log S(t), as R reports it (multiply by S(t) for
    the standard error of S).
    """

    table: pd.DataFrame
    conf_level: float
    conf_type: str
    _grouped: bool = False
    _groups: tuple = ()

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def _curves(self):
        if not self._grouped:
            yield None, self.table
        else:
            for g in self._groups:
                yield g, self.table[self.table["group"] == g]

    def survival_at(self, times: Any) -> pd.DataFrame:
        """S(t) (a right-continuous step; 1 before the first time) with its standard error and limits.

        Returns a DataFrame ``time, survival, std_err, ci_low, ci_high`` (``group`` first when grouped).
        """
        t = as_float(times, "times")
        if np.any(np.isnan(t)) or np.any(t < 0):
            raise ValueError("times: expected times >= 0 without missing values")
        rows = []
        for g, tab in self._curves():
            tt = tab["time"].to_numpy()
            j = np.searchsorted(tt, t, side="right") - 1
            before = j < 0
            jj = np.where(before, 0, j)
            part = {
                "time": t,
                "survival": np.where(before, 1.0, tab["survival"].to_numpy()[jj]),
                "std_err": np.where(before, 0.0, tab["std_err"].to_numpy()[jj]),
                "ci_low": np.where(before, 1.0, tab["ci_low"].to_numpy()[jj]),
                "ci_high": np.where(before, 1.0, tab["ci_high"].to_numpy()[jj]),
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
            tt = tab["time"].to_numpy()
            nr = tab["n_risk"].to_numpy()
            k = np.searchsorted(tt, t, side="left")
            n_risk = np.where(k < len(tt), nr[np.minimum(k, len(tt) - 1)], 0.0)
            j = np.searchsorted(tt, t, side="right")
            ce = np.concatenate([[0.0], np.cumsum(tab["n_event"].to_numpy())])
            cc = np.concatenate([[0.0], np.cumsum(tab["n_censor"].to_numpy())])
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
            x = np.concatenate([[0.0], tab["time"].to_numpy()])

            def q(col: str) -> float:
                return _findq(x, np.concatenate([[0.0], 1.0 - tab[col].to_numpy()]), 0.5)

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
            t = np.concatenate([[0.0], tab["time"].to_numpy()])
            s = np.concatenate([[1.0], tab["survival"].to_numpy()])
            label = None if g is None else str(g)
            (line,) = ax.step(t, s, where="post", label=label, **kwargs)
            color = line.get_color()
            if ci:
                lo = np.concatenate([[1.0], tab["ci_low"].to_numpy()])
                hi = np.concatenate([[1.0], tab["ci_high"].to_numpy()])
                ax.fill_between(t, lo, hi, step="post", alpha=0.2, color=color, linewidth=0)
            if censor_marks:
                cens = tab["n_censor"].to_numpy() > 0
                ax.plot(tab["time"].to_numpy()[cens], tab["survival"].to_numpy()[cens], "|", color=color, markersize=8)
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


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("plotting needs matplotlib: pip install rheumstats[plot]") from None
    return plt


def kaplan_meier(
    time: Any,
    event: Any,
    group: Any = None,
    conf_level: float = 0.95,
    conf_type: str = "log-log",
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

    Returns
    -------
    KaplanMeier
        ``.table``, ``.survival_at(times)``, ``.median()``, ``.risk_table(times)``, ``.plot()``.

    Examples
    --------
    >>> import rheumstats as rs
    >>> km = rs.survival.kaplan_meier([1, 2, 2, 3, 4], [1, 1, 0, 1, 0])
    >>> km.table["survival"].round(3).tolist()
    [0.8, 0.6, 0.3, 0.3]
    """
    conf_level = check_conf_level(conf_level)
    check_choice(conf_type, "conf_type", CONF_TYPES)
    t = _times(time, "time")
    e = as_float(event, "event")
    index = _index_of(time, event, group)
    codes: Optional[np.ndarray] = None
    labels: Optional[pd.Index] = None
    present: Any = None
    if group is not None:
        codes, labels, present = _codes(group, "group", len(t))
    d = call(_native.survival_km, t, e, codes, conf_level, conf_type, index={"time": index, "event": index, "group": index})
    cols = ["time", "n_risk", "n_event", "n_censor", "survival", "std_err", "ci_low", "ci_high"]
    table = pd.DataFrame({c: d[c] for c in cols})
    for c in ("n_risk", "n_event", "n_censor"):
        table[c] = table[c].astype(np.int64)
    groups: tuple = ()
    grouped = codes is not None
    if codes is not None:
        labels, present = _resolve(labels, present, d["group"])
        table.insert(0, "group", _label_lookup(labels, present, d["group"]))
        groups = tuple(labels)
    return KaplanMeier(table=table, conf_level=conf_level, conf_type=conf_type, _grouped=grouped, _groups=groups)


# ----------------------------------------------------------------------------
# log-rank
# ----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, repr=False)
class LogrankResult(Result):
    """G-rho test: ``statistic`` (chi-squared), ``df``, ``pvalue``; ``observed``/``expected`` per group
    (weighted by S(t−)^rho, as R ``survdiff`` reports them)."""

    statistic: float
    df: int
    pvalue: float
    observed: pd.Series
    expected: pd.Series
    rho: float


def logrank(time: Any, event: Any, group: Any, strata: Any = None, rho: float = 0) -> LogrankResult:
    """Compare survival curves with the G-rho family, as R ``survdiff(..., rho)``.

    ``rho = 0`` is the log-rank test; ``rho = 1`` Peto & Peto's modification of
    the Gehan–Wilcoxon test (weights S(t−), the pooled Kaplan–Meier within the
    stratum). With ``strata``, observed − expected and its variance are summed
    over strata. The statistic has (number of groups with expected > 0) − 1
    degrees of freedom.

    Examples
    --------
    >>> import rheumstats as rs
    >>> r = rs.survival.logrank([1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 1, 0], ["a", "b", "a", "b", "a", "b"])
    >>> round(r.statistic, 4), r.df
    (1.2222, 1)
    """
    t = _times(time, "time")
    e = as_float(event, "event")
    index = _index_of(time, event, group, strata)
    codes, labels, present = _codes(group, "group", len(t))
    s = None
    if strata is not None:
        s, _, _ = _codes(strata, "strata", len(t))
    try:
        rho = float(rho)
    except (TypeError, ValueError):
        raise TypeError(f"rho: expected a number >= 0, got {rho!r}") from None
    d = call(_native.survival_logrank, t, e, codes, s, rho, index={"time": index, "event": index, "group": index, "strata": index})
    if labels is None:
        labels, present = _resolve(None, present, np.flatnonzero(d["n"]))
    name = getattr(group, "name", None)
    obs = pd.Series(d["observed"][present], index=pd.Index(labels, name=name), name="observed")
    exp = pd.Series(d["expected"][present], index=pd.Index(labels, name=name), name="expected")
    return LogrankResult(statistic=float(d["statistic"]), df=int(d["df"]), pvalue=float(d["pvalue"]), observed=obs, expected=exp, rho=rho)


# ----------------------------------------------------------------------------
# competing risks
# ----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, repr=False)
class CumulativeIncidence(Result):
    """Aalen–Johansen cumulative incidence per cause (and group).

    ``table`` is long: one row per distinct time, cause (and group) with
    ``time, cause, n_risk, n_event, cif, std_err, ci_low, ci_high`` (``group``
    first when grouped). ``std_err`` is R's infinitesimal-jackknife standard
    error of the CIF (multi-state ``survfit``); the limits use R's default
    'log' type for state probabilities.
    """

    table: pd.DataFrame
    causes: tuple
    conf_level: float
    _grouped: bool = False
    _groups: tuple = ()
    _time: Optional[np.ndarray] = None
    _cause: Optional[np.ndarray] = None
    _group: Optional[np.ndarray] = None

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def at(self, times: Any) -> pd.DataFrame:
        """CIF of each cause at the given times (right-continuous; 0 before the first time).

        Long DataFrame ``time, cause, cif, std_err, ci_low, ci_high`` (``group`` first when grouped).
        """
        t = as_float(times, "times")
        if np.any(np.isnan(t)) or np.any(t < 0):
            raise ValueError("times: expected times >= 0 without missing values")
        out = []
        keys = self._groups if self._grouped else (None,)
        for g in keys:
            for c in self.causes:
                tab = self.table[self.table["cause"] == c]
                if g is not None:
                    tab = tab[tab["group"] == g]
                tt = tab["time"].to_numpy()
                j = np.searchsorted(tt, t, side="right") - 1
                before = j < 0
                jj = np.where(before, 0, j)
                df = pd.DataFrame({
                    "time": t,
                    "cause": c,
                    "cif": np.where(before, 0.0, tab["cif"].to_numpy()[jj]),
                    "std_err": np.where(before, 0.0, tab["std_err"].to_numpy()[jj]),
                    "ci_low": np.where(before, np.nan, tab["ci_low"].to_numpy()[jj]),
                    "ci_high": np.where(before, np.nan, tab["ci_high"].to_numpy()[jj]),
                })
                if g is not None:
                    df.insert(0, "group", g)
                out.append(df)
        return pd.concat(out, ignore_index=True)

    def test(self, rho: float = 0) -> pd.DataFrame:
        """Gray's test of equal cumulative incidence across groups, per cause (``cmprsk::cuminc``).

        Returns a DataFrame ``cause, statistic, df, pvalue``.
        """
        if not self._grouped:
            raise ValueError("test: Gray's test compares groups; call cumulative_incidence(..., group=...) first")
        d = call(_native.survival_gray, self._time, self._cause, self._group, float(rho))
        return pd.DataFrame({
            "cause": d["cause"].astype(np.int64),
            "statistic": d["statistic"],
            "df": d["df"].astype(np.int64),
            "pvalue": d["pvalue"],
        })

    def plot(self, ax: Any = None, *, stacked: bool = False, **kwargs: Any) -> Any:
        """Step curves of each cause's CIF (per group), or stacked areas (``stacked=True``); returns the axes."""
        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots()
        keys = self._groups if self._grouped else (None,)
        for g in keys:
            base = None
            for c in self.causes:
                tab = self.table[self.table["cause"] == c]
                if g is not None:
                    tab = tab[tab["group"] == g]
                t = np.concatenate([[0.0], tab["time"].to_numpy()])
                y = np.concatenate([[0.0], tab["cif"].to_numpy()])
                label = f"cause {c}" if g is None else f"{g}, cause {c}"
                if stacked:
                    lo = np.zeros_like(y) if base is None else base
                    ax.fill_between(t, lo, lo + y, step="post", alpha=0.6, label=label)
                    base = lo + y
                else:
                    ax.step(t, y, where="post", label=label, **kwargs)
        ax.set_ylim(0, 1)
        ax.set_xlabel("time")
        ax.set_ylabel("cumulative incidence")
        ax.legend()
        return ax


def cumulative_incidence(time: Any, cause: Any, group: Any = None, conf_level: float = 0.95) -> CumulativeIncidence:
    """Aalen–Johansen cumulative incidence of competing causes, as R multi-state ``survfit``.

    Parameters
    ----------
    time : array-like
        Times, finite and >= 0.
    cause : array-like
        0 = censored, 1, 2, ... = the cause of the event (e.g. 1 inefficacy,
        2 adverse event); integers >= 0.
    group : array-like, optional
        Group labels: one set of curves per group, and Gray's test via ``.test()``.
    conf_level : float

    Examples
    --------
    >>> import rheumstats as rs
    >>> ci = rs.survival.cumulative_incidence([1, 2, 3, 4], [1, 2, 0, 1])
    >>> ci.at([4])["cif"].tolist()
    [0.75, 0.25]
    """
    conf_level = check_conf_level(conf_level)
    t = _times(time, "time")
    c = as_float(cause, "cause")
    index = _index_of(time, cause, group)
    codes: Optional[np.ndarray] = None
    labels: Optional[pd.Index] = None
    present: Any = None
    if group is not None:
        codes, labels, present = _codes(group, "group", len(t))
    d = call(_native.survival_aalen_johansen, t, c, codes, conf_level, index={"time": index, "cause": index, "group": index})
    causes = tuple(int(v) for v in d["causes"])
    k = len(causes)
    m = len(d["time"])
    rep = lambda a: np.repeat(np.asarray(a), k)  # noqa: E731
    table = pd.DataFrame({
        "time": rep(d["time"]),
        "cause": np.tile(np.asarray(causes, dtype=np.int64), m),
        "n_risk": rep(d["n_risk"]).astype(np.int64),
        "n_event": rep(d["n_event"]).astype(np.int64),
        "cif": d["cif"],
        "std_err": d["std_err"],
        "ci_low": d["ci_low"],
        "ci_high": d["ci_high"],
    })
    groups: tuple = ()
    grouped = codes is not None
    if codes is not None:
        labels, present = _resolve(labels, present, d["group"])
        table.insert(0, "group", _label_lookup(labels, present, rep(d["group"])))
        groups = tuple(labels)
    return CumulativeIncidence(
        table=table, causes=causes, conf_level=conf_level, _grouped=grouped, _groups=groups,
        _time=t, _cause=c, _group=codes,
    )


# ----------------------------------------------------------------------------
# Cox model
# ----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, repr=False)
class CoxPH(Result):
    """A fitted Cox model (immutable).

    ``summary``: one row per term, ``coef, se, hr, hr_low, hr_high, z, p``;
    ``loglik`` (final) and ``loglik_null`` (β = 0); ``concordance`` (Harrell's
    C as R reports it); ``converged``; ``test()`` gives the likelihood-ratio,
    Wald and score tests.
    """

    summary: pd.DataFrame
    loglik: float
    loglik_null: float
    concordance: float
    converged: bool
    n: int
    n_event: int
    iterations: int
    ties: str
    conf_level: float
    _var: Optional[np.ndarray] = None
    _tests: tuple = ()

    def to_frame(self) -> pd.DataFrame:
        return self.summary

    @property
    def covariance(self) -> pd.DataFrame:
        """Covariance matrix of the coefficients."""
        names = list(self.summary.index)
        return pd.DataFrame(self._var, index=names, columns=names)

    def test(self) -> pd.DataFrame:
        """Global tests of all coefficients = 0: ``statistic, df, pvalue`` for
        ``likelihood_ratio``, ``wald`` and ``score`` (as ``summary(coxph)``)."""
        p = len(self.summary)
        return pd.DataFrame(
            {"statistic": [t[0] for t in self._tests], "df": [p] * 3, "pvalue": [t[1] for t in self._tests]},
            index=pd.Index(["likelihood_ratio", "wald", "score"], name="test"),
        )


def _design(data: pd.DataFrame, covariates: Sequence[str]) -> tuple:
    """Covariate columns -> (matrix, term names); categorical columns in treatment coding
    (first level = reference; Categorical order, else sorted)."""
    cols = []
    names = []
    for cov in covariates:
        s = data[cov]
        if isinstance(s.dtype, pd.CategoricalDtype) or not (pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)):
            if isinstance(s.dtype, pd.CategoricalDtype):
                levels = [lv for lv in s.cat.categories if (s == lv).any()]
            else:
                levels = sorted(pd.unique(s.dropna()), key=lambda v: (str(type(v)), v))
            for lv in levels[1:]:
                cols.append((s == lv).to_numpy(dtype=np.float64))
                names.append(f"{cov}[T.{lv}]")
        else:
            cols.append(s.to_numpy(dtype=np.float64, na_value=np.nan))
            names.append(str(cov))
    return np.column_stack(cols) if cols else np.empty((len(data), 0)), names


def coxph(
    data: pd.DataFrame,
    duration: str,
    event: str,
    covariates: Union[str, Sequence[str]],
    ties: str = "efron",
    strata: Union[None, str, Sequence[str]] = None,
    conf_level: float = 0.95,
    max_iter: int = 20,
) -> CoxPH:
    """Cox proportional hazards model, as R ``coxph`` (Newton–Raphson, step halving, eps 1e-9).

    Parameters
    ----------
    data : DataFrame
    duration, event : str
        Column names of the follow-up time (>= 0) and the event indicator (0/1).
    covariates : str or list of str
        Numeric columns enter as they are; text/categorical columns in
        treatment coding against their first level (terms named ``col[T.level]``).
    ties : {'efron', 'breslow'}
    strata : str or list of str, optional
        Columns defining strata (separate baseline hazards).
    conf_level : float
        Level of the hazard-ratio limits.

    Rows with a missing value in any column used are dropped (R's ``na.omit``);
    ``n`` reports the rows used. A constant covariate raises
    :class:`~rheumstats.exceptions.ConvergenceError`; a coefficient that runs
    off to infinity (perfect separation) or a fit that does not converge in
    ``max_iter`` iterations gives a :class:`~rheumstats.exceptions.ConvergenceWarning`.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data: expected a pandas DataFrame, got {type(data).__name__}")
    check_choice(ties, "ties", TIES)
    conf_level = check_conf_level(conf_level)
    covs = [covariates] if isinstance(covariates, str) else list(covariates)
    strs = [] if strata is None else ([strata] if isinstance(strata, str) else list(strata))
    for arg, cols in (("duration", [duration]), ("event", [event]), ("covariates", covs), ("strata", strs)):
        missing = [c for c in cols if c not in data.columns]
        if missing:
            raise ValueError(f"{arg}: column(s) {missing} not in data")
    if not covs:
        raise ValueError("covariates: at least one covariate is needed")
    used = data[[duration, event, *covs, *strs]]
    keep = ~used.isna().any(axis=1).to_numpy()
    d = data.loc[keep]
    x, names = _design(d, covs)
    if x.shape[1] == 0:
        raise ValueError("covariates: no usable term (a categorical covariate with a single level?)")
    for j, nm in enumerate(names):
        col = x[:, j]
        if col.size and np.all(col == col[0]):
            raise ConvergenceError(f"covariates: {nm!r} is constant in the rows used; it cannot be estimated (drop it)")
    t = as_float(d[duration], "duration")
    e = as_float(d[event], "event")
    s = None
    if strs:
        key = d[strs].astype(str).agg("\x1f".join, axis=1) if len(strs) > 1 else d[strs[0]]
        s, _, _ = _codes(key, "strata", len(t))
    res = call(_native.survival_coxph, t, e, np.ascontiguousarray(x), s, ties, int(max_iter), conf_level, index={"duration": d.index, "event": d.index, "covariates": d.index})
    coef = res["coef"]
    p = len(coef)
    var = res["var"].reshape(p, p)
    summary = pd.DataFrame(
        {"coef": coef, "se": res["se"], "hr": np.exp(coef), "hr_low": res["hr_low"], "hr_high": res["hr_high"], "z": res["z"], "p": res["p"]},
        index=pd.Index(names, name="term"),
    )
    if not res["converged"]:
        warnings.warn(f"coxph: did not converge in {res['iterations']} iterations; estimates are unreliable", ConvergenceWarning, stacklevel=2)
    inf = [nm for nm, flag in zip(names, res["infinite"]) if flag]
    if inf:
        warnings.warn(
            f"coxph: log-likelihood converged before {', '.join(inf)}; coefficient may be infinite (perfect separation: "
            "a level or range of the covariate with no events, or only events)",
            ConvergenceWarning,
            stacklevel=2,
        )
    return CoxPH(
        summary=summary, loglik=float(res["loglik"]), loglik_null=float(res["loglik_null"]), concordance=float(res["concordance"]),
        converged=bool(res["converged"]) and not inf, n=int(len(t)), n_event=int(res["n_event"]), iterations=int(res["iterations"]),
        ties=ties, conf_level=conf_level, _var=var,
        _tests=tuple((float(res[k]), float(res[k + "_p"])) for k in ("lr_test", "wald_test", "score_test")),
    )


# ----------------------------------------------------------------------------
# retention
# ----------------------------------------------------------------------------
def _row_error(arg: str, data: pd.DataFrame, pos: int, message: str) -> ValueError:
    err = _native.InvalidInputError(f"{arg}[{pos}] (index {data.index[pos]!r}): {message}")
    setattr(err, "arg", arg)
    setattr(err, "row", pos)
    return err


def _as_datetime_or_number(s: pd.Series, arg: str) -> tuple:
    """A column of dates (datetime dtype or date strings) -> ('date', datetime64[ns] array);
    a numeric column -> ('number', float array)."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        if s.dt.tz is not None:
            s = s.dt.tz_localize(None)
        return "date", s.to_numpy(dtype="datetime64[ns]")
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return "number", s.to_numpy(dtype=np.float64, na_value=np.nan)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "could not infer format": parsed per element
            conv = pd.to_datetime(s, errors="raise")
    except (ValueError, TypeError) as exc:
        raise TypeError(f"{arg}: expected dates (datetime or date strings) or numbers, could not read the column ({exc})") from None
    return "date", conv.to_numpy(dtype="datetime64[ns]")


def _on_drug_time(
    data: pd.DataFrame,
    start: str,
    stop: str,
    censor_date: Any = None,
    unit: str = "years",
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
    kind_a, a = _as_datetime_or_number(data[start], "start")
    kind_b, b = _as_datetime_or_number(data[stop], "stop")
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
                cd_ts = pd.Timestamp(censor_date)
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
    time, truncated, open_ = _on_drug_time(data, start, stop, censor_date, unit)
    raw = data[reason]
    labels = raw.astype("string").str.strip().str.casefold()
    stopped = (labels.notna() & (labels != "")).to_numpy(dtype=bool)
    bad = np.flatnonzero(stopped & open_)
    if bad.size:
        raise _row_error("stop", data, int(bad[0]), f"a stop reason ({raw.iloc[int(bad[0])]!r}) is given but the stop date is missing")
    event = stopped & ~truncated
    uniq = sorted(set(labels[event].tolist()))
    codes = {lab: i + 1 for i, lab in enumerate(uniq)}
    cause = np.zeros(len(data), dtype=np.int64)
    lab_arr = labels.to_numpy(dtype=object, na_value=None)
    for i in np.flatnonzero(event):
        cause[i] = codes[lab_arr[i]]
    out = pd.DataFrame({"time": time, "event": event.astype(np.int64), "cause": cause}, index=data.index)
    out.attrs["causes"] = {v: k for k, v in codes.items()}
    return out


__all__ = [
    "kaplan_meier",
    "logrank",
    "cumulative_incidence",
    "coxph",
    "retention",
    "KaplanMeier",
    "LogrankResult",
    "CumulativeIncidence",
    "CoxPH",
    "CONF_TYPES",
    "UNITS",
]
