"""Every public call with a hostile-input maker, and the outcome check.

``CALLS[name] = Call(fn, make, weight)``: ``make(src) -> (args, kwargs)`` builds
one hostile call from a ``hostile.Src``; ``weight`` is its share of the
million-call run (the slow calls - models, Dask - get less). ``run_one`` makes
the call and classifies it (see ``hostile``'s docstring).
"""

from __future__ import annotations

import copy
import dataclasses
import math
import warnings
from typing import Any, Callable, Dict, Tuple

import numpy as np
import pandas as pd

import rheumstats as rs
from rheumstats._result import Result

from hostile import Src, arr, frame, index, labels, length, matrix, options, values

Args = Tuple[Tuple[Any, ...], Dict[str, Any]]


@dataclasses.dataclass
class Call:
    fn: Callable[..., Any]
    make: Callable[[Src], Args]
    weight: float = 1.0


class Failure(AssertionError):
    """A call broke a reliability property (the message says which)."""


# ----------------------------------------------------------------------------
# makers, by data shape
# ----------------------------------------------------------------------------
def _paired(fn: Callable[..., Any], role: str = "num") -> Callable[[Src], Args]:
    def make(s: Src) -> Args:
        n = length(s)
        kw = options(s, fn)
        if s.coin(0.1):  # matrix mode: n x k
            k = s.pick([1, 2, 3, 5])
            x = matrix(s, n, k, role)
            y = None if s.coin(0.3) else matrix(s, n, k, role)
            return (x, y), kw
        x = arr(s, n, role)
        y = None if (s.coin(0.15) and "y" in _optional(fn)) else arr(s, n, role)
        return (x, y), kw

    return make


def _resampling(fn: Callable[..., Any]) -> Callable[[Src], Args]:
    """The paired maker, with resampling budgets kept small (an exact
    permutation test of n = 30 or 10,000 bootstrap resamples cost 0.1-1 s: the
    million-call run samples them rarely)."""
    base = _paired(fn)

    def make(s: Src) -> Args:
        args, kw = base(s)
        if not s.coin(0.02):
            n = len(args[0]) if hasattr(args[0], "__len__") else 1
            if fn is P.bootstrap_ci or n > 16:
                kw["n_resamples"] = s.pick([99, 199, 1, 2, 0, -1, None]) if "n_resamples" not in kw or s.coin(0.8) else kw["n_resamples"]
                if kw["n_resamples"] is None:
                    kw.pop("n_resamples")
        return args, kw

    return make


def _optional(fn: Callable[..., Any]) -> set:
    import inspect

    return {p.name for p in inspect.signature(fn).parameters.values() if p.default is None}


def _two_samples(fn: Callable[..., Any]) -> Callable[[Src], Args]:
    def make(s: Src) -> Args:
        return (arr(s, length(s)), arr(s, length(s))), options(s, fn)

    return make


def _grouped(fn: Callable[..., Any]) -> Callable[[Src], Args]:
    def make(s: Src) -> Args:
        n = length(s)
        return (arr(s, n), labels(s, n if s.coin(0.95) else n + 1)), options(s, fn)

    return make


def _table(fn: Callable[..., Any]) -> Callable[[Src], Args]:
    def make(s: Src) -> Args:
        r, c = s.pick([2, 2, 2, 1, 3, 0, 4]), s.pick([2, 2, 2, 1, 3, 0, 5])
        t = values(s, r * c, "count").reshape(r, c)
        if s.coin(0.1):  # (a support of 1e6 costs ~0.5 s: exercised in test_regressions)
            t = t * s.pick([1e3, 1e15, 1e300])
        kind = s.int(0, 4)
        table: Any = t if kind < 2 else (t.tolist() if kind == 2 else (pd.DataFrame(t) if kind == 3 else t.astype(np.int64) if np.isfinite(t).all() and (np.abs(t) < 2**62).all() else t))
        kw = options(s, fn)
        if fn is rs.groups.fisher_exact and kw.get("n_resamples") is None and (r > 2 or c > 2):
            # the exact r x c network algorithm on a 4 x 5 table of total 400 takes
            # ~10 s (legitimately): the run mostly asks for Monte Carlo p-values
            kw["n_resamples"] = None if s.coin(0.03) else s.pick([50, 9, 1])
        return (table,), kw

    return make


def _incidence(s: Src) -> Args:
    n = length(s)
    kw = options(s, rs.safety.incidence_rate)
    if s.coin(0.4):
        kw["group"] = labels(s, n)
    return (arr(s, n, "count"), arr(s, n, "pos")), kw


