"""rs.dask against the in-memory calls, on a real 2-process LocalCluster.

Reference values: the in-memory rheumstats calls on the concatenated partitions
(themselves checked against R in tests/survival, tests/paired, tests/safety).
Tolerances: survival tables and incidence-rate counts are built from the same
merged integer counts, so they are compared at 1e-10 relative (they agree bit
for bit); t-test moments merged with Chan's formula at 1e-10 relative.
Data: >= 8 partitions, with ties across partition boundaries, empty
partitions, a group absent from some partitions.
"""

import numpy as np
import pandas as pd
import pytest

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import rheumstats as rs  # noqa: E402

RTOL = 1e-10


def _ddf(frames):
    """A Dask DataFrame with exactly these partitions (some may be empty)."""
    meta = frames[0].iloc[:0]
    return dd.from_delayed([dask.delayed(f) for f in frames], meta=meta, verify_meta=False)


def _frames():
    """10 partitions of survival data: sorted by time (so tied times straddle partition
    boundaries), two empty partitions, group 'c' only in the last partitions."""
    rng = np.random.default_rng(16)
    n = 3000
    df = pd.DataFrame({
        "time": np.floor(rng.exponential(20, n)) + 0.5,  # many ties
        "event": (rng.random(n) < 0.65).astype(float),
        "grp": rng.choice(["b", "a"], n),
        "st": rng.integers(1, 4, n),
        "cause": rng.choice([0, 1, 3], n, p=[0.35, 0.45, 0.2]),
        "x": rng.normal(10, 2, n),
    })
    df["y"] = df["x"] + rng.normal(0.4, 1.0, n)
    df.loc[rng.random(n) < 0.03, "y"] = np.nan
    df = df.sort_values("time", kind="stable").reset_index(drop=True)
    df.index = [f"p{i}" for i in range(n)]
    cuts = [0, 300, 300, 900, 1400, 1400, 2000, 2300, 2600, 2800, n]
    frames = [df.iloc[a:b].copy() for a, b in zip(cuts[:-1], cuts[1:])]
    for f in frames[-3:]:
        f.loc[f.index[::3], "grp"] = "c"
    return frames


@pytest.fixture(scope="module")
def data():
    frames = _frames()
    whole = pd.concat(frames)
    # the in-memory reference reads the columns with the dtypes Dask gives them (strings: pyarrow)
    ddf = _ddf(frames)
    assert ddf.npartitions >= 8
    assert any(len(f) == 0 for f in frames)
    return ddf, whole


def test_partitions_share_tied_times(data):
    frames = _frames()
    tails = [f["time"].iloc[-1] for f in frames if len(f)]
    heads = [f["time"].iloc[0] for f in frames if len(f)]
    assert any(t == h for t, h in zip(tails[:-1], heads[1:]))


def _close_frames(a: pd.DataFrame, b: pd.DataFrame):
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    for c in a.columns:
        if pd.api.types.is_float_dtype(b[c].dtype):
            np.testing.assert_allclose(a[c].to_numpy(), b[c].to_numpy(), rtol=RTOL, atol=0, equal_nan=True, err_msg=c)
        else:
            assert a[c].astype(object).tolist() == b[c].astype(object).tolist(), c


@pytest.mark.parametrize("group", [None, "grp", "st"])
@pytest.mark.parametrize("conf_type", ["log-log", "plain"])
def test_kaplan_meier_equals_in_memory(client, data, group, conf_type):
    ddf, df = data
    got = rs.dask.kaplan_meier(ddf, "time", "event", group, conf_level=0.9, conf_type=conf_type)
    want = rs.survival.kaplan_meier(df["time"], df["event"], None if group is None else df[group], conf_level=0.9, conf_type=conf_type)
    assert type(got) is type(want)
    _close_frames(got.table, want.table)
    assert got._groups == want._groups
    _close_frames(got.median(), want.median())
    assert "KaplanMeier(" in repr(got)
    assert got.to_frame() is got.table


def test_kaplan_meier_plot(client, data):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    ddf, _ = data
    ax = rs.dask.kaplan_meier(ddf, "time", "event", "grp").plot(at_risk=[0, 20, 40])
    assert len(ax.get_lines()) >= 3


def test_categorical_order_is_kept(client, data):
    ddf, df = data
    cat = pd.CategoricalDtype(["c", "b", "a"])
    got = rs.dask.kaplan_meier(ddf.assign(grp=ddf["grp"].astype(cat)), "time", "event", "grp")
    want = rs.survival.kaplan_meier(df["time"], df["event"], df["grp"].astype(cat))
    assert got._groups == want._groups == ("c", "b", "a")
    _close_frames(got.table, want.table)


