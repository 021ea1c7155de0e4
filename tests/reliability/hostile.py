"""Hostile inputs for every public call, written once for two sources of randomness.

A *source* (``Src``) answers a handful of primitive draws (an integer, a pick,
an array of floats of a given kind). ``HypSrc`` draws them through hypothesis
(``st.data()``: shrinking, the example database), ``RngSrc`` from a seeded numpy
generator (fast: ``tools/hostile_calls.py`` makes a million calls with it, and
call ``i`` of seed ``s`` is reproduced by ``RngSrc.for_call(s, i)``).

On top of the primitives: hostile floats (NaN, +-inf, -0.0, subnormal, 1e+-300,
DBL_MAX, 1e12 + noise, all tied, constant), hostile containers and dtypes
(list, ndarray, float32, int8...uint64, bool, object with None, str, datetime64,
complex, pandas nullable Int64/Float64/boolean, Categorical, Series with a
duplicated / text / shuffled index, 2-D arrays, scalars, None), mismatched
lengths, DataFrames with missing, extra or mistyped columns, and hostile option
values (``OPTIONS``: the valid ones mostly, then wrong values and wrong types).

``CALLS`` maps each public call ``module.name`` to ``Call(fn, make, weight)``;
``make(src)`` returns ``(args, kwargs)``. ``run_one`` calls it and classifies the
outcome: ``'ok'`` (result passed ``check_result``), ``'ValueError'``/
``'TypeError'`` (allowed), or raises ``Failure`` for anything else (another
exception type, a pyo3 ``PanicException``, a p-value outside [0, 1], an inverted
interval, an input changed by the call).
"""

from __future__ import annotations

import copy
import dataclasses
import math
import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

import rheumstats as rs
from rheumstats._result import Result

# ----------------------------------------------------------------------------
# sources of randomness
# ----------------------------------------------------------------------------
SPECIAL = np.array(
    [
        np.nan, np.inf, -np.inf, 0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-300, -1e-300,
        1e300, -1e300, 1.7976931348623157e308, -1.7976931348623157e308, 1.0, -1.0, 0.5, 1e12 + 0.5,
        2.0**53, 2.0**63, -(2.0**63), 1e-8, 3.0, 100.0, 1e6, -1e6, 1e15, 1e18,
    ]
)
KINDS = ("normal", "int", "special", "mixed", "offset", "huge", "tiny", "bits", "constant", "positive", "unit")


class Src:
    """The primitive draws; subclasses implement them."""

    def int(self, lo: int, hi: int) -> int:  # inclusive
        raise NotImplementedError

    def pick(self, seq: Sequence[Any]) -> Any:
        return seq[self.int(0, len(seq) - 1)]

    def coin(self, p: float = 0.5) -> bool:
        return self.int(0, 999) < int(p * 1000)

    def floats(self, n: int, kind: str) -> np.ndarray:
        raise NotImplementedError


class RngSrc(Src):
    def __init__(self, rng: np.random.Generator):
        self.rng = rng

    @classmethod
    def for_call(cls, seed: int, i: int) -> "RngSrc":
        return cls(np.random.default_rng([seed, i]))

    def int(self, lo: int, hi: int) -> int:
        return int(self.rng.integers(lo, hi + 1))

    def floats(self, n: int, kind: str) -> np.ndarray:
        r = self.rng
        if kind == "normal":
            return r.normal(self.pick([0.0, 10.0, -3.0]), self.pick([1.0, 0.1, 50.0]), n)
        if kind == "int":
            return r.integers(0, self.pick([2, 3, 5, 40]), n).astype(float)
        if kind == "special":
            return r.choice(SPECIAL, n)
        if kind == "mixed":
            out = r.normal(5.0, 3.0, n)
            mask = r.random(n) < 0.2
            out[mask] = r.choice(SPECIAL, int(mask.sum()))
            return out
        if kind == "offset":
            return 1e12 + r.normal(0, 1e-3, n)
        if kind == "huge":
            return r.choice([-1.0, 1.0], n) * 10.0 ** r.uniform(250, 308, n)
        if kind == "tiny":
            return r.choice([-1.0, 1.0, 1.0], n) * 10.0 ** r.uniform(-323, -290, n)
        if kind == "bits":
            return r.integers(0, 2**63, n, dtype=np.int64).view(np.float64) * r.choice([-1.0, 1.0], n)
        if kind == "constant":
            return np.full(n, r.choice(SPECIAL[3:]) if r.random() < 0.5 else 2.5)
        if kind == "positive":
            return np.abs(r.normal(5, 4, n)) + r.choice([0.0, 1e-300, 1.0])
        if kind == "unit":
            return r.random(n)
        raise AssertionError(kind)


