"""Linear mixed models (one grouping factor) on Dask DataFrames.

The profiled (RE)ML deviance of a one-grouping-factor LMM depends on the data
only through per-subject crossproducts ZᵢᵀZᵢ, ZᵢᵀXᵢ, Zᵢᵀyᵢ and the global
XᵀX, Xᵀy, yᵀy, n (``Blocks`` in the Rust core). Each partition computes them in
Rust for the subjects it holds, keyed by subject label; the partials are
merged in a tree by summing the blocks of equal labels (a subject whose rows
sit in several partitions gets the sum of its pieces, which is exactly its
block: crossproducts are sums over rows, so no row shuffle is needed) and the
client runs the in-memory fit on the merged blocks.

The design is the same in every partition: a first pass collects the levels
of every text/categorical column of the formula over the complete rows
(Categorical order with unused categories dropped, else sorted, as in
memory), and the formulaic model specs are built once on a small prototype
frame holding those levels, then applied to each partition.

Traffic: (m·(q² + qp + q) + p² + p) floats plus the subject labels, m the
subjects, p the fixed effects, q the random effects per subject.
"""

from __future__ import annotations

import re
import warnings
from typing import Any, Dict, List, Optional

import numpy as np
import pandas as pd

from .. import _rheumstats as _rs
from ..exceptions import ConvergenceWarning, InvalidInputError
from ..longitudinal._design import FixedDesign, r_column_name, required_variables
from ..longitudinal._lmm import _DDF, _expand_nested
from ..longitudinal._lmm_formula import parse_lmm_formula
from ..longitudinal._lmm_result import LmmResult
from ._core import _require_dask, aligned, known_categories, tree_reduce

__all__ = ["lmm"]

_STATEFUL = re.compile(r"\b(center|scale|standardize|poly|bs|cs|cr|cc|te|hashed)\s*\(")


def _is_factor(dtype: Any) -> bool:
    if isinstance(dtype, pd.CategoricalDtype):
        return True
    return not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))


class _Levels:
    """Pass 1 on one partition: row counts and the values of the factor columns in the complete rows."""

    def __init__(self, used: List[str], factors: List[str]) -> None:
        self.used, self.factors = used, factors

    def __call__(self, part: pd.DataFrame) -> dict:
        keep = part[self.used].notna().all(axis=1).to_numpy()
        sub = part.loc[keep]
        return {"n_total": len(part), "levels": {c: pd.unique(sub[c].to_numpy(dtype=object)) for c in self.factors}}


def _merge_levels(parts: list) -> dict:
    out = {"n_total": sum(p["n_total"] for p in parts), "levels": {}}
    for c in parts[0]["levels"]:
        out["levels"][c] = pd.unique(np.concatenate([p["levels"][c] for p in parts]))
    return out


def _level_order(cats: Optional[list], seen: np.ndarray) -> list:
    """The levels as the in-memory design codes them: Categorical order (unused dropped), else sorted."""
    if cats is not None:
        present = set(seen.tolist())
        return [c for c in cats if c in present]
    vals = list(seen)
    try:
        return sorted(vals)
    except TypeError:
        return sorted(vals, key=str)


def _as_levels(frame: pd.DataFrame, levels: Dict[str, list]) -> pd.DataFrame:
    """``frame`` with each factor column as a Categorical over the global levels (a copy)."""
    out = frame.copy()
    for c, lev in levels.items():
        out[c] = pd.Categorical(out[c].astype(object) if not isinstance(out[c].dtype, pd.CategoricalDtype) else out[c], categories=lev)
    return out


def _prototype(meta: pd.DataFrame, levels: Dict[str, list]) -> pd.DataFrame:
    """A small frame holding every level of every factor column (numeric columns 0)."""
    n = max([len(v) for v in levels.values()] + [2])
    cols: Dict[str, Any] = {}
    for c in meta.columns:
        if c in levels:
            lev = levels[c]
            cols[c] = pd.Categorical([lev[i % len(lev)] for i in range(n)], categories=lev)
        else:
            cols[c] = pd.Series(np.zeros(n)).astype(meta[c].dtype)
    return pd.DataFrame(cols)


