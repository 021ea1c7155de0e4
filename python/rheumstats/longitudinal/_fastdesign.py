"""A fast materialiser for the simplest formula terms, from formulaic's parse.

formulaic parses every formula (cached here by its text). For the term types
whose columns are well defined -- the intercept, numeric columns, unordered
categorical columns (a pandas Categorical with string categories, in their
order; or an object column of strings, levels sorted) and products of these
-- the design is built directly in numpy with formulaic's own rules: treatment
coding with the first level as reference, formulaic's structural full-rank
scoping (a categorical factor is coded in full when the term with that factor
removed is not already spanned), its column order (the first factor varies
fastest) and its column names (``a[T.y]``, ``a[x]:t``). Everything else
(functions, transforms, ``C(...)``, booleans, pandas string dtype, ordered
factors, non-string levels) returns ``None`` and the caller uses formulaic's
``model_matrix``. ``tests/longitudinal/test_fastdesign.py`` compares both on
many formulas.

The formulaic ``ModelSpec`` of a fast design (for predictions and reference
grids) is built on first use, from a small frame with the same column kinds
and levels (the spec depends on the data only through these).
"""

from __future__ import annotations

import functools
import itertools
from typing import Any, Optional

import numpy as np
import pandas as pd

__all__ = ["parsed_formula", "fast_design", "LazySpec"]


@functools.lru_cache(maxsize=512)
def parsed_formula(rhs: str) -> Any:
    """formulaic's ``Formula`` of a right-hand side, parsed once per text."""
    from formulaic import Formula

    return Formula(rhs)


class _Var:
    """One data column as the fast path sees it: numeric values, or codes and levels."""

    __slots__ = ("name", "values", "codes", "levels", "proto")

    def __init__(self, name, values=None, codes=None, levels=None, proto=None):
        self.name, self.values, self.codes, self.levels, self.proto = name, values, codes, levels, proto


def _variable(name: str, col: pd.Series, mask: Optional[np.ndarray], drop_unused: bool) -> Optional[_Var]:
    dt = col.dtype
    if isinstance(dt, pd.CategoricalDtype):
        if dt.ordered or not all(isinstance(c, str) for c in dt.categories):
            return None
        codes = col.cat.codes.to_numpy()
        if mask is not None:
            codes = codes[mask]
        levels = list(dt.categories)
        if drop_unused:  # as R's model.frame (and pandas' remove_unused_categories)
            seen = np.bincount(codes[codes >= 0], minlength=len(levels)) > 0
            if not seen.all():
                new = np.cumsum(seen) - 1
                codes = np.where(codes >= 0, new[np.maximum(codes, 0)], -1)
                levels = [lv for lv, k in zip(levels, seen) if k]
                dt = pd.CategoricalDtype(levels)
        v = _Var(name, codes=codes, levels=levels, proto=dt)
    elif dt == object:
        arr = col.to_numpy()
        if mask is not None:
            arr = arr[mask]
        if pd.api.types.infer_dtype(arr, skipna=False) != "string":
            return None
        codes, uniq = pd.factorize(arr, sort=True)
        v = _Var(name, codes=codes, levels=list(uniq), proto=object)
    elif isinstance(dt, pd.StringDtype) and getattr(dt, "na_value", None) is np.nan:
        # pandas' default ``str`` dtype (strings, NaN for missing)
        arr = col.array
        if mask is not None:
            arr = arr[mask]
        codes, uniq = pd.factorize(arr, sort=True)
        v = _Var(name, codes=codes, levels=[str(u) for u in uniq], proto=object)
    elif isinstance(dt, np.dtype) and dt.kind in "iuf":
        vals = col.to_numpy()
        return _Var(name, values=vals[mask] if mask is not None else vals, proto=dt)
    else:
        return None
    if len(v.codes) and v.codes.min() < 0:  # a missing label: formulaic decides
        return None
    return v


def _scope(terms: list, variables: dict) -> list:
    """formulaic's structural full-rank scoping: per term, a list of scoped
    terms, each a tuple of (variable name, reduced) in the term's factor order."""
    spanned: set = set()
    out = []
    for term in terms:
        names = [str(f.expr) for f in term.factors]
        if names == ["1"]:
            choices: list = []
        else:
            choices = [((n, True), None) if variables[n].codes is not None else ((n, False),) for n in names]
        span: dict = {}
        for prod in itertools.product(*choices):
            st = tuple(dict.fromkeys(f for f in prod if f is not None))
            span.setdefault(frozenset(st), st)
        new = [st for key, st in span.items() if key not in spanned]
        spanned.update(frozenset(st) for st in new)
        out.append((term, _simplify(new)))
    return out