def test_unknown_categories_are_computed_not_mislabelled(client, data):
    """A Dask categorical with unknown categories (as from read_parquet or from_delayed): the
    levels keep the Categorical's order and their own labels in every call that orders them."""
    ddf, df = data
    cat = pd.CategoricalDtype(["c", "b", "a"])
    unknown = ddf.assign(grp=ddf["grp"].astype(cat).cat.as_unknown())
    assert not unknown["grp"].cat.known
    got = rs.dask.kaplan_meier(unknown, "time", "event", "grp")
    want = rs.survival.kaplan_meier(df["time"], df["event"], df["grp"].astype(cat))
    assert got._groups == want._groups == ("c", "b", "a")
    _close_frames(got.table, want.table)
    lr = rs.dask.logrank(unknown, "time", "event", "grp")
    assert list(lr.observed.index) == ["c", "b", "a"]


@pytest.mark.parametrize("rho", [0, 1])
@pytest.mark.parametrize("strata", [None, "st"])
def test_logrank_equals_in_memory(client, data, rho, strata):
    ddf, df = data
    got = rs.dask.logrank(ddf, "time", "event", "grp", strata=strata, rho=rho)
    want = rs.survival.logrank(df["time"], df["event"], df["grp"], strata=None if strata is None else df[strata], rho=rho)
    assert type(got) is type(want)
    np.testing.assert_allclose([got.statistic, got.pvalue], [want.statistic, want.pvalue], rtol=RTOL)
    assert got.df == want.df
    np.testing.assert_allclose(got.observed.to_numpy(), want.observed.to_numpy(), rtol=RTOL)
    np.testing.assert_allclose(got.expected.to_numpy(), want.expected.to_numpy(), rtol=RTOL)
    assert list(got.expected.index) == list(want.expected.index)
    assert got.expected.index.name == "grp"


@pytest.mark.parametrize("group", [None, "grp"])
def test_cumulative_incidence_equals_in_memory(client, data, group):
    ddf, df = data
    got = rs.dask.cumulative_incidence(ddf, "time", "cause", group, conf_level=0.9)
    want = rs.survival.cumulative_incidence(df["time"], df["cause"], None if group is None else df[group], conf_level=0.9)
    assert isinstance(got, rs.survival.CumulativeIncidence)
    assert got.causes == want.causes == (1, 3)
    _close_frames(got.table, want.table)
    _close_frames(got.at([5, 30]), want.at([5, 30]))
    with pytest.raises(NotImplementedError, match="in memory"):
        got.test()


def test_survival_errors_name_the_index_label(client, data):
    ddf, _ = data
    frames = _frames()
    frames[7].loc["p2500", "time"] = -1.0
    bad = _ddf(frames)
    with pytest.raises(rs.InvalidInputError, match="p2500"):
        rs.dask.kaplan_meier(bad, "time", "event")
    with pytest.raises(ValueError, match="not in ddf"):
        rs.dask.logrank(ddf, "time", "event", "nope")
    with pytest.raises(TypeError, match="dask.dataframe"):
        rs.dask.kaplan_meier(pd.DataFrame({"time": [1.0]}), "time", "event")


def _t_fields(r):
    return [r.statistic, r.pvalue, r.df, r.n, r.mean_diff, r.sd_diff, r.se, r.cohen_dz, r.srm, *r.confidence_interval()]


@pytest.mark.parametrize("after", [None, "y"])
@pytest.mark.parametrize("alternative", ["two-sided", "less"])
def test_ttest_equals_in_memory(client, data, after, alternative):
    ddf, df = data
    got = rs.dask.ttest(ddf, "x", after, alternative=alternative, popmean=0.3, nan_policy="omit")
    want = rs.paired.ttest(df["x"], None if after is None else df["y"], alternative=alternative, popmean=0.3, nan_policy="omit")
    assert type(got) is type(want)
    np.testing.assert_allclose(_t_fields(got), _t_fields(want), rtol=RTOL)
    np.testing.assert_allclose(got.confidence_interval(0.8), want.confidence_interval(0.8), rtol=RTOL)


def test_ttest_nan_policies(client, data):
    ddf, df = data
    got = rs.dask.ttest(ddf, "x", "y")  # propagate: the missing y values make it NaN, as in memory
    want = rs.paired.ttest(df["x"], df["y"])
    assert np.isnan(got.statistic) and np.isnan(want.statistic)
    with pytest.raises(rs.InvalidInputError, match="missing"):
        rs.dask.ttest(ddf, "x", "y", nan_policy="raise")


