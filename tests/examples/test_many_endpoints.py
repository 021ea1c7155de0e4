"""examples/many_endpoints.py runs (small sizes) and finds the simulated shifts."""

import runpy
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "many_endpoints.py"


@pytest.mark.skipif(not SCRIPT.exists(), reason="examples/ not present")
def test_many_endpoints_example_runs(capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", [str(SCRIPT), "--features", "2000", "--patients", "60"])
    with pytest.raises(SystemExit) as exc:
        runpy.run_path(str(SCRIPT), run_name="__main__")
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "2000 features x 60 patients" in out and "BH q < 0.05" in out
    # with 100 true shifts of 0.6 SD-units in 60 patients most are found, with FDR near 5 %
    found = int(out.split("BH q < 0.05: ")[1].split(" ")[0])
    fdp = float(out.split("false discovery proportion ")[1].split(")")[0])
    assert 60 <= found <= 140 and fdp <= 0.15
