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
