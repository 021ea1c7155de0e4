"""rs.longitudinal helpers (change_from_baseline, visit_window, locf, auc,
slopes) against the same computation written the long way in pandas/numpy.
Data: shuffled rows, missing visits, a subject with one visit, subject IDs as
strings, ints and categoricals. Tolerance: 1e-12 relative (same arithmetic)."""

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs
from rheumstats import InvalidInputError

RTOL = 1e-12


def make_long(kind="str", seed=1, n_subj=25):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_subj):
        times = np.array([0, 3, 6, 12, 18, 24], dtype=float)
        keep = rng.random(len(times)) > 0.25
        if i == 0:
            keep[:] = False
            keep[2] = True  # a subject with one visit (no baseline at 0)
        for t in times[keep] + rng.choice([0.0, 0.5, -0.5, 1.0], keep.sum()) * (times[keep] > 0):
            rows.append((i, t, rng.normal(10 + 0.2 * t, 2), rng.integers(0, 5)))
    df = pd.DataFrame(rows, columns=["sid", "month", "score", "count"])
    df.loc[df.sample(frac=0.08, random_state=seed).index, "score"] = np.nan
    df["count"] = df["count"].astype(np.int64)
    if kind == "str":
        df["sid"] = "P" + df["sid"].astype(str).str.zfill(3)
    elif kind == "cat":
        df["sid"] = pd.Categorical("S" + df["sid"].astype(str), categories=[f"S{i}" for i in reversed(range(n_subj))])
    elif kind == "int":
        df["sid"] = df["sid"] * 7 + 1000
    df = df.sample(frac=1.0, random_state=seed + 1)  # rows in any order
    df.index = [f"r{i}" for i in range(len(df))]
    return df


KINDS = ["str", "cat", "int"]


# ---------------------------------------------------------------- change from baseline
def cfb_pandas(df, baseline):
    s = df.sort_values(["sid", "month"])
    if baseline == "first":
        base = s.dropna(subset=["score"]).groupby("sid", observed=True)["score"].first()
    else:
        base = s[s["month"] == baseline].set_index("sid")["score"]
    b = df["sid"].map(base).astype(float)
    ch = df["score"] - b
    pct = (100 * ch / b).where(b != 0)
    return b, ch, pct


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("baseline", [0, "first", 12])
def test_change_from_baseline_matches_pandas(kind, baseline):
    df = make_long(kind)
    before = df.copy(deep=True)
    out = rs.longitudinal.change_from_baseline(df, "sid", "month", "score", baseline)
    pd.testing.assert_frame_equal(df, before)  # input unchanged
    assert list(out.index) == list(df.index)
    pd.testing.assert_frame_equal(out[df.columns], df)
    b, ch, pct = cfb_pandas(df, baseline)
    np.testing.assert_allclose(out["baseline"], b, rtol=RTOL)
    np.testing.assert_allclose(out["change"], ch, rtol=RTOL)
    np.testing.assert_allclose(out["pct_change"], pct, rtol=RTOL)
    assert out.attrs["no_baseline"]["score"] == df["sid"].nunique() - b.groupby(df["sid"], observed=True).first().notna().sum()


def test_change_from_baseline_many_columns_and_zero_baseline():
    df = pd.DataFrame({"id": ["a", "a", "b", "b"], "t": [0, 1, 1, 0], "x": [0.0, 2, 5, 4], "y": [1.0, 3, 1, 2]})
    out = rs.longitudinal.change_from_baseline(df, "id", "t", ["x", "y"])
    assert list(out.columns[-6:]) == ["x_baseline", "x_change", "x_pct_change", "y_baseline", "y_change", "y_pct_change"]
    np.testing.assert_array_equal(out["x_change"], [0, 2, 1, 0])
    assert np.isnan(out["x_pct_change"].iloc[0]) and out["x_pct_change"].iloc[2] == 25.0
    np.testing.assert_array_equal(out["y_pct_change"], [0, 200, -50, 0])


# ---------------------------------------------------------------- visit window
def window_pandas(df, targets, width):
    out = []
    for sid, g in df.sort_values("month").groupby("sid", observed=True, sort=True):
        for tg in targets:
            d = (g["month"] - tg).abs()
            ok = g[d <= width]
            if len(ok) == 0:
                out.append((sid, tg, np.nan, np.nan, np.nan))
                continue
            dd = (ok["month"] - tg).abs()
            best = ok[dd == dd.min()].iloc[0]  # sorted by month: ties -> earlier
            out.append((sid, tg, best["month"], best["score"], abs(best["month"] - tg)))
    return pd.DataFrame(out, columns=["sid", "target", "month", "score", "distance"])


