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
from ._fastdesign import fast_design, parsed_formula
from ._lmm_formula import parse_lmm_formula
from ._lmm_result import LmmResult

__all__ = ["lmm", "LmmResult"]

_DDF = {"satterthwaite", "kenward-roger", "residual", "none"}


def _random_design(expr: str, data: pd.DataFrame, mask: np.ndarray, n: int, rows: "_Rows"):
    fast = fast_design(expr, data, None if n == len(data) else mask, n)
    if fast is not None:
        Z, fnames, _terms, spec = fast
        return Z, [r_column_name(c) for c in fnames], spec
    from formulaic import model_matrix

    try:
        mm = model_matrix(parsed_formula(expr), rows.frame(), na_action="ignore")
    except Exception as e:
        raise InvalidInputError(f"formula: cannot build the random-effects design {expr!r}: {e}") from None
    return np.asarray(mm, dtype=np.float64), [r_column_name(str(c)) for c in mm.columns], mm.model_spec


class _Rows:
    """The used rows of ``data``, taken only when a slow path needs them."""

    def __init__(self, data: pd.DataFrame, mask: np.ndarray, n: int) -> None:
        self.data, self.mask, self.all = data, mask, n == len(data)
        self._frame: Optional[pd.DataFrame] = None

    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            self._frame = self.data.loc[self.mask]
        return self._frame

    def column(self, c: str) -> pd.Series:
        col = self.data[c]
        return col if self.all else col[self.mask]

    def index(self) -> pd.Index:
        return self.data.index if self.all else self.data.index[self.mask]


