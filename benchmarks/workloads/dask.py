"""rs.dask: Kaplan–Meier + log-rank on a 2-worker LocalCluster.

* 1M rows (8 partitions persisted on the workers) vs the in-memory rs.survival
  calls on the same rows: the peer is in-memory rheumstats, so the ratio
  (in-memory time / Dask time) is the price of the scheduler (< 1 = overhead).
* Cox PH (3 covariates, Efron) on 1M rows vs the in-memory rs.survival.coxph:
  one tree reduction per Newton iteration.
* 100M rows read from partitioned Parquet that the workload writes itself,
  1M rows per file, chunk by chunk (never the whole table in memory); no peer
  (the table does not fit a pandas frame comfortably). Printed: peak resident
  memory of the client and of each worker, against the data's in-memory size
  (float64 time + int8 event + int8 group = 10 bytes per row).

The Parquet files are kept in $RHEUMSTATS_BENCH_DIR (default: the system temp
directory) and reused by later runs. Sizes: ``--quick`` uses 50k rows and
4 × 500k Parquet rows; otherwise 1M rows and $RHEUMSTATS_DASK_PARQUET_MROWS
million Parquet rows (default 100, one million per file).
"""

from __future__ import annotations

import atexit
import os
import resource
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import rheumstats as rs
from workloads import Workload

_CLIENT = None


def _client():
    """One 2-process LocalCluster for the run (created on first use: spawn-safe under run.py's main guard)."""
    global _CLIENT
    if _CLIENT is None:
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None, memory_limit="4GiB")
        _CLIENT = Client(cluster)

        def close() -> None:
            _CLIENT.close()
            cluster.close()

        atexit.register(close)
    return _CLIENT


def _rows(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "time": np.ceil(rng.exponential(900, n)),
        "event": (rng.random(n) < 0.6).astype(np.int8),
        "group": rng.integers(0, 2, n).astype(np.int8),
    })


def _setup_1m(quick: bool):
    import dask.dataframe as dd

    client = _client()
    df = _rows(50_000 if quick else 1_000_000, 11)
    ddf = client.persist(dd.from_pandas(df, npartitions=8, sort=False))
    return ddf, df


def _dask_km_lr(d):
    ddf = d[0] if isinstance(d, tuple) else d
    km = rs.dask.kaplan_meier(ddf, "time", "event", "group")
    lr = rs.dask.logrank(ddf, "time", "event", "group")
    return km, lr


def _mem_km_lr(d):
    df = d[1]
    return rs.survival.kaplan_meier(df["time"], df["event"], df["group"]), rs.survival.logrank(df["time"], df["event"], df["group"])


def _check_1m(ours, peer):
    for c in ("survival", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(ours[0].table[c].to_numpy(), peer[0].table[c].to_numpy(), rtol=1e-10, equal_nan=True)
    np.testing.assert_allclose(ours[1].statistic, peer[1].statistic, rtol=1e-10)


def _maxrss_mib() -> float:
    """Peak resident memory of this process since it started (VmHWM). ru_maxrss is not used on Linux: it
    survives execve, so a spawned worker would report its parent's peak when that is higher."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def _setup_parquet(quick: bool):
    import dask.dataframe as dd

    n_files, per_file = (4, 500_000) if quick else (int(os.environ.get("RHEUMSTATS_DASK_PARQUET_MROWS", "100")), 1_000_000)
    root = Path(os.environ.get("RHEUMSTATS_BENCH_DIR", tempfile.gettempdir())) / f"rheumstats_dask_{n_files}x{per_file}"
    done = root / "_done"
    if not done.exists():
        root.mkdir(parents=True, exist_ok=True)
        for i in range(n_files):  # chunk by chunk: one file's rows in memory at a time
            _rows(per_file, 1000 + i).to_parquet(root / f"part-{i:04d}.parquet", index=False)
        done.write_text("ok")
    client = _client()
    client.restart()  # fresh workers: their peak memory is this workload's
    ddf = dd.read_parquet(str(root), columns=["time", "event", "group"])
    return ddf, n_files * per_file


def _cox_rows(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, (n, 3))
    t = np.ceil(rng.exponential(900 / np.exp(x @ np.array([0.3, -0.2, 0.1]))))
    c = np.ceil(rng.exponential(1200, n))
    return pd.DataFrame({"time": np.minimum(t, c), "event": (t <= c).astype(np.int8), "x1": x[:, 0], "x2": x[:, 1], "x3": x[:, 2]})


def _setup_cox(quick: bool):
    import dask.dataframe as dd

    client = _client()
    df = _cox_rows(50_000 if quick else 1_000_000, 12)
    ddf = client.persist(dd.from_pandas(df, npartitions=8, sort=False))
    return ddf, df


_COX = dict(time="time", event="event", covariates=["x1", "x2", "x3"])


def _check_cox(ours, peer):
    np.testing.assert_allclose(ours.summary["coef"], peer.summary["coef"], rtol=1e-8)
    np.testing.assert_allclose(ours.summary["se"], peer.summary["se"], rtol=1e-8)
    np.testing.assert_allclose(ours.loglik, peer.loglik, rtol=1e-8)


def _check_parquet(ours, data):
    ddf, n = data
    km, lr = ours
    assert int(km.table.groupby("group")["n_risk"].max().sum()) == n
    workers = _client().run(_maxrss_mib)
    print(
        f"    {n:,} rows in {ddf.npartitions} Parquet partitions (in-memory size {n * 10 / 2**20:,.0f} MiB); "
        f"peak RSS client {_maxrss_mib():,.0f} MiB, workers "
        + ", ".join(f"{v:,.0f}" for v in workers.values())
        + f" MiB; log-rank chi2 = {lr.statistic:.4f}",
        flush=True,
    )


WORKLOADS = [
    Workload(
        "Dask KM + log-rank 1M rows, 8 partitions",
        _setup_1m,
        _dask_km_lr,
        _mem_km_lr,
        "in-memory rheumstats",
        check=_check_1m,
        requires=("dask", "distributed"),
        repeats=3,
    ),
    Workload(
        "Dask Cox PH 1M rows x 3 covariates, 8 partitions",
        _setup_cox,
        lambda d: rs.dask.coxph(d[0], **_COX),
        lambda d: rs.survival.coxph(d[1], **_COX),
        "in-memory rheumstats",
        check=_check_cox,
        requires=("dask", "distributed"),
        repeats=3,
    ),
    Workload(
        "Dask KM + log-rank 100M rows, Parquet",
        _setup_parquet,
        lambda d: _dask_km_lr(d[0]),
        None,
        "(none: out of core)",
        check=_check_parquet,
        requires=("dask", "distributed", "pyarrow"),
        repeats=1,
    ),
]