@pytest.mark.parametrize("kind", KINDS)
def test_visit_window_matches_pandas(kind):
    df = make_long(kind)
    before = df.copy(deep=True)
    targets, width = [0.0, 6.0, 12.0, 24.0], 1.0
    out = rs.longitudinal.visit_window(df, "sid", "month", targets, width)
    pd.testing.assert_frame_equal(df, before)
    ref = window_pandas(df, targets, width)
    assert list(out.columns) == ["sid", "target", "month", "score", "count", "distance"]
    assert len(out) == len(ref) == df["sid"].nunique() * len(targets)
    assert [str(v) for v in out["sid"]] == [str(v) for v in ref["sid"]]
    for c in ["target", "month", "score", "distance"]:
        np.testing.assert_allclose(out[c].to_numpy(float), ref[c].to_numpy(float), rtol=RTOL)
    if kind == "cat":
        assert out["sid"].dtype == df["sid"].dtype
    assert out.attrs["n_missing"] == int(ref["month"].isna().sum())


def test_visit_window_ties_go_earlier_and_dropouts_stay():
    df = pd.DataFrame({"id": [1, 1, 2], "t": [13.0, 11.0, 0.0], "v": [3.0, 1.0, 5.0]})
    out = rs.longitudinal.visit_window(df, "id", "t", [12], 1)
    assert out["t"].tolist()[0] == 11.0 and out["v"].tolist()[0] == 1.0
    assert out["id"].tolist() == [1, 2] and np.isnan(out["v"].iloc[1]) and out["target"].tolist() == [12.0, 12.0]


# ---------------------------------------------------------------- locf
@pytest.mark.parametrize("kind", KINDS)
def test_locf_rows_matches_pandas_ffill(kind):
    df = make_long(kind)
    before = df.copy(deep=True)
    out = rs.longitudinal.locf(df, "sid", "month", ["score", "count"])
    pd.testing.assert_frame_equal(df, before)
    ref = df.sort_values(["sid", "month"]).groupby("sid", observed=True)["score"].ffill().reindex(df.index)
    np.testing.assert_allclose(out["score"], ref, rtol=RTOL)
    assert out.attrs["n_filled"]["score"] == int(df["score"].isna().sum() - ref.isna().sum())


@pytest.mark.parametrize("kind", KINDS)
def test_locf_at_targets_matches_merge_asof(kind):
    df = make_long(kind)
    targets = [0.0, 5.0, 12.0, 30.0]
    out = rs.longitudinal.locf(df, "sid", "month", "score", targets=targets)
    obs = df.dropna(subset=["score"]).sort_values("month")
    subj = sorted(df["sid"].unique(), key=lambda s: list(pd.factorize(df["sid"], sort=True)[1]).index(s))
    grid = pd.DataFrame({"sid": np.repeat(subj, len(targets)), "target": np.tile(targets, len(subj))})
    grid["sid"] = grid["sid"].astype(df["sid"].dtype)
    ref = pd.merge_asof(grid.sort_values("target"), obs.rename(columns={"month": "observed_time"}), left_on="target", right_on="observed_time", by="sid", direction="backward")
    ref = ref.set_index(["sid", "target"]).reindex(pd.MultiIndex.from_arrays([grid["sid"], grid["target"]]))
    np.testing.assert_allclose(out["score"], ref["score"], rtol=RTOL)
    np.testing.assert_allclose(out["observed_time"], ref["observed_time"], rtol=RTOL)
    np.testing.assert_array_equal(out["month"], grid["target"])


# ---------------------------------------------------------------- auc, slopes
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("nan_policy", ["propagate", "omit"])
def test_auc_and_slopes_match_numpy(kind, nan_policy):
    df = make_long(kind)
    a = rs.longitudinal.auc(df, "sid", "month", "score", nan_policy=nan_policy)
    an = rs.longitudinal.auc(df, "sid", "month", "score", normalise=True, nan_policy=nan_policy)
    sl = rs.longitudinal.slopes(df, "sid", "month", "score", nan_policy=nan_policy)
    for sid, g in df.sort_values("month").groupby("sid", observed=True, sort=True):
        key = sid
        t, y = g["month"].to_numpy(), g["score"].to_numpy()
        if nan_policy == "omit":
            t, y = t[~np.isnan(y)], y[~np.isnan(y)]
        want = np.trapezoid(y, t) if len(t) >= 2 else np.nan
        got = a.loc[key, "auc"]
        if np.isnan(want):
            assert np.isnan(got)
            continue
        assert got == pytest.approx(want, rel=RTOL)
        assert an.loc[key, "auc"] == pytest.approx(want / (t[-1] - t[0]), rel=RTOL)
        slope, icpt = np.polyfit(t, y, 1)
        assert sl.loc[key, "slope"] == pytest.approx(slope, rel=1e-9, abs=1e-12)
        assert sl.loc[key, "intercept"] == pytest.approx(icpt, rel=1e-9, abs=1e-12)
        if len(t) > 2:
            res = y - (icpt + slope * t)
            se = np.sqrt(res @ res / (len(t) - 2) / ((t - t.mean()) ** 2).sum())
            assert sl.loc[key, "se"] == pytest.approx(se, rel=1e-9)
        else:
            assert np.isnan(sl.loc[key, "se"])
        assert sl.loc[key, "n"] == len(t)
    assert a.attrs["n_short"]["score"] >= 1  # the one-visit subject


