"""rheumstats: validated rheumatology outcome scores and paired/longitudinal
statistics with a Rust core.

>>> import rheumstats as rs
>>> rs.scores.das28_esr(4, 3, 20, 40)
4.26198681761...
"""

from . import _rheumstats
from . import cohort, datasets, multitest, paired, plot, scores, ssc
from . import survival
from . import groups, safety
from . import longitudinal
from .exceptions import (
    ApproximationWarning,
    ConvergenceError,
    ConvergenceWarning,
    InvalidInputError,
    MissingReasonWarning,
    SmallSampleWarning,
)

__version__: str = _rheumstats.__version__

__all__ = [
    "__version__",
    "scores",
    "cohort",
    "plot",
    "ssc",
    "paired",
    "multitest",
    "groups",
    "safety",
    "datasets",
    "survival",
    "longitudinal",
    "InvalidInputError",
    "MissingReasonWarning",
    "ConvergenceError",
    "SmallSampleWarning",
    "ApproximationWarning",
    "ConvergenceWarning",
]


def __getattr__(name: str) -> object:
    # rs.dask is imported on first use, so `import rheumstats` never needs dask
    if name == "dask":
        import importlib

        return importlib.import_module(".dask", __name__)
    raise AttributeError(f"module 'rheumstats' has no attribute {name!r}")
