"""LmmResult: the fitted linear mixed model and its inference methods."""

from __future__ import annotations

import dataclasses
import html
from typing import Any, Optional

import numpy as np
import pandas as pd
from scipy import special, stats

from .. import _rheumstats as _rs
from .._result import Result, _fmt
from ..exceptions import InvalidInputError

__all__ = ["LmmResult"]


def _tdist_p(t: np.ndarray, df: np.ndarray) -> np.ndarray:
    # scipy.stats' t.sf / norm.sf are these special functions, without the dispatch
    df = np.asarray(df, dtype=float)
    a = -np.abs(t)
    inf = np.isinf(df)
    return 2 * np.where(inf, special.ndtr(a), special.stdtr(np.where(inf, 1.0, df), a))


def _tq(level: float, df: np.ndarray) -> np.ndarray:
    df = np.asarray(df, dtype=float)
    a = 0.5 + level / 2
    inf = np.isinf(df)
    return np.where(inf, special.ndtri(a), special.stdtrit(np.where(inf, 1.0, df), a))


def t_table(est: np.ndarray, var: np.ndarray, df: np.ndarray, level: float, index: Any = None) -> pd.DataFrame:
    """The contrast table of the mixed models (LMM and MMRM): one t test per row."""
    se = np.sqrt(var)
    t = est / se
    qt = _tq(level, df)
    return pd.DataFrame(
        {"estimate": est, "se": se, "df": df, "t": t, "p": _tdist_p(t, df), "ci_low": est - qt * se, "ci_high": est + qt * se},
        index=index,
    )


def wald_f(Lm: np.ndarray, beta: np.ndarray, vcov: np.ndarray) -> tuple:
    """Wald F of Lβ = 0 over the numerically non-null directions of L V Lᵀ: (F, num_df)."""
    V = Lm @ vcov @ Lm.T
    w, P = np.linalg.eigh(V)
    keep = w > np.sqrt(np.finfo(float).eps) * max(w.max(), 0)
    z = (P[:, keep].T @ Lm) @ beta
    nd = int(keep.sum())
    return float(np.sum(z**2 / w[keep]) / nd), nd