class HypSrc(Src):
    def __init__(self, data: Any):
        from hypothesis import strategies as st

        self.st = st
        self.data = data

    def int(self, lo: int, hi: int) -> int:
        return self.data.draw(self.st.integers(lo, hi))

    def pick(self, seq: Sequence[Any]) -> Any:
        return seq[self.data.draw(self.st.integers(0, len(seq) - 1))]

    def coin(self, p: float = 0.5) -> bool:
        return self.data.draw(self.st.booleans())

    def floats(self, n: int, kind: str) -> np.ndarray:
        st = self.st
        elem = {
            "normal": st.floats(-1e3, 1e3),
            "int": st.integers(0, 4).map(float),
            "special": st.sampled_from(list(SPECIAL)),
            "mixed": st.one_of(st.floats(-100, 100), st.sampled_from(list(SPECIAL))),
            "offset": st.floats(-1e-3, 1e-3).map(lambda v: 1e12 + v),
            "huge": st.floats(1e250, 1.7976931348623157e308).flatmap(lambda v: st.sampled_from([v, -v])),
            "tiny": st.floats(5e-324, 1e-290),
            "bits": st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True),
            "positive": st.floats(0, 1e6),
            "unit": st.floats(0, 1),
        }
        if kind == "constant":
            v = self.data.draw(st.sampled_from(list(SPECIAL[3:]) + [2.5]))
            return np.full(n, v)
        return np.array(self.data.draw(st.lists(elem[kind], min_size=n, max_size=n)), dtype=float)


# ----------------------------------------------------------------------------
# hostile values, containers and dtypes
# ----------------------------------------------------------------------------
def length(s: Src) -> int:
    return s.pick([0, 1, 2, 3, 4, 5, 6, 8, 10, 13, 20, 30, 60]) if not s.coin(0.03) else s.int(100, 400)


def values(s: Src, n: int, role: str = "num") -> np.ndarray:
    """Floats for a role, mostly plausible, often with hostile values mixed in."""
    if s.coin(0.25):
        return s.floats(n, s.pick(KINDS))
    if role == "num":
        return s.floats(n, s.pick(["normal", "normal", "int", "mixed", "offset"]))
    if role == "pos":  # times, exposures, ESR
        v = s.floats(n, s.pick(["positive", "positive", "int", "mixed"]))
        return np.abs(v) if s.coin(0.7) else v
    if role == "count":
        return s.floats(n, s.pick(["int", "int", "mixed"]))
    if role == "binary":  # 0/1 (events, yes/no)
        v = s.floats(n, "int")
        return np.minimum(v, 1.0) if s.coin(0.8) else v
    if role == "cause":
        return np.floor(np.abs(s.floats(n, "int"))) % s.pick([2, 3, 4])
    if role == "unit":
        return s.floats(n, s.pick(["unit", "unit", "mixed"]))
    raise AssertionError(role)


LABEL_SETS: List[List[Any]] = [["a", "b"], ["a", "b", "c"], [1, 2], ["x"], [0.5, np.nan], ["a", None], [True, False], ["a", 1], ["é", "ü", ""]]


