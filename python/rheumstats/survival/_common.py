"""Shared input helpers of the survival package (group codes, times, matplotlib)."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
import pandas as pd

from .. import _rheumstats as _native
from .._validation import as_float, label_codes

CONF_TYPES = ("log-log", "log", "plain")
TIES = ("efron", "breslow")
UNITS = {"days": 1.0, "weeks": 7.0, "months": 365.25 / 12.0, "years": 365.25}
"""Length of each time unit in days (a year is 365.25 days, a month a twelfth of it)."""

_TOL = float(np.sqrt(np.finfo(float).eps))  # R's quantile.survfit tolerance


# ----------------------------------------------------------------------------
# input helpers
# ----------------------------------------------------------------------------
def _index_of(*xs: Any) -> Optional[pd.Index]:
    for x in xs:
        if isinstance(x, pd.Series):
            return x.index
    return None


def _codes(x: Any, name: str, n: int, nan_policy: str = "raise") -> tuple:
    """Group/strata labels -> (float codes, labels, present codes), by the one
    label coder (:func:`.._validation.label_codes`): categorical order kept,
    other labels sorted, whole numbers >= 0 used as codes directly. A missing
    label is an error naming its row, or (``nan_policy='omit'``) a NaN code
    that the core drops with its row.
    """
    return label_codes(x, name, n, other="time", missing="code" if nan_policy == "omit" else "raise", direct=True)


def _resolve(labels: Optional[pd.Index], present: Any, codes_out: np.ndarray) -> tuple:
    """(labels, present codes) once the native output is known: for numbers used as codes
    directly (`labels` None, `present` their dtype) the codes that occur in ``codes_out``."""
    if labels is not None:
        return labels, present
    pres = np.unique(codes_out).astype(np.int64)
    return pd.Index(pres.astype(present)), pres


def _label_lookup(labels: pd.Index, present: np.ndarray, codes_out: np.ndarray) -> pd.Index:
    """Labels of output rows given their group codes."""
    pos = np.empty(int(present.max()) + 1 if present.size else 0, dtype=np.int64)
    pos[present] = np.arange(len(present))
    return labels.take(pos[codes_out.astype(np.int64)])


def _times(x: Any, name: str) -> np.ndarray:
    if isinstance(x, pd.Series) and pd.api.types.is_bool_dtype(x.dtype) and name == "time":
        raise TypeError(f"{name}: expected numeric times, got booleans")
    return as_float(x, name)



def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("plotting needs matplotlib: pip install rheumstats[plot]") from None
    return plt

