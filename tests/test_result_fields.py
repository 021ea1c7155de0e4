"""Every result class and every result table uses the Conventions' field names
(API.md): walk all subclasses of ``_result.Result`` for their field names, and
check the values of ``n``, ``df`` and ``method`` on a result of every public call."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs
from rheumstats._result import Result

sys.path.insert(0, str(Path(__file__).parent))
from test_conformance_api import ALL, CALLS  # noqa: E402  (the one table of calls)

# spellings the Conventions replaced (field -> the Convention name)
FORBIDDEN_FIELDS = {
    "std_err": "se", "standard_error": "se", "stderr": "se", "se_": "se",
    "p_value": "pvalue", "pval": "pvalue", "p_val": "pvalue",
    "alpha": "conf_level", "confidence": "conf_level",
    "nobs": "n", "n_obs": "n", "dof": "df", "degrees_of_freedom": "df", "df_num": "df",
    "ci_lower": "confidence_interval()", "ci_upper": "confidence_interval()", "lower": "confidence_interval()",
    "upper": "confidence_interval()", "conf_int": "confidence_interval()",
    "exact": "method", "groups": "levels", "zscore": "statistic",
}
FORBIDDEN_COLUMNS = {"std_err", "standard_error", "stderr", "p_value", "pval", "ci_lower", "ci_upper", "lower", "upper"}
METHODS = {"auto", "exact", "approx", "monte-carlo"}
# model results whose established names API.md itself lists (rs.longitudinal: `.nobs`, as lme4 and
# statsmodels call the number of observations; their number of subjects is `n_subjects`/`ngroups`)
API_MODEL_FIELDS = {"LmmResult": {"nobs"}, "MmrmResult": {"nobs"}}


def _all_result_classes():
    for mod in pkgutil.walk_packages(rs.__path__, "rheumstats."):
        if mod.name.split(".")[-1] in ("cli", "__main__") or ".report" in mod.name:
            continue
        importlib.import_module(mod.name)
    seen, todo = [], list(Result.__subclasses__())
    while todo:
        c = todo.pop()
        if c not in seen:
            seen.append(c)
            todo.extend(c.__subclasses__())
    return sorted(seen, key=lambda c: f"{c.__module__}.{c.__qualname__}")


CLASSES = _all_result_classes()


def test_the_walk_finds_the_results():
    names = {c.__name__ for c in CLASSES}
    assert {"WilcoxonResult", "MannWhitneyResult", "KaplanMeier", "CoxPH", "AnovaResult", "BootstrapResult"} <= names


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__qualname__ for c in CLASSES])
def test_field_names_follow_the_conventions(cls):
    for f in dataclasses.fields(cls):
        if f.name.startswith("_") or f.name in API_MODEL_FIELDS.get(cls.__name__, ()):
            continue
        assert f.name not in FORBIDDEN_FIELDS, f"{cls.__name__}.{f.name}: the Conventions name is {FORBIDDEN_FIELDS[f.name]!r}"
        assert not f.name.startswith("p_") and f.name != "p", f"{cls.__name__}.{f.name}: p-values on objects are 'pvalue'"


def _results():
    out = []
    for name, case in ALL.items():
        r = case.call(*case.data)
        out.append((name, r))
    return out


@pytest.mark.parametrize("name", list(ALL))
def test_values_of_n_df_method_and_tables(name):
    case = ALL[name]
    r = case.call(*case.data)
    frames = []
    if isinstance(r, pd.DataFrame):
        frames.append(r)
    if isinstance(r, Result):
        d = r.to_dict()
        for k, v in d.items():
            if isinstance(v, pd.DataFrame):
                frames.append(v)
        if "n" in d:
            n = d["n"]
            assert isinstance(n, (int, np.integer)) and not isinstance(n, bool) or (
                isinstance(n, np.ndarray) and n.dtype.kind == "i"
            ), f"{name}: n = {n!r} is not an int"
        for k in ("n_x", "n_y"):
            if k in d:
                assert isinstance(d[k], (int, np.integer)) or d[k].dtype.kind == "i"
        if "df" in d:
            assert isinstance(d["df"], (float, np.floating)) or (isinstance(d["df"], np.ndarray) and d["df"].dtype.kind == "f"), (
                f"{name}: df = {d['df']!r} is not a float"
            )
        if "method" in d:
            m = d["method"]
            vals = set(np.asarray(m, dtype=object).ravel().tolist())
            assert vals <= METHODS, f"{name}: method {vals} outside {sorted(METHODS)}"
        if hasattr(r, "confidence_interval") and r._has_ci():
            # any level from the stored quantities, also for another level than the call's
            lo, hi = r.confidence_interval()
            lo2, hi2 = r.confidence_interval(0.8)
            assert np.all(np.asarray(lo2) >= np.asarray(lo) - 1e-12) and np.all(np.asarray(hi2) <= np.asarray(hi) + 1e-12)
        for attr in ("table", "summary"):
            if isinstance(getattr(r, attr, None), pd.DataFrame):
                frames.append(getattr(r, attr))
        if hasattr(r, "at"):
            frames.append(r.at([2.0]))
    for f in frames:
        bad = FORBIDDEN_COLUMNS & {str(c) for c in f.columns}
        assert not bad, f"{name}: table columns {sorted(bad)} (Conventions: se, p, ci_low, ci_high)"


def test_every_results_class_comes_from_a_conformance_call():
    made = {type(r).__name__ for _, r in _results()}
    made |= {"TtestResult", "KaplanMeier"}  # paired and groups share the name
    missing = {c.__name__ for c in CLASSES if c.__module__.split(".")[1] in ("paired", "groups", "safety", "survival")} - made
    assert not missing, f"result classes no conformance call produces: {sorted(missing)}"
    assert set(CALLS) <= set(ALL)
