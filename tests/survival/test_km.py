"""Kaplan–Meier against R survival::survfit (tests/reference/survival/km.R -> km.json).

Tolerance: 1e-8 absolute on every column (R writes 15 significant digits).
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

import rheumstats as rs
from rheumstats.exceptions import InvalidInputError

REF = Path(__file__).parents[1] / "reference" / "survival"
TOL = 1e-8
COLS = ["time", "n_risk", "n_event", "n_censor", "survival", "se", "ci_low", "ci_high"]


def _num(v):
    """JSON values from R (NA/NaN/Inf written as strings) -> float array."""
    m = {"NA": np.nan, "NaN": np.nan, "Inf": np.inf, "-Inf": -np.inf, None: np.nan}
    return np.array([m.get(x, x) if isinstance(x, str) or x is None else x for x in np.atleast_1d(v)], dtype=float)


def _close(ours, ref, tol=TOL):
    np.testing.assert_allclose(np.asarray(ours, dtype=float), _num(ref), rtol=0, atol=tol, equal_nan=True)


KM = json.loads((REF / "km.json").read_text())
DATA = {
    "lung": (pd.read_csv(REF / "lung.csv"), None),
    "lung_sex": (pd.read_csv(REF / "lung.csv"), "sex"),
    "veteran": (pd.read_csv(REF / "veteran.csv"), "trt"),
    "ties": (pd.read_csv(REF / "ties.csv"), None),
    "ties_group": (pd.read_csv(REF / "ties.csv"), "group"),
}


def _case(name):
    ref = KM[name]
    base = max((k for k in DATA if name.startswith(k + "_")), key=len)
    d, g = DATA[base]
    km = rs.survival.kaplan_meier(d["time"], d["status"], None if g is None else d[g], conf_level=ref["conf_level"], conf_type=ref["conf_type"])
    return km, ref


CASES = [k for k in KM if k != "versions"]


@pytest.mark.parametrize("name", CASES)
def test_km_table_matches_r(name):
    km, ref = _case(name)
    for c in COLS:
        _close(km.table[c], ref["table"]["std_err" if c == "se" else c])  # km.R writes R's std.err as std_err


@pytest.mark.parametrize("name", CASES)
def test_km_median_matches_r(name):
    # R: quantile(fit, 0.5) incl. its limits (the midpoint rule where S = 0.5 over an interval)
    km, ref = _case(name)
    med = km.median()
    _close(med["median"], ref["median"]["median"])
    _close(med["ci_low"], ref["median"]["low"])
    _close(med["ci_high"], ref["median"]["high"])


@pytest.mark.parametrize("name", [k for k in CASES if "at" in KM[k]])
def test_km_survival_at_and_risk_table_match_r(name):
    # R: summary(fit, times = ..., extend = TRUE)
    km, ref = _case(name)
    at = ref["at"]
    times = sorted(set(_num(at["time"])))
    s = km.survival_at(times)
    _close(s["survival"], at["survival"])
    rt = km.risk_table(times)
    _close(rt["n_risk"], at["n_risk"])
    # R reports events in (previous time, t]; ours are cumulative
    ev = rt["n_event"].to_numpy(dtype=float)
    grp = rt["group"].to_numpy() if "group" in rt else np.zeros(len(rt))
    inc = np.concatenate([np.diff(ev[grp == g], prepend=0.0) for g in pd.unique(grp)])
    _close(inc, at["n_event"])


def test_hand_worked_curve_with_ties():
    # times 1,1(c),2,2,3(c): n = 5; S(1) = 4/5, S(2) = 4/5 * (1 - 2/3) = 4/15; Greenwood var = 1/20 + 2/3
    km = rs.survival.kaplan_meier([1, 1, 2, 2, 3], [1, 0, 1, 1, 0])
    t = km.table
    assert t["time"].tolist() == [1, 2, 3]
    assert t["n_risk"].tolist() == [5, 3, 1]
    assert t["n_censor"].tolist() == [1, 0, 1]
    assert t["survival"].iloc[1] == pytest.approx(4 / 15, abs=1e-15)
    assert t["se"].iloc[1] == pytest.approx(np.sqrt(1 / 20 + 2 / 3), abs=1e-15)


def test_group_with_no_events_is_a_flat_curve():
    km = rs.survival.kaplan_meier([1, 2, 3, 4], [1, 1, 0, 0], ["a", "a", "b", "b"])
    b = km.table[km.table["group"] == "b"]
    assert (b["survival"] == 1.0).all() and (b["se"] == 0).all()
    assert np.isnan(km.median().loc["b", "median"])


def test_pandas_index_in_error_and_series_input():
    t = pd.Series([1.0, 2.0, -3.0], index=["p1", "p2", "p3"])
    with pytest.raises(InvalidInputError, match=r"time\[2\] \(index 'p3'\)") as exc:
        rs.survival.kaplan_meier(t, [1, 1, 1])
    assert exc.value.arg == "time" and exc.value.row == 2


@pytest.mark.parametrize(
    "time, event, group, arg",
    [
        ([1, np.nan], [1, 1], None, "time"),
        ([1, -2], [1, 1], None, "time"),
        ([1, np.inf], [1, 1], None, "time"),
        ([1, 2], [1, 2], None, "event"),
        ([1, 2], [1, 0.5], None, "event"),
        ([1, 2], [1], None, "event"),
        ([1, 2], [1, 0], ["a"], "group"),
        ([1, 2], [1, 0], ["a", None], "group"),
    ],
)
def test_bad_input_names_argument(time, event, group, arg):
    with pytest.raises(ValueError, match=arg):
        rs.survival.kaplan_meier(time, event, group)


def test_bad_options():
    with pytest.raises(ValueError, match="conf_type"):
        rs.survival.kaplan_meier([1], [1], conf_type="logit")
    with pytest.raises(ValueError, match="conf_level"):
        rs.survival.kaplan_meier([1], [1], conf_level=1.2)
    with pytest.raises(TypeError, match="time"):
        rs.survival.kaplan_meier(["a", "b"], [1, 1])


def test_km_matches_lifelines():
    # cross-check: lifelines KaplanMeierFitter survival and its log-log limits (Greenwood on log S scale)
    lifelines = pytest.importorskip("lifelines")
    d = pd.read_csv(REF / "lung.csv")
    ours = rs.survival.kaplan_meier(d["time"], d["status"])
    kmf = lifelines.KaplanMeierFitter().fit(d["time"], d["status"])
    sf = kmf.survival_function_.iloc[1:, 0]  # lifelines adds time 0
    np.testing.assert_allclose(ours.table["survival"].to_numpy(), sf.to_numpy(), atol=1e-12)
    ci = kmf.confidence_interval_.iloc[1:]
    np.testing.assert_allclose(ours.table["ci_low"].to_numpy()[:-1], ci.iloc[:-1, 0].to_numpy(), atol=1e-10)


def test_result_is_immutable_and_plots():
    km = rs.survival.kaplan_meier([1, 2, 3], [1, 0, 1], ["a", "b", "a"])
    with pytest.raises(Exception):
        km.conf_level = 0.9  # type: ignore[misc]
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    ax = km.plot(at_risk=[0, 1, 2])
    assert len(ax.get_lines()) >= 2


def test_numeric_group_labels_are_kept():
    # whole numbers are used as codes directly; labels are the values that occur
    km = rs.survival.kaplan_meier([1, 2, 3, 4], [1, 0, 1, 1], [2, 5, 2, 5])
    assert km.table["group"].tolist() == [2, 2, 5, 5]
    assert list(km.median().index) == [2, 5]
    km2 = rs.survival.kaplan_meier([1, 2, 3], [1, 0, 1], [0.5, 1.5, 0.5])
    assert sorted(set(km2.table["group"])) == [0.5, 1.5]
    with pytest.raises(InvalidInputError, match=r"group\[1\]"):
        rs.survival.kaplan_meier([1, 2, 3], [1, 0, 1], [1.0, np.nan, 2.0])
    r = rs.survival.logrank([1, 2, 3, 4], [1, 1, 1, 0], np.array([3, 7, 3, 7]))
    assert r.observed.index.tolist() == [3, 7]


def _naive_km(time, event):
    """Textbook product-limit estimate at each distinct time (a slow, obviously-correct reference)."""
    time, event = np.asarray(time, float), np.asarray(event, int)
    out, s, var = [], 1.0, 0.0
    for t in np.unique(time):
        n = np.sum(time >= t)
        d = np.sum((time == t) & (event == 1))
        if d:
            s *= 1 - d / n
            var = var + d / (n * (n - d)) if n > d else np.inf
        out.append((t, n, d, s, np.sqrt(var)))
    return np.array(out)



@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 1)), min_size=1, max_size=60), st.sampled_from([0.0, 0.5]))
def test_km_equals_naive_product_limit(rows, shift):
    # whole-number times take the histogram path, shifted ones the sort path: both must agree with the naive loop
    time = [r[0] + shift for r in rows]
    event = [r[1] for r in rows]
    km = rs.survival.kaplan_meier(time, event).table
    ref = _naive_km(time, event)
    np.testing.assert_array_equal(km["time"].to_numpy(), ref[:, 0])
    np.testing.assert_array_equal(km["n_risk"].to_numpy(), ref[:, 1])
    np.testing.assert_array_equal(km["n_event"].to_numpy(), ref[:, 2])
    np.testing.assert_allclose(km["survival"].to_numpy(), ref[:, 3], atol=1e-14)
    np.testing.assert_allclose(km["se"].to_numpy(), ref[:, 4], atol=1e-14)


def test_same_answer_from_many_threads():
    from concurrent.futures import ThreadPoolExecutor

    d = pd.read_csv(REF / "lung.csv")
    ref = rs.survival.kaplan_meier(d["time"], d["status"], d["sex"]).table
    with ThreadPoolExecutor(8) as ex:
        outs = list(ex.map(lambda _: rs.survival.kaplan_meier(d["time"], d["status"], d["sex"]).table, range(16)))
    for o in outs:
        pd.testing.assert_frame_equal(o, ref)


def test_table_is_built_on_first_access_and_methods_agree_without_it():
    rng = np.random.default_rng(3)
    n = 3000
    t = rng.exponential(50, n) + rng.random(n)  # continuous: every time distinct
    e = (rng.random(n) < 0.6).astype(int)
    g = np.where(rng.random(n) < 0.5, "b", "a")
    for grp in (None, g):
        km = rs.survival.kaplan_meier(t, e, grp)
        text = repr(km)
        assert km.__dict__.get("_table_value") is None  # repr, at, median, risk_table: no table
        at, med, rt = km.at([5.0, 40.0]), km.median(), km.risk_table([5.0, 40.0])
        assert km.__dict__.get("_table_value") is None
        tab = km.table
        assert f"shape={tab.shape}" in text
        assert list(tab.columns[-8:]) == ["time", "n_risk", "n_event", "n_censor", "survival", "se", "ci_low", "ci_high"]
        assert tab["n_risk"].dtype == np.int64 and len(tab) == n
        # the same object rebuilt from its table alone (as rs.dask does) answers the same
        other = rs.survival.KaplanMeier(table=tab, conf_level=km.conf_level, conf_type=km.conf_type, _grouped=km._grouped, _groups=km._groups)
        pd.testing.assert_frame_equal(other.at([5.0, 40.0]), at)
        pd.testing.assert_frame_equal(other.median(), med)
        pd.testing.assert_frame_equal(other.risk_table([5.0, 40.0]), rt)
        if grp is not None:
            assert tab["group"].tolist() == sorted(tab["group"].tolist()) and set(tab["group"]) == {"a", "b"}
            for lab in ("a", "b"):
                sub = tab[tab["group"] == lab]
                one = rs.survival.kaplan_meier(t[g == lab], e[g == lab]).table
                np.testing.assert_array_equal(sub["survival"].to_numpy(), one["survival"].to_numpy())
