"""Exceptions and warnings raised by rheumstats.

``InvalidInputError`` (a ``ValueError``) is raised for bad values, mismatched
lengths, too few observations and bad options. It carries ``.arg`` (the
argument name), ``.row`` (0-based position), ``.col``/``.column`` (for 2-D
inputs), ``.value`` and ``.label`` (the pandas index label, when known).
Non-numeric input raises a plain ``TypeError``.
"""

from ._rheumstats import ConvergenceError, InvalidInputError


class SmallSampleWarning(RuntimeWarning):
    """Too few observations for a reliable result (the result may be NaN)."""


class ApproximationWarning(RuntimeWarning):
    """An exact method fell back to an approximation."""


class ConvergenceWarning(RuntimeWarning):
    """An iterative fit stopped before meeting its convergence criterion."""


class MissingReasonWarning(UserWarning):
    """Stop dates without a stop reason were read as last follow-up and censored
    (``retention(missing_reason=None)``, the default): pass ``missing_reason=``
    ``'censor'``, ``'unknown'`` or ``'error'`` to choose. The message gives the count."""


class UnitWarning(UserWarning):
    """A whole column looks like it is in another unit than the one declared
    (e.g. CRP in mg/dL passed as mg/L): check the ``*_unit`` keyword."""


__all__ = [
    "InvalidInputError",
    "ConvergenceError",
    "SmallSampleWarning",
    "ApproximationWarning",
    "ConvergenceWarning",
    "UnitWarning",
    "MissingReasonWarning",
]
