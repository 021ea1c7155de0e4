"""Multiple-testing adjustment of p-values (same numbers as R ``p.adjust``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import _rheumstats as _native
from ._validation import as_float, call, check_choice

METHODS = ("bonferroni", "holm", "hochberg", "hommel", "bh", "by", "none")

__all__ = ["adjust", "METHODS"]


def adjust(pvalues: Any, *, method: str = "holm") -> Any:
    """Adjusted p-values, as R ``p.adjust(p, method)``.

    Parameters
    ----------
    pvalues : array-like or Series
        P-values in [0, 1]; NaN entries stay NaN and do not count as tests.
    method : {'bonferroni', 'holm', 'hochberg', 'hommel', 'bh', 'by', 'none'}
        ``'bh'`` (alias ``'fdr'``) = Benjamini–Hochberg, ``'by'`` = Benjamini–Yekutieli.

    Returns
    -------
    ndarray, Series (same index as the input) or float for a scalar input.
    """
    if not isinstance(method, str):
        raise TypeError(f"method: expected a string, got {type(method).__name__}")
    m = method.lower()
    m = {"fdr": "bh", "fdr_bh": "bh", "fdr_by": "by"}.get(m, m)
    check_choice(m, "method", METHODS)
    scalar = np.ndim(pvalues) == 0 and not isinstance(pvalues, pd.Series)
    p = as_float(pvalues, "pvalues")
    idx = pvalues.index if isinstance(pvalues, pd.Series) else None
    out = call(_native.multitest_adjust, p, method=m, index={"pvalues": idx})
    if scalar:
        return float(out[0])
    if idx is not None:
        return pd.Series(out, index=idx, name=pvalues.name)
    return out
