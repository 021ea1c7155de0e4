"""Longitudinal helpers and rank tests over visits vs pandas / scipy.

* change_from_baseline + visit_window on 1M patients × 10 visits (10M rows,
  integer patient IDs, visit times jittered around months 0, 3, ..., 27),
  targets months 0, 12, 24 within ± 1.5, vs the idiomatic pandas code: a
  baseline lookup by ``map`` and, per target, filter the window, sort by
  (patient, distance, time), keep the first row per patient and reindex on
  patient × target so dropouts stay visible;
* Friedman on 20,000 endpoints (value columns of one long frame: 30 patients
  × 6 visits) vs scipy ``friedmanchisquare(axis=0)`` vectorised over the
  endpoints (the peer is given the wide arrays, so its pivot is not timed);
* Friedman on one endpoint, 20,000 patients × 6 visits in long format, vs
  pandas ``pivot`` + scipy ``friedmanchisquare`` (no goal: a single test
  is milliseconds either way).
"""

import numpy as np
import pandas as pd

import rheumstats as rs
from workloads import Workload

TARGETS = [0.0, 12.0, 24.0]
WIDTH = 1.5


def _visits(quick: bool):
    n_pat = 10_000 if quick else 1_000_000
    k = 10
    rng = np.random.default_rng(21)
    month = np.tile(np.arange(k) * 3.0, n_pat)
    jitter = np.round(rng.uniform(-1.0, 1.0, month.size), 1)
    jitter[::k] = 0.0  # baseline at month 0
    month = month + jitter
    df = pd.DataFrame(
        {
            "pid": np.repeat(np.arange(n_pat, dtype=np.int64) + 100_000, k),
            "month": month,
            "das28": rng.normal(4.5, 1.2, month.size) - 0.03 * month,
        }
    )
    drop = rng.random(len(df)) < 0.1  # missed visits (never the baseline)
    drop[::k] = False
    return df[~drop].reset_index(drop=True)


def _ours_cfb_window(df):
    a = rs.longitudinal.change_from_baseline(df, "pid", "month", "das28", 0)
    b = rs.longitudinal.visit_window(df, "pid", "month", TARGETS, WIDTH)
    return a, b


def _pandas_cfb_window(df):
    base = df.loc[df["month"] == 0].set_index("pid")["das28"]
    out = df.copy()
    out["baseline"] = out["pid"].map(base)
    out["change"] = out["das28"] - out["baseline"]
    out["pct_change"] = 100 * out["change"] / out["baseline"].where(out["baseline"] != 0)
    parts = []
    for tg in TARGETS:
        dist = (df["month"] - tg).abs()
        cand = df.assign(target=tg, distance=dist)[dist <= WIDTH]
        cand = cand.sort_values(["pid", "distance", "month"])
        parts.append(cand.drop_duplicates("pid"))
    win = pd.concat(parts).set_index(["pid", "target"])
    grid = pd.MultiIndex.from_product([np.sort(df["pid"].unique()), TARGETS], names=["pid", "target"])
    win = win.reindex(grid).reset_index()
    return out, win


def _same_cfb_window(ours, peer):
    (a, b), (pa, pb) = ours, peer
    np.testing.assert_allclose(a["change"], pa["change"], rtol=1e-12)
    np.testing.assert_allclose(a["pct_change"], pa["pct_change"], rtol=1e-12)
    np.testing.assert_array_equal(b["pid"].to_numpy(), pb["pid"].to_numpy())
    np.testing.assert_allclose(b["month"].to_numpy(float), pb["month"].to_numpy(float))
    np.testing.assert_allclose(b["das28"].to_numpy(float), pb["das28"].to_numpy(float))


def _endpoints(quick: bool):
    m = 2_000 if quick else 20_000
    n, k = 30, 6
    rng = np.random.default_rng(22)
    vals = rng.integers(0, 11, (n * k, m)).astype(np.float64)  # 0-10 scores: ties
    long = pd.DataFrame(vals, columns=[f"e{j}" for j in range(m)])
    long.insert(0, "visit", np.tile(np.arange(k, dtype=np.float64), n))
    long.insert(0, "pid", np.repeat(np.arange(n), k))
    wide = [vals[v::k] for v in range(k)]  # per visit: (patients, endpoints)
    return long, [f"e{j}" for j in range(m)], wide


def _same_test(ours, peer):
    np.testing.assert_allclose(ours.statistic, peer.statistic, rtol=1e-10)
    np.testing.assert_allclose(ours.pvalue, peer.pvalue, rtol=1e-9)


def _one_endpoint(quick: bool):
    n = 2_000 if quick else 20_000
    k = 6
    rng = np.random.default_rng(23)
    df = pd.DataFrame(
        {
            "pid": np.repeat(np.arange(n), k),
            "visit": np.tile(np.arange(k, dtype=np.float64), n),
            "score": rng.integers(0, 11, n * k).astype(np.float64),
        }
    )
    return df


def _pivot_friedman(df):
    from scipy.stats import friedmanchisquare

    w = df.pivot(index="pid", columns="visit", values="score").dropna()
    return friedmanchisquare(*[w[c].to_numpy() for c in w.columns])


def _scipy_endpoints(d):
    from scipy.stats import friedmanchisquare

    return friedmanchisquare(*d[2], axis=0)


WORKLOADS = [
    Workload(
        name="change_from_baseline + visit_window, 1M patients x 10 visits",
        setup=_visits,
        ours=_ours_cfb_window,
        peer=_pandas_cfb_window,
        peer_name="pandas (map + filter/sort/drop_duplicates per target)",
        goal=10,
        check=_same_cfb_window,
        requires=("pandas",),
        repeats=3,
    ),
    Workload(
        name="Friedman, 20k endpoints x (30 patients x 6 visits)",
        setup=_endpoints,
        ours=lambda d: rs.longitudinal.friedman(d[0], "pid", "visit", d[1]),
        peer=_scipy_endpoints,
        peer_name="scipy friedmanchisquare(axis=0), wide input",
        goal=20,
        check=_same_test,
        requires=("scipy",),
    ),
    Workload(
        name="Friedman, one endpoint, 20k patients x 6 visits (long)",
        setup=_one_endpoint,
        ours=lambda df: rs.longitudinal.friedman(df, "pid", "visit", "score"),
        peer=_pivot_friedman,
        peer_name="pandas pivot + scipy friedmanchisquare",
        check=_same_test,
        requires=("scipy",),
    ),
]
