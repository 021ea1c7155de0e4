"""The Cox proportional hazards model."""

from __future__ import annotations

import dataclasses
import warnings
from typing import Optional, Sequence, Union

import numpy as np
import pandas as pd

from .. import _rheumstats as _native
from .._result import Result
from .._validation import as_float, call, check_choice, check_conf_level, positive_int, renamed
from ..exceptions import ConvergenceError, ConvergenceWarning, InvalidInputError
from ._common import TIES, _codes


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
    n_missing: int
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
    time: Optional[str] = None,
    event: Optional[str] = None,
    covariates: Union[None, str, Sequence[str]] = None,
    *,
    ties: str = "efron",
    strata: Union[None, str, Sequence[str]] = None,
    conf_level: float = 0.95,
    max_iter: int = 20,
    nan_policy: str = "omit",
    duration: Optional[str] = None,
) -> CoxPH:
    """Cox proportional hazards model, as R ``coxph`` (Newton–Raphson, step halving, eps 1e-9).

    Parameters
    ----------
    data : DataFrame
    time, event : str
        Column names of the follow-up time (>= 0) and the event indicator (0/1).
        ``duration=`` is the old name of ``time`` (FutureWarning).
    covariates : str or list of str
        Numeric columns enter as they are; text/categorical columns in
        treatment coding against their first level (terms named ``col[T.level]``).
    ties : {'efron', 'breslow'}
    strata : str or list of str, optional
        Columns defining strata (separate baseline hazards).
    conf_level : float
        Level of the hazard-ratio limits.
    max_iter : int
        Newton–Raphson iterations, 0 to 1000 (R's ``iter.max``; default 20). The
        fit converges in a handful or not at all, so more than 1000 is refused.
        The iteration also ends (not converged) when step halving is back at
        the last accepted coefficients, i.e. no step can raise the likelihood.

    nan_policy : {'omit', 'raise'}
        ``'omit'`` (the default, R's ``na.omit``): rows with a missing value in
        any column used are dropped; ``n`` reports the rows used and
        ``n_missing`` the rows dropped. ``'raise'``: the first such row is an
        error naming the column and row. (A model cannot 'propagate'.) A constant covariate raises
    :class:`~rheumstats.exceptions.ConvergenceError`; a coefficient that runs
    off to infinity (perfect separation) or a fit that does not converge in
    ``max_iter`` iterations gives a :class:`~rheumstats.exceptions.ConvergenceWarning`.
    """
    time = renamed("duration", "time", duration, time)
    if time is None or event is None or covariates is None:
        raise TypeError("coxph: time, event and covariates (column names of data) are required")
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data: expected a pandas DataFrame, got {type(data).__name__}")
    check_choice(nan_policy, "nan_policy", ("omit", "raise"))
    check_choice(ties, "ties", TIES)
    conf_level = check_conf_level(conf_level)
    covs = [covariates] if isinstance(covariates, str) else list(covariates)
    strs = [] if strata is None else ([strata] if isinstance(strata, str) else list(strata))
    for arg, cols in (("time", [time]), ("event", [event]), ("covariates", covs), ("strata", strs)):
        missing = [c for c in cols if c not in data.columns]
        if missing:
            raise ValueError(f"{arg}: column(s) {missing} not in data")
    if not covs:
        raise ValueError("covariates: at least one covariate is needed")
    used = data[[time, event, *covs, *strs]]
    miss = used.isna().to_numpy()
    keep = ~miss.any(axis=1)
    if nan_policy == "raise" and not keep.all():
        r = int(np.flatnonzero(~keep)[0])
        col = used.columns[int(np.flatnonzero(miss[r])[0])]
        err = InvalidInputError(f"{col}[{r}] (index {data.index[r]!r}) = nan: missing value with nan_policy='raise'")
        err.arg, err.row, err.col, err.value = str(col), r, None, float("nan")  # type: ignore[attr-defined]
        raise err
    d = data.loc[keep]
    x, names = _design(d, covs)
    if x.shape[1] == 0:
        raise ValueError("covariates: no usable term (a categorical covariate with a single level?)")
    for j, nm in enumerate(names):
        col = x[:, j]
        if col.size and np.all(col == col[0]):
            raise ConvergenceError(f"covariates: {nm!r} is constant in the rows used; it cannot be estimated (drop it)")
    t = as_float(d[time], "time")
    e = as_float(d[event], "event")
    s = None
    if strs:
        key = d[strs].astype(str).agg("\x1f".join, axis=1) if len(strs) > 1 else d[strs[0]]
        s, _, _ = _codes(key, "strata", len(t))
    res = call(
        _native.survival_coxph, t, e, np.ascontiguousarray(x), s, ties=ties, max_iter=positive_int(max_iter, "max_iter"), conf_level=conf_level,
        index={"time": d.index, "event": d.index, "covariates": d.index},
    )
    return cox_result(res, names, ties, conf_level, n=int(len(t)), n_missing=int((~keep).sum()), stacklevel=3)


def cox_result(res: dict, names: list, ties: str, conf_level: float, n: int, n_missing: int, stacklevel: int = 2) -> CoxPH:
    """The CoxPH of a native fit's output (shared by the in-memory and the Dask fit), with its warnings."""
    coef = res["coef"]
    p = len(coef)
    var = res["var"].reshape(p, p)
    summary = pd.DataFrame(
        {"coef": coef, "se": res["se"], "hr": np.exp(coef), "hr_low": res["hr_low"], "hr_high": res["hr_high"], "z": res["z"], "p": res["p"]},
        index=pd.Index(names, name="term"),
    )
    if not res["converged"]:
        warnings.warn(f"coxph: did not converge in {res['iterations']} iterations; estimates are unreliable", ConvergenceWarning, stacklevel=stacklevel)
    inf = [nm for nm, flag in zip(names, res["infinite"]) if flag]
    if inf:
        warnings.warn(
            f"coxph: log-likelihood converged before {', '.join(inf)}; coefficient may be infinite (perfect separation: "
            "a level or range of the covariate with no events, or only events)",
            ConvergenceWarning,
            stacklevel=stacklevel,
        )
    return CoxPH(
        summary=summary, loglik=float(res["loglik"]), loglik_null=float(res["loglik_null"]), concordance=float(res["concordance"]),
        converged=bool(res["converged"]) and not inf, n=n, n_event=int(res["n_event"]), n_missing=n_missing, iterations=int(res["iterations"]),
        ties=ties, conf_level=conf_level, _var=var,
        _tests=tuple((float(res[k]), float(res[k + "_p"])) for k in ("lr_test", "wald_test", "score_test")),
    )
