"""Reference grids and their L matrices, as R's ``emmeans``.

The grid crosses every factor of the fixed part at all its levels (the
levels the model saw: Categorical order or sorted, unused dropped) and puts
every numeric variable at its mean over the rows the model used (or at the
values given in ``at``). The design of each grid row comes from the fitted
formulaic ``ModelSpec``, so transforms and interactions are those of the
fit. The estimated marginal mean of one combination of the ``by`` factors is
the weighted average of the grid rows with that combination:

- ``weights='equal'``: every combination of the other factors counts equally
  (emmeans' default);
- ``weights='proportional'``: in proportion to how often that combination of
  the other factors occurs in the data (emmeans' ``weights = "proportional"``).

Used by ``MmrmResult.lsmeans`` and ``LmmResult.emmeans``: estimates are
``L @ beta``, standard errors ``sqrt(diag(L V L'))``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from ..exceptions import InvalidInputError
from ._design import FixedDesign, required_variables

__all__ = ["ReferenceGrid", "reference_grid", "factor_levels"]

_WEIGHTS = ("equal", "proportional")

def _err(msg: str, arg: str, row: Optional[int] = None, value: Optional[float] = None, label: object = None) -> InvalidInputError:
    """InvalidInputError carrying .arg/.row/.col/.value/.label."""
    e = InvalidInputError(msg)
    e.arg, e.row, e.col, e.value, e.label = arg, row, None, value, label  # type: ignore[attr-defined]
    return e



@dataclass(frozen=True)
class ReferenceGrid:
    """``grid``: one row per combination of the ``by`` variables (their
    values); ``L``: (len(grid), p) rows of the estimable functions."""

    grid: pd.DataFrame
    L: np.ndarray
    by: list[str]


def _is_factor(s: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s))


def factor_levels(s: pd.Series) -> list:
    """Levels as the design coded them: Categorical order (unused dropped) or sorted."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return list(s.cat.remove_unused_categories().cat.categories)
    vals = pd.unique(s.dropna())
    try:
        return sorted(vals)
    except TypeError:
        return sorted(vals, key=str)


def reference_grid(
    design: FixedDesign,
    rhs: str,
    data: pd.DataFrame,
    by: str | Sequence[str],
    at: Mapping[str, object] | None = None,
    weights: str = "equal",
) -> ReferenceGrid:
    """L matrix of the marginal means of ``by`` for a model with fixed part
    ``rhs`` fitted on ``data`` (all rows; ``design.used_rows`` selects)."""
    if weights not in _WEIGHTS:
        raise _err(f"weights: expected one of {_WEIGHTS}, got {weights!r}", arg="weights")
    by_list = [by] if isinstance(by, str) else list(by)
    at = dict(at or {})
    used = data.loc[design.used_rows]
    variables = required_variables(rhs, data)
    for b in by_list:
        if b not in variables:
            raise _err(f"by: {b!r} is not a variable of the fixed part; allowed: {variables}", arg="by")
    for k in at:
        if k not in variables:
            raise _err(f"at: {k!r} is not a variable of the fixed part; allowed: {variables}", arg="at")
    levels: dict[str, list] = {}
    factors: list[str] = []
    for v in variables:
        col = used[v]
        if v in at:
            val = at[v]
            levels[v] = list(val) if isinstance(val, (list, tuple, np.ndarray, pd.Index)) else [val]
            if _is_factor(col):
                known = factor_levels(col)
                bad = [x for x in levels[v] if x not in known]
                if bad:
                    raise _err(f"at[{v!r}]: unknown level(s) {bad}; allowed: {known}", arg="at")
                factors.append(v)
        elif _is_factor(col):
            levels[v] = factor_levels(col)
            factors.append(v)
        else:
            levels[v] = [float(col.mean())]
    combos = list(itertools.product(*(levels[v] for v in variables)))
    grid = pd.DataFrame(combos, columns=variables)
    for v in variables:  # keep the dtype the spec expects
        if isinstance(used[v].dtype, pd.CategoricalDtype):
            grid[v] = pd.Categorical(grid[v], categories=used[v].cat.remove_unused_categories().cat.categories)
        elif pd.api.types.is_bool_dtype(used[v]):
            grid[v] = grid[v].astype(bool)
    X = np.asarray(design.spec.get_model_matrix(grid), dtype=np.float64)
    if X.shape[0] != len(grid):
        raise _err("at: the reference grid produced missing values in the design", arg="at")
    others = [v for v in factors if v not in by_list]
    if weights == "proportional" and others:
        counts = used.groupby(others, observed=True).size()
        key = grid[others].apply(tuple, axis=1) if len(others) > 1 else grid[others[0]]
        w = np.array([counts.get(k, 0) for k in key], dtype=np.float64)
    else:
        w = np.ones(len(grid))
    out_rows, L = [], []
    by_levels = [levels[b] for b in by_list]
    for combo in itertools.product(*by_levels):
        mask = np.ones(len(grid), bool)
        for b, val in zip(by_list, combo):
            mask &= (grid[b] == val).to_numpy()
        ww = w[mask]
        if ww.sum() <= 0:
            ww = np.ones(mask.sum())
        L.append((ww / ww.sum()) @ X[mask])
        out_rows.append(combo)
    g = pd.DataFrame(out_rows, columns=by_list)
    return ReferenceGrid(grid=g, L=np.asarray(L), by=by_list)
