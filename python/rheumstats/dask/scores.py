"""``rs.scores`` on Dask Series/DataFrames: each call returns a lazy Dask object (``map_partitions``)."""

from .. import scores as _src
from ._rowwise import lazy_module

_mod = lazy_module(_src, __name__)
__all__ = list(_mod.__all__)  # type: ignore[attr-defined]
globals().update({n: getattr(_mod, n) for n in __all__})
