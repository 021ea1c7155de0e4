"""Every public call under hostile input (issue 19): it returns a result whose
p-values lie in [0, 1] and whose intervals are ordered, or raises ValueError /
TypeError with a message - never another exception type, a pyo3
PanicException, a hang, or a changed input. The makers and the check are in
calls.py (shared with tools/hostile_calls.py, the million-call run).

Profiles: ``ci`` (default; bounded examples, the folder runs in well under two
minutes on two cores) and ``long`` (``HYPOTHESIS_PROFILE=long``).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calls import CALLS, DASK_CALLS, run_one
from hostile import HypSrc

_common = dict(deadline=None, database=None, suppress_health_check=list(HealthCheck))
settings.register_profile("ci", max_examples=10, **_common)
settings.register_profile("long", max_examples=2000, **_common)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
# models and Dask graphs cost milliseconds to seconds a call: fewer examples
SLOW = {"longitudinal.lmm", "longitudinal.mmrm", "survival.coxph", "cohort.table_one", "groups.compare_subgroups", "paired.compare"}
FAST = sorted(n for n in CALLS if n not in SLOW)


def _check(name: str, calls, data) -> None:
    call = calls[name]
    args, kwargs = call.make(HypSrc(data))
    run_one(call, args, kwargs)


@pytest.mark.parametrize("name", FAST)
@settings(PROFILE)
@given(data=st.data())
def test_hostile_input(name, data):
    _check(name, CALLS, data)


@pytest.mark.parametrize("name", sorted(SLOW))
@settings(PROFILE, max_examples=max(3, PROFILE.max_examples // 3))
@given(data=st.data())
def test_hostile_input_models(name, data):
    _check(name, CALLS, data)


@pytest.mark.parametrize("name", sorted(DASK_CALLS))
@settings(PROFILE, max_examples=max(2, PROFILE.max_examples // 5))
@given(data=st.data())
def test_hostile_input_dask(name, data):
    _check(name, DASK_CALLS, data)


def test_the_registry_covers_every_public_call():
    import inspect

    import rheumstats as rs

    mods = ["paired", "groups", "safety", "survival", "multitest", "cohort", "scores", "ssc", "longitudinal"]
    public = {
        f"{m}.{n}"
        for m in mods
        for n in getattr(getattr(rs, m), "__all__", [])
        if inspect.isfunction(getattr(getattr(rs, m), n)) and not n.startswith("_")
    }
    assert public - set(CALLS) == set(), f"public calls without a hostile-input maker: {sorted(public - set(CALLS))}"


def test_the_million_call_driver_runs():
    """tools/hostile_calls.py, a few hundred calls: exit 0 and the counts printed."""
    import subprocess
    import sys
    from pathlib import Path

    tool = Path(__file__).resolve().parents[2] / "tools" / "hostile_calls.py"
    out = subprocess.run(
        [sys.executable, str(tool), "--calls", "300", "--no-dask", "--progress", "0", "--seed", "7"],
        capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "300 calls in" in out.stdout