def lmm(
    formula: str,
    data: pd.DataFrame,
    *,
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
    terms = _expand_nested(f.random)
    gcols = list(dict.fromkeys(c for t in terms for c in t[1].split(":")))
    for col in [f.response, *gcols]:
        if col not in data.columns:
            raise InvalidInputError(f"formula: unknown column {col!r}; data has {list(map(str, data.columns))}")
    rvars: list[str] = []
    for expr, _g in terms:
        rvars += required_variables(expr, data)
    y_raw = data[f.response]
    if not (pd.api.types.is_numeric_dtype(y_raw) and not pd.api.types.is_bool_dtype(y_raw)):
        raise TypeError(f"response {f.response!r}: expected a numeric column, got dtype {y_raw.dtype}")
    design = fixed_design(f.fixed, data, extra_columns=[f.response, *gcols, *rvars])
    mask = design.used_rows
    n = int(mask.sum())
    rows = _Rows(data, mask, n)
    X = design.X
    n_, p = X.shape
    # grouping factors: the one with most levels is block-diagonal ("subjects");
    # others may carry scalar intercept terms only (dense Schur complement)
    factors: dict[str, tuple[np.ndarray, pd.Index]] = {}
    for _e, g in terms:
        if g not in factors:
            factors[g] = _codes(rows, g)
    for g, (_c, lev) in factors.items():
        if len(lev) < 2:
            raise InvalidInputError(f"grouping factor {g!r}: must have > 1 sampled level, has {len(lev)}")
    primary = max(factors, key=lambda g: len(factors[g][1]))
    codes, levels = factors[primary]
    group = primary
    m = len(levels)
    zs, znames, zspecs, sizes = [], [], [], []
    extras = []
    for expr, g in terms:
        Zt, names, spec = _random_design(expr, data, mask, n, rows)
        if not np.isfinite(Zt).all():
            raise InvalidInputError(f"formula: the random-effects design ({expr} | {g}) has non-finite values")
        if g == primary:
            zs.append(Zt)
            znames.append(names)
            zspecs.append(spec)
            sizes.append(Zt.shape[1])
        else:
            if names != ["(Intercept)"]:
                raise NotImplementedError(
                    f"lmm: with several grouping factors only the one with most levels ({primary!r}) may have "
                    f"random slopes; ({expr} | {g}) is not implemented yet"
                )
            extras.append({"group": g, "codes": factors[g][0], "levels": factors[g][1]})
    if not zs:
        raise NotImplementedError(f"lmm: the grouping factor with most levels ({primary!r}) must have a random-effects term")
    extras.sort(key=lambda e: -len(e["levels"]))  # lme4 orders terms by decreasing number of levels
    Z = np.ascontiguousarray(np.hstack(zs))
    q = Z.shape[1]
    if extras and ddf == "kenward-roger":
        raise NotImplementedError("ddf='kenward-roger' with several grouping factors is not implemented yet")
    if p >= n:
        raise InvalidInputError(f"formula: {p} fixed effects for {n} complete rows; need fewer fixed effects than rows")
    Xfit = X
    if extras:
        ind = []
        for e in extras:
            D = np.zeros((n, len(e["levels"])))
            D[np.arange(n), e["codes"]] = 1.0
            ind.append(D)
        Xfit = np.hstack([*ind, X])
    y = np.ascontiguousarray(rows.column(f.response).to_numpy(dtype=np.float64))
    satt = ddf == "satterthwaite"
    extra_levels = [len(e["levels"]) for e in extras]
    out = _rs.lmm_fit(
        np.ascontiguousarray(Xfit).ravel(), Z.ravel(), y, codes, Xfit.shape[1], q, m, sizes,
        reml=bool(reml), max_iter=int(max_iter), satterthwaite=satt, extra=extra_levels,
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
    r2 = sum(extra_levels)
    if extras:
        b2 = np.asarray(out["ranef"])[m * q :]
        fitted_fixed = fitted_fixed + Xfit[:, :r2] @ b2
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
        index=rows.index(),
        fitted_fixed=fitted_fixed,
        Z=Z,
        codes=codes,
        fixed_data=_UsedRows(data, required_variables(f.fixed, data), mask),
        extras=extras,
    )


def _expand_nested(random) -> list[tuple[str, str]]:
    """(expr, group) per term; ``a/b`` becomes ``a`` and ``a:b`` (lme4)."""
    out = []
    for t in random:
        parts = [x.strip() for x in t.group.split("/")]
        for k in range(len(parts)):
            out.append((t.expr, ":".join(parts[: k + 1])))
    return out


def _codes(rows, g: str) -> tuple[np.ndarray, pd.Index]:
    """Codes 0..levels-1 of grouping factor ``g`` (``a:b`` for an interaction)
    on the used rows (``rows``: a ``_Rows`` or a data frame of the used rows)."""
    column = rows.column if isinstance(rows, _Rows) else rows.__getitem__
    cols = g.split(":")
    if len(cols) == 1:
        col = column(g)
        if isinstance(col.dtype, pd.CategoricalDtype):
            col = col.cat.remove_unused_categories()
            return col.cat.codes.to_numpy().astype(np.int64), pd.Index(col.cat.categories)
        fast = _int_codes(col)
        if fast is not None:
            return fast
        c, lev = pd.factorize(col, sort=True)
        return c.astype(np.int64), pd.Index(lev)
    frame = rows.frame() if isinstance(rows, _Rows) else rows
    key = frame[cols].astype(str).agg(":".join, axis=1)
    c, lev = pd.factorize(key, sort=True)
    return c.astype(np.int64), pd.Index(lev)


def _int_codes(col: pd.Series) -> Optional[tuple[np.ndarray, pd.Index]]:
    """Sorted-level codes of an integer column with a compact range (subject
    numbers) by counting instead of hashing; None otherwise."""
    if not (isinstance(col.dtype, np.dtype) and col.dtype.kind in "iu") or len(col) == 0:
        return None
    v = col.to_numpy()
    lo, hi = int(v.min()), int(v.max())
    if hi - lo > 4 * len(v) + 1024:
        return None
    seen = np.bincount(v - lo, minlength=hi - lo + 1) > 0
    new = np.cumsum(seen) - 1
    return new[v - lo].astype(np.int64), pd.Index(np.flatnonzero(seen) + lo, dtype=v.dtype)


def _copy_on_write() -> bool:
    # pandas >= 3 always; pandas 2 when the option is set
    if int(pd.__version__.split(".")[0]) >= 3:
        return True
    return pd.get_option("mode.copy_on_write") is True


class _UsedRows:
    """The used rows of the fixed-effects columns (for anova and emmeans),
    taken on first use from the columns as they were at fit time (the
    Series themselves under copy-on-write, else copies), so later changes to
    ``data`` do not reach them."""

    def __init__(self, data: pd.DataFrame, cols: list, mask: np.ndarray) -> None:
        cow = _copy_on_write()
        self._cols = {c: data[c] if cow else data[c].copy() for c in cols}
        self._index, self._mask = data.index, mask
        self._rows: Optional[pd.DataFrame] = None

    def __call__(self) -> pd.DataFrame:
        if self._rows is None:
            frame = pd.DataFrame(self._cols, index=self._index, copy=False)
            self._rows = frame if self._mask.all() else frame.loc[self._mask]
        return self._rows