def labels(s: Src, n: int) -> Any:
    kind = s.int(0, 9)
    if kind == 9:
        return [f"s{i}" for i in range(n)]  # every label unique
    pool = LABEL_SETS[min(kind, len(LABEL_SETS) - 1)]
    out = [pool[s.int(0, len(pool) - 1)] for _ in range(n)]
    wrap = s.int(0, 5)
    if wrap == 0:
        return np.array(out, dtype=object)
    if wrap == 1:
        return pd.Series(out, index=index(s, n))
    if wrap == 2:
        return pd.Categorical([o for o in out if o is not None] if False else out)
    return out


def index(s: Src, n: int) -> Any:
    k = s.int(0, 5)
    if k == 0:
        return [f"p{i}" for i in range(n)]
    if k == 1:
        return [0] * n  # all duplicated
    if k == 2:
        return list(range(n))[::-1]
    if k == 3:
        return pd.date_range("2020-01-01", periods=n) if n < 10_000 else None
    if k == 4:
        return [i % 2 for i in range(n)]
    return None


def _to_int(v: np.ndarray, dtype: Any) -> np.ndarray:
    info = np.iinfo(dtype)
    w = np.nan_to_num(v, nan=0.0, posinf=info.max, neginf=info.min)
    return np.clip(w, info.min, info.max).astype(dtype)


def wrap(s: Src, v: np.ndarray, allow_scalar: bool = True) -> Any:
    """One hostile container/dtype for a 1-D float array."""
    n = len(v)
    k = s.int(0, 29)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if k <= 9:
            return v
        if k == 10:
            return v.tolist()
        if k == 11:
            return v.astype(np.float32)
        if k == 12:
            return _to_int(v, s.pick([np.int8, np.int16, np.int32, np.int64]))
        if k == 13:
            return _to_int(v, s.pick([np.uint8, np.uint64]))
        if k == 14:
            return v != 0
        if k == 15:
            o = v.astype(object)
            if n:
                o[s.int(0, n - 1)] = s.pick([None, "3", pd.NA, 1 + 2j, [1.0]])
            return o
        if k == 16:
            return v.astype(str)
        if k == 17:
            return np.datetime64("2020-01-01") + np.arange(n).astype("timedelta64[D]")
        if k == 18:
            return v + 1j * s.pick([0.0, 1.0])
        if k == 19:
            a = pd.array(_to_int(v, np.int64), dtype="Int64")
            if n:
                a[s.int(0, n - 1)] = pd.NA
            return a
        if k == 20:
            return pd.array(v, dtype="Float64")
        if k == 21:
            return pd.array(v != 0, dtype="boolean")
        if k == 22:
            return pd.Categorical(v)
        if k in (23, 24, 25, 26):
            return pd.Series(v, index=index(s, n))
        if k == 27:
            return v.reshape(-1, 1) if s.coin() else np.vstack([v, v])
        if k == 28 and allow_scalar:
            return float(v[0]) if n else s.pick([None, np.nan, "x"])
        if k == 29:
            return pd.DataFrame({"a": v})
    return v


def arr(s: Src, n: int, role: str = "num", allow_scalar: bool = True) -> Any:
    if s.coin(0.04):
        n = max(0, n + s.pick([-1, 1, 2, -n]))  # mismatched length
    return wrap(s, values(s, n, role), allow_scalar)


def matrix(s: Src, n: int, k: int, role: str = "num") -> Any:
    if s.coin(0.05):
        k = s.pick([0, 1, k - 1, k + 1])
    m = np.column_stack([values(s, n, role) for _ in range(max(k, 0))]) if k > 0 else np.zeros((n, 0))
    c = s.int(0, 4)
    if c == 0:
        return pd.DataFrame(m, index=index(s, n))
    if c == 1:
        return m.T.copy() if s.coin() else m.astype(np.float32)
    if c == 2:
        return m.tolist()
    return m