def _simplify(scoped: list) -> list:
    # (anything):(reduced) + (anything) -> (anything):(full), as formulaic
    terms: list = []
    for st in sorted(scoped, key=len):
        fs = set(st)
        combined = False
        for ex in terms:
            co = set(ex)
            diff = fs - co
            if len(fs) - 1 != len(co) or len(diff) != 1:
                continue
            new_f = next(iter(diff))
            if new_f[1]:
                full = tuple((f[0], False) if f == new_f else f for f in st)
                rest = [t for t in terms if set(t) != co]
                if not any(set(t) == set(full) for t in rest):
                    rest.append(full)
                terms = _simplify(rest)
                combined = True
                break
        if not combined and not any(set(t) == fs for t in terms):
            terms.append(st)
    return terms


def _columns(var: _Var, reduced: bool) -> list:
    if var.codes is None:
        return [(var.name, var.values)]
    lev = var.levels
    if reduced:
        return [(f"{var.name}[T.{lv}]", (var.codes, j)) for j, lv in enumerate(lev) if j > 0]
    return [(f"{var.name}[{lv}]", (var.codes, j)) for j, lv in enumerate(lev)]


def fast_design(rhs: str, data: pd.DataFrame, mask: Optional[np.ndarray], n: int, drop_unused: bool = False):
    """``(X, formulaic column names, {term label: column indices}, LazySpec)``
    of ``rhs`` on the rows of ``data`` in ``mask`` (None: all ``n`` rows), or
    None when a term is outside the fast path. ``drop_unused``: categories of
    a pandas Categorical absent from these rows are dropped first."""
    F = parsed_formula(rhs)
    terms = list(F)
    variables: dict = {}
    for term in terms:
        for f in term.factors:
            name = str(f.expr)
            method = getattr(f.eval_method, "value", f.eval_method)
            if method == "literal":
                if name != "1" or len(term.factors) != 1:
                    return None
                continue
            if method != "lookup" or name not in data.columns:
                return None
            if name not in variables:
                col = data[name]
                v = _variable(name, col, mask, drop_unused) if isinstance(col, pd.Series) else None
                if v is None:
                    return None
                variables[name] = v
    plan: list = []
    tslices: dict = {}
    for term, scoped in _scope(terms, variables):
        start = len(plan)
        for st in scoped:
            if not st:
                plan.append(("Intercept", []))
                continue
            per = [_columns(variables[nm], red) for nm, red in st]
            for rev in itertools.product(*reversed(per)):
                prod = rev[::-1]
                plan.append((":".join(c[0] for c in prod), [c[1] for c in prod]))
        label = str(term)
        tslices["(Intercept)" if label == "1" else label] = list(range(start, len(plan)))
    X = np.empty((n, len(plan)), dtype=np.float64)
    for j, (_name, parts) in enumerate(plan):
        col = X[:, j]
        col[:] = 1.0
        for part in parts:
            if isinstance(part, tuple):
                np.multiply(col, part[0] == part[1], out=col)
            else:
                np.multiply(col, part, out=col)
    return X, [p[0] for p in plan], tslices, LazySpec(rhs, variables)


class LazySpec:
    """formulaic's ``ModelSpec`` of a fast design, built on first attribute use
    from a small frame with the design's column kinds and levels."""

    def __init__(self, rhs: str, variables: dict) -> None:
        self._rhs = rhs
        self._proto = {v.name: (v.proto, v.levels) for v in variables.values()}
        self._spec = None

    def _real(self) -> Any:
        if self._spec is None:
            from formulaic import model_matrix

            k = max([1] + [len(lev) for _p, lev in self._proto.values() if lev is not None])
            cols = {}
            for name, (proto, lev) in self._proto.items():
                if lev is None:
                    cols[name] = np.zeros(k, dtype=proto)
                elif isinstance(proto, pd.CategoricalDtype):
                    cols[name] = pd.Categorical.from_codes(np.arange(k) % len(lev), dtype=proto)
                else:
                    cols[name] = np.array([lev[i % len(lev)] for i in range(k)], dtype=object)
            self._spec = model_matrix(parsed_formula(self._rhs), pd.DataFrame(cols), na_action="ignore").model_spec
        return self._spec

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._real(), name)

    def __reduce__(self):
        return (_identity, (self._real(),))


def _identity(x: Any) -> Any:
    return x
