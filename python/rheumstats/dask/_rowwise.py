"""Row-wise scores on Dask collections: lazy ``map_partitions`` with the right ``meta``.

``rs.dask.scores.das28_esr(ddf.tjc, ddf.sjc, ddf.esr, ddf.pg)`` is
``rs.scores.das28_esr`` applied to each partition (Dask Series/DataFrames may
be passed positionally or by keyword; other arguments are passed as given).
The result's ``meta`` comes from calling the score on the inputs' empty
metadata (so a Categorical or ``boolean`` output keeps its dtype). Nothing is
computed until the caller computes or persists the result.
"""

from __future__ import annotations

import functools
from types import ModuleType
from typing import Any, Callable, Dict, List, Tuple

import numpy as np
import pandas as pd

from ._core import _require_dask


def _is_dask(x: Any) -> bool:
    from dask.base import is_dask_collection

    return bool(is_dask_collection(x))


class _Apply:
    """Picklable: call ``fn`` with the partitions put back in their places."""

    def __init__(self, fn: Callable[..., Any], slots: List[Tuple[str, Any]], static: Dict[str, Any]) -> None:
        self.fn, self.slots, self.static = fn, slots, static

    def __call__(self, *parts: Any) -> Any:
        args: List[Any] = []
        kwargs = dict(self.static)
        it = iter(_realign(p) for p in parts)
        for kind, key in self.slots:
            if kind == "pos":
                args.append(next(it))
            elif kind == "posv":
                args.append(key)
            else:
                kwargs[key] = next(it)
        return self.fn(*args, **kwargs)


def _realign(part: Any) -> Any:
    """A partition deserialized on a worker may hold numpy data at an unaligned
    address, which the native kernels refuse: copy such a partition."""
    cols = [part] if isinstance(part, pd.Series) else [part[c] for c in part.columns] if isinstance(part, pd.DataFrame) else []
    for s in cols:
        v = s.to_numpy() if isinstance(s.dtype, np.dtype) else None
        if v is not None and not v.flags.aligned:
            return part.copy(deep=True)
    return part


def _meta(apply: _Apply, collections: List[Any]) -> Any:
    empty = [c._meta for c in collections]
    try:
        out = apply(*empty)
    except Exception:
        out = apply(*[c._meta_nonempty for c in collections]).iloc[:0]
    return out


def lazy(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` that maps over partitions when any argument is a Dask collection."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not any(_is_dask(a) for a in (*args, *kwargs.values())):
            return fn(*args, **kwargs)
        _, dd = _require_dask()
        slots: List[Tuple[str, Any]] = []
        collections: List[Any] = []
        for a in args:
            if _is_dask(a):
                slots.append(("pos", None))
                collections.append(a)
            else:
                slots.append(("posv", a))
        static: Dict[str, Any] = {}
        for k, v in kwargs.items():
            if _is_dask(v):
                slots.append(("kw", k))
                collections.append(v)
            else:
                static[k] = v
        apply = _Apply(fn, slots, static)
        return dd.map_partitions(apply, *collections, meta=_meta(apply, collections), align_dataframes=False)

    return wrapper


def lazy_module(src: ModuleType, name: str) -> ModuleType:
    """A module whose public functions are those of ``src``, made lazy."""
    mod = ModuleType(name, f"Row-wise ``{src.__name__}`` calls on Dask collections (lazy, via map_partitions).")
    names = getattr(src, "__all__", [n for n in dir(src) if not n.startswith("_")])
    for n in names:
        f = getattr(src, n, None)
        if callable(f) and getattr(f, "__module__", "") == src.__name__ and not isinstance(f, type):
            setattr(mod, n, lazy(f))
    mod.__all__ = [n for n in names if hasattr(mod, n)]  # type: ignore[attr-defined]
    return mod
