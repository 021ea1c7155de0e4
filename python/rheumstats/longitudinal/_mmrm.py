"""rs.longitudinal.mmrm: mixed model for repeated measures (marginal GLS with a
structured visit covariance), as R ``mmrm`` and SAS PROC MIXED ``REPEATED``."""

from __future__ import annotations

import warnings
from typing import Optional, Sequence

import numpy as np
import pandas as pd

from .. import _rheumstats as _rs
from ..exceptions import ConvergenceWarning, InvalidInputError
from ._design import fixed_design
from ._mmrm_result import MmrmResult
from ._refgrid import factor_levels

__all__ = ["mmrm", "MmrmResult"]

COVARIANCES = ("us", "cs", "csh", "ar1", "ar1h", "toep", "toeph", "ad", "adh")
def _err(msg: str, arg: str, row: Optional[int] = None, value: Optional[float] = None, label: object = None) -> InvalidInputError:
    """InvalidInputError carrying .arg/.row/.col/.value/.label."""
    e = InvalidInputError(msg)
    e.arg, e.row, e.col, e.value, e.label = arg, row, None, value, label  # type: ignore[attr-defined]
    return e


DDFS = ("satterthwaite", "kenward-roger", "kenward-roger-linear", "residual")


def _column(data: pd.DataFrame, name: object, arg: str) -> str:
    if not isinstance(name, str) or name not in data.columns:
        raise _err(f"{arg}: unknown column {name!r}; data has {list(map(str, data.columns))}", arg=arg)
    return name


def mmrm(
    data: pd.DataFrame,
    outcome: str,
    visit: str,
    subject: str,
    covariates: Sequence[str] = (),
    *,
    formula: Optional[str] = None,
    covariance: str = "us",
    group: Optional[str] = None,
    reml: bool = True,
    ddf: str = "satterthwaite",
    conf_level: float = 0.95,
) -> MmrmResult:
    """Mixed model for repeated measures.

    ``y_i ~ N(X_i β, Σ_i)`` per subject, Σ_i the rows and columns of the visit
    covariance Σ for the visits the subject has (missing at random: rows with a
    missing outcome or covariate are dropped). β is profiled out by GLS; the
    covariance parameters are estimated by REML (default) or ML.

    Parameters
    ----------
    data : long-format DataFrame, one row per subject and visit (not modified).
    outcome, visit, subject : column names. ``visit`` is categorical: its
        Categorical order or its sorted values; the first level is the reference.
    covariates : further fixed effects (numeric, or categorical with treatment
        coding), added to ``visit``; ignored when ``formula`` is given.
    formula : fixed part through formulaic (``'visit * arm + baseline'``,
        with the column names), overriding ``visit + covariates``. ``visit``
        is treated as a factor in it.
    covariance : ``'us'`` (unstructured), ``'cs'``, ``'csh'``, ``'ar1'``,
        ``'ar1h'``, ``'toep'``, ``'toeph'``, ``'ad'``, ``'adh'`` (``h``: one SD
        per visit), as in R mmrm / SAS ``TYPE=UN, CS, CSH, AR(1), ARH(1),
        TOEP, TOEPH, ANTE(1)``.
    group : column: one covariance per level (``us(visit | arm / subject)``);
        constant within a subject.
    reml : REML (True) or ML.
    ddf : ``'satterthwaite'`` (SAS ``DDFM=SAT``), ``'kenward-roger'`` (SAS
        ``DDFM=KR``), ``'kenward-roger-linear'`` (SAS ``DDFM=KR(LINEAR)``, R
        mmrm ``"Kenward-Roger-Linear"``) or ``'residual'`` (N − p).
        Kenward–Roger (REML only) replaces cov(β̂) by the adjusted Φ_A of
        Kenward & Roger (1997) in every SE, t and F (``.fixed``, ``.contrast``,
        ``.anova``, ``.lsmeans``, ``.vcov``) and uses the KR denominator df
        and F scaling; cov(θ̂) is the inverse *observed* REML information, as
        SAS and R mmrm (pbkrtest/lmerTest take the expected information: the
        SEs agree to ~1e-4, the df differ by up to a few %). ``'kenward-roger'`` takes the
        second-derivative term in SAS's parameterisation (variances,
        covariances, correlations; it vanishes for us/cs/toep), so it matches
        SAS; R mmrm's non-linear KR uses its own unconstrained
        parameterisation (slightly different SEs). The linear variant and the
        df do not depend on the parameterisation.
    conf_level : level of the confidence intervals.
    """
    return _mmrm(
        data, outcome, visit, subject, covariates=covariates, formula=formula, covariance=covariance,
        group=group, reml=reml, ddf=ddf, conf_level=conf_level, kr_information="observed",
    )


