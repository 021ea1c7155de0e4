"""MmrmResult: the fitted MMRM and its inference (contrasts, F tests, LS-means)."""

from __future__ import annotations

import dataclasses
import html
from typing import Any, Mapping, Optional, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .. import _rheumstats as _rs
from .._result import Result, _fmt
from ..exceptions import InvalidInputError
from ._refgrid import reference_grid

from ._lmm_result import t_table, wald_f

__all__ = ["MmrmResult"]


@dataclasses.dataclass(frozen=True, repr=False)
class MmrmResult(Result):
    """A fitted MMRM (see :func:`rheumstats.longitudinal.mmrm`).

    ``fixed``: DataFrame ``estimate, se, df, t, p, ci_low, ci_high`` by
    coefficient (R names); ``covariance``/``correlation``: visit × visit
    DataFrame (a dict by level with ``group=``); ``loglik`` the REML or ML
    log-likelihood; ``aic = −2ℓ + 2k`` and ``bic = −2ℓ + k·log(n_subjects)``
    with k the number of covariance parameters (plus p under ML), as SAS.
    """

    fixed: pd.DataFrame
    covariance: Any
    correlation: Any
    loglik: float
    aic: float
    bic: float
    converged: bool
    n_subjects: int
    nobs: int
    n_dropped: int
    structure: str
    reml: bool
    ddf: str
    formula: str
    _beta: np.ndarray = dataclasses.field(default=None)  # type: ignore
    _vcov: np.ndarray = dataclasses.field(default=None)  # type: ignore
    _jac: np.ndarray = dataclasses.field(default=None)  # type: ignore
    _theta_cov: np.ndarray = dataclasses.field(default=None)  # type: ignore
    _theta: np.ndarray = dataclasses.field(default=None)  # type: ignore
    _vcov_adj: Optional[np.ndarray] = None
    _kr_w: Optional[np.ndarray] = None
    _conf_level: float = 0.95
    _ctx: Any = None

    @classmethod
    def _build(cls, *, out, design, rhs, data, visit, subject, outcome, visit_levels, group, group_levels, covariance, reml, ddf, conf_level, n_dropped):
        p = len(design.names)
        beta = np.asarray(out["beta"])
        vcov = np.asarray(out["vcov"]).reshape(p, p)
        theta = np.asarray(out["theta"])
        k = theta.size
        jac = np.asarray(out["vcov_jac"]).reshape(k, p, p)
        tcov = np.asarray(out["theta_cov"]).reshape(k, k)
        m = len(visit_levels)
        sig = np.asarray(out["sigma"]).reshape(-1, m, m)
        lab = pd.Index([str(v) for v in visit_levels], name=visit)

        def frames(S):
            sd = np.sqrt(np.diag(S))
            return pd.DataFrame(S, index=lab, columns=lab), pd.DataFrame(S / np.outer(sd, sd), index=lab, columns=lab)

        if group is None:
            cov, cor = frames(sig[0])
        else:
            pairs = [frames(S) for S in sig]
            cov = {g: c for g, (c, _) in zip(group_levels, pairs)}
            cor = {g: r for g, (_, r) in zip(group_levels, pairs)}
        m2ll = float(out["m2ll"])
        npar = k + (0 if reml else p)
        ns = int(out["n_subjects"])
        nobs = int(out["nobs"])
        vadj = np.asarray(out["vcov_adj"]).reshape(p, p) if "vcov_adj" in out else None
        krw = np.asarray(out["kr_w"]).reshape(k, k) if "kr_w" in out else None
        formula = f"{outcome} ~ {rhs} + {covariance}({visit} | {(group + ' / ') if group else ''}{subject})"
        res = cls(
            fixed=pd.DataFrame(),
            covariance=cov,
            correlation=cor,
            loglik=-0.5 * m2ll,
            aic=m2ll + 2 * npar,
            bic=m2ll + npar * np.log(ns),
            converged=bool(out["converged"]),
            n_subjects=ns,
            nobs=nobs,
            n_dropped=n_dropped,
            structure=covariance,
            reml=reml,
            ddf=ddf,
            formula=formula,
            _beta=beta,
            _vcov=vcov,
            _jac=jac,
            _theta_cov=tcov,
            _theta=theta,
            _vcov_adj=vadj,
            _kr_w=krw,
            _conf_level=conf_level,
            _ctx={"design": design, "rhs": rhs, "data": data, "visit": visit, "max_grad": float(out["max_grad"]), "message": out["message"]},
        )
        fixed = res.contrast(np.eye(p))
        fixed.index = pd.Index(design.names, name="term")
        object.__setattr__(res, "fixed", fixed)
        return res

    # ------------------------------------------------------------- inference
    @property
    def vcov(self) -> pd.DataFrame:
        """cov(β̂): (XᵀV̂⁻¹X)⁻¹ (model-based), or with ``ddf='kenward-roger'``
        / ``'kenward-roger-linear'`` the Kenward–Roger adjusted Φ_A (as R
        mmrm's ``vcov``)."""
        names = list(self._ctx["design"].names)
        v = self._vcov_adj if self._kr else self._vcov
        return pd.DataFrame(v, index=names, columns=names)

    @property
    def _kr(self) -> bool:
        return self.ddf in ("kenward-roger", "kenward-roger-linear")

    def _kr_call(self, Lm: np.ndarray, joint: bool):
        va, w = self._vcov_adj, self._kr_w
        assert va is not None and w is not None, "a Kenward-Roger fit carries Phi_A and W"
        return _rs.kr_contrast(
            Lm.ravel(), Lm.shape[0], self._beta, self._vcov.ravel(), va.ravel(), self._jac.ravel(), w.ravel(), joint,
        )

    def _l_matrix(self, L: Any) -> np.ndarray:
        names = list(self._ctx["design"].names)
        p = len(names)
        if isinstance(L, dict):
            L = pd.Series(L)
        if isinstance(L, pd.Series):
            unknown = [k for k in L.index if k not in names]
            if unknown:
                raise InvalidInputError(f"L: unknown coefficient(s) {unknown}; coefficients are {names}")
            L = L.reindex(names, fill_value=0.0).to_numpy()[None, :]
        elif isinstance(L, pd.DataFrame):
            unknown = [k for k in L.columns if k not in names]
            if unknown:
                raise InvalidInputError(f"L: unknown coefficient(s) {unknown}; coefficients are {names}")
            L = L.reindex(columns=names, fill_value=0.0).to_numpy()
        Lm = np.atleast_2d(np.asarray(L, dtype=float))
        if Lm.ndim != 2 or Lm.shape[1] != p:
            raise InvalidInputError(f"L: expected {p} columns (one per coefficient {names}), got shape {Lm.shape}")
        if not np.isfinite(Lm).all():
            raise InvalidInputError("L: non-finite weights")
        return np.ascontiguousarray(Lm)

    def _rows(self, Lm: np.ndarray):
        est = Lm @ self._beta
        var = np.einsum("ij,jk,ik->i", Lm, self._vcov, Lm)
        if self.ddf == "satterthwaite":
            r = _rs.satterthwaite_contrast(Lm.ravel(), Lm.shape[0], self._beta, self._vcov.ravel(), self._jac.ravel(), self._theta_cov.ravel(), False)
            df = np.asarray(r["df"], dtype=float)
        elif self._kr:
            r = self._kr_call(Lm, False)
            var, df = np.asarray(r["variance"], dtype=float), np.asarray(r["df"], dtype=float)
        else:
            df = np.full(len(est), float(self.nobs - len(self._beta)))
        return est, var, df

    def contrast(self, L: Any, joint: bool = False, conf_level: Optional[float] = None):
        """Linear contrasts Lβ: one t test per row (DataFrame ``estimate, se,
        df, t, p, ci_low, ci_high``) or, with ``joint=True``, the F test of all
        rows (Series ``F, num_df, den_df, p``). ``L``: array (rows × p), a dict
        or Series {coefficient: weight}, or a DataFrame with coefficient columns."""
        Lm = self._l_matrix(L)
        level = self._conf_level if conf_level is None else conf_level
        if joint:
            return self._ftest(Lm)
        est, var, df = self._rows(Lm)
        return t_table(est, var, df, level, L.index if isinstance(L, pd.DataFrame) else None)

    def _ftest(self, Lm: np.ndarray) -> pd.Series:
        if self.ddf == "satterthwaite":
            r = _rs.satterthwaite_contrast(Lm.ravel(), Lm.shape[0], self._beta, self._vcov.ravel(), self._jac.ravel(), self._theta_cov.ravel(), True)
            F, nd, dd = float(r["F"]), int(r["num_df"]), float(r["den_df"])
        elif self._kr:
            r = self._kr_call(Lm, True)
            F, nd, dd = float(r["F"]), int(r["num_df"]), float(r["den_df"])
        else:
            F, nd = wald_f(Lm, self._beta, self._vcov)
            dd = float(self.nobs - len(self._beta))
        return pd.Series({"F": F, "num_df": nd, "den_df": dd, "p": float(stats.f.sf(F, nd, dd))})

    def anova(self) -> pd.DataFrame:
        """F test of each term's coefficients (``F, num_df, den_df, p`` by term).
        For a term not contained in an interaction this is the Type III test
        of SAS / R mmrm; for a main effect inside an interaction it tests the
        treatment-coded coefficients (the effect at the interacting factors'
        reference levels)."""
        p = len(self._beta)
        rows = {}
        for term, cols in self._ctx["design"].terms.items():
            if term == "(Intercept)" or not cols:
                continue
            Lm = np.zeros((len(cols), p))
            Lm[np.arange(len(cols)), cols] = 1.0
            rows[term] = self._ftest(Lm)
        return pd.DataFrame(rows).T.astype({"num_df": int})

    def _grid(self, by, at, weights):
        c = self._ctx
        return reference_grid(c["design"], c["rhs"], c["data"], by, at=at, weights=weights)

    def lsmeans(self, by: str | Sequence[str] | None = None, at: Optional[Mapping[str, object]] = None, weights: str = "equal", conf_level: Optional[float] = None) -> pd.DataFrame:
        """Least-squares (estimated marginal) means by ``by`` (default the
        visit; e.g. ``['visit', 'arm']``), as R emmeans: the other factors
        averaged with ``weights`` ('equal' or 'proportional'), numeric
        covariates at their mean (or ``at``). Columns ``estimate, se, df,
        ci_low, ci_high`` (df by the model's ``ddf``)."""
        rg = self._grid(by if by is not None else self._ctx["visit"], at, weights)
        tab = self.contrast(rg.L, conf_level=conf_level)
        out = pd.concat([rg.grid.reset_index(drop=True), tab[["estimate", "se", "df", "ci_low", "ci_high"]].reset_index(drop=True)], axis=1)
        return out

    def lsmeans_diff(self, factor: str, by: Optional[str] = None, reference: object = None, at: Optional[Mapping[str, object]] = None, weights: str = "equal", conf_level: Optional[float] = None) -> pd.DataFrame:
        """Differences of the LS-means of ``factor`` (e.g. the arm) against its
        ``reference`` level (default the first), within each level of ``by``
        (default the visit): ``estimate, se, df, t, p, ci_low, ci_high``."""
        by = self._ctx["visit"] if by is None else by
        rg = self._grid([by, factor], at, weights)
        g = rg.grid
        levels = list(dict.fromkeys(g[factor]))
        ref = levels[0] if reference is None else reference
        if ref not in levels:
            raise InvalidInputError(f"reference: {ref!r} is not a level of {factor!r}; levels {levels}")
        keys, L = [], []
        for bv in dict.fromkeys(g[by]):
            base = np.flatnonzero(((g[by] == bv) & (g[factor] == ref)).to_numpy())[0]
            for lv in levels:
                if lv == ref:
                    continue
                i = np.flatnonzero(((g[by] == bv) & (g[factor] == lv)).to_numpy())[0]
                L.append(rg.L[i] - rg.L[base])
                keys.append((bv, f"{lv} - {ref}"))
        tab = self.contrast(np.asarray(L), conf_level=conf_level)
        tab.index = pd.MultiIndex.from_tuples(keys, names=[by, "contrast"])
        return tab

    # --------------------------------------------------------------- display
    def to_frame(self) -> pd.DataFrame:
        """The fixed-effects table."""
        return self.fixed.copy()

    def _header(self) -> list[str]:
        crit = "-2 REML logLik" if self.reml else "-2 logLik"
        return [
            f"MmrmResult: {self.formula}",
            f"  {self.structure} covariance, {'REML' if self.reml else 'ML'}; nobs = {self.nobs}, subjects = {self.n_subjects}, dropped rows = {self.n_dropped}",
            f"  {crit} = {_fmt(-2 * self.loglik)}, AIC = {_fmt(self.aic)}, BIC = {_fmt(self.bic)}",
            f"  converged = {self.converged}, ddf = {self.ddf!r}",
        ]

    def _cov_text(self) -> str:
        if isinstance(self.covariance, dict):
            return "\n".join(f"[{g}]\n{c.to_string()}" for g, c in self.covariance.items())
        return self.covariance.to_string()

    def __repr__(self) -> str:
        with pd.option_context("display.width", 120, "display.max_columns", 20):
            return "\n".join(self._header() + ["", "Covariance:", self._cov_text(), "", "Fixed effects:", self.fixed.to_string()])

    def _repr_html_(self) -> str:
        head = "<br>".join(html.escape(s) for s in self._header())
        fmt = lambda x: _fmt(x)  # noqa: E731
        covs = self.covariance if isinstance(self.covariance, dict) else {"": self.covariance}
        ch = "".join(f"<p>{html.escape(str(g))}</p>{c.to_html(float_format=fmt, border=0)}" for g, c in covs.items())
        return f"<div><strong>MmrmResult</strong><br>{head}<p>Covariance</p>{ch}<p>Fixed effects</p>{self.fixed.to_html(float_format=fmt, border=0)}</div>"