class _Blocks:
    """Pass 2 on one partition: the subjects' crossproducts (Rust), keyed by subject label."""

    def __init__(self, response: str, group: str, used: List[str], levels: Dict[str, list], spec: Any, zspecs: list, p: int, q: int) -> None:
        self.response, self.group, self.used, self.levels = response, group, used, levels
        self.spec, self.zspecs, self.p, self.q = spec, zspecs, p, q

    def __call__(self, part: pd.DataFrame) -> dict:
        p, q = self.p, self.q
        keep = part[self.used].notna().all(axis=1).to_numpy()
        sub = _as_levels(part.loc[keep, self.used], self.levels)
        if len(sub):
            X = np.asarray(self.spec.get_model_matrix(sub, na_action="ignore"), dtype=np.float64)
            good = np.isfinite(X).all(axis=1)  # a transform produced NaN/inf: the row is dropped, as in memory
            if not good.all():
                sub, X = sub.loc[good], X[good]
        if len(sub) == 0:
            return dict(_empty(p, q), n_total=len(part))
        zs = [np.asarray(s.get_model_matrix(sub, na_action="ignore"), dtype=np.float64) for s in self.zspecs]
        Z = np.hstack(zs)
        if not np.isfinite(Z).all():
            r = int(np.flatnonzero(~np.isfinite(Z).all(axis=1))[0])
            raise InvalidInputError(f"formula: the random-effects design has non-finite values (row index {sub.index[r]!r})")
        g = sub[self.group]
        codes, labels = pd.factorize(g.astype(object) if isinstance(g.dtype, pd.CategoricalDtype) else g, sort=False)
        y = aligned(sub[self.response].to_numpy(dtype=np.float64))
        b = _rs.lmm_blocks(aligned(X.ravel()), aligned(Z.ravel()), y, np.ascontiguousarray(codes, dtype=np.int64), p, q, len(labels))
        m = len(labels)
        return {
            "labels": pd.Index(labels), "n": int(b["n"]), "n_total": len(part), "ztz": b["ztz"].reshape(m, q * q), "ztx": b["ztx"].reshape(m, q * p),
            "zty": b["zty"].reshape(m, q), "xtx": b["xtx"], "xty": b["xty"], "yty": float(b["yty"]),
        }


def _empty(p: int, q: int) -> dict:
    z = np.zeros
    return {"labels": pd.Index([]), "n": 0, "n_total": 0, "ztz": z((0, q * q)), "ztx": z((0, q * p)), "zty": z((0, q)), "xtx": z(p * p), "xty": z(p), "yty": 0.0}


def _merge_blocks(parts: list) -> dict:
    """Sum blocks by subject label (a subject split across partitions is summed) and the global sums."""
    full = [b for b in parts if b["n"] > 0]
    n_total = sum(b["n_total"] for b in parts)
    if not full:
        return dict(parts[0], n_total=n_total)
    labels = full[0]["labels"]
    for b in full[1:]:
        labels = labels.append(b["labels"])
    codes, uniq = pd.factorize(labels, sort=False)
    out = {"labels": pd.Index(uniq), "n": sum(b["n"] for b in full), "n_total": n_total, "yty": sum(b["yty"] for b in full)}
    for k in ("ztz", "ztx", "zty"):
        acc = np.zeros((len(uniq), full[0][k].shape[1]))
        np.add.at(acc, codes, np.concatenate([b[k] for b in full]))
        out[k] = acc
    out["xtx"] = np.sum([b["xtx"] for b in full], axis=0)
    out["xty"] = np.sum([b["xty"] for b in full], axis=0)
    return out