def _mmrm(
    data, outcome, visit, subject, *, covariates, formula, covariance, group, reml, ddf, conf_level,
    kr_information: str = "observed",
) -> MmrmResult:
    """mmrm() with the choice of the information for the Kenward–Roger W
    (``'observed'``, SAS/R mmrm; ``'expected'``, pbkrtest — for tests)."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data: expected a pandas DataFrame, got {type(data).__name__}")
    if covariance not in COVARIANCES:
        raise _err(f"covariance: unknown structure {covariance!r}; allowed: {', '.join(COVARIANCES)}", arg="covariance")
    if ddf not in DDFS:
        raise _err(f"ddf: expected one of {DDFS}, got {ddf!r}", arg="ddf")
    is_kr = ddf in ("kenward-roger", "kenward-roger-linear")
    if is_kr and not reml:
        raise _err(f"ddf: {ddf!r} needs a REML fit (reml=True); with ML use 'satterthwaite' or 'residual'", arg="ddf")
    if kr_information not in ("observed", "expected"):
        raise _err(f"kr_information: expected 'observed' or 'expected', got {kr_information!r}", arg="kr_information")
    if not (isinstance(conf_level, (int, float)) and 0 < conf_level < 1):
        raise _err(f"conf_level: must be in (0, 1), got {conf_level!r}", arg="conf_level")
    outcome = _column(data, outcome, "outcome")
    visit = _column(data, visit, "visit")
    subject = _column(data, subject, "subject")
    if group is not None:
        group = _column(data, group, "group")
    if isinstance(covariates, str):
        covariates = [covariates]
    for c in covariates:
        _column(data, c, "covariates")

    if formula is not None:
        rhs = formula.split("~", 1)[1] if "~" in formula else formula
    else:
        rhs = " + ".join([f"`{visit}`" if not visit.isidentifier() else visit] + [c if c.isidentifier() else f"`{c}`" for c in covariates])
    # visit as a factor (a copy; the caller's frame is not touched)
    work = data.copy(deep=False)
    vcol = data[visit]
    vlevels = factor_levels(vcol) if isinstance(vcol.dtype, pd.CategoricalDtype) else factor_levels(vcol.dropna())
    if isinstance(vcol.dtype, pd.CategoricalDtype):
        vlevels = list(vcol.cat.categories)
    work[visit] = pd.Categorical(vcol, categories=vlevels)
    extra = [outcome, subject, visit] + ([group] if group else [])
    design = fixed_design(rhs, work, extra_columns=extra)
    mask = design.used_rows
    used = work.loc[mask]
    y = used[outcome]
    if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
        raise TypeError(f"outcome: column {outcome!r} must be numeric, got {y.dtype}")
    y = np.ascontiguousarray(y.to_numpy(dtype=np.float64))
    if not np.isfinite(y).all():
        bad = np.flatnonzero(~np.isfinite(y))[0]
        raise _err(f"outcome: non-finite value at row {used.index[bad]!r}", arg="outcome", row=int(bad), value=float(y[bad]))
    vc = used[visit].cat.codes.to_numpy()
    counts = np.bincount(vc, minlength=len(vlevels))
    empty = [lv for lv, c in zip(vlevels, counts) if c == 0]
    if empty:
        raise _err(f"visit: level(s) {empty} have no observations (after dropping rows with missing values)", arg="visit")
    if len(vlevels) < 2:
        raise _err(f"visit: needs at least 2 visit levels, got {vlevels}", arg="visit")
    dup = used.duplicated([subject, visit], keep=False).to_numpy()
    if dup.any():
        i = np.flatnonzero(dup)
        s0, v0 = used[subject].iloc[i[0]], used[visit].iloc[i[0]]
        rows = [lab for lab, s, v in zip(used.index[i], used[subject].iloc[i], used[visit].iloc[i]) if s == s0 and v == v0]
        raise _err(
            f"data: subject {s0!r} has {len(rows)} rows at visit {v0!r} (rows {rows}); one row per subject and visit",
            arg="visit", row=int(i[0]),
        )
    scodes, slevels = pd.factorize(used[subject], sort=False)
    ns = len(slevels)
    X = design.X
    p = X.shape[1]
    spread = np.ptp(X, axis=0)
    for j, name in enumerate(design.names):
        if name != "(Intercept)" and spread[j] == 0:
            raise _err(f"covariates: column {name!r} of the fixed design is constant in the data used", arg="covariates")
    G = X.T @ X
    dg = np.sqrt(np.diag(G))
    if np.any(dg == 0) or np.linalg.matrix_rank(G / np.outer(dg, dg), tol=1e-10) < p:
        raise _err(
            f"covariates: the fixed design is rank deficient (collinear columns among {design.names})", arg="covariates"
        )
    if group is not None:
        glev = factor_levels(used[group])
        gcode_rows = pd.Categorical(used[group], categories=glev).codes
        gsub = np.full(ns, -1, dtype=np.int64)
        gsub[scodes] = gcode_rows
        bad = gcode_rows != gsub[scodes]
        if bad.any():
            r = np.flatnonzero(bad)[0]
            raise _err(f"group: subject {slevels[scodes[r]]!r} has more than one {group!r} level", arg="group", row=int(r))
        ng = len(glev)
    else:
        glev, gsub, ng = [None], np.zeros(ns, dtype=np.int64), 1
    out = _rs.mmrm_fit(
        np.ascontiguousarray(X.ravel()), y, p, scodes.astype(np.int64), vc.astype(np.int64),
        gsub, len(vlevels), ng, covariance=covariance, reml=bool(reml),
        kr=ddf if is_kr else None, kr_expected=kr_information == "expected",
    )
    if not out["converged"]:
        warnings.warn(f"mmrm did not converge: {out['message']}", ConvergenceWarning, stacklevel=2)
    return MmrmResult._build(
        out=out, design=design, rhs=rhs, data=work, visit=visit, subject=subject, outcome=outcome,
        visit_levels=vlevels, group=group, group_levels=glev, covariance=covariance, reml=bool(reml),
        ddf=ddf, conf_level=float(conf_level), n_dropped=int((~mask).sum()),
    )