@dataclasses.dataclass(frozen=True, repr=False)
class LmmResult(Result):
    """A fitted linear mixed model (see :func:`rheumstats.longitudinal.lmm`)."""

    fixed: pd.DataFrame
    random: pd.DataFrame
    sigma: float
    loglik: float
    aic: float
    bic: float
    deviance: float
    nobs: int
    ngroups: int
    n_dropped: int
    converged: bool
    singular: bool
    theta: np.ndarray
    reml: bool
    ddf: str
    formula: str
    _beta: np.ndarray = dataclasses.field(default=None)  # type: ignore[arg-type]
    _vcov: np.ndarray = dataclasses.field(default=None)  # type: ignore[arg-type]
    _jac: np.ndarray = dataclasses.field(default=None)  # type: ignore[arg-type]
    _varpar_cov: np.ndarray = dataclasses.field(default=None)  # type: ignore[arg-type]
    _conf_level: float = 0.95
    _ctx: Any = None

    # ------------------------------------------------------------------ build
    @classmethod
    def _build(cls, *, out, formula, parsed, design, znames, zspecs, sizes, levels, group, n, n_dropped, reml, ddf, conf_level, index, fitted_fixed, Z, codes, fixed_data, extras=()):
        p = len(design.names)
        beta = np.asarray(out["beta"])
        vcov = np.asarray(out["vcov"]).reshape(p, p)
        theta = np.asarray(out["theta"])
        sigma = float(out["sigma"])
        k = theta.size + 1
        jac = np.asarray(out["jac"]).reshape(-1, p, p) if ddf == "satterthwaite" else np.zeros((0, p, p))
        A = np.asarray(out["varpar_cov"]).reshape(k, k) if ddf == "satterthwaite" else np.zeros((0, 0))
        se = np.sqrt(np.diag(vcov))
        kr = None
        if ddf == "kenward-roger":
            from ._lmm_kr import kenward_roger, kr_ddf

            covs = _term_covs(theta, sigma, sizes)
            phiA, P, W = kenward_roger(design.X, Z, codes, len(levels), sizes, covs, sigma**2, vcov)
            kr = (phiA, P, W)
            se = np.sqrt(np.diag(phiA))
            df = np.array([kr_ddf(phiA, P, W, np.eye(p)[j], vcov) for j in range(p)])
        elif ddf == "satterthwaite":
            df = np.asarray(out["df"], dtype=float)
        elif ddf == "residual":
            df = np.full(p, float(n - p))
        else:
            df = np.full(p, np.inf)
        t = beta / se
        qt = _tq(conf_level, df)
        fixed = pd.DataFrame(
            {"estimate": beta, "se": se, "df": df, "t": t, "p": _tdist_p(t, df), "ci_low": beta - qt * se, "ci_high": beta + qt * se},
            index=pd.Index(design.names, name="term"),
        )
        random = _random_table(theta, sigma, sizes, znames, group, [e["group"] for e in extras])
        dev = float(out["deviance"])
        npar = p + theta.size + 1
        loglik = -dev / 2
        q = Z.shape[1]
        m = len(levels)
        ranef_all = np.asarray(out["ranef"])
        ranef = ranef_all[: m * q].reshape(m, q)
        extra_modes = []
        pos = m * q
        for e in extras:
            k = len(e["levels"])
            extra_modes.append((e["group"], e["levels"], ranef_all[pos : pos + k]))
            pos += k
        condvar = np.asarray(out["condvar"]).reshape(m, q, q)
        ctx = dict(
            parsed=parsed, design=design, znames=znames, zspecs=zspecs, sizes=sizes, levels=levels, group=group,
            ranef=ranef, condvar=condvar, index=index, fitted=fitted_fixed + np.einsum("ij,ij->i", Z, ranef[codes]),
            n=n, p=p, iterations=int(out["iterations"]), evaluations=int(out["evaluations"]), fixed_data=fixed_data, kr=kr, extra_modes=extra_modes,
        )
        return cls(
            fixed=fixed, random=random, sigma=sigma, loglik=loglik, aic=-2 * loglik + 2 * npar,
            bic=-2 * loglik + np.log(n) * npar, deviance=dev, nobs=n, ngroups=m, n_dropped=n_dropped,
            converged=bool(out["converged"]), singular=bool(out["singular"]), theta=theta, reml=reml, ddf=ddf,
            formula=formula, _beta=beta, _vcov=vcov, _jac=jac, _varpar_cov=A, _conf_level=conf_level, _ctx=ctx,
        )

    # ------------------------------------------------------------ accessors
    def _fixed_data(self) -> pd.DataFrame:
        d = self._ctx["fixed_data"]
        return d() if callable(d) else d

    def _need_rows(self, what: str) -> None:
        if not self._ctx.get("rows", True):
            raise NotImplementedError(
                f"{what} needs the rows, which a fit on Dask data (rs.dask.lmm) does not collect; "
                "use predict(frame) on pandas frames (e.g. ddf.map_partitions(result.predict)) or fit in memory"
            )

    @property
    def ngroups_by(self) -> dict:
        """Number of levels of every grouping factor."""
        out = {self._ctx["group"]: self.ngroups}
        out.update({g: len(lev) for g, lev, _b in self._ctx.get("extra_modes", [])})
        return out

    def vcov(self) -> pd.DataFrame:
        """cov(β̂) with R's column names."""
        names = self.fixed.index
        return pd.DataFrame(self._vcov, index=names, columns=names)

    def ranef(self) -> pd.DataFrame:
        """Conditional modes of the random effects with their conditional SDs
        (lme4's ``as.data.frame(ranef(m, condVar = TRUE))``): columns
        ``group, term, level, condval, condsd``."""
        c = self._ctx
        names = [nm for block in c["znames"] for nm in block]
        rows = []
        sd = np.sqrt(np.einsum("ijj->ij", c["condvar"]))
        for j, nm in enumerate(names):
            rows.append(pd.DataFrame({"group": c["group"], "term": nm, "level": c["levels"], "condval": c["ranef"][:, j], "condsd": sd[:, j]}))
        for g, lev, b in c.get("extra_modes", []):
            rows.append(pd.DataFrame({"group": g, "term": "(Intercept)", "level": lev, "condval": b, "condsd": np.nan}))
        return pd.concat(rows, ignore_index=True)

    def fitted(self) -> pd.Series:
        """Fitted values (fixed + random) on the rows used, indexed as ``data``."""
        self._need_rows("fitted()")
        return pd.Series(self._ctx["fitted"], index=self._ctx["index"], name="fitted")

    def predict(self, data: Optional[pd.DataFrame] = None, include_random: bool = True) -> pd.Series:
        """Predictions for ``data`` (default: the rows used). With
        ``include_random``, subjects seen in the fit get their conditional
        modes; new subjects get the population prediction. Rows with a missing
        value in a used column get NaN."""
        c = self._ctx
        if data is None:
            self._need_rows("predict() without data")
            if include_random:
                return self.fitted()
            return pd.Series(c["design"].X @ self._beta, index=c["index"], name="predicted")
        if not isinstance(data, pd.DataFrame):
            raise TypeError(f"data: expected a pandas DataFrame, got {type(data).__name__}")
        out = np.full(len(data), np.nan)
        spec = c["design"].spec
        needed = [v for v in spec.required_variables if v in data.columns or True]
        missing = [v for v in needed if v not in data.columns and v not in ("np", "C", "I")]
        if missing:
            raise InvalidInputError(f"data: missing column(s) {missing} needed by the fixed effects")
        ok = data[[v for v in needed if v in data.columns]].notna().all(axis=1).to_numpy()
        sub = data.loc[ok]
        if len(sub):
            Xn = np.asarray(spec.get_model_matrix(sub, na_action="ignore"), dtype=float)
            pred = Xn @ self._beta
            if include_random and c["group"] in data.columns:
                Zs = [np.asarray(s.get_model_matrix(sub, na_action="ignore"), dtype=float) for s in c["zspecs"]]
                Zn = np.hstack(Zs)
                pos = pd.Index(c["levels"]).get_indexer(sub[c["group"]])
                known = pos >= 0
                b = np.zeros((len(sub), Zn.shape[1]))
                b[known] = c["ranef"][pos[known]]
                contrib = np.einsum("ij,ij->i", np.nan_to_num(Zn), b)
                pred = pred + contrib
            if include_random:
                from ._lmm import _codes

                for g, lev, b2 in c.get("extra_modes", []):
                    if all(col in sub.columns for col in g.split(":")):
                        key = sub[g] if ":" not in g else sub[g.split(":")].astype(str).agg(":".join, axis=1)
                        at = pd.Index(lev).get_indexer(key)
                        pred = pred + np.where(at >= 0, b2[np.maximum(at, 0)], 0.0)
            out[ok] = pred
        return pd.Series(out, index=data.index, name="predicted")

    # ------------------------------------------------------------- inference
    def _l_matrix(self, L: Any) -> np.ndarray:
        names = list(self.fixed.index)
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
        if Lm.shape[1] != p:
            raise InvalidInputError(f"L: expected {p} columns (one per coefficient {names}), got {Lm.shape[1]}")
        if not np.isfinite(Lm).all():
            raise InvalidInputError("L: non-finite weights")
        return np.ascontiguousarray(Lm)

    def _contrast_rows(self, Lm: np.ndarray):
        est = Lm @ self._beta
        var = np.einsum("ij,jk,ik->i", Lm, self._vcov, Lm)
        if self.ddf == "kenward-roger":
            from ._lmm_kr import kr_ddf

            phiA, P, W = self._ctx["kr"]
            var = np.einsum("ij,jk,ik->i", Lm, phiA, Lm)
            df = np.array([kr_ddf(phiA, P, W, row, self._vcov) for row in Lm])
        elif self.ddf == "satterthwaite":
            r = _rs.satterthwaite_contrast(Lm.ravel(), Lm.shape[0], self._beta, self._vcov.ravel(), self._jac.ravel(), self._varpar_cov.ravel(), False)
            df = np.asarray(r["df"])
        elif self.ddf == "residual":
            df = np.full(len(est), float(self.nobs - len(self._beta)))
        else:
            df = np.full(len(est), np.inf)
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
        est, var, df = self._contrast_rows(Lm)
        return t_table(est, var, df, level, L.index if isinstance(L, pd.DataFrame) else None)

    def _ftest(self, Lm: np.ndarray) -> pd.Series:
        if self.ddf == "kenward-roger":
            raise NotImplementedError("F tests with ddf='kenward-roger' are not implemented yet; use ddf='satterthwaite'")
        if self.ddf == "satterthwaite":
            r = _rs.satterthwaite_contrast(Lm.ravel(), Lm.shape[0], self._beta, self._vcov.ravel(), self._jac.ravel(), self._varpar_cov.ravel(), True)
            F, nd, dd = float(r["F"]), int(r["num_df"]), float(r["den_df"])
        else:
            F, nd = wald_f(Lm, self._beta, self._vcov)
            dd = float(self.nobs - len(self._beta)) if self.ddf == "residual" else np.inf
        pval = float(stats.f.sf(F, nd, dd)) if np.isfinite(dd) else float(stats.chi2.sf(F * nd, nd))
        return pd.Series({"F": F, "num_df": nd, "den_df": dd, "p": pval})

    def anova(self) -> pd.DataFrame:
        """Type III F tests of every fixed-effects term (lmerTest's
        ``anova(m, type = 3)``: marginal hypotheses averaging over the other
        factors' levels), with the fit's ``ddf``: columns ``F, num_df, den_df, p``."""
        from ._lmm_anova import type3_contrasts

        self._need_rows("anova()")
        c = self._ctx
        Ls = type3_contrasts(c["parsed"].fixed, self._fixed_data(), c["design"])
        rows = {lab: self._ftest(np.ascontiguousarray(L)) for lab, L in Ls.items() if len(L)}
        return pd.DataFrame(rows).T.astype({"F": float, "num_df": int, "den_df": float, "p": float})

    def emmeans(self, by, at=None, weights: str = "equal", conf_level: Optional[float] = None) -> pd.DataFrame:
        """Estimated marginal means of the ``by`` factor(s) as R emmeans on the
        lmer fit: the other factors averaged with ``weights`` ('equal' or
        'proportional'), numeric covariates at their mean (or ``at``).
        Columns: the ``by`` levels, ``estimate, se, df, ci_low, ci_high``; df
        by the fit's ``ddf`` (emmeans' ``lmer.df = "satterthwaite"``)."""
        from ._refgrid import reference_grid

        self._need_rows("emmeans()")
        c = self._ctx
        data = self._fixed_data()
        design = dataclasses.replace(c["design"], used_rows=np.ones(len(data), bool))
        rg = reference_grid(design, c["parsed"].fixed, data, by, at=at, weights=weights)
        est, var, df = self._contrast_rows(np.ascontiguousarray(rg.L))
        se = np.sqrt(var)
        qt = _tq(self._conf_level if conf_level is None else conf_level, df)
        out = rg.grid.copy()
        out["estimate"], out["se"], out["df"] = est, se, df
        out["ci_low"], out["ci_high"] = est - qt * se, est + qt * se
        return out

    # --------------------------------------------------------------- display
    def to_frame(self) -> pd.DataFrame:
        """The fixed-effects table."""
        return self.fixed.copy()

    def _header(self) -> list[str]:
        crit = "REML criterion" if self.reml else "deviance (-2 logLik)"
        return [
            f"LmmResult: {self.formula}",
            f"  fit by {'REML' if self.reml else 'ML'}; nobs = {self.nobs}, groups = {self.ngroups} ({self._ctx['group']}), dropped rows = {self.n_dropped}",
            f"  {crit} = {_fmt(self.deviance)}, logLik = {_fmt(self.loglik)}, AIC = {_fmt(self.aic)}, BIC = {_fmt(self.bic)}",
            f"  converged = {self.converged}, singular = {self.singular}, ddf = {self.ddf!r}",
        ]

    def __repr__(self) -> str:
        with pd.option_context("display.width", 120, "display.max_columns", 20):
            return "\n".join(self._header() + ["", "Random effects:", self.random.to_string(), "", "Fixed effects:", self.fixed.to_string()])

    def _repr_html_(self) -> str:
        head = "<br>".join(html.escape(s) for s in self._header())
        fmt = lambda x: _fmt(x)  # noqa: E731
        return (
            f"<div><strong>LmmResult</strong><br>{head}<p>Random effects</p>{self.random.to_html(float_format=fmt, border=0)}"
            f"<p>Fixed effects</p>{self.fixed.to_html(float_format=fmt, border=0)}</div>"
        )