def merged_blocks(formula: str, data: Any) -> dict:
    """The merged sufficient statistics of ``formula`` on the Dask frame ``data``
    (subjects in the in-memory order) and what the result needs to be labelled."""
    f = parse_lmm_formula(formula)
    terms = _expand_nested(f.random)
    groups = list(dict.fromkeys(g for _e, g in terms))
    if len(groups) != 1 or ":" in groups[0]:
        raise NotImplementedError(f"rs.dask.lmm: one grouping factor only (got {groups}); fit several grouping factors in memory")
    group = groups[0]
    if _STATEFUL.search(formula):
        raise NotImplementedError("rs.dask.lmm: stateful transforms (center, scale, poly, splines) need the whole column; compute them as columns first")
    meta = data._meta
    for col in (f.response, group):
        if col not in meta.columns:
            raise InvalidInputError(f"formula: unknown column {col!r}; data has {list(map(str, meta.columns))}")
    y_meta = meta[f.response]
    if not (pd.api.types.is_numeric_dtype(y_meta) and not pd.api.types.is_bool_dtype(y_meta)):
        raise TypeError(f"response {f.response!r}: expected a numeric column, got dtype {y_meta.dtype}")
    fvars = required_variables(f.fixed, meta)
    rvars = [v for e, _g in terms for v in required_variables(e, meta)]
    used = list(dict.fromkeys([f.response, group, *fvars, *rvars]))
    factors = [c for c in dict.fromkeys([*fvars, *rvars]) if _is_factor(meta[c].dtype)]
    # pass 1 (only with factors): their levels over the complete rows
    seen = tree_reduce(data, used, _Levels(used, factors), _merge_levels)["levels"] if factors else {}
    levels = {c: _level_order(known_categories(data, c), seen[c]) for c in factors}
    for c, lev in levels.items():
        if not lev:
            raise InvalidInputError(f"data: no complete rows in the used columns {used}")
    from formulaic import model_matrix

    proto = _as_levels(_prototype(meta[used], levels), levels)
    try:
        mm = model_matrix(f.fixed, proto[fvars] if fvars else proto, na_action="ignore")
    except Exception as e:
        raise InvalidInputError(f"formula: cannot build the fixed-effects design for {f.fixed!r}: {e}") from None
    spec = mm.model_spec
    names = [r_column_name(str(c)) for c in mm.columns]
    fterms = {("(Intercept)" if str(t) == "1" else str(t)): list(range(sl.start, sl.stop)) for t, sl in spec.term_slices.items()}
    zspecs, znames, sizes = [], [], []
    for expr, _g in terms:
        try:
            zm = model_matrix(expr, proto, na_action="ignore")
        except Exception as e:
            raise InvalidInputError(f"formula: cannot build the random-effects design {expr!r}: {e}") from None
        zspecs.append(zm.model_spec)
        znames.append([r_column_name(str(c)) for c in zm.columns])
        sizes.append(zm.shape[1])
    p, q = len(names), int(sum(sizes))
    b = tree_reduce(data, used, _Blocks(f.response, group, used, levels, spec, zspecs, p, q), _merge_blocks)
    n = int(b["n"])
    if n == 0:
        raise InvalidInputError(f"data: no complete rows in the used columns {used}")
    # subjects in the in-memory order (Categorical order, else sorted)
    subj = _level_order(known_categories(data, group), np.asarray(b["labels"], dtype=object))
    order = pd.Index(np.asarray(b["labels"], dtype=object)).get_indexer(pd.Index(subj, dtype=object))
    m = len(subj)
    if m < 2:
        raise InvalidInputError(f"grouping factor {group!r}: must have > 1 sampled level, has {m}")
    if p >= n:
        raise InvalidInputError(f"formula: {p} fixed effects for {n} complete rows; need fewer fixed effects than rows")
    return dict(
        f=f, group=group, names=names, fterms=fterms, spec=spec, zspecs=zspecs, znames=znames, sizes=sizes, p=p, q=q, n=n, m=m,
        subj=subj, n_total=int(b["n_total"]), ztz=b["ztz"][order], ztx=b["ztx"][order], zty=b["zty"][order],
        xtx=b["xtx"], xty=b["xty"], yty=float(b["yty"]),
    )