def _rate_ratio(s: Src) -> Args:
    n = s.pick([2, 2, 2, 1, 3])
    return (arr(s, n, "count"), arr(s, n, "pos")), options(s, rs.safety.rate_ratio)


def _survival(fn: Callable[..., Any], second: str, group: str) -> Callable[[Src], Args]:
    def make(s: Src) -> Args:
        n = length(s)
        args: Tuple[Any, ...] = (arr(s, n, "pos"), arr(s, n, second))
        if group == "required" or (group == "optional" and s.coin(0.4)):
            args = args + (labels(s, n),)
        kw = options(s, fn)
        if fn is rs.survival.logrank and s.coin(0.2):
            kw["strata"] = labels(s, n)
        return args, kw

    return make


def _coxph(s: Src) -> Args:
    n = length(s)
    df = frame(s, n, {"t": "pos", "e": "binary", "z": "num", "w": "num", "g": "label"})
    cov: Any = s.pick([["z"], ["z", "w"], "z", ["g"], [], ["missing"], ["z", "z"]])
    kw = options(s, rs.survival.coxph)
    if s.coin(0.2):
        kw["strata"] = "g"
    return (df, "t", "e", cov), kw


def _retention(s: Src) -> Args:
    n = length(s)
    df = frame(s, n, {"start": "date", "stop": "date", "reason": "label"})
    if "stop" in df and s.coin(0.3) and n:
        df.loc[df.index[: max(1, n // 3)], "stop"] = pd.NaT if df["stop"].dtype.kind == "M" else None
    kw = {"censor_date": s.pick(["2030-01-01", None, "2016-01-01", "01/02/2016"]), **options(s, rs.survival.retention, skip=("censor_date", "unit"))}
    return (df, "start", "stop", "reason"), kw


def _exposure(s: Src) -> Args:
    n = length(s)
    numeric = s.coin(0.4)
    df = frame(s, n, {"s": "count", "f": "pos"} if numeric else {"s": "date", "f": "date"})
    return (df, "s", "f"), options(s, rs.safety.exposure)


def _compare(fn: Callable[..., Any], by: bool) -> Callable[[Src], Args]:
    def make(s: Src) -> Args:
        n = length(s)
        df = frame(s, n, {"b": "num", "a": "num", "c": "num", "g": "label"})
        pairs = s.pick([{"v": ("b", "a")}, {"v": ("b", "a"), "w": ("c", "a")}, {}, {"v": ("b", "nope")}, {"v": ("b", "g")}, [("b", "a")]])
        kw = options(s, fn)
        if by:
            kw["by"] = s.pick(["g", "g", "b", "nope"])
        return (df, pairs), kw

    return make


def _table_one(s: Src) -> Args:
    n = length(s)
    df = frame(s, n, {"x": "num", "y": "count", "g": "label", "h": "label"})
    cols = s.pick([["x", "g"], ["x"], ["g", "h"], [], ["nope"], ["x", "y", "h"]])
    kw = options(s, rs.cohort.table_one)
    if s.coin(0.7):
        kw["by"] = s.pick(["g", "h", "x", "nope"])
    if s.coin(0.3):
        kw["nonnormal"] = s.pick([["x"], ["g"], ["nope"]])
    if s.coin(0.3):
        kw["categorical"] = s.pick([["y"], ["x"], ["nope"]])
    return (df, cols), kw


def _scores_1d(fn: Callable[..., Any], roles: Tuple[str, ...]) -> Callable[[Src], Args]:
    def make(s: Src) -> Args:
        n = length(s)
        return tuple(arr(s, n, r) for r in roles), options(s, fn)

    return make


def _scores_matrix(fn: Callable[..., Any], k: int, extra: int = 0) -> Callable[[Src], Args]:
    def make(s: Src) -> Args:
        n = length(s)
        m = matrix(s, n, k, "count")
        extras = tuple(matrix(s, n, s.pick([4, 8]), "binary") if s.coin(0.5) else None for _ in range(extra))
        return (m, *extras), options(s, fn)

    return make


def _core_frames(fn: Callable[..., Any], cols: Tuple[str, ...], roles: Dict[str, str], worsening: bool) -> Callable[[Src], Args]:
    def make(s: Src) -> Args:
        n = length(s)
        spec = {c: roles.get(c, "count") for c in cols}
        b, f = frame(s, n, spec), frame(s, n if s.coin(0.95) else n + 1, spec)
        if s.coin(0.5):
            f.index = b.index if len(f) == len(b) else f.index
        args: Tuple[Any, ...] = (b, f)
        if worsening and s.coin(0.5):
            args = args + (arr(s, n, "binary"),)
        return args, options(s, fn)

    return make


def _acr_eular(s: Src) -> Args:
    n = length(s)
    items = rs.ssc.ACR_EULAR_2013_ITEMS
    if s.coin(0.7):
        return (frame(s, n, {c: "binary" for c in items}),), options(s, rs.ssc.acr_eular_2013)
    kw = {c: arr(s, n, "binary") for c in items if s.coin(0.5)}
    return (), {**kw, **options(s, rs.ssc.acr_eular_2013)}


def _mcid(s: Src) -> Args:
    n = length(s)
    measure = s.pick(["mrss", "haq_di", "fvc_pct", "das28", "esr", None])
    return (measure, arr(s, n), arr(s, n)), options(s, rs.ssc.mcid_response)


def _shaq(s: Src) -> Args:
    n = length(s)
    cols = s.pick([["pain"], ["intestinal", "breathing", "raynauds", "digital_ulcers", "overall", "pain"], ["pain", "nope"], []])
    return (frame(s, n, {c: "pos" for c in cols}),), options(s, rs.scores.shaq)


def _long(s: Src) -> pd.DataFrame:
    n_sub, n_vis = s.pick([0, 1, 2, 3, 5, 8, 12]), s.pick([1, 2, 3, 4])
    n = n_sub * n_vis
    subj = np.repeat([f"s{i}" for i in range(n_sub)], n_vis).tolist()
    t = np.tile(np.arange(n_vis, dtype=float), n_sub)
    if s.coin(0.3):
        t = values(s, n, "num")
    if s.coin(0.2) and n:
        subj = labels(s, n)
        subj = list(subj) if not isinstance(subj, pd.Series) else subj.tolist()
    df = pd.DataFrame(
        {"id": subj, "t": t, "y": values(s, n, "num"), "b": values(s, n, "binary"), "arm": np.repeat([s.pick(["A", "B"]) for _ in range(n_sub)], n_vis).tolist() if n_sub else []},
        index=index(s, n),
    )
    if s.coin(0.2) and n:
        keep = np.array([s.coin(0.8) for _ in range(n)])
        df = df[keep]
    if s.coin(0.1):
        df = df.drop(columns=[s.pick(["y", "t", "id"])])
    return df


def _repeated(fn: Callable[..., Any], value: str = "y") -> Callable[[Src], Args]:
    def make(s: Src) -> Args:
        df = _long(s)
        kw = options(s, fn)
        extra: Tuple[Any, ...] = ()
        if fn is rs.longitudinal.visit_window:
            extra = (s.pick([[0.0, 1.0], [1.5], [], [np.nan], [1e300]]), s.pick([0.5, 1.0, 0.0, -1.0, np.nan, np.inf]))
            kw = {k: v for k, v in kw.items() if k != "width"}
        elif fn is rs.longitudinal.locf and s.coin(0.5):
            kw["targets"] = s.pick([[0.0, 1.0, 2.0], [5.0], [], [np.nan]])
        return (df, "id", "t", s.pick([value, value, "arm", "nope"]), *extra), kw

    return make


def _lmm(s: Src) -> Args:
    df = _long(s)
    formula = s.pick(["y ~ t + (1 | id)", "y ~ t * arm + (1 + t | id)", "y ~ arm + (1 | id) + (0 + t | id)", "y ~ 1 + (1 | id)", "y ~ t", "y ~ nope + (1 | id)", "~ (1|id)"])
    return (formula, df), options(s, rs.longitudinal.lmm)


def _mmrm(s: Src) -> Args:
    df = _long(s)
    df = df.assign(visit=df["t"].astype(str)) if "t" in df else df
    cov = s.pick([(), ("arm",), ("t",), ("nope",)])
    kw = options(s, rs.longitudinal.mmrm)
    kw.pop("ddf", None) if kw.get("ddf") == "kenward-roger" else None
    if s.coin(0.2):
        kw["group"] = "arm"
    return (df, "y", "visit", "id", cov), kw


_DASK: Dict[str, Any] = {}


def _dd(df: pd.DataFrame) -> Any:
    import dask.dataframe as dd

    return dd.from_pandas(df, npartitions=2 if len(df) > 1 else 1)


def _dask_surv(kind: str) -> Callable[[Src], Args]:
    def make(s: Src) -> Args:
        n = length(s)
        df = frame(s, n, {"t": "pos", "e": "binary" if kind != "cif" else "cause", "g": "label"})
        if kind == "logrank":
            return (_dd(df), "t", "e", "g"), {}
        return (_dd(df), "t", "e", s.pick([None, "g"])), {}

    return make


def _dask_ttest(s: Src) -> Args:
    n = length(s)
    df = frame(s, n, {"b": "num", "a": "num"})
    return (_dd(df), "b", s.pick(["a", None, "nope"])), {}


def _dask_rate(s: Src) -> Args:
    n = length(s)
    df = frame(s, n, {"e": "count", "x": "pos", "g": "label"})
    return (_dd(df), "e", "x"), {"by": s.pick([None, "g"])}


S, P, G = rs.scores, rs.paired, rs.groups
CALLS: Dict[str, Call] = {
    "paired.ttest": Call(P.ttest, _paired(P.ttest), 3),
    "paired.wilcoxon": Call(P.wilcoxon, _paired(P.wilcoxon), 3),
    "paired.sign_test": Call(P.sign_test, _paired(P.sign_test), 3),
    "paired.permutation_test": Call(P.permutation_test, _resampling(P.permutation_test), 2),
    "paired.bootstrap_ci": Call(P.bootstrap_ci, _resampling(P.bootstrap_ci), 1),
    "paired.mcnemar": Call(P.mcnemar, _paired(P.mcnemar, "binary"), 2),
    "paired.stuart_maxwell": Call(P.stuart_maxwell, lambda s: ((labels(s, (n := length(s))), labels(s, n)), options(s, P.stuart_maxwell)), 2),
    "paired.compare": Call(P.compare, _compare(P.compare, False), 0.5),
    "groups.ttest": Call(G.ttest, _two_samples(G.ttest), 3),
    "groups.mannwhitney": Call(G.mannwhitney, _two_samples(G.mannwhitney), 3),
    "groups.kruskal": Call(G.kruskal, _grouped(G.kruskal), 2),
    "groups.anova_oneway": Call(G.anova_oneway, _grouped(G.anova_oneway), 2),
    "groups.chisq": Call(G.chisq, _table(G.chisq), 2),
    "groups.fisher_exact": Call(G.fisher_exact, _table(G.fisher_exact), 2),
    "groups.compare_subgroups": Call(G.compare_subgroups, _compare(G.compare_subgroups, True), 0.3),
    "safety.incidence_rate": Call(rs.safety.incidence_rate, _incidence, 2),
    "safety.rate_ratio": Call(rs.safety.rate_ratio, _rate_ratio, 2),
    "safety.exposure": Call(rs.safety.exposure, _exposure, 0.5),
    "survival.kaplan_meier": Call(rs.survival.kaplan_meier, _survival(rs.survival.kaplan_meier, "binary", "optional"), 2),
    "survival.logrank": Call(rs.survival.logrank, _survival(rs.survival.logrank, "binary", "required"), 2),
    "survival.cumulative_incidence": Call(rs.survival.cumulative_incidence, _survival(rs.survival.cumulative_incidence, "cause", "optional"), 1),
    "survival.coxph": Call(rs.survival.coxph, _coxph, 0.5),
    "survival.retention": Call(rs.survival.retention, _retention, 0.3),
    "multitest.adjust": Call(rs.multitest.adjust, lambda s: ((arr(s, length(s), "unit"),), options(s, rs.multitest.adjust)), 2),
    "cohort.table_one": Call(rs.cohort.table_one, _table_one, 0.2),
    "scores.das28_esr": Call(S.das28_esr, _scores_1d(S.das28_esr, ("count", "count", "pos", "pos")), 1),
    "scores.das28_crp": Call(S.das28_crp, _scores_1d(S.das28_crp, ("count", "count", "pos", "pos")), 1),
    "scores.das28_category": Call(S.das28_category, _scores_1d(S.das28_category, ("pos",)), 0.5),
    "scores.eular_response": Call(S.eular_response, _scores_1d(S.eular_response, ("pos", "pos")), 0.5),
    "scores.cdai": Call(S.cdai, _scores_1d(S.cdai, ("count", "count", "pos", "pos")), 0.5),
    "scores.sdai": Call(S.sdai, _scores_1d(S.sdai, ("count", "count", "pos", "pos", "pos")), 0.5),
    "scores.cdai_category": Call(S.cdai_category, _scores_1d(S.cdai_category, ("pos",)), 0.3),
    "scores.sdai_category": Call(S.sdai_category, _scores_1d(S.sdai_category, ("pos",)), 0.3),
    "scores.mrss": Call(S.mrss, _scores_matrix(S.mrss, 17), 0.5),
    "scores.skin_subset": Call(S.skin_subset, _scores_matrix(S.skin_subset, 17), 0.3),
    "scores.haq_di": Call(S.haq_di, _scores_matrix(S.haq_di, 20, 2), 0.5),
    "scores.chfs": Call(S.chfs, _scores_matrix(S.chfs, 18), 0.3),
    "scores.acr_response": Call(
        S.acr_response, _core_frames(S.acr_response, (*S.ACR_CORE, "esr"), {"pain": "pos", "patient_global": "pos", "physician_global": "pos", "esr": "pos"}, False), 0.5,
    ),
    "scores.shaq": Call(S.shaq, _shaq, 0.3),
    "ssc.criss": Call(rs.ssc.criss, _core_frames(rs.ssc.criss, rs.ssc.SSC_CORE, {"fvc_pct": "pos"}, True), 0.5),
    "ssc.rcriss": Call(rs.ssc.rcriss, _core_frames(rs.ssc.rcriss, rs.ssc.SSC_CORE, {"fvc_pct": "pos"}, True), 0.5),
    "ssc.eustar_ai": Call(rs.ssc.eustar_ai, _scores_1d(rs.ssc.eustar_ai, ("num", "count", "binary", "binary", "pos", "pos")), 0.5),
    "ssc.eustar_ai_active": Call(rs.ssc.eustar_ai_active, _scores_1d(rs.ssc.eustar_ai_active, ("pos",)), 0.3),
    "ssc.acr_eular_2013": Call(rs.ssc.acr_eular_2013, _acr_eular, 0.3),
    "ssc.lung_decline": Call(rs.ssc.lung_decline, _scores_1d(rs.ssc.lung_decline, ("pos", "pos", "pos", "pos")), 0.5),
    "ssc.mcid_response": Call(rs.ssc.mcid_response, _mcid, 0.5),
    "longitudinal.change_from_baseline": Call(rs.longitudinal.change_from_baseline, _repeated(rs.longitudinal.change_from_baseline), 0.3),
    "longitudinal.visit_window": Call(rs.longitudinal.visit_window, _repeated(rs.longitudinal.visit_window), 0.3),
    "longitudinal.locf": Call(rs.longitudinal.locf, _repeated(rs.longitudinal.locf), 0.3),
    "longitudinal.auc": Call(rs.longitudinal.auc, _repeated(rs.longitudinal.auc), 0.3),
    "longitudinal.slopes": Call(rs.longitudinal.slopes, _repeated(rs.longitudinal.slopes), 0.3),
    "longitudinal.friedman": Call(rs.longitudinal.friedman, _repeated(rs.longitudinal.friedman), 0.3),
    "longitudinal.cochran_q": Call(rs.longitudinal.cochran_q, _repeated(rs.longitudinal.cochran_q, "b"), 0.3),
    "longitudinal.skillings_mack": Call(rs.longitudinal.skillings_mack, _repeated(rs.longitudinal.skillings_mack), 0.3),
    "longitudinal.page_trend": Call(rs.longitudinal.page_trend, _repeated(rs.longitudinal.page_trend), 0.3),
    "longitudinal.lmm": Call(rs.longitudinal.lmm, _lmm, 0.05),
    "longitudinal.mmrm": Call(rs.longitudinal.mmrm, _mmrm, 0.05),
}
DASK_CALLS: Dict[str, Call] = {}
try:  # rs.dask needs the optional dask dependency
    import rheumstats.dask as rd

    DASK_CALLS = {
        "dask.kaplan_meier": Call(rd.kaplan_meier, _dask_surv("km"), 0.005),
        "dask.logrank": Call(rd.logrank, _dask_surv("logrank"), 0.005),
        "dask.cumulative_incidence": Call(rd.cumulative_incidence, _dask_surv("cif"), 0.005),
        "dask.ttest": Call(rd.ttest, _dask_ttest, 0.005),
        "dask.incidence_rate": Call(rd.incidence_rate, _dask_rate, 0.005),
    }
except ImportError:  # pragma: no cover
    pass
ALL_CALLS: Dict[str, Call] = {**CALLS, **DASK_CALLS}


# ----------------------------------------------------------------------------
# the outcome
# ----------------------------------------------------------------------------
ALLOWED = (ValueError, TypeError)
P_NAMES = ("pvalue", "p", "p_adj", "p_value", "probability")
LOW_HIGH = (("ci_low", "ci_high"), ("lower", "upper"), ("low", "high"))


def _snapshot(a: Any) -> Any:
    try:
        return copy.deepcopy(a)
    except Exception:  # noqa: BLE001 - an input that cannot be copied is not compared
        return None


def _same(a: Any, b: Any) -> bool:
    if b is None:
        return True
    if isinstance(a, (pd.Series, pd.DataFrame)):
        return a.equals(b) and a.index.equals(b.index)
    if isinstance(a, np.ndarray):
        if a.dtype == object:
            return a.shape == b.shape and _same(a.ravel().tolist(), b.ravel().tolist())
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    try:
        return bool(a == b) if not isinstance(a, (pd.api.extensions.ExtensionArray, pd.Categorical)) else a.equals(b)  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001
        return True


def _floats(v: Any) -> np.ndarray:
    try:
        a = np.asarray(v, dtype=float).ravel()
    except (TypeError, ValueError):
        return np.array([])
    return a


def check_result(out: Any) -> None:
    """p-values in [0, 1] (or NaN), intervals ordered; repr works."""
    fields: Dict[str, Any] = {}
    if isinstance(out, Result):
        fields = out.to_dict()
        repr(out)
        if hasattr(out, "confidence_interval"):
            try:
                ci = out.confidence_interval()
            except ALLOWED:
                ci = None
            if ci is not None:
                fields = {**fields, "ci.low": ci.low, "ci.high": ci.high}
                _ordered(ci.low, ci.high, "confidence_interval()")
    elif isinstance(out, pd.DataFrame):
        fields = {str(c): out[c] for c in out.columns if out[c].dtype.kind in "fiu"}
    elif isinstance(out, dict):
        fields = out
    else:
        for attr in ("table", "summary", "coef", "fixed"):
            t = getattr(out, attr, None)
            if isinstance(t, pd.DataFrame):
                fields = {str(c): t[c] for c in t.columns if t[c].dtype.kind in "fiu"}
                break
        repr(out)
    for k, v in fields.items():
        if k.split(".")[-1] in P_NAMES or k.startswith("p_"):
            p = _floats(v)
            bad = p[~np.isnan(p) & ((p < 0) | (p > 1 + 1e-12))]
            if bad.size:
                raise Failure(f"{k} = {bad[:3]} outside [0, 1]")
    for lo, hi in LOW_HIGH:
        if lo in fields and hi in fields:
            _ordered(fields[lo], fields[hi], lo)


def _ordered(lo: Any, hi: Any, what: str) -> None:
    a, b = _floats(lo), _floats(hi)
    if a.shape == b.shape and a.size:
        with np.errstate(invalid="ignore", over="ignore"):
            bad = (a > b) & ~np.isclose(a, b, rtol=1e-9, atol=0.0)
        if bad.any():
            raise Failure(f"{what}: interval inverted ({a[bad][:3]} > {b[bad][:3]})")


def run_one(call: Call, args: Tuple[Any, ...], kwargs: Dict[str, Any], check_inputs: bool = True) -> str:
    """Make one call; return 'ok', 'ValueError' or 'TypeError'; raise Failure otherwise."""
    before = [_snapshot(a) for a in args] if check_inputs else None
    kw_before = _snapshot(kwargs) if check_inputs else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = call.fn(*args, **kwargs)
            outcome = "ok"
            check_result(out)
    except Failure:
        raise
    except ALLOWED as e:
        outcome = "TypeError" if isinstance(e, TypeError) else "ValueError"
        if not str(e):
            raise Failure(f"{type(e).__name__} without a message") from e
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # noqa: BLE001 - PanicException derives from BaseException
        raise Failure(f"{type(e).__module__}.{type(e).__name__}: {e}") from e
    if check_inputs and before is not None:
        for k, (a, b) in enumerate(zip(args, before)):
            if not _same(a, b):
                raise Failure(f"argument {k} changed by the call")
        if not _same(kwargs, kw_before):
            raise Failure("a keyword argument changed by the call")
    return outcome


def describe(args: Tuple[Any, ...], kwargs: Dict[str, Any], width: int = 1500) -> str:
    with np.printoptions(threshold=40, precision=17):
        text = f"args={args!r}\nkwargs={kwargs!r}"
    return text if len(text) <= width else text[:width] + " ..."
