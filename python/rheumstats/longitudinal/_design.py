"""Fixed-effects design matrices for the longitudinal models (lmm, mmrm).

The right-hand side of a model formula goes through formulaic (never parsed
here) with R's treatment coding: the first level of a factor, or the first
category of a pandas Categorical, is the reference. Column names follow R
(``(Intercept)``, ``month``, ``armTCZ``, ``month:armTCZ``) and every column
keeps the label of the term it came from (``terms``), for Type III tests and
reference grids. Rows with a missing value in a used column are marked in
``used_rows``; unused factor levels of the remaining rows are dropped, as R's
``model.frame`` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd

from ..exceptions import InvalidInputError
from ._fastdesign import fast_design, parsed_formula

__all__ = ["FixedDesign", "fixed_design", "r_column_name"]

_LEVEL = re.compile(r"\[(?:T\.)?(.*)\]$")


@dataclass(frozen=True)
class FixedDesign:
    """The fixed-effects design of the rows a model uses.

    ``X``: (n_used, p) float64, C-contiguous; ``names``: R-style column names;
    ``terms``: term label (``'month:arm'``, ``'(Intercept)'``) -> column
    indices; ``spec``: the formulaic ``ModelSpec`` (``spec.get_model_matrix(df)``
    rebuilds the design for new data or a reference grid); ``used_rows``: bool
    mask over the rows of ``data`` (False where a used column is missing).
    """

    X: np.ndarray
    names: list[str]
    terms: dict[str, list[int]]
    spec: object
    used_rows: np.ndarray


def r_column_name(name: str) -> str:
    """formulaic's column name in R's spelling: ``Intercept`` -> ``(Intercept)``,
    ``arm[T.TCZ]`` -> ``armTCZ``, ``month:arm[TCZ]`` -> ``month:armTCZ``."""
    if name == "Intercept":
        return "(Intercept)"
    return ":".join(_LEVEL.sub(r"\1", part) for part in _split_top(name))


def _split_top(name: str) -> list[str]:
    # split on ':' outside brackets/parentheses (levels may contain ':')
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in name:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == ":" and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def _term_label(term: object) -> str:
    s = str(term)
    return "(Intercept)" if s == "1" else s


def required_variables(rhs: str, data: pd.DataFrame) -> list[str]:
    """Data columns the formula's right-hand side uses (in data order)."""
    try:
        needed = set(parsed_formula(rhs).required_variables)
    except Exception as e:  # formulaic raises its own parser errors
        raise InvalidInputError(f"formula: cannot parse fixed part {rhs!r}: {e}") from None
    unknown = sorted(v for v in needed if v not in data.columns and not _is_namespace(v))
    if unknown:
        raise InvalidInputError(
            f"formula: unknown column(s) {', '.join(map(repr, unknown))}; data has {list(map(str, data.columns))}"
        )
    return [c for c in data.columns if c in needed]


def _is_namespace(v: str) -> bool:
    return v in {"np", "numpy", "pd", "C", "I", "log", "exp", "sqrt", "center", "scale", "poly", "bs"}


def complete_rows(data: pd.DataFrame, columns: Iterable[str]) -> np.ndarray:
    """Bool mask of the rows of ``data`` with no missing value in ``columns``."""
    mask = np.ones(len(data), dtype=bool)
    for c in columns:
        col = data[c]
        if isinstance(col, pd.Series) and isinstance(col.dtype, np.dtype) and col.dtype.kind == "f":
            mask &= ~np.isnan(col.to_numpy())
        elif isinstance(col, pd.Series) and isinstance(col.dtype, np.dtype) and col.dtype.kind in "iub":
            continue
        else:
            m = col.notna()
            mask &= (m.all(axis=1) if isinstance(m, pd.DataFrame) else m).to_numpy(dtype=bool)
    return mask


def fixed_design(rhs: str, data: pd.DataFrame, extra_columns: Iterable[str] = ()) -> FixedDesign:
    """Design matrix of the fixed part ``rhs`` (e.g. ``'month * arm'``) on ``data``.

    ``extra_columns`` (response, subject, grouping factors) also count for the
    missing-value mask. ``data`` is not modified. Simple terms are built by
    ``_fastdesign`` (formulaic's parse and rules, numpy columns); anything
    else by formulaic's ``model_matrix``.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data: expected a pandas DataFrame, got {type(data).__name__}")
    cols = required_variables(rhs, data)
    extra = list(dict.fromkeys(extra_columns))
    missing = [c for c in extra if c not in data.columns]
    if missing:
        raise InvalidInputError(f"unknown column(s) {', '.join(map(repr, missing))}; data has {list(map(str, data.columns))}")
    used = list(dict.fromkeys(cols + extra))
    mask = complete_rows(data, used)
    n = int(mask.sum())
    if n == 0:
        raise InvalidInputError("data: no complete rows in the used columns " + repr(used))
    fast = fast_design(rhs, data, None if n == len(data) else mask, n, drop_unused=True)
    if fast is not None:
        X, fnames, terms, spec = fast
    else:
        X, fnames, terms, spec = _formulaic_design(rhs, data, mask, cols)
    fin = np.isfinite(X)
    bad = ~fin.all(axis=1) if not fin.all() else None
    if bad is not None:  # a transform (or an infinite value) gave NaN/inf: those rows are dropped too
        idx = np.flatnonzero(mask)
        mask = mask.copy()
        mask[idx[bad]] = False
        X = np.ascontiguousarray(X[~bad])
    names = [r_column_name(c) for c in fnames]
    return FixedDesign(X=X, names=names, terms=terms, spec=spec, used_rows=mask)


def _formulaic_design(rhs: str, data: pd.DataFrame, mask: np.ndarray, cols: list[str]):
    from formulaic import model_matrix

    sub = data.loc[mask, cols].copy()
    for c in cols:  # unused levels dropped as R's model.frame does
        if isinstance(sub[c].dtype, pd.CategoricalDtype):
            sub[c] = sub[c].cat.remove_unused_categories()
    try:
        mm = model_matrix(parsed_formula(rhs), sub, na_action="ignore")
    except Exception as e:
        raise InvalidInputError(f"formula: cannot build the fixed-effects design for {rhs!r}: {e}") from None
    X = np.ascontiguousarray(np.asarray(mm, dtype=np.float64))
    spec = mm.model_spec
    terms: dict[str, list[int]] = {}
    for term, sl in spec.term_slices.items():
        terms[_term_label(term)] = list(range(sl.start, sl.stop))
    return X, [str(c) for c in mm.columns], terms, spec
