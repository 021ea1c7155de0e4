"""The Conventions of API.md, checked over EVERY public call of the statistics
modules (the scores have their own battery in test_conformance.py; their
signatures are checked here too).

One table, CALLS: name -> Case(function, small valid data, ...). Each test runs
the whole table: signature rules, accepted input kinds, index kept (an error
names the pandas label), inputs not mutated, empty input, wrong dtype, each
nan_policy, option validation (an unknown value is an error naming the allowed
ones) and the result's field names (test_result_fields.py walks every class).
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import warnings
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs
from rheumstats._result import Result

RNG = np.random.default_rng(7)
X = np.round(RNG.normal(10, 2, 12), 2)
Y = np.round(X + RNG.normal(-1, 1.5, 12), 2)
G = np.array(["a", "b", "c"] * 4)
B1 = np.array([1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0], dtype=float)
B2 = np.array([0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0], dtype=float)
TIME = np.array([1.0, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
EVENT = np.array([1.0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0])
CAUSE = np.array([1.0, 2, 0, 1, 0, 2, 1, 0, 1, 0, 2, 0])
TABLE = np.array([[8, 2], [1, 5]])
LABELS = [f"p{i}" for i in range(12)]


@dataclasses.dataclass
class Case:
    fn: Callable[..., Any]
    data: Tuple[Any, ...]  # positional data arguments (numpy 1-D where numeric)
    numeric: Sequence[int] = ()  # positions of numeric 1-D data arguments (kinds, dtype, NaN)
    kwargs: Dict[str, Any] = dataclasses.field(default_factory=dict)
    nan_policy: bool = True  # takes nan_policy (every call taking numeric arrays)
    bad_options: Dict[str, Any] = dataclasses.field(default_factory=dict)
    empty_ok: bool = False  # an empty input gives a result instead of an error
    index_error: Optional[Tuple[int, float]] = None  # (argument position, invalid value) whose error names the label
    independent: bool = False  # the numeric arguments are independent samples (no shared rows): 'omit' drops from one
    survival: bool = False  # a curve/test that cannot 'propagate': nan_policy in ('raise' default, 'omit')

    def call(self, *data: Any, **kw: Any) -> Any:
        return self.fn(*data, **{**self.kwargs, **kw})


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"before": X, "after": Y, "g": ["x", "y"] * 6, "t": TIME, "e": EVENT, "z": X / 10}, index=LABELS)


CALLS: Dict[str, Case] = {
    "paired.ttest": Case(rs.paired.ttest, (X, Y), (0, 1), bad_options={"alternative": "bigger"}, index_error=(1, np.inf)),
    "paired.wilcoxon": Case(
        rs.paired.wilcoxon, (X, Y), (0, 1), bad_options={"alternative": "bigger", "method": "fast", "zero_method": "drop"},
        index_error=(1, np.inf),
    ),
    "paired.sign_test": Case(rs.paired.sign_test, (X, Y), (0, 1), bad_options={"alternative": "up"}, index_error=(0, np.inf)),
    "paired.permutation_test": Case(
        rs.paired.permutation_test, (X, Y), (0, 1), {"seed": 1}, bad_options={"statistic": "mode", "alternative": "up"},
        index_error=(1, np.inf),
    ),
    "paired.bootstrap_ci": Case(
        rs.paired.bootstrap_ci, (X, Y), (0, 1), {"seed": 1, "n_resamples": 200}, bad_options={"ci_method": "bc", "statistic": "mode"},
        index_error=(1, np.inf),
    ),
    "paired.mcnemar": Case(rs.paired.mcnemar, (B1, B2), (0, 1), bad_options={"method": "fast"}, index_error=(0, 3.0)),
    "paired.stuart_maxwell": Case(rs.paired.stuart_maxwell, (G, np.roll(G, 1)), (), empty_ok=False),
    "groups.ttest": Case(rs.groups.ttest, (X, Y), (0, 1), independent=True, bad_options={"alternative": "bigger"}, index_error=(0, np.inf)),
    "groups.mannwhitney": Case(
        rs.groups.mannwhitney, (X, Y), (0, 1), independent=True, bad_options={"alternative": "bigger", "method": "permutation"}, index_error=(0, np.inf),
    ),
    "groups.kruskal": Case(rs.groups.kruskal, (X, G), (0,), index_error=(0, np.inf)),
    "groups.anova_oneway": Case(rs.groups.anova_oneway, (X, G), (0,), index_error=(0, np.inf)),
    "groups.chisq": Case(rs.groups.chisq, (TABLE,), nan_policy=False),
    "groups.fisher_exact": Case(rs.groups.fisher_exact, (TABLE,), nan_policy=False, bad_options={"alternative": "bigger"}),
    "safety.incidence_rate": Case(rs.safety.incidence_rate, (B1 * 3, X), (0, 1), index_error=(0, -1.0)),
    "safety.rate_ratio": Case(rs.safety.rate_ratio, (np.array([5.0, 2]), np.array([40.0, 35])), nan_policy=False, bad_options={"alternative": "up"}),
    "survival.kaplan_meier": Case(rs.survival.kaplan_meier, (TIME, EVENT), (0, 1), survival=True, bad_options={"conf_type": "logit"}, index_error=(0, -1.0)),
    "survival.logrank": Case(rs.survival.logrank, (TIME, EVENT, G), (0, 1), survival=True, index_error=(0, -1.0)),
    "survival.cumulative_incidence": Case(rs.survival.cumulative_incidence, (TIME, CAUSE), (0, 1), survival=True, index_error=(0, -1.0)),
    "survival.coxph": Case(rs.survival.coxph, (_frame(), "t", "e", ["z"]), nan_policy=True, bad_options={"ties": "exact", "nan_policy": "propagate"}),
    "multitest.adjust": Case(rs.multitest.adjust, (np.linspace(0.01, 0.5, 12),), (0,), nan_policy=False, bad_options={"method": "sidak"}, empty_ok=True),
}
# calls on a DataFrame of named columns: signature, mutation and option rules only
FRAME_CALLS: Dict[str, Case] = {
    "paired.compare": Case(rs.paired.compare, (_frame(), {"v": ("before", "after")}), nan_policy=False, bad_options={"tests": ["z"]}),
    "groups.compare_subgroups": Case(
        rs.groups.compare_subgroups, (_frame(), {"v": ("before", "after")}), kwargs={"by": "g"}, nan_policy=False, bad_options={"adjust": "fdr2"},
    ),
    "cohort.table_one": Case(rs.cohort.table_one, (_frame(), ["before", "g"]), kwargs={"by": "g"}, nan_policy=False),
    "safety.exposure": Case(rs.safety.exposure, (pd.DataFrame({"s": [0.0, 10], "f": [100.0, 200]}), "s", "f"), nan_policy=False, bad_options={"unit": "fortnights"}),
}


def _long() -> pd.DataFrame:
    """Long-format visits: 6 subjects (text IDs) x 3 visits, a treatment arm."""
    ids = np.repeat([f"s{i}" for i in range(6)], 3)
    month = np.tile([0.0, 6.0, 12.0], 6)
    y = np.round(20 - 0.3 * month + RNG.normal(0, 1, 18) + np.repeat(RNG.normal(0, 2, 6), 3), 2)
    return pd.DataFrame({"id": ids, "month": month, "y": y, "b": (y > 18).astype(float), "arm": np.repeat(["A", "B"] * 3, 3)},
                        index=[f"v{i}" for i in range(18)])


FRAME_CALLS.update({
    "longitudinal.change_from_baseline": Case(rs.longitudinal.change_from_baseline, (_long(), "id", "month", "y"), nan_policy=True,
                                              bad_options={"nan_policy": "drop"}),
    "longitudinal.visit_window": Case(rs.longitudinal.visit_window, (_long(), "id", "month", [0, 12], 1.0), bad_options={"nan_policy": "drop"}),
    "longitudinal.locf": Case(rs.longitudinal.locf, (_long(), "id", "month", "y"), bad_options={"nan_policy": "drop"}),
    "longitudinal.auc": Case(rs.longitudinal.auc, (_long(), "id", "month", "y"), bad_options={"nan_policy": "drop"}),
    "longitudinal.slopes": Case(rs.longitudinal.slopes, (_long(), "id", "month", "y"), bad_options={"nan_policy": "drop"}),
    "longitudinal.friedman": Case(rs.longitudinal.friedman, (_long(), "id", "month", "y"), bad_options={"nan_policy": "drop"}),
    "longitudinal.cochran_q": Case(rs.longitudinal.cochran_q, (_long(), "id", "month", "b"), bad_options={"nan_policy": "drop"}),
    "longitudinal.skillings_mack": Case(rs.longitudinal.skillings_mack, (_long(), "id", "month", "y"), bad_options={"nan_policy": "drop"}),
    "longitudinal.page_trend": Case(rs.longitudinal.page_trend, (_long(), "id", "month", "y"),
                                    bad_options={"nan_policy": "drop", "alternative": "up", "method": "fast"}),
    "longitudinal.lmm": Case(rs.longitudinal.lmm, ("y ~ month + (1 | id)", _long()), nan_policy=False, bad_options={"ddf": "containment"}),
    "longitudinal.mmrm": Case(rs.longitudinal.mmrm, (_long(), "y", "month", "id"), nan_policy=False,
                              bad_options={"covariance": "banded", "ddf": "containment"}),
})
ALL = {**CALLS, **FRAME_CALLS}

# Names a public call may not use for an option (API.md, Conventions) ...
FORBIDDEN_PARAMS = {"alpha", "confidence", "conf", "ci_level", "level_ci", "groupby", "groups", "duration", "std_err", "standard_error", "nan", "na_action"}
# ... except as documented old spellings: keyword-only, default None, warning when used
ALIASES = {
    ("cohort.table_one", "groupby"), ("groups.kruskal", "groups"), ("groups.anova_oneway", "groups"),
    ("survival.coxph", "duration"), ("safety.incidence_rate", "by"), ("paired.bootstrap_ci", "method"), ("paired.mcnemar", "exact"),
}
# data arguments (positional) of the calls; everything else must be keyword-only
DATA_ARGS = {
    "x", "y", "values", "group", "table", "events", "exposure", "time", "event", "cause", "data", "pairs", "columns", "start",
    "stop", "pvalues", "covariates", "reason",
    # long-format and model calls: the frame, its column names, the formula, the visit times asked for
    "subject", "value", "targets", "width", "formula", "outcome", "visit", "ddf", "before", "after", "events",
    # change_from_baseline(data, subject, time, value, baseline=0): which visit is the baseline describes the data (issue 15's signature)
    "baseline",
}


# survival.retention belongs to the retention module's own issue (19); tested in tests/survival
EXEMPT = {"survival.retention"}


def _public_functions():
    mods = [rs.paired, rs.groups, rs.safety, rs.survival, rs.multitest, rs.cohort, rs.scores, rs.ssc, rs.longitudinal]
    try:
        import rheumstats.dask as rsd
    except ImportError:  # the optional extra
        rsd = None
    if rsd is not None:
        mods.append(rsd)
    for m in mods:
        for name in getattr(m, "__all__", dir(m)):
            f = getattr(m, name)
            if inspect.isfunction(f) and not name.startswith("_"):
                yield f"{m.__name__.split('.')[-1]}.{name}", f


def test_the_table_covers_every_public_statistics_call():
    names = {n for n, _ in _public_functions() if n.split(".")[0] in ("paired", "groups", "safety", "survival", "multitest", "cohort", "longitudinal")}
    missing = names - set(ALL) - EXEMPT
    assert not missing, f"public calls without a conformance row: {sorted(missing)}"


@pytest.mark.parametrize("name,fn", list(_public_functions()), ids=[n for n, _ in _public_functions()])
def test_signature_follows_the_conventions(name, fn):
    if name in EXEMPT:
        pytest.skip("owned by another issue")
    params = inspect.signature(fn).parameters
    scores = name.split(".")[0] in ("scores", "ssc")
    for p in params.values():
        alias = (name, p.name) in ALIASES
        if p.name in FORBIDDEN_PARAMS and not alias:
            pytest.fail(f"{name}: parameter {p.name!r} is not a Conventions name")
        if alias:
            assert p.kind is p.KEYWORD_ONLY and p.default is None, f"{name}: old spelling {p.name!r} must be keyword-only, default None"
        if p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD, p.VAR_POSITIONAL):  # (*args: rs.dask's refusals of rank tests)
            continue
        # positional parameters are data: the statistics' data words, a score's items (no default or None)
        data = p.name in DATA_ARGS or (scores and (p.default is inspect.Parameter.empty or p.default is None))
        assert data, f"{name}: option {p.name!r} is positional; options are keyword-only (after *)"
    if scores or (name in ALL and ALL[name].nan_policy):
        assert "nan_policy" in params, f"{name}: takes numeric arrays but has no nan_policy"
        assert params["nan_policy"].kind is inspect.Parameter.KEYWORD_ONLY
    for opt in ("alternative", "conf_level", "nan_policy", "seed", "n_resamples", "axis", "method", "by"):
        if opt in params:
            assert params[opt].kind is inspect.Parameter.KEYWORD_ONLY, f"{name}: {opt} must be keyword-only"


@pytest.mark.parametrize("name", list(CALLS))
def test_list_array_and_series_inputs_agree(name):
    case = CALLS[name]
    if not case.numeric:
        pytest.skip("no numeric 1-D data argument")
    base = _summary(case.call(*case.data))
    for kind in (list, lambda a: pd.Series(a, index=LABELS[: len(a)])):
        data = [kind(a) if i in case.numeric else a for i, a in enumerate(case.data)]
        assert _summary(case.call(*data)) == base, f"{name}: {kind} input gives another result"


@pytest.mark.parametrize("name", [n for n, c in CALLS.items() if c.index_error])
def test_an_error_names_the_pandas_label(name):
    case = CALLS[name]
    pos, bad = case.index_error
    data = [pd.Series(a, index=LABELS[: len(a)]) if i in case.numeric or i == pos else a for i, a in enumerate(case.data)]
    v = data[pos].copy()
    v.iloc[4] = bad
    data[pos] = v
    with pytest.raises(ValueError) as err:
        case.call(*data)
    assert "'p4'" in str(err.value), f"{name}: the error does not name the index label: {err.value}"
    assert getattr(err.value, "row", 4) == 4


@pytest.mark.parametrize("name", list(ALL))
def test_inputs_are_not_mutated(name):
    case = ALL[name]
    data = [pd.Series(a, index=LABELS[: len(a)]) if i in case.numeric else a for i, a in enumerate(case.data)]
    before = copy.deepcopy(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        case.call(*data)
    for a, b in zip(data, before):
        if isinstance(a, (pd.Series, pd.DataFrame)):
            assert a.equals(b), f"{name}: input changed"
        elif isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)
        else:
            assert a == b


@pytest.mark.parametrize("name", list(CALLS))
def test_empty_input_is_an_error_naming_the_argument(name):
    case = CALLS[name]
    if not case.numeric:
        pytest.skip("no 1-D numeric data")
    data = [np.array([], dtype=float) if i in case.numeric else (a[:0] if isinstance(a, np.ndarray) else a) for i, a in enumerate(case.data)]
    if case.empty_ok:
        case.call(*data)
        return
    with pytest.raises(ValueError):
        case.call(*data)


@pytest.mark.parametrize("name", list(CALLS))
def test_text_where_numbers_go_is_a_type_error(name):
    case = CALLS[name]
    if not case.numeric:
        pytest.skip("no numeric data")
    pos = case.numeric[0]
    data = list(case.data)
    data[pos] = np.array(["a"] * len(case.data[pos]))
    with pytest.raises(TypeError):
        case.call(*data)


@pytest.mark.parametrize("name", [n for n, c in CALLS.items() if c.nan_policy and c.numeric])
def test_each_nan_policy(name):
    case = CALLS[name]
    pos = case.numeric[0]
    data = list(case.data)
    v = np.array(data[pos], dtype=float)
    v[3] = np.nan
    data[pos] = v
    # 'raise': an error naming the argument and the row
    with pytest.raises(ValueError) as err:
        case.call(*data, nan_policy="raise")
    assert getattr(err.value, "row", None) == 3, f"{name}: nan_policy='raise' names row {getattr(err.value, 'row', None)}"
    # 'omit': the same as leaving the row out of every data argument
    kept = [
        np.delete(np.asarray(a), 3) if isinstance(a, np.ndarray) and len(a) == len(v) and (i == pos or not case.independent) else a
        for i, a in enumerate(data)
    ]
    assert _summary(case.call(*data, nan_policy="omit")) == _summary(case.call(*kept))
    with pytest.raises(ValueError, match="nan_policy"):
        case.call(*data, nan_policy="drop")
    if case.survival:
        # no silent dropping: the default raises; 'propagate' is refused with the reason
        with pytest.raises(ValueError):
            case.call(*data)
        with pytest.raises(ValueError, match="propagate"):
            case.call(*data, nan_policy="propagate")
        return
    # 'propagate': NaN (the call still reports its n)
    out = case.call(*data, nan_policy="propagate")
    assert _has_nan(out), f"{name}: nan_policy='propagate' gave no NaN"


@pytest.mark.parametrize("name,option", [(n, o) for n, c in ALL.items() for o in c.bad_options])
def test_an_unknown_option_value_is_an_error_naming_it(name, option):
    case = ALL[name]
    with pytest.raises(ValueError) as err:
        case.call(*case.data, **{option: case.bad_options[option]})
    msg = str(err.value)
    assert option in msg or "tests" in msg, f"{name}: the error does not name {option!r}: {msg}"


def test_old_spellings_still_work_with_a_future_warning():
    with pytest.warns(FutureWarning, match="groupby"):
        a = rs.cohort.table_one(_frame(), ["before"], groupby="g")
    pd.testing.assert_frame_equal(a, rs.cohort.table_one(_frame(), ["before"], by="g"))
    with pytest.warns(FutureWarning, match="groups"):
        assert rs.groups.kruskal(X, groups=G).statistic == rs.groups.kruskal(X, G).statistic
    with pytest.warns(FutureWarning, match="duration"):
        m = rs.survival.coxph(_frame(), duration="t", event="e", covariates="z")
    assert m.loglik == rs.survival.coxph(_frame(), "t", "e", "z").loglik
    with pytest.warns(FutureWarning, match="by"):
        rs.safety.incidence_rate([1, 2], [3.0, 4.0], by=["a", "b"])
    with pytest.warns(FutureWarning, match="exact"):
        assert rs.paired.mcnemar(B1, B2, exact=True).method == "exact"
    with pytest.raises(TypeError):
        rs.cohort.table_one(_frame(), ["before"], groupby="g", by="g")
    # 'asymptotic' is the documented alias of 'approx', silently, in every rank test
    assert rs.paired.wilcoxon(X, Y, method="asymptotic").method == "approx"
    assert rs.groups.mannwhitney(X, Y, method="asymptotic").method == "approx"
    km = rs.survival.kaplan_meier(TIME, EVENT)
    pd.testing.assert_frame_equal(km.survival_at([3, 5]), km.at([3, 5]))


# ----------------------------------------------------------------------------
def _summary(out: Any) -> Any:
    """A comparable digest of a call's output (numbers rounded to 12 digits)."""
    if isinstance(out, Result):
        out = {k: v for k, v in out.to_dict().items()}
    if isinstance(out, dict):
        return tuple((k, _summary(v)) for k, v in out.items())
    if isinstance(out, (pd.Series, pd.DataFrame)):
        return _summary(out.reset_index(drop=True).to_numpy(dtype=object).ravel().tolist())
    if isinstance(out, (list, tuple, np.ndarray)):
        return tuple(_summary(v) for v in np.asarray(out, dtype=object).ravel().tolist())
    if isinstance(out, (float, np.floating)):
        return "nan" if np.isnan(out) else round(float(out), 12)
    return out


