"""Time rheumstats against its peer in the same run and print the ratio.

Usage::

    python benchmarks/run.py            # full sizes (minutes)
    python benchmarks/run.py --quick    # small smoke sizes (seconds)
    python benchmarks/run.py --only das28

Each workload lives in ``benchmarks/workloads/<domain>.py`` as a
:class:`Workload` in that module's ``WORKLOADS`` list: a setup function that
builds the data once, the rheumstats call, the peer call (scipy, lifelines,
statsmodels, numpy/pandas, or R through ``Rscript`` when installed) and a
check that both give the same answer. The two calls alternate, each is
repeated, and the median wall time is reported; ratio = peer / rheumstats.
A workload with ``pause`` sleeps that long before each timed call (cold-call
rows: the thread pool and caches have gone idle, as before the first call in a
notebook cell); one with ``number`` times that many calls in a row per sample
(calls of microseconds, the small-n rows) and reports the time per call.
Peak memory of one more call of each side is reported beside the time: Python allocations (tracemalloc peak) and the growth of the
process's peak resident set (native buffers; Linux, through
``/proc/self/clear_refs``), as ``py MB + rss MB``.
No timing is asserted anywhere in the tests.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Callable, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workloads import Workload  # noqa: E402


def _time(fn: Callable[[], object], pause: float = 0.0, number: int = 1) -> float:
    """Seconds per call: `number` calls in a row, timed together (calls of microseconds)."""
    if pause:
        time.sleep(pause)
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def _rss_kb(field: str) -> Optional[int]:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _peak_memory(fn: Callable[[], object]) -> tuple:
    """(tracemalloc peak MB, peak-RSS growth MB or None) of one call."""
    rss_peak = None
    try:  # reset the peak RSS (VmHWM) to the current RSS
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        before = _rss_kb("VmRSS")
    except OSError:
        before = None
    tracemalloc.start()
    try:
        fn()
        _, py_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    hwm = _rss_kb("VmHWM")
    if before is not None and hwm is not None:
        rss_peak = max(hwm - before, 0) / 1024
    return py_peak / 2**20, rss_peak


def _fmt_mem(m: Optional[tuple]) -> str:
    if m is None:
        return "-"
    py, rss = m
    return f"{py:.2f}+{rss:.1f}" if rss is not None else f"{py:.2f}+?"


def measure(w: Workload, quick: bool, repeats: int) -> dict:
    data = w.setup(quick)
    ours = lambda: w.ours(data)  # noqa: E731
    if w.peer is None:
        t0 = time.perf_counter()
        first = ours()
        times = [time.perf_counter() - t0]
        if w.check is not None:
            w.check(first, data)
        times += [_time(ours, w.pause, w.number) for _ in range(repeats - 1)]
        t = statistics.median(times)
        return {"workload": w.name, "ours": t, "peer_name": w.peer_name, "peer": None, "ratio": None, "goal": w.goal,
                "mem_ours": _peak_memory(ours), "mem_peer": None}
    peer = lambda: w.peer(data)  # noqa: E731
    if w.check is not None:
        w.check(ours(), peer())
    t_ours: List[float] = []
    t_peer: List[float] = []
    for _ in range(repeats):  # alternate, so drift hits both sides alike
        t_ours.append(_time(ours, w.pause, w.number))
        t_peer.append(_time(peer, w.pause, w.number))
    mo, mp = statistics.median(t_ours), statistics.median(t_peer)
    return {"workload": w.name, "ours": mo, "peer_name": w.peer_name, "peer": mp, "ratio": mp / mo, "goal": w.goal,
            "mem_ours": _peak_memory(ours), "mem_peer": _peak_memory(peer)}


def _fmt_t(s: float) -> str:
    return f"{s * 1e3:9.2f} ms" if s < 10 else f"{s:9.2f} s "


def main(argv: Optional[list] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, for smoke tests")
    ap.add_argument("--only", default=None, help="run workloads whose name contains this text")
    ap.add_argument("--repeats", type=int, default=None)
    args = ap.parse_args(argv)
    repeats = args.repeats or (2 if args.quick else 5)

    import workloads

    found: List[Workload] = []
    for mod in sorted(pkgutil.iter_modules(workloads.__path__), key=lambda m: m.name):
        found.extend(importlib.import_module(f"workloads.{mod.name}").WORKLOADS)
    if args.only:
        found = [w for w in found if args.only in w.name]

    print(f"{'workload':<44} | {'rheumstats':>12} | {'peer':<28} | {'peer time':>12} | {'ratio':>8} | {'goal':<7} | peak MB ours / peer (py+rss)")
    print("-" * 160)
    for w in found:
        if not w.available():
            print(f"{w.name:<44} | {'':>12} | {w.peer_name + ' (not installed)':<28} | {'':>12} | {'':>8} |")
            continue
        r = measure(w, args.quick, min(repeats, w.repeats) if w.repeats else repeats)
        goal = f">= {r['goal']:g}x" if r["goal"] else ""
        if r["peer"] is None:
            print(
                f"{r['workload']:<44} | {_fmt_t(r['ours']):>12} | {r['peer_name']:<28} | {'-':>12} | {'-':>8} | {goal:<7} | "
                f"{_fmt_mem(r['mem_ours'])} / -",
                flush=True,
            )
            continue
        print(
            f"{r['workload']:<44} | {_fmt_t(r['ours']):>12} | {r['peer_name']:<28} | {_fmt_t(r['peer']):>12} | {r['ratio']:7.1f}x | {goal:<7} | "
            f"{_fmt_mem(r['mem_ours'])} / {_fmt_mem(r['mem_peer'])}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