def frame(s: Src, n: int, cols: Dict[str, str]) -> pd.DataFrame:
    """A DataFrame with the given columns (name -> role; role 'label' for labels,
    'date' for date columns), sometimes one missing, one extra, one mistyped."""
    d: Dict[str, Any] = {}
    for c, role in cols.items():
        if role == "label":
            lab = labels(s, n)
            d[c] = list(lab) if not isinstance(lab, pd.Series) else lab.tolist()
        elif role == "date":
            start = pd.Timestamp("2015-01-01") + pd.to_timedelta(np.abs(np.nan_to_num(values(s, n, "count"))) % 4000, unit="D")
            d[c] = start if s.coin(0.7) else (start.astype(str) if s.coin() else start.strftime("%d/%m/%Y"))
        else:
            v = values(s, n, role)
            d[c] = wrap(s, v, allow_scalar=False) if s.coin(0.15) else v
            if isinstance(d[c], (np.ndarray, list, pd.api.extensions.ExtensionArray)) and len(d[c]) != n:
                d[c] = v
            if isinstance(d[c], (pd.DataFrame, pd.Series)) or (isinstance(d[c], np.ndarray) and d[c].ndim != 1):
                d[c] = v
    if cols and s.coin(0.05):
        d.pop(s.pick(list(cols)))
    if s.coin(0.1):
        d["extra"] = ["z"] * n
    try:
        return pd.DataFrame(d, index=index(s, n))
    except (ValueError, TypeError):
        return pd.DataFrame({c: values(s, n, "num") for c in cols})


# ----------------------------------------------------------------------------
# option values: valid ones (first, most often) then hostile ones
# ----------------------------------------------------------------------------
BAD_FLOATS: List[Any] = [np.nan, np.inf, -np.inf, -1.0, 0.0, 1e300, -0.0, 5e-324, "0.5", None, True, 1 + 1j]
OPTIONS: Dict[str, List[Any]] = {
    "alternative": ["two-sided", "less", "greater", "bigger", None, 1, "Less"],
    "conf_level": [0.95, 0.9, 0.5, 0.999999, 1.0, 1 + 1e-16, 0.0, 1e-300, -0.5, 1.5, np.nan, np.inf, "0.95", None, True],
    "nan_policy": ["propagate", "omit", "raise", "drop", None, 0],
    "axis": [0, 1, -1, 2, None, 0.5, "0"],
    "popmean": [0.0, 1.0, -3.0, *BAD_FLOATS],
    "method": ["auto", "exact", "approx", "asymptotic", "monte-carlo", "fast", None, 3],
    "zero_method": ["wilcox", "pratt", "zsplit", "drop", None],
    "correction": [True, False, None, "yes", 2],
    "conf_int": [True, False, None],
    "statistic": ["mean", "median", "mode", None],
    "n_resamples": [None, 1, 2, 9, 199, 0, -1, 2.5, "10", True, 10**20],
    "seed": [None, 0, 1, -1, 2**64, 2**70, 1.5, "a", [1, 2]],
    "ci_method": ["bca", "percentile", "basic", "bc", None],
    "progress": [None, False],
    "equal_var": [False, True, None, "no"],
    "categories": [None, ["a", "b"], [], ["a", "a"], "ab", [np.nan]],
    "tests": [("t", "wilcoxon"), ("t",), ("wilcoxon",), ("sign",), (), ("z",), "t", None],
    "adjust": ["holm", None, "fdr", "bonferroni", "hochberg", "fdr2", 1],
    "per": [100, 1, 1000, *BAD_FLOATS],
    "conf_type": ["log-log", "log", "plain", "logit", None],
    "rho": [0, 1, 0.5, -1, 1e300, np.nan, None, "1"],
    "ties": ["efron", "breslow", "exact", None],
    "max_iter": [20, 200, 1, 0, -1, 2.5, None, 10**9],
    "decimals": [1, 0, 3, -1, 20, 2.5, None],
    "unit": ["years", "days", "months", "weeks", "fortnights", None, "mm", "cm"],
    "numeric_unit": ["days", "years", "months", "fortnights", None],
    "global_unit": ["mm", "cm", "inch", None],
    "crp_unit": ["mg/L", "mg/dL", "g/L", None],
    "thresholds": [(2.6, 3.2, 5.1), (3.2, 2.6, 5.1), (), (np.nan, 1, 2), (1, 1, 1), "abc", None],
    "level": [20, 50, 70, 0, 100, 101, -5, np.nan, None, "20"],
    "apr": [None, "esr", "crp", "il6"],
    "by_domain": [False, True, None],
    "threshold": [None, 0.2, 0.0, -1.0, 1.0, np.nan, np.inf, "x"],
    "min_items": [3, 0, 1, 5, 6, -1, 2.5, None],
    "fvc_threshold": [0.05, 0.0, -1, np.nan, 1e300, None],
    "definition": ["omeract", "absolute", "relative", "x", None],
    "reml": [True, False, None, "yes"],
    "ddf": ["satterthwaite", "residual", "none", "between-within", "x", None],
    "covariance": ["us", "cs", "csh", "ar1", "ar1h", "toep", "toeph", "ad", "adh", "vc", "un", "x", None],
    "normalise": [False, True, None],
    "censor_date": [None, "2025-01-01", pd.Timestamp("2010-01-01"), "not a date", 3, np.nan],
    "baseline": [0, 1, -1, np.nan, "first", None],
    "width": [1.0, 0.0, -1.0, np.nan, np.inf, 1e300, None],
    "missing_reason": ["censor", "unknown", "error", None, "drop", 1],
    "dayfirst": [True, False, None, "yes"],
    "date_format": ["%d/%m/%Y", "%Y-%m-%d", None, "%Q", 5],
}


