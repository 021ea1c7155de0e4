"""rs.longitudinal.lmm: linear mixed models as lme4 fits them, with lmerTest's
Satterthwaite degrees of freedom.

The fixed part of the formula goes through formulaic (R's treatment coding and
column names, see ``_design.py``); the ``( … | … )`` terms are parsed here.
The core (Rust) minimises the profiled REML/ML deviance over the relative
covariance factor θ from per-subject crossproducts.
"""

from __future__ import annotations

import warnings
from typing import Optional

import numpy as np
import pandas as pd

from .. import _rheumstats as _rs
from ..exceptions import ConvergenceWarning, InvalidInputError
from ._design import fixed_design, r_column_name, required_variables
from ._lmm_formula import parse_lmm_formula
from ._lmm_result import LmmResult

__all__ = ["lmm", "LmmResult"]

_DDF = {"satterthwaite", "kenward-roger", "residual", "none"}


def _random_design(expr: str, sub: pd.DataFrame):
    from formulaic import model_matrix

    try:
        mm = model_matrix(expr, sub, na_action="ignore")
    except Exception as e:
        raise InvalidInputError(f"formula: cannot build the random-effects design {expr!r}: {e}") from None
    return np.asarray(mm, dtype=np.float64), [r_column_name(str(c)) for c in mm.columns], mm.model_spec


def lmm(
    formula: str,
    data: pd.DataFrame,
    reml: bool = True,
    ddf: str = "satterthwaite",
    conf_level: float = 0.95,
    max_iter: int = 200,
) -> LmmResult:
    """Linear mixed model in lme4 syntax, e.g. ``'mrss ~ years * arm + (1 + years | patient)'``.

    One grouping factor, with one or several random-effects terms
    (``(1 + t | id)`` correlated, ``(1 | id) + (0 + t | id)`` uncorrelated).
    ``ddf``: ``'satterthwaite'`` (lmerTest), ``'residual'`` (n − p), ``'none'``
    (normal reference). Rows with a missing value in a used column are dropped
    and counted (``n_dropped``); ``data`` is not modified.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data: expected a pandas DataFrame, got {type(data).__name__}")
    if ddf not in _DDF:
        raise InvalidInputError(f"ddf: {ddf!r} is not one of {sorted(_DDF)}")
    if ddf == "kenward-roger" and not reml:
        raise InvalidInputError("ddf: Kenward-Roger's method is only available for REML fits (reml=True), as in lmerTest")
    if not (isinstance(conf_level, (float, int)) and 0 < conf_level < 1):
        raise InvalidInputError(f"conf_level: {conf_level!r} is not in (0, 1)")
    if not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise InvalidInputError(f"max_iter: {max_iter!r} must be a positive integer")
    f = parse_lmm_formula(formula)
    groups = list(dict.fromkeys(t.group for t in f.random))
    if len(groups) > 1 or any(("/" in g or ":" in g) for g in groups):
        raise NotImplementedError(
            f"lmm: several grouping factors ({', '.join(groups)}) are not implemented yet; one grouping factor only"
        )
    group = groups[0]
    for col in [f.response, group]:
        if col not in data.columns:
            raise InvalidInputError(f"formula: unknown column {col!r}; data has {list(map(str, data.columns))}")
    rvars: list[str] = []
    for t in f.random:
        rvars += required_variables(t.expr, data)
    y_raw = data[f.response]
    if not (pd.api.types.is_numeric_dtype(y_raw) and not pd.api.types.is_bool_dtype(y_raw)):
        raise TypeError(f"response {f.response!r}: expected a numeric column, got dtype {y_raw.dtype}")
    design = fixed_design(f.fixed, data, extra_columns=[f.response, group, *rvars])
    mask = design.used_rows
    sub = data.loc[mask]
    n = int(mask.sum())
    X = design.X
    n_, p = X.shape
    zs, znames, zspecs, sizes = [], [], [], []
    for t in f.random:
        Zt, names, spec = _random_design(t.expr, sub)
        if not np.isfinite(Zt).all():
            raise InvalidInputError(f"formula: the random-effects design {t.text} has non-finite values")
        zs.append(Zt)
        znames.append(names)
        zspecs.append(spec)
        sizes.append(Zt.shape[1])
    Z = np.ascontiguousarray(np.hstack(zs))
    q = Z.shape[1]
    gcol = sub[group]
    if isinstance(gcol.dtype, pd.CategoricalDtype):
        gcol = gcol.cat.remove_unused_categories()
        codes = gcol.cat.codes.to_numpy().astype(np.int64)
        levels = pd.Index(gcol.cat.categories)
    else:
        codes_, levels = pd.factorize(gcol, sort=True)
        codes = codes_.astype(np.int64)
    m = len(levels)
    if m < 2:
        raise InvalidInputError(f"grouping factor {group!r}: must have > 1 sampled level, has {m}")
    if p >= n:
        raise InvalidInputError(f"formula: {p} fixed effects for {n} complete rows; need fewer fixed effects than rows")
    y = np.ascontiguousarray(sub[f.response].to_numpy(dtype=np.float64))
    satt = ddf == "satterthwaite"
    out = _rs.lmm_fit(
        np.ascontiguousarray(X).ravel(), Z.ravel(), y, codes, p, q, m, sizes, bool(reml), int(max_iter), satt
    )
    if not out["converged"]:
        warnings.warn(
            f"lmm: the optimiser stopped after {out['iterations']} iterations without meeting its convergence criterion",
            ConvergenceWarning,
            stacklevel=2,
        )
    if out["singular"]:
        warnings.warn("lmm: boundary (singular) fit: a random-effects variance is estimated as 0", UserWarning, stacklevel=2)
    if out["hessian_negative"]:
        warnings.warn("lmm: the Hessian of the deviance has a negative eigenvalue; Satterthwaite df may be unreliable", UserWarning, stacklevel=2)
    fitted_fixed = X @ out["beta"]
    return LmmResult._build(
        out=out,
        formula=formula,
        parsed=f,
        design=design,
        znames=znames,
        zspecs=zspecs,
        sizes=sizes,
        levels=levels,
        group=group,
        n=n,
        n_dropped=int(len(data) - n),
        reml=bool(reml),
        ddf=ddf,
        conf_level=float(conf_level),
        index=sub.index,
        fitted_fixed=fitted_fixed,
        Z=Z,
        codes=codes,
        fixed_data=sub[required_variables(f.fixed, data)].copy(),
    )
