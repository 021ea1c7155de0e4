"""The binding layer's guarantees: panics become RuntimeError, the GIL is
released (threads give identical results), and the stub matches the binary."""

import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import rheumstats as rs
from rheumstats import _rheumstats


def test_a_core_panic_surfaces_as_runtime_error_not_panic_exception():
    with pytest.raises(RuntimeError, match="internal error in rheumstats"):
        _rheumstats._debug_panic()


def test_eight_threads_give_identical_results():
    rng = np.random.default_rng(1)
    n = 200_000
    args = (rng.integers(0, 29, n).astype(float), rng.integers(0, 29, n).astype(float), rng.uniform(1, 100, n), rng.uniform(0, 100, n))
    want = rs.scores.das28_esr(*args)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: rs.scores.das28_esr(*args), range(16)))
    for r in results:
        np.testing.assert_array_equal(r, want)


def test_version_is_exposed():
    assert rs.__version__ == _rheumstats.__version__ and rs.__version__.count(".") == 2


@pytest.mark.skipif(shutil.which("stubgen") is None and sys.version_info < (3, 9), reason="mypy not installed")
def test_stub_matches_the_binary():
    pytest.importorskip("mypy")
    allow = Path(__file__).with_name("stubtest_allowlist.txt")
    r = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "rheumstats._rheumstats", "--allowlist", str(allow)],
        capture_output=True, text=True, timeout=600,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_package_ships_py_typed_and_stub():
    pkg = Path(rs.__file__).parent
    assert (pkg / "py.typed").exists() and (pkg / "_rheumstats.pyi").exists()


def _domain_calls():
    """One call per domain on shared inputs (each releases the GIL inside the core)."""
    import pandas as pd

    rng = np.random.default_rng(3)
    x = rng.normal(10, 2, (400, 50))
    y = x + rng.normal(-0.5, 1, (400, 50))
    t = np.round(rng.exponential(5, 3000), 1) + 0.1
    e = (rng.random(3000) < 0.7).astype(float)
    g = np.array(["a", "b", "c"])[rng.integers(0, 3, 3000)]
    ids = np.repeat(np.arange(60), 5)
    long = pd.DataFrame({"id": ids, "t": np.tile(np.arange(5.0), 60), "arm": np.where(ids % 2, "A", "B")})
    long["y"] = 20 + rng.normal(0, 2, 60)[ids] - 0.3 * long["t"] + rng.normal(0, 1, 300)
    frame = pd.DataFrame({"time": t, "event": e, "z": rng.normal(size=3000)})
    return {
        "paired": lambda: rs.paired.wilcoxon(x, y, axis=0).pvalue,
        "groups": lambda: rs.groups.mannwhitney(x[:, :20], y[:, :20], axis=0).pvalue,
        "survival": lambda: rs.survival.kaplan_meier(t, e, g).table.drop(columns="group").to_numpy(dtype=float),
        "cox": lambda: rs.survival.coxph(frame, "time", "event", "z").summary.select_dtypes("number").to_numpy(dtype=float),
        "safety": lambda: rs.safety.incidence_rate(e * 2, t, group=g).to_numpy(dtype=float),
        "lmm": lambda: rs.longitudinal.lmm("y ~ t * arm + (1 + t | id)", long).fixed.to_numpy(dtype=float),
        "mmrm": lambda: rs.longitudinal.mmrm(long.assign(t=long["t"].astype(int)), "y", "t", "id", formula="arm * t").fixed.to_numpy(dtype=float),
        "repeated": lambda: rs.longitudinal.friedman(long, "id", "t", "y").statistic,
        "scores": lambda: rs.scores.das28_esr(np.round(x[:, 0]) % 28, np.round(y[:, 0]) % 28, x[:, 1] * 5, y[:, 2] * 5),
    }


@pytest.mark.parametrize("domain", list(_domain_calls()))
def test_eight_threads_give_identical_results_in_every_domain(domain):
    import warnings

    fn = _domain_calls()[domain]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = np.asarray(fn(), dtype=float)
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda _: fn(), range(16)))
    for r in results:
        np.testing.assert_array_equal(np.asarray(r, dtype=float), want, err_msg=domain)


def test_a_long_call_releases_the_gil():
    """While a long core call runs in one thread, a pure-Python loop in another keeps counting:
    the core does not hold the GIL (a held GIL would freeze the counter for the whole call)."""
    import threading
    import time

    table = np.array([[12, 9, 11, 8, 10, 7], [9, 12, 8, 11, 7, 10], [11, 8, 12, 9, 10, 11]])
    done = threading.Event()
    ticks = []

    def count():
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    t0 = time.perf_counter()
    rs.groups.fisher_exact(table, n_resamples=3_000_000, seed=1)
    t1 = time.perf_counter()
    done.set()
    counter.join()
    during = [v for v in ticks if t0 + 0.05 < v < t1 - 0.05]
    assert t1 - t0 > 0.2, "the call was too short to show anything"
    # ticks every ~1 ms; a GIL held by the call would leave a gap as long as the call
    gaps = np.diff([t0] + during + [t1])
    assert len(during) > 10 and gaps.max() < 0.5 * (t1 - t0), f"the Python thread stalled for {gaps.max():.3f} s of a {t1 - t0:.3f} s call"
