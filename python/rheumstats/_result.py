"""Result objects: one convention for every statistic.

* ``@dataclass(frozen=True)`` subclasses of :class:`Result`, named ``<Name>Result``.
* Public fields are the statistic's outputs; private fields (leading ``_``)
  hold what ``confidence_interval()`` needs and the labels of matrix mode.
* ``to_dict()``, ``to_frame()``, a readable ``__repr__`` and ``_repr_html_``
  come from this base class (one printer for text and HTML).
* Results with ``statistic`` and ``pvalue`` unpack as ``(statistic, pvalue)``
  like scipy's; that decision lives here only.
"""

from __future__ import annotations

import dataclasses
import html
from typing import Any, NamedTuple, Optional

import numpy as np
import pandas as pd


class ConfidenceInterval(NamedTuple):
    low: Any
    high: Any


def _fmt(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        if np.isnan(v):
            return "nan"
        a = abs(float(v))
        if a != 0 and (a < 1e-4 or a >= 1e6):
            return f"{float(v):.4e}"
        return f"{float(v):.6g}"
    if isinstance(v, np.ndarray):
        with np.printoptions(precision=5, threshold=8, edgeitems=3):
            return np.array2string(v, separator=", ")
    if isinstance(v, (pd.Series, pd.DataFrame)):
        return f"<{type(v).__name__} shape={v.shape}>"
    return repr(v)


@dataclasses.dataclass(frozen=True, repr=False)
class Result:
    """Base class of every result object."""

    def _public(self) -> dict:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if not f.name.startswith("_")}

    def to_dict(self) -> dict:
        """Public fields as a plain dict."""
        return self._public()

    def _labels(self) -> Optional[pd.Index]:
        return getattr(self, "_index", None)

    def to_frame(self) -> pd.DataFrame:
        """One row per endpoint (matrix mode) or a single row, one column per field."""
        d = self._public()
        arrays = {k: v for k, v in d.items() if isinstance(v, (np.ndarray, pd.Series))}
        if arrays:
            n = len(next(iter(arrays.values())))
            idx = self._labels()
            rows = {k: (np.asarray(v) if isinstance(v, (np.ndarray, pd.Series)) else np.repeat(np.asarray([v], dtype=object), n)) for k, v in d.items() if np.ndim(v) <= 1}
            if hasattr(self, "confidence_interval"):
                try:
                    ci = self.confidence_interval()
                    rows["ci_low"], rows["ci_high"] = np.asarray(ci.low), np.asarray(ci.high)
                except (TypeError, ValueError, NotImplementedError):
                    pass
            return pd.DataFrame(rows, index=idx if idx is not None and len(idx) == n else None)
        row = {k: v for k, v in d.items() if np.ndim(v) == 0}
        if hasattr(self, "confidence_interval"):
            try:
                ci = self.confidence_interval()
                row["ci_low"], row["ci_high"] = ci.low, ci.high
            except (TypeError, ValueError, NotImplementedError):
                pass
        return pd.DataFrame([row], index=[type(self).__name__.removesuffix("Result")])

    def __iter__(self):
        names = [f.name for f in dataclasses.fields(self)]
        if "statistic" in names and "pvalue" in names:
            return iter((self.statistic, self.pvalue))  # type: ignore[attr-defined]
        raise TypeError(f"{type(self).__name__} does not unpack")

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__}("]
        for k, v in self._public().items():
            lines.append(f"    {k}={_fmt(v)},")
        if hasattr(self, "confidence_interval"):
            try:
                ci = self.confidence_interval()
                level = getattr(self, "_conf_level", None)
                tag = f"{100 * level:g}% CI" if level is not None else "CI"
                lines.append(f"    # {tag}: ({_fmt(ci.low)}, {_fmt(ci.high)})")
            except (TypeError, ValueError, NotImplementedError):
                pass
        lines.append(")")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        title = html.escape(type(self).__name__)
        table = self.to_frame().to_html(float_format=lambda x: _fmt(x), border=0, classes="rheumstats-result")
        return f"<div><strong>{title}</strong>{table}</div>"
