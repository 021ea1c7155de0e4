"""benchmarks/run.py --quick runs and prints its rows (no timing is asserted)."""

import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


@pytest.mark.skipif(not RUN.exists(), reason="benchmarks/ not present (installed package only)")
def test_quick_benchmark_prints_score_rows():
    r = subprocess.run([sys.executable, str(RUN), "--quick", "--only", "DAS28", "--repeats", "1"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "DAS28-ESR" in r.stdout and "numpy formula" in r.stdout and "x |" in r.stdout
