"""rs.longitudinal.friedman / cochran_q / skillings_mack / page_trend.

References: R friedman.test and coin::friedman_test, coin::symmetry_test
(Cochran's Q) in tests/reference/longitudinal/repeated_tests.{R,json};
scipy.stats.friedmanchisquare and page_trend_test(method='asymptotic');
Skillings & Mack (1981) Table 1 with the R package Skillings.Mack's printed
result (repeated_skillings_mack.json) plus an independent numpy
implementation of the published formula (generalised inverse) on random
designs with ties and missing cells. Tolerances: 1e-10 relative against R's
15-digit JSON (closed forms), 1e-12 against scipy/numpy in the same process,
5e-7 absolute on the 6-decimal published SM statistic.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import rheumstats as rs
from rheumstats import InvalidInputError

REF_DIR = Path(__file__).parents[1] / "reference" / "longitudinal"
REF = json.loads((REF_DIR / "repeated_tests.json").read_text())
SM = json.loads((REF_DIR / "repeated_skillings_mack.json").read_text())
RTOL_R = 1e-10
RTOL = 1e-12


def to_long(m, kind="str", seed=0, times=None):
    """subjects × visits matrix (None/NaN = no row) -> shuffled long DataFrame."""
    m = np.array([[np.nan if v is None else v for v in row] for row in m], dtype=float)
    n, k = m.shape
    times = np.arange(k) * 3.0 if times is None else np.asarray(times, float)
    sid = np.repeat(np.arange(n), k)
    df = pd.DataFrame({"sid": sid, "month": np.tile(times, n), "y": m.ravel()})
    df = df[~np.isnan(df["y"])]
    if kind == "str":
        df["sid"] = "id-" + df["sid"].astype(str)
    elif kind == "cat":
        df["sid"] = pd.Categorical(df["sid"].map(lambda i: f"c{i}"))
    df = df.sample(frac=1.0, random_state=seed)
    df.index = [f"row{i}" for i in range(len(df))]
    return df


@pytest.mark.parametrize("name", ["ties", "continuous", "incomplete", "tied_block"])
@pytest.mark.parametrize("kind", ["str", "cat", "int"])
def test_friedman_matches_r(name, kind):
    d = REF["friedman"][name]
    df = to_long(d["matrix"], kind)
    before = df.copy(deep=True)
    r = rs.longitudinal.friedman(df, "sid", "month", "y")
    pd.testing.assert_frame_equal(df, before)
    assert r.statistic == pytest.approx(d["statistic"], rel=RTOL_R)
    assert r.statistic == pytest.approx(d["coin_statistic"], rel=RTOL_R)
    assert r.pvalue == pytest.approx(d["p_value"], rel=RTOL_R)
    assert r.df == d["df"] and r.n == d["n_complete"]
    assert r.n_dropped == len(d["matrix"]) - d["n_complete"]
    s, p = r  # unpacks as (statistic, pvalue)
    assert s == r.statistic and p == r.pvalue


def test_friedman_matches_scipy_many_columns():
    rng = np.random.default_rng(3)
    n, k, m = 40, 5, 7
    vals = rng.integers(0, 4, (m, n, k)).astype(float)  # heavy ties
    df = pd.DataFrame({"sid": np.repeat(np.arange(n), k), "t": np.tile(np.arange(k), n)})
    for j in range(m):
        df[f"e{j}"] = vals[j].ravel()
    df = df.sample(frac=1.0, random_state=1)
    r = rs.longitudinal.friedman(df, "sid", "t", [f"e{j}" for j in range(m)])
    assert list(r._index) == [f"e{j}" for j in range(m)]
    for j in range(m):
        ref = stats.friedmanchisquare(*vals[j].T)
        assert r.statistic[j] == pytest.approx(ref.statistic, rel=RTOL)
        assert r.pvalue[j] == pytest.approx(ref.pvalue, rel=1e-10)
    frame = r.to_frame()
    assert list(frame.index) == [f"e{j}" for j in range(m)] and "pvalue" in frame
    assert "RepeatedTestResult" in repr(r) and "<table" in r._repr_html_()


def test_friedman_missing_values_policy():
    d = REF["friedman"]["ties"]
    df = to_long(d["matrix"], "int")
    df.loc[df.index[3], "y"] = np.nan
    r = rs.longitudinal.friedman(df, "sid", "month", "y")
    assert np.isnan(r.statistic) and r.n_missing == 1 and r.n == 12
    o = rs.longitudinal.friedman(df, "sid", "month", "y", nan_policy="omit")
    assert o.n == 11 and o.n_dropped == 1
    m = np.array(d["matrix"], float)
    sid = int(df["sid"].iloc[3])
    ref = stats.friedmanchisquare(*np.delete(m, sid, axis=0).T)
    assert o.statistic == pytest.approx(ref.statistic, rel=RTOL)
    with pytest.raises(InvalidInputError, match=r"value\['y'\]\[3\] \(index 'row3'\)"):
        rs.longitudinal.friedman(df, "sid", "month", "y", nan_policy="raise")


@pytest.mark.parametrize("name", ["three", "four_incomplete"])
def test_cochran_q_matches_r(name):
    d = REF["cochran"][name]
    df = to_long(d["matrix"], "str")
    r = rs.longitudinal.cochran_q(df, "sid", "month", "y")
    assert r.statistic == pytest.approx(d["statistic"], rel=RTOL_R)
    assert r.pvalue == pytest.approx(d["p_value"], rel=RTOL_R)
    assert r.df == d["df"] and r.n == d["n_complete"]
    b = rs.longitudinal.cochran_q(df.assign(y=df["y"].astype(bool)), "sid", "month", "y")
    assert b.statistic == r.statistic


def test_cochran_q_rejects_non_binary():
    df = to_long([[0, 1, 2], [1, 1, 0]], "str")
    bad = df.index[np.flatnonzero(df["y"].to_numpy() == 2)[0]]
    with pytest.raises(InvalidInputError, match=rf"value\['y'\]\[\d+\] \(index '{bad}'\) = 2: not binary"):
        rs.longitudinal.cochran_q(df, "sid", "month", "y")


def test_skillings_mack_published_example():
    for kind in ["str", "cat", "int"]:
        df = to_long(SM["blocks"], kind)
        r = rs.longitudinal.skillings_mack(df, "sid", "month", "y")
        assert r.statistic == pytest.approx(SM["statistic"], abs=5e-7)
        assert r.pvalue == pytest.approx(SM["p_value"], rel=1e-8)
        assert r.df == SM["df"] and r.n == 9 and r.k == 4


def sm_numpy(m):
    """Independent implementation of Skillings & Mack (1981), eqs. for A and Σ,
    with a Moore-Penrose inverse (as the R package's MASS::ginv)."""
    m = np.array(m, float)
    keep = (~np.isnan(m)).sum(1) >= 2
    m = m[keep]
    n, k = m.shape
    a = np.zeros(k)
    lam = np.zeros((k, k))
    for row in m:
        obs = ~np.isnan(row)
        ki = obs.sum()
        r = np.full(k, (ki + 1) / 2)
        r[obs] = stats.rankdata(row[obs])
        a += np.sqrt(12 / (ki + 1)) * (r - (ki + 1) / 2)
        lam += np.outer(obs, obs)
    np.fill_diagonal(lam, 0)
    sigma = -lam + np.diag(lam.sum(1))
    return float(a @ np.linalg.pinv(sigma) @ a), int(keep.sum())


@pytest.mark.parametrize("seed", range(6))
def test_skillings_mack_matches_formula_with_ties_and_gaps(seed):
    rng = np.random.default_rng(seed)
    m = rng.integers(0, 5, (30, 4)).astype(float)
    m[rng.random(m.shape) < 0.2] = np.nan
    m[0, 1:] = np.nan  # a subject with one visit
    m[0, 0] = 1.0
    df = to_long(m, "int", seed)
    r = rs.longitudinal.skillings_mack(df, "sid", "month", "y")
    want, nb = sm_numpy(m)
    assert r.statistic == pytest.approx(want, rel=1e-10)
    assert r.pvalue == pytest.approx(stats.chi2.sf(want, 3), rel=1e-9)
    assert r.n == nb and r.n_dropped >= 1


def test_skillings_mack_equals_friedman_on_complete_data_without_ties():
    d = REF["friedman"]["continuous"]
    df = to_long(d["matrix"])
    assert rs.longitudinal.skillings_mack(df, "sid", "month", "y").statistic == pytest.approx(d["statistic"], rel=1e-10)


@pytest.mark.parametrize("name", ["ties", "continuous", "incomplete"])
def test_page_trend_matches_scipy(name):
    m = np.array([[np.nan if v is None else v for v in row] for row in REF["friedman"][name]["matrix"]], float)
    df = to_long(m, "cat")
    complete = m[~np.isnan(m).any(1)]
    ref = stats.page_trend_test(complete, method="asymptotic")
    r = rs.longitudinal.page_trend(df, "sid", "month", "y")
    assert r.statistic == pytest.approx(ref.statistic, rel=RTOL)
    assert r.pvalue == pytest.approx(ref.pvalue, rel=1e-10)
    less = rs.longitudinal.page_trend(df, "sid", "month", "y", alternative="less")
    assert less.pvalue == pytest.approx(1 - r.pvalue, rel=1e-9)
    two = rs.longitudinal.page_trend(df, "sid", "month", "y", alternative="two-sided")
    assert two.pvalue == pytest.approx(2 * min(r.pvalue, less.pvalue), rel=1e-9)
    with pytest.raises(ValueError, match="method"):
        rs.longitudinal.page_trend(df, "sid", "month", "y", method="exact")


def test_visits_are_ordered_by_time_not_by_row_order():
    # visit times unevenly spaced and given in reverse: Page's order is time order
    m = np.array(REF["friedman"]["continuous"]["matrix"], float)
    df = to_long(m, "int", times=[0, 1, 6, 12, 24])
    ref = stats.page_trend_test(m, method="asymptotic")
    assert rs.longitudinal.page_trend(df, "sid", "month", "y").statistic == pytest.approx(ref.statistic)


def test_test_bad_input():
    df = to_long([[1, 2, 3], [2, 3, 1]], "str")
    with pytest.raises(ValueError, match="at least 2"):
        rs.longitudinal.friedman(df[df["month"] == 0], "sid", "month", "y")
    with pytest.raises(TypeError, match="value"):
        rs.longitudinal.friedman(df.assign(y=df["y"].astype(str)), "sid", "month", "y")
    with pytest.raises(ValueError, match="nan_policy"):
        rs.longitudinal.friedman(df, "sid", "month", "y", nan_policy="drop")
    with pytest.raises(ValueError, match="alternative"):
        rs.longitudinal.page_trend(df, "sid", "month", "y", alternative="up")


def test_friedman_endpoint_panel_fast_paths_agree_with_general_path():
    # 80 adjacent endpoint columns, rows sorted by subject and visit: the
    # column-run input path and the dense block layout of the core; the same
    # data shuffled, with the names in another order, or with an int column
    # or a NaN must give the same numbers (general paths), and scipy agrees.
    rng = np.random.default_rng(11)
    n, k, m = 25, 6, 80
    vals = rng.integers(0, 5, (n * k, m)).astype(float)
    names = [f"e{j}" for j in range(m)]
    df = pd.DataFrame(vals, columns=names)
    df.insert(0, "visit", np.tile(np.arange(k, dtype=float), n))
    df.insert(0, "pid", np.repeat(np.arange(n), k))
    fast = rs.longitudinal.friedman(df, "pid", "visit", names)
    for j in (0, 41, 79):
        ref = stats.friedmanchisquare(*[vals[v::k, j] for v in range(k)])
        assert fast.statistic[j] == pytest.approx(ref.statistic, rel=RTOL)
    shuffled = rs.longitudinal.friedman(df.sample(frac=1.0, random_state=2), "pid", "visit", names)
    np.testing.assert_array_equal(fast.statistic, shuffled.statistic)
    rev = rs.longitudinal.friedman(df, "pid", "visit", names[::-1])
    np.testing.assert_array_equal(fast.statistic[::-1], rev.statistic)
    assert list(rev._index) == names[::-1]
    mixed = df.astype({"e3": np.int64})
    np.testing.assert_array_equal(fast.statistic, rs.longitudinal.friedman(mixed, "pid", "visit", names).statistic)
    holed = df.copy()
    holed.loc[7, "e5"] = np.nan
    o = rs.longitudinal.friedman(holed, "pid", "visit", names, nan_policy="omit")
    assert o.n[5] == n - 1 and o.n[4] == n
    np.testing.assert_array_equal(np.delete(fast.statistic, 5), np.delete(o.statistic, 5))
    ref = stats.friedmanchisquare(*[np.delete(vals[v::k, 5], 1) for v in range(k)])
    assert o.statistic[5] == pytest.approx(ref.statistic, rel=RTOL)