def _has_nan(out: Any) -> bool:
    s = repr(_summary(out))
    return "'nan'" in s


# ----------------------------------------------------------------------------
# DataFrame and long-format calls: input kinds, empty input, wrong dtype, NaN
# (name -> position of the frame among the data arguments, its numeric value
# columns, the subject column for long-format calls)
# ('nan_col' of FRAME_NAN: where the NaN goes when the value column's NaN are the content, as in locf)
FRAME_NAN = {"longitudinal.locf": "month", "longitudinal.change_from_baseline": "month"}
# row-wise calls return every row of data: under 'omit' the row stays, its outputs NaN
ROWWISE = {"longitudinal.locf": "y", "longitudinal.change_from_baseline": "change"}
FRAME_NUMERIC: Dict[str, Tuple[int, Sequence[str], Optional[str]]] = {
    "paired.compare": (0, ["before", "after"], None),
    "groups.compare_subgroups": (0, ["before", "after"], None),
    "survival.coxph": (0, ["t", "z"], None),
    **{f"longitudinal.{n}": (0, ["y"], "id") for n in ("change_from_baseline", "locf", "auc", "slopes", "friedman", "skillings_mack", "page_trend")},
    "longitudinal.cochran_q": (0, ["b"], "id"),
    "longitudinal.visit_window": (0, ["month"], "id"),
    "longitudinal.lmm": (1, ["y", "month"], "id"),
    "longitudinal.mmrm": (0, ["y"], "id"),
}