def lmm(formula: str, data: Any, *, reml: bool = True, ddf: str = "satterthwaite", conf_level: float = 0.95, max_iter: int = 200) -> LmmResult:
    """Linear mixed model of a Dask DataFrame with one grouping factor: the fit of
    :func:`rheumstats.longitudinal.lmm` (same :class:`LmmResult`).

    Merges, per subject, the crossproducts ZᵢᵀZᵢ, ZᵢᵀXᵢ, Zᵢᵀyᵢ (summed over
    partitions when a subject's rows are split) and the global XᵀX, Xᵀy, yᵀy.
    ``ddf``: 'satterthwaite', 'residual' or 'none' ('kenward-roger' needs the
    rows). The rows are not collected, so ``fitted()``, ``predict()`` without
    data, ``anova()`` and ``emmeans()`` of the result raise; ``predict(frame)``
    works on pandas frames (e.g. per partition with ``map_partitions``).
    """
    _, dd = _require_dask()
    if not isinstance(data, dd.DataFrame):
        raise TypeError(f"data: expected a dask.dataframe.DataFrame, got {type(data).__name__}")
    if ddf not in _DDF:
        raise InvalidInputError(f"ddf: {ddf!r} is not one of {sorted(_DDF)}")
    if ddf == "kenward-roger":
        raise NotImplementedError("ddf='kenward-roger' needs the rows; on Dask data use 'satterthwaite' (or run rs.longitudinal.lmm in memory)")
    if not (isinstance(conf_level, (float, int)) and 0 < conf_level < 1):
        raise InvalidInputError(f"conf_level: {conf_level!r} is not in (0, 1)")
    if not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise InvalidInputError(f"max_iter: {max_iter!r} must be a positive integer")
    satt = ddf == "satterthwaite"
    k = merged_blocks(formula, data)
    n, m, p, q = k["n"], k["m"], k["p"], k["q"]
    out = _rs.lmm_fit_blocks(
        aligned(k["ztz"].ravel()), aligned(k["ztx"].ravel()), aligned(k["zty"].ravel()),
        aligned(k["xtx"]), aligned(k["xty"]), k["yty"], n, m, p, q, k["sizes"],
        reml=bool(reml), max_iter=int(max_iter), satterthwaite=satt, extra=[],
    )
    if not out["converged"]:
        warnings.warn(f"lmm: the optimiser stopped after {out['iterations']} iterations without meeting its convergence criterion", ConvergenceWarning, stacklevel=2)
    if out["singular"]:
        warnings.warn("lmm: boundary (singular) fit: a random-effects variance is estimated as 0", UserWarning, stacklevel=2)
    if out["hessian_negative"]:
        warnings.warn("lmm: the Hessian of the deviance has a negative eigenvalue; Satterthwaite df may be unreliable", UserWarning, stacklevel=2)
    design = FixedDesign(X=np.empty((0, p)), names=k["names"], terms=k["fterms"], spec=k["spec"], used_rows=np.empty(0, dtype=bool))
    res = LmmResult._build(
        out=out, formula=formula, parsed=k["f"], design=design, znames=k["znames"], zspecs=k["zspecs"], sizes=k["sizes"],
        levels=pd.Index(k["subj"]), group=k["group"], n=n, n_dropped=k["n_total"] - n, reml=bool(reml), ddf=ddf,
        conf_level=float(conf_level), index=None, fitted_fixed=np.empty(0), Z=np.empty((0, q)), codes=np.empty(0, dtype=np.int64),
        fixed_data=None,
    )
    res._ctx["rows"] = False
    return res
