"""Tree reductions over the partitions of a Dask DataFrame, and labelled count tables.

Every ``rs.dask`` call maps each partition to a small partial result (numpy
arrays, pandas Index objects: they pickle between workers), merges the
partials in a tree (``split_every`` at a time) and computes only the root:
no call collects the rows of the frame on the client.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, List, Optional, Sequence

import numpy as np
import pandas as pd

from .. import _rheumstats as _native
from .._validation import missing_label

SPLIT_EVERY = 8


def _require_dask() -> Any:
    try:
        import dask
        import dask.dataframe as dd
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("rs.dask needs dask: pip install 'rheumstats[dask]'") from None
    return dask, dd


def aligned(a: np.ndarray) -> np.ndarray:
    """C-contiguous, aligned float64 (copied only when needed)."""
    return np.require(a, dtype=np.float64, requirements=["C", "A"])


def check_frame(ddf: Any, columns: Sequence[Optional[str]]) -> List[str]:
    """A Dask DataFrame holding every named column; returns the names given."""
    _, dd = _require_dask()
    if not isinstance(ddf, dd.DataFrame):
        raise TypeError(f"ddf: expected a dask.dataframe.DataFrame, got {type(ddf).__name__}")
    cols = [c for c in columns if c is not None]
    for c in cols:
        if c not in ddf.columns:
            raise ValueError(f"column {c!r} is not in ddf (columns: {list(ddf.columns)})")
    return list(dict.fromkeys(cols))


def tree_reduce(ddf: Any, columns: Sequence[str], chunk: Callable[[pd.DataFrame], Any], combine: Callable[[list], Any], split_every: int = SPLIT_EVERY) -> Any:
    """``combine`` applied in a tree over ``chunk(partition)`` of ``ddf[columns]``; computes the root only."""
    dask, _ = _require_dask()
    parts = ddf[list(columns)].to_delayed(optimize_graph=True)
    return reduce_layer([dask.delayed(chunk, pure=True)(p) for p in parts], combine, split_every)


def reduce_layer(layer: list, combine: Callable[[list], Any], split_every: int = SPLIT_EVERY) -> Any:
    """``combine`` applied in a tree over a list of delayed partials; computes the root only."""
    dask, _ = _require_dask()
    if not layer:
        raise ValueError("ddf: no partitions")
    while len(layer) > 1:
        layer = [dask.delayed(combine, pure=True)(layer[i : i + split_every]) for i in range(0, len(layer), split_every)]
    (root,) = dask.compute(layer[0])
    return root


# ----------------------------------------------------------------------------
# labelled count tables: counts[time, column], column = code * inner + label,
# code a mixed-radix number over label dimensions (group, stratum, cause, ...)
# ----------------------------------------------------------------------------
@dataclasses.dataclass
class Table:
    dims: List[pd.Index]  # labels of each dimension (any order)
    inner: int  # labels per code (2 = censored/event, 1 = none)
    times: np.ndarray
    counts: np.ndarray  # (len(times), prod(len(d) for d in dims) * inner) float64

    @property
    def width(self) -> int:
        return int(np.prod([len(d) for d in self.dims], dtype=np.int64)) * self.inner


def local_codes(part: pd.DataFrame, col: str) -> tuple:
    """(codes float64, labels) of one label column of a partition; a missing label is an error."""
    s = part[col]
    miss = np.flatnonzero(pd.isna(s).to_numpy())
    if miss.size:
        raise missing_label(s, col, int(miss[0]))
    codes, uniques = pd.factorize(s, sort=False)
    labels = pd.Index(np.asarray(uniques.astype(object)) if isinstance(s.dtype, pd.CategoricalDtype) else uniques)
    return codes.astype(np.float64), labels


def column_map(src: Table, dims: List[pd.Index]) -> np.ndarray:
    """Merged column of each column of ``src`` when its dimensions are relabelled to ``dims``."""
    idx = np.zeros(1, dtype=np.int64)
    for have, want in zip(src.dims, dims):
        pos = want.get_indexer(have)
        if (pos < 0).any():
            raise RuntimeError("internal error: a label is missing from the merged labels")
        idx = (idx[:, None] * len(want) + pos[None, :]).ravel()
    return (idx[:, None] * src.inner + np.arange(src.inner)[None, :]).ravel().astype(np.int64)


def merge_tables(tables: list, dims: Optional[List[pd.Index]] = None) -> Table:
    """Sum tables by time over the union of their labels (or onto ``dims`` when given)."""
    first = tables[0]
    if dims is None:
        dims = []
        for k in range(len(first.dims)):
            seen = [t.dims[k] for t in tables if len(t.dims[k])]  # an empty partition's labels may have another dtype
            u = seen[0] if seen else first.dims[k]
            for d in seen[1:]:
                u = u.append(d).unique()
            dims.append(pd.Index(u))
    out = Table(dims, first.inner, np.empty(0), np.empty((0, 0)))
    pieces = [(aligned(t.times), aligned(t.counts), column_map(t, dims)) for t in tables]
    out.times, out.counts = _native.dask_survival_merge(pieces, out.width)
    return out


def finish_dims(table: Table, orders: Sequence[Callable[[pd.Index], pd.Index]]) -> Table:
    """Put each dimension's labels in their final order (one more merge, of the merged table only)."""
    dims = [order(d) for order, d in zip(orders, table.dims)]
    return merge_tables([table], dims)


def known_categories(ddf: Any, col: str) -> Optional[list]:
    """The categories of a Categorical column in their order (None for other columns); unknown
    categories of a Dask categorical are computed first (one pass over that column)."""
    dtype = ddf._meta[col].dtype
    if not isinstance(dtype, pd.CategoricalDtype):
        return None
    cats = list(dtype.categories)
    if cats == ["__UNKNOWN_CATEGORIES__"]:  # each partition's categories, united in order of appearance
        cats = list(tree_reduce(ddf, [col], _Categories(col), _union_categories))
    return cats


class _Categories:
    def __init__(self, col: str) -> None:
        self.col = col

    def __call__(self, part: pd.DataFrame) -> pd.Index:
        s = part[self.col]
        return pd.Index(s.cat.categories) if isinstance(s.dtype, pd.CategoricalDtype) else pd.Index(pd.unique(s.dropna()))


def _union_categories(parts: list) -> pd.Index:
    out = parts[0]
    for p in parts[1:]:
        out = out.append(p[~p.isin(out)])
    return out


def label_order(ddf: Any, col: str) -> Callable[[pd.Index], pd.Index]:
    """Final order of a label column's levels: the Categorical's order (unknown Dask categories
    are computed first, see :func:`known_categories`), else sorted."""
    cats_list = known_categories(ddf, col)
    if cats_list is not None:
        cats = pd.Index(cats_list)

        def by_category(labels: pd.Index) -> pd.Index:
            pos = cats.get_indexer(labels)
            if (pos < 0).any():  # a broken invariant, not user input: every label comes from a category
                missing = list(labels[pos < 0][:3])
                raise RuntimeError(f"{col}: labels {missing} are not among the column's categories")
            return cats[np.sort(pos)]

        return by_category

    def by_value(labels: pd.Index) -> pd.Index:
        return labels.sort_values()

    return by_value