def _frame_case(name):
    case = ALL[name]
    pos, cols, subj = FRAME_NUMERIC[name]
    return case, pos, cols, subj


def _with_frame(case, pos, frame):
    data = list(case.data)
    data[pos] = frame
    return data


def _quiet(case, *data, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return case.call(*data, **kw)


@pytest.mark.parametrize("name", list(FRAME_NUMERIC))
def test_frame_calls_accept_every_numeric_dtype_and_id_kind(name):
    """float32, int, pandas nullable Float64 value columns; text, integer and Categorical subject
    IDs; extra columns and a non-default index: the same numbers."""
    case, pos, cols, subj = _frame_case(name)
    base = case.data[pos]
    want = _summary(_quiet(case, *case.data))
    kinds = {
        "Float64": lambda d: d.astype({c: "Float64" for c in cols}),
        "extra columns, shuffled column order": lambda d: d.assign(extra=np.arange(len(d)), note="x")[list(d.columns[::-1]) + ["extra", "note"]],
        "integer index": lambda d: d.set_axis(np.arange(100, 100 + len(d))),
    }
    if all(np.allclose(base[c], np.round(base[c])) for c in cols):
        kinds["int64"] = lambda d: d.astype({c: "int64" for c in cols})
    if subj is not None:
        codes = pd.factorize(base[subj], sort=True)[0]
        kinds["integer IDs"] = lambda d: d.assign(**{subj: codes + 1000})
        kinds["Categorical IDs"] = lambda d: d.assign(**{subj: pd.Categorical(d[subj])})
    for kind, make in kinds.items():
        out = _quiet(case, *_with_frame(case, pos, make(base.copy())))
        if isinstance(out, pd.DataFrame) and isinstance(case.data[pos], pd.DataFrame):  # calls returning the rows: their own columns
            out = out[[c for c in _quiet(case, *case.data).columns]].set_axis(range(len(out)))
            want = _summary(_quiet(case, *case.data).set_axis(range(len(out))))
        got = _summary(out)
        if kind in ("integer IDs", "Categorical IDs"):  # the subject labels themselves differ: compare the numbers
            got, want_ = _numbers(got), _numbers(want)
        else:
            want_ = want
        assert got == want_, f"{name}: {kind} gives another result"


def _numbers(s):
    return tuple(v for v in _flatten(s) if isinstance(v, float) or v == "nan")


def _flatten(s):
    if isinstance(s, tuple):
        for v in s:
            yield from _flatten(v)
    else:
        yield s


@pytest.mark.parametrize("name", list(FRAME_NUMERIC))
def test_frame_calls_refuse_an_empty_frame_or_say_what_is_empty(name):
    case, pos, cols, subj = _frame_case(name)
    empty = case.data[pos].iloc[:0]
    try:
        out = _quiet(case, *_with_frame(case, pos, empty))
    except ValueError as err:
        assert str(err), f"{name}: empty error without a message"
        return
    # a table call may answer with an empty table, never with numbers made up
    assert isinstance(out, pd.DataFrame) and (len(out) == 0 or _has_nan(out)), f"{name}: an empty frame gave {out!r}"


@pytest.mark.parametrize("name", list(FRAME_NUMERIC))
def test_frame_calls_text_in_a_numeric_column_is_a_type_error_naming_it(name):
    case, pos, cols, subj = _frame_case(name)
    d = case.data[pos].copy()
    d[cols[0]] = d[cols[0]].astype(object)
    d.loc[d.index[4], cols[0]] = "n/a"
    with pytest.raises((TypeError, ValueError)) as err:
        _quiet(case, *_with_frame(case, pos, d))
    assert cols[0] in str(err.value), f"{name}: the error does not name the column {cols[0]!r}: {err.value}"


@pytest.mark.parametrize("name", [n for n in FRAME_NUMERIC if ALL[n].nan_policy])
def test_frame_calls_each_nan_policy(name):
    """'raise' names the row by its index label; 'omit' equals leaving the row out; 'propagate'
    gives NaN (where it is the default)."""
    case, pos, cols, subj = _frame_case(name)
    d = case.data[pos].copy()
    col = FRAME_NAN.get(name, cols[0])
    d.loc[d.index[4], col] = np.nan
    label = d.index[4]
    with pytest.raises(ValueError) as err:
        _quiet(case, *_with_frame(case, pos, d), nan_policy="raise")
    assert repr(label) in str(err.value) or str(label) in str(err.value), f"{name}: 'raise' does not name {label!r}: {err.value}"
    omit = _quiet(case, *_with_frame(case, pos, d), nan_policy="omit")
    if name in ROWWISE:
        assert list(omit.index) == list(d.index), f"{name}: 'omit' lost or reordered rows"
        if name == "longitudinal.change_from_baseline":
            assert np.isnan(omit.loc[label, ROWWISE[name]])
        return
    left_out = _quiet(case, *_with_frame(case, pos, d.drop(index=label)))
    # the same numbers; only the count of what was missing may differ
    assert _drop_counts(_summary(omit)) == _drop_counts(_summary(left_out)), f"{name}: 'omit' is not 'leave the row out'"


def _drop_counts(s):
    if isinstance(s, tuple):
        return tuple(_drop_counts(v) for v in s if not (isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], str) and ("missing" in v[0] or "dropped" in v[0])))
    return s
