"""Repeated measures: linear mixed models (``lmm``), MMRM (``mmrm``) and the
long-format helpers and nonparametric tests over visits.

Long-format data: one row per subject and visit; ``data`` is a pandas
DataFrame and column arguments are names. Nothing is mutated; rows with a
missing value in a used column are dropped and counted (``n_dropped``).
"""

from ._lmm import *  # noqa: F401,F403
from ._lmm import __all__ as _lmm_all
from ._mmrm import *  # noqa: F401,F403
from ._mmrm import __all__ as _mmrm_all
from ._repeated import *  # noqa: F401,F403
from ._repeated import __all__ as _repeated_all

__all__ = [*_lmm_all, *_mmrm_all, *_repeated_all]
