"""Result objects: one convention for every statistic.

* ``@dataclass(frozen=True)`` subclasses of :class:`Result`, named ``<Name>Result``.
* Public fields are the statistic's outputs; private fields (leading ``_``)
  hold what ``confidence_interval()`` needs and the labels of matrix mode.
* ``to_dict()``, ``to_frame()``, a readable ``__repr__`` and ``_repr_html_``
  come from this base class (one printer for text and HTML).
* ``to_frame()``/``repr`` show ``confidence_interval()`` when ``_has_ci()``;
  an error there propagates (never swallowed).
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


class LazyTable:
    """A result's table field, given to the constructor or built by the
    result's ``_build_table()`` on first access: a call need not pay for a
    DataFrame nobody asked for (a 1M-row survival curve; the ~50 us of a
    small table on a call made thousands of times). Used as the dataclass
    field's default (``table: Any = LazyTable()``)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}_value"

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return None  # the dataclass field's default
        v = obj.__dict__.get(self.slot)
        if v is None:
            v = obj._build_table()
            obj.__dict__[self.slot] = v
        return v

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.slot] = value


@dataclasses.dataclass(frozen=True, repr=False)
class Result:
    """Base class of every result object."""

    def _public(self) -> dict:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if not f.name.startswith("_")}

    def to_dict(self) -> dict:
        """Public fields as a plain dict."""
        return self._public()

    def _has_ci(self) -> bool:
        """Whether this result has a confidence interval to show (errors of
        ``confidence_interval()`` are never swallowed by the printers)."""
        return hasattr(self, "confidence_interval")

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
            if self._has_ci():
                ci = self.confidence_interval()  # type: ignore[attr-defined]
                rows["ci_low"], rows["ci_high"] = np.asarray(ci.low), np.asarray(ci.high)
            return pd.DataFrame(rows, index=idx if idx is not None and len(idx) == n else None)
        row = {k: v for k, v in d.items() if np.ndim(v) == 0}
        if self._has_ci():
            ci = self.confidence_interval()  # type: ignore[attr-defined]
            row["ci_low"], row["ci_high"] = ci.low, ci.high
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
        if self._has_ci():
            ci = self.confidence_interval()  # type: ignore[attr-defined]
            level = getattr(self, "_conf_level", None)
            tag = f"{100 * level:g}% CI" if level is not None else "CI"
            lines.append(f"    # {tag}: ({_fmt(ci.low)}, {_fmt(ci.high)})")
        lines.append(")")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        title = html.escape(type(self).__name__)
        table = self.to_frame().to_html(float_format=lambda x: _fmt(x), border=0, classes="rheumstats-result")
        return f"<div><strong>{title}</strong>{table}</div>"
