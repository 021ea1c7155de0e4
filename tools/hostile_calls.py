"""A million hostile calls across the public API (issue 19).

    python tools/hostile_calls.py --calls 1000000 --seed 1      # the long run
    python tools/hostile_calls.py --repro SEED:I                # replay one call
    python tools/hostile_calls.py --calls 20000 --only groups.  # one module
    python tools/hostile_calls.py --calls 1000000 --run-only paired.wilcoxon  # the wilcoxon calls of the long run

Call ``i`` draws its case (weighted, ``tests/reliability/calls.py``) and its
hostile inputs from ``numpy.random.default_rng([seed, i])``, so any call is
replayed by ``--repro seed:i``. Every outcome is counted: a result (checked:
p-values in [0, 1], intervals ordered, inputs unchanged), ``ValueError`` or
``TypeError`` (allowed). Anything else - another exception type, a pyo3
``PanicException``, a property broken - is a failure, printed with its repro;
a call running longer than ``--timeout`` seconds is a hang: the watchdog prints
it and ends the process (exit 3). Exit status 1 on any failure.
"""

from __future__ import annotations

import argparse
import collections
import faulthandler
import os
import re
import sys
import threading
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "reliability"))

import numpy as np  # noqa: E402

from calls import ALL_CALLS, CALLS, Failure, describe, run_one  # noqa: E402
from hostile import RngSrc  # noqa: E402


def pick_case(names, cum, src):
    u = src.rng.random() * cum[-1]
    return names[int(np.searchsorted(cum, u, side="right"))]


def build(seed, i, names, cum, run_only=""):
    """Call ``i``'s name and inputs; (name, None, None) when ``run_only`` excludes it
    (the draws of the other calls are unchanged)."""
    src = RngSrc.for_call(seed, i)
    name = pick_case(names, cum, src)
    if run_only and not any(name.startswith(p) for p in run_only.split(",")):
        return name, None, None
    args, kwargs = ALL_CALLS[name].make(src)
    return name, args, kwargs


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", type=int, default=0, help="first call index")
    ap.add_argument("--only", default="", help="only the calls whose name starts with this")
    ap.add_argument("--no-dask", action="store_true", help="leave out rs.dask (slow: a graph per call)")
    ap.add_argument("--run-only", default="", help="draw every call as usual but run only those whose name starts with one of these comma-separated prefixes (re-checks some calls' share of a long run after a fix)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds before a call counts as a hang")
    ap.add_argument("--check-inputs-every", type=int, default=4, help="compare inputs before/after on every k-th call")
    ap.add_argument("--repro", default="", help="SEED:I - replay one call, show it and its outcome")
    ap.add_argument("--max-failures", type=int, default=50)
    ap.add_argument("--progress", type=int, default=50_000)
    a = ap.parse_args(argv)

    pool = CALLS if a.no_dask else ALL_CALLS
    names = sorted(n for n in pool if n.startswith(a.only))
    if not names:
        print(f"no call matches {a.only!r}", file=sys.stderr)
        return 2
    cum = np.cumsum([pool[n].weight for n in names])

    if a.repro:
        seed, i = (int(v) for v in a.repro.split(":"))
        name, args, kwargs = build(seed, i, names, cum)
        print(name)
        print(describe(args, kwargs, width=20_000))
        try:
            print("outcome:", run_one(ALL_CALLS[name], args, kwargs))
        except Failure:
            traceback.print_exc()
            return 1
        return 0

    faulthandler.enable()  # a segfault prints the Python stack
    state = {"i": -1, "name": "", "t0": time.monotonic()}
    stop = threading.Event()

    def watchdog():
        while not stop.wait(1.0):
            if state["i"] >= 0 and time.monotonic() - state["t0"] > a.timeout:
                print(f"\nHANG: call {a.seed}:{state['i']} ({state['name']}) running > {a.timeout} s", flush=True)
                print(f"replay: python tools/hostile_calls.py --repro {a.seed}:{state['i']}" + (f" --only {a.only}" if a.only else "") + (" --no-dask" if a.no_dask else ""), flush=True)
                faulthandler.dump_traceback()
                os._exit(3)

    threading.Thread(target=watchdog, daemon=True).start()
    counts = collections.Counter()
    per_call = collections.defaultdict(collections.Counter)
    failures = []
    kinds = collections.Counter()
    t_start = time.monotonic()
    slowest = collections.Counter()
    spent = collections.Counter()
    for i in range(a.start, a.start + a.calls):
        name, args, kwargs = build(a.seed, i, names, cum, a.run_only)
        if args is None:
            continue
        state.update(i=i, name=name, t0=time.monotonic())
        try:
            outcome = run_one(ALL_CALLS[name], args, kwargs, check_inputs=(i % a.check_inputs_every == 0))
        except Failure as f:
            outcome = "FAILURE"
            cause = f.__cause__
            failures.append((i, name, str(f)))
            sig = name + ":" + re.sub(r"[0-9.e+-]+", "#", str(f))[:80]
            kinds[sig] += 1
            if kinds[sig] == 1:  # the first of its kind in full
                print(f"\nFAILURE call {a.seed}:{i} {name}: {f}", flush=True)
                if cause is not None:
                    traceback.print_exception(type(cause), cause, cause.__traceback__, limit=-4)
                print(describe(args, kwargs), flush=True)
        dt = time.monotonic() - state["t0"]
        slowest[name] = max(slowest[name], dt)
        spent[name] += dt
        state["i"] = -1
        counts[outcome] += 1
        per_call[name][outcome] += 1
        done = i - a.start + 1
        if a.progress and done % a.progress == 0 and not a.run_only:
            el = time.monotonic() - t_start
            print(f"{done:>9} calls  {el:8.1f} s  {dict(counts)}", flush=True)
        if len(failures) >= a.max_failures:
            print("too many failures: stopping", flush=True)
            break
    stop.set()
    elapsed = time.monotonic() - t_start
    total = sum(counts.values())
    print(f"\ntime in the calls {sum(spent.values()):.1f} s, building the inputs and the rest {elapsed - sum(spent.values()):.1f} s")
    if a.run_only:
        print(f"run only {a.run_only!r}: {total} of calls {a.start}..{a.start + a.calls - 1}")
    print(f"{total} calls in {elapsed:.1f} s ({1e6 * elapsed / max(total, 1):.0f} us/call), seed {a.seed}, start {a.start}")
    print("outcomes:", dict(counts))
    print(f"{'call':38} {'calls':>8} {'ok':>8} {'ValueErr':>8} {'TypeErr':>8} {'FAIL':>5} {'max s':>7} {'total s':>8}")
    for n in names:
        c = per_call[n]
        print(f"{n:38} {sum(c.values()):8} {c['ok']:8} {c['ValueError']:8} {c['TypeError']:8} {c['FAILURE']:5} {slowest[n]:7.3f} {spent[n]:8.1f}")
    if failures:
        print(f"\n{len(failures)} FAILURES, {len(kinds)} kinds:")
        for sig, k in kinds.most_common():
            first = next(i for i, name, msg in failures if name + ":" + re.sub(r"[0-9.e+-]+", "#", msg)[:80] == sig)
            print(f"  {k:6} x  {sig}   (first: --repro {a.seed}:{first})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
