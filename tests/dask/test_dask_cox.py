"""rs.dask.coxph against the in-memory rs.survival.coxph (itself checked against
R survival::coxph in tests/survival), on the session's 2-process LocalCluster.

Both run the same Newton-Raphson stepper; the Dask fit evaluates it on
per-(stratum, time) sums merged across partitions, which differ from the
in-memory row sums only in the order of additions. Tolerance: 1e-8 relative
(measured: coef 1e-14, se 4e-15, loglik 8e-16). Data: 10 partitions sorted by time (tied times straddle
partition boundaries), two empty partitions, strata, a text covariate with a
level present only in the last partitions, missing covariate values.
"""

import numpy as np
import pandas as pd
import pytest

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

import rheumstats as rs  # noqa: E402

RTOL = 1e-8


def _frames():
    rng = np.random.default_rng(1616)
    n = 2500
    x = rng.normal(0, 1, n)
    arm = rng.choice(["PBO", "ADA"], n)
    hazard = np.exp(0.5 * x - 0.4 * (arm == "ADA"))
    t = np.ceil(rng.exponential(10 / hazard) * 2) / 2  # half-unit grid: many ties
    c = np.ceil(rng.exponential(15, n) * 2) / 2
    df = pd.DataFrame({
        "time": np.minimum(t, c), "event": (t <= c).astype(float), "x": x, "arm": arm,
        "age": rng.normal(55, 10, n), "sex": rng.choice([1, 2], n),
    })
    df.loc[rng.random(n) < 0.02, "x"] = np.nan
    df = df.sort_values("time", kind="stable").reset_index(drop=True)
    df.index = [f"c{i}" for i in range(n)]
    cuts = [0, 250, 250, 700, 1100, 1100, 1500, 1800, 2100, 2300, n]
    frames = [df.iloc[a:b].copy() for a, b in zip(cuts[:-1], cuts[1:])]
    for f in frames[-3:]:
        f.loc[f.index[::4], "arm"] = "TCZ"
    return frames


@pytest.fixture(scope="module")
def cox_data():
    frames = _frames()
    ddf = dd.from_delayed([dask.delayed(f) for f in frames], meta=frames[0].iloc[:0], verify_meta=False)
    assert ddf.npartitions >= 8 and any(len(f) == 0 for f in frames)
    nonempty = [f for f in frames if len(f)]
    assert any(a["time"].iloc[-1] == b["time"].iloc[0] for a, b in zip(nonempty[:-1], nonempty[1:])), "ties across partitions"
    return ddf, pd.concat(frames)


def _same(r, m):
    assert isinstance(r, rs.survival.CoxPH)
    assert list(r.summary.index) == list(m.summary.index)
    for c in r.summary.columns:
        np.testing.assert_allclose(r.summary[c], m.summary[c], rtol=RTOL, atol=1e-300)
    np.testing.assert_allclose([r.loglik, r.loglik_null], [m.loglik, m.loglik_null], rtol=RTOL)
    np.testing.assert_allclose(r.covariance, m.covariance, rtol=RTOL)
    np.testing.assert_allclose(r.test().to_numpy(float), m.test().to_numpy(float), rtol=RTOL)
    assert (r.n, r.n_event, r.n_missing, r.iterations, r.converged) == (m.n, m.n_event, m.n_missing, m.iterations, m.converged)
    assert np.isnan(r.concordance)
    pd.testing.assert_index_equal(r.to_frame().index, m.to_frame().index)
    assert "CoxPH" in repr(r)


@pytest.mark.parametrize("ties, strata", [("efron", None), ("breslow", "sex"), ("efron", "sex")])
def test_coxph_equals_in_memory(client, cox_data, ties, strata):
    ddf, whole = cox_data
    kw = dict(time="time", event="event", covariates=["x", "arm", "age"], ties=ties, strata=strata)
    _same(rs.dask.coxph(ddf, **kw), rs.survival.coxph(whole, **kw))


def test_coxph_persisted_and_errors(client, cox_data):
    ddf, whole = cox_data
    kw = dict(time="time", event="event", covariates="x")
    _same(rs.dask.coxph(ddf, persist=True, **kw), rs.survival.coxph(whole, **kw))
    labels = set(whole.index[whole["x"].isna()])
    with pytest.raises(ValueError, match="nan_policy='raise'") as e:
        rs.dask.coxph(ddf, nan_policy="raise", **kw)
    assert any(repr(lab) in str(e.value) for lab in labels)  # names the index label of a missing value
    with pytest.raises(ValueError, match="not in ddf"):
        rs.dask.coxph(ddf, time="time", event="event", covariates="nope")
    bad = ddf.assign(event=ddf["event"] * 2)
    with pytest.raises(ValueError, match="event"):
        rs.dask.coxph(bad, **kw)
