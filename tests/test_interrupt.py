"""Ctrl-C stops a long core call (issue 19: KeyboardInterrupt reaches the user within a
second). Each case runs in a subprocess that sends itself SIGINT 0.5 s into a call that takes
seconds; the call must end with KeyboardInterrupt well before it would have finished, and the
next call must run normally (the cancellation does not stick)."""

import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import os, signal, threading, time
    import numpy as np
    import rheumstats as rs
    {setup}

    def call():
        {call}

    threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    t0 = time.perf_counter()
    try:
        call()
        print("FINISHED", time.perf_counter() - t0)
    except KeyboardInterrupt:
        print("INTERRUPTED", time.perf_counter() - t0)
    {after}
    print("AFTER OK")
    """
)

TABLE = "np.array([[12, 9, 11, 8, 10, 7], [9, 12, 8, 11, 7, 10], [11, 8, 12, 9, 10, 11]])"
COX = (
    "import pandas as pd; rng = np.random.default_rng(1); n = 1_500_000; "
    "d = pd.DataFrame(rng.normal(size=(n, 3)), columns=['a', 'b', 'c']); "
    "d['t'] = np.round(rng.exponential(1 / np.exp(0.3 * d['a'] - 0.2 * d['b']), n), 2) + 0.01; d['e'] = rng.random(n) < 0.7"
)
CASES = {
    # (setup, the long call, a short call after it); seconds uninterrupted on the development machine
    "fisher Monte Carlo": ("", f"rs.groups.fisher_exact({TABLE}, n_resamples=10**7, seed=1)", f"rs.groups.fisher_exact({TABLE}, n_resamples=200, seed=1)"),
    "permutation test 1e8 resamples": ("x = np.random.default_rng(2).normal(0.3, 1, 40)", "rs.paired.permutation_test(x, n_resamples=10**8, seed=1)", "rs.paired.permutation_test(x, n_resamples=1000, seed=1)"),
    "coxph 1.5M x 3": (COX, "rs.survival.coxph(d, 't', 'e', ['a', 'b', 'c'])", "rs.survival.coxph(d.iloc[:1000], 't', 'e', ['a'])"),
}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("name", list(CASES))
def test_ctrl_c_interrupts_a_long_call(name):
    setup, call, after = CASES[name]
    code = SCRIPT.format(setup=setup, call=call, after=after)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.split()
    assert lines[0] == "INTERRUPTED", f"{name}: the call was not interrupted: {out.stdout}"
    assert float(lines[1]) < 3.0, f"{name}: KeyboardInterrupt came {lines[1]} s after the call started (signal at 0.5 s)"
    assert "AFTER OK" in out.stdout