def test_compare_equals_in_memory(client, data):
    ddf, df = data
    ddf2 = ddf.assign(z=ddf["x"] * 0.5, w=ddf["y"] * 0.5 + 1)
    df2 = df.assign(z=df["x"] * 0.5, w=df["y"] * 0.5 + 1)
    pairs = {"xy": ("x", "y"), "zw": ("z", "w")}
    got = rs.dask.compare(ddf2, pairs)
    want = rs.paired.compare(df2, pairs, tests=("t",))
    _close_frames(got, want)
    with pytest.raises(NotImplementedError, match="rheumstats.paired.compare"):
        rs.dask.compare(ddf2, pairs, tests=("t", "wilcoxon"))


def test_incidence_rate_equals_in_memory(client, data):
    ddf, df = data
    rng = np.random.default_rng(3)
    ev = rng.poisson(0.4, len(df)).astype(float)
    ex = rng.random(len(df)) * 2
    # per-row columns attached partition by partition (same row order as `df`)
    frames = _frames()
    k = 0
    for f in frames:
        f["ev"], f["ex"] = ev[k : k + len(f)], ex[k : k + len(f)]
        k += len(f)
    ddf2 = _ddf(frames)
    whole = pd.concat(frames)
    got = rs.dask.incidence_rate(ddf2, "ev", "ex", by="grp", per=1000)
    want = rs.safety.incidence_rate(whole["ev"], whole["ex"], by=whole["grp"], per=1000)
    _close_frames(got, want)
    assert list(got.index) == list(want.index) and got.index.name == "grp"
    tot = rs.dask.incidence_rate(ddf2, "ev", "ex")
    one = rs.safety.incidence_rate(whole["ev"].sum(), whole["ex"].sum())
    np.testing.assert_allclose(tot.to_numpy(), one.to_numpy(), rtol=RTOL)
    bad = _ddf([f.assign(ev=-1.0) if i == 3 else f for i, f in enumerate(frames)])
    with pytest.raises(rs.InvalidInputError, match="events"):
        rs.dask.incidence_rate(bad, "ev", "ex", by="grp")


def test_rowwise_scores_are_lazy_with_meta(client):
    rng = np.random.default_rng(5)
    n = 400
    df = pd.DataFrame({"tjc": rng.integers(0, 29, n), "sjc": rng.integers(0, 29, n), "esr": rng.random(n) * 60 + 1, "pg": rng.random(n) * 100},
                      index=[f"r{i}" for i in range(n)])
    ddf = dd.from_pandas(df, npartitions=8, sort=False)
    das = rs.dask.scores.das28_esr(ddf["tjc"], ddf["sjc"], ddf["esr"], patient_global=ddf["pg"])
    assert dask.is_dask_collection(das) and das.dtype == np.float64
    want = rs.scores.das28_esr(df["tjc"], df["sjc"], df["esr"], patient_global=df["pg"])
    pd.testing.assert_series_equal(das.compute(), want, check_names=False, check_index_type=False)
    cat = rs.dask.scores.das28_category(das)
    assert isinstance(cat.dtype, pd.CategoricalDtype)
    pd.testing.assert_series_equal(cat.compute(), rs.scores.das28_category(want), check_names=False, check_index_type=False)
    assert rs.dask.scores.das28_esr(4, 3, 20, 40) == rs.scores.das28_esr(4, 3, 20, 40)  # no Dask input: the in-memory call
    assert callable(rs.dask.ssc.criss)


def test_rank_tests_name_the_in_memory_call():
    with pytest.raises(NotImplementedError, match="rheumstats.paired.wilcoxon"):
        rs.dask.wilcoxon(None, "x", "y")
    with pytest.raises(NotImplementedError, match="rheumstats.groups.mannwhitney"):
        rs.dask.mannwhitney(None, "x", "g")


def test_grouping_column_by_or_group(client, data):
    """The grouping column as ``by=`` (the Conventions' word for a column name) or positionally
    (the in-memory calls' ``group``): the same result; both at once is a TypeError."""
    ddf, _ = data
    a = rs.dask.kaplan_meier(ddf, "time", "event", by="grp")
    b = rs.dask.kaplan_meier(ddf, "time", "event", "grp")
    pd.testing.assert_frame_equal(a.table, b.table)
    assert rs.dask.logrank(ddf, "time", "event", by="grp").statistic == rs.dask.logrank(ddf, "time", "event", "grp").statistic
    with pytest.raises(TypeError, match="by"):
        rs.dask.kaplan_meier(ddf, "time", "event", "grp", by="grp")
    with pytest.raises(TypeError, match="by"):
        rs.dask.logrank(ddf, "time", "event")
