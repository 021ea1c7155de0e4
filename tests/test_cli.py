"""The console script and `python -m rheumstats`."""

import shutil
import subprocess
import sys

import pytest


def test_python_m_rheumstats_demo_runs_the_reference_analysis():
    # the figures themselves are asserted in tests/report/test_cli_report.py
    r = subprocess.run([sys.executable, "-m", "rheumstats", "demo"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "SIMULATED" in r.stdout
    for heading in ("Cohort", "Change from month 0 to month 12", "Drug retention", "Reasons for stopping", "Safety", "Over the whole follow-up"):
        assert heading in r.stdout


def test_console_script_is_installed():
    exe = shutil.which("rheumstats")
    if exe is None:
        pytest.skip("console script not on PATH (package not pip-installed)")
    r = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("rheumstats ")


def test_unknown_command_exits_2():
    r = subprocess.run([sys.executable, "-m", "rheumstats", "frobnicate"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "Traceback" not in r.stderr