def _term_covs(theta, sigma, sizes) -> list:
    covs, k = [], 0
    for s in sizes:
        Lb = np.zeros((s, s))
        for c in range(s):
            for r in range(c, s):
                Lb[r, c] = theta[k]
                k += 1
        covs.append(sigma**2 * Lb @ Lb.T)
    return covs


def _random_table(theta, sigma, sizes, znames, group, extra_groups=()) -> pd.DataFrame:
    cols: dict[str, list] = {"group": [], "term": [], "variance": [], "sd": [], "corr": []}

    def row(g, term, var, sd, corr):
        for key, v in zip(cols, (g, term, var, sd, corr)):
            cols[key].append(v)

    k = 0
    for s, names in zip(sizes, znames):
        Lb = np.zeros((s, s))
        for c in range(s):
            for r in range(c, s):
                Lb[r, c] = theta[k]
                k += 1
        S = sigma**2 * Lb @ Lb.T
        sd = np.sqrt(np.diag(S))
        for i in range(s):
            row(group, names[i], S[i, i], sd[i], np.nan)
        for i in range(s):
            for j in range(i + 1, s):
                rho = S[i, j] / (sd[i] * sd[j]) if sd[i] > 0 and sd[j] > 0 else np.nan
                row(group, f"{names[i]}:{names[j]}", S[i, j], np.nan, rho)
    for g in extra_groups:
        v = (sigma * theta[k]) ** 2
        row(g, "(Intercept)", v, np.sqrt(v), np.nan)
        k += 1
    row("Residual", "", sigma**2, sigma, np.nan)
    return pd.DataFrame({k: np.array(v, dtype=float) if k in ("variance", "sd", "corr") else v for k, v in cols.items()})