def test_auc_slopes_several_columns():
    df = make_long("int")
    out = rs.longitudinal.slopes(df, "sid", "month", ["score", "count"], nan_policy="omit")
    assert list(out.columns) == [f"{v}_{f}" for v in ("score", "count") for f in ("slope", "se", "intercept", "n")]
    one = rs.longitudinal.slopes(df, "sid", "month", "count")
    np.testing.assert_allclose(out["count_slope"], one["slope"], rtol=RTOL)
    a = rs.longitudinal.auc(df, "sid", "month", ["score", "count"])
    assert list(a.columns) == ["score_auc", "score_n", "count_auc", "count_n"]


# ---------------------------------------------------------------- bad input
def test_duplicate_rows_are_named():
    df = pd.DataFrame({"id": ["a", "b", "a"], "t": [0, 0, 0], "v": [1.0, 2, 3]}, index=["x", "y", "z"])
    with pytest.raises(InvalidInputError, match=r"subject 'a' at time 0.*'x' and 'z'"):
        rs.longitudinal.change_from_baseline(df, "id", "t", "v")
    with pytest.raises(ValueError, match="duplicate"):
        rs.longitudinal.friedman(df, "id", "t", "v")


def test_bad_input_messages():
    df = pd.DataFrame({"id": [1, 1, 2, 2], "t": [0.0, 1, 0, 1], "v": [1.0, 2, 3, 4], "s": ["a", "b", "c", "d"], "when": ["0", "1", "x", "1"]})
    with pytest.raises(TypeError, match=r"time: column 'when' is not numeric.*row 2.*'x'"):
        rs.longitudinal.auc(df, "id", "when", "v")
    with pytest.raises(TypeError, match=r"value: column 's' is not numeric"):
        rs.longitudinal.slopes(df, "id", "t", "s")
    with pytest.raises(InvalidInputError, match=r"targets\[1\].*not increasing"):
        rs.longitudinal.visit_window(df, "id", "t", [1, 0], 1)
    with pytest.raises(InvalidInputError, match="width"):
        rs.longitudinal.visit_window(df, "id", "t", [0, 1], -1)
    with pytest.raises(ValueError, match="column 'nope'"):
        rs.longitudinal.auc(df, "id", "nope", "v")
    with pytest.raises(TypeError, match="DataFrame"):
        rs.longitudinal.auc(df.to_numpy(), "id", "t", "v")
    with pytest.raises(ValueError, match="baseline"):
        rs.longitudinal.change_from_baseline(df, "id", "t", "v", baseline="last")
    bad = df.assign(t=[0.0, np.inf, 0, 1])
    with pytest.raises(InvalidInputError, match=r"time\[1\].*finite"):
        rs.longitudinal.auc(bad, "id", "t", "v")
    nan_t = df.assign(t=[0.0, np.nan, 0, 1])
    assert rs.longitudinal.auc(nan_t, "id", "t", "v").attrs["n_dropped"] == 1
    with pytest.raises(InvalidInputError, match=r"time\[1\]"):
        rs.longitudinal.auc(nan_t, "id", "t", "v", nan_policy="raise")
    nan_v = df.assign(v=[1.0, np.nan, 3, 4])
    with pytest.raises(InvalidInputError, match=r"value\['v'\]\[1\] \(index 1\)"):
        rs.longitudinal.slopes(nan_v, "id", "t", "v", nan_policy="raise")


def test_sorted_rows_take_the_run_path_and_agree_with_shuffled_rows():
    # rows sorted by subject then time (the core's presorted fast path) vs the
    # same rows shuffled (counting sort): identical helper output per row
    rng = np.random.default_rng(5)
    n, k = 300, 7
    df = pd.DataFrame(
        {
            "pid": np.repeat(np.arange(n) * 3 + 10, k),
            "month": np.tile(np.arange(k) * 3.0, n) + np.round(rng.uniform(0, 1, n * k), 1) * (np.tile(np.arange(k), n) > 0),
            "y": rng.normal(5, 2, n * k),
        }
    )
    df = df.drop(index=rng.choice(np.arange(1, n * k), 200, replace=False)).reset_index(drop=True)
    df = df[~((df["month"] == 0) & (df["pid"] == 13))]  # one subject without a baseline row
    shuffled = df.sample(frac=1.0, random_state=4)
    a = rs.longitudinal.change_from_baseline(df, "pid", "month", "y", 0)
    b = rs.longitudinal.change_from_baseline(shuffled, "pid", "month", "y", 0).loc[df.index]
    pd.testing.assert_frame_equal(a, b)
    has_base = set(df.loc[df["month"] == 0, "pid"])
    assert 13 not in has_base
    assert a.attrs["no_baseline"] == {"y": df["pid"].nunique() - len(has_base)}
    va = rs.longitudinal.visit_window(df, "pid", "month", [0, 6, 12], 1.5)
    vb = rs.longitudinal.visit_window(shuffled, "pid", "month", [0, 6, 12], 1.5)
    pd.testing.assert_frame_equal(va, vb)
    la = rs.longitudinal.locf(df, "pid", "month", "y", targets=[0, 6, 12])
    lb = rs.longitudinal.locf(shuffled, "pid", "month", "y", targets=[0, 6, 12])
    pd.testing.assert_frame_equal(la, lb)