def options(s: Src, fn: Callable[..., Any], skip: Sequence[str] = (), hostile: float = 0.3) -> Dict[str, Any]:
    """Keyword options of ``fn``: each kept at its default, else drawn from OPTIONS
    (valid values first; a hostile one with probability ``hostile``)."""
    import inspect

    out: Dict[str, Any] = {}
    for p in inspect.signature(fn).parameters.values():
        if p.name in skip or p.name not in OPTIONS or p.kind is p.VAR_KEYWORD:
            continue
        if p.kind is not p.KEYWORD_ONLY and p.name not in ("reml", "ddf", "conf_level", "max_iter", "normalise", "covariance", "baseline", "width", "censor_date", "unit", "rho", "per", "adjust", "tests"):
            continue
        if s.coin(0.6):
            continue
        pool = OPTIONS[p.name]
        n_valid = _N_VALID.get(p.name, 1)
        out[p.name] = pool[s.int(0, len(pool) - 1)] if s.coin(hostile) else pool[s.int(0, n_valid - 1)]
    return out


_N_VALID = {
    "alternative": 3, "conf_level": 4, "nan_policy": 3, "axis": 1, "popmean": 3, "method": 4, "zero_method": 3, "correction": 2,
    "conf_int": 2, "statistic": 2, "n_resamples": 5, "seed": 3, "ci_method": 3, "progress": 2, "equal_var": 2, "categories": 2,
    "tests": 4, "adjust": 5, "per": 3, "conf_type": 3, "rho": 3, "ties": 2, "max_iter": 2, "decimals": 3, "unit": 4,
    "numeric_unit": 3, "global_unit": 2, "crp_unit": 2, "thresholds": 1, "level": 3, "apr": 1, "by_domain": 2, "threshold": 3,
    "min_items": 4, "fvc_threshold": 2, "definition": 1, "reml": 2, "ddf": 3, "covariance": 7, "normalise": 2, "censor_date": 3,
    "baseline": 2, "width": 1, "missing_reason": 4, "dayfirst": 3, "date_format": 3,
}
