"""Resident memory does not grow with repeated small calls (issue 19: RSS growth
over 100k small calls of each domain < 4 MiB). CI runs 20,000 calls a domain
(a leak of ~200 bytes a call would show); ``HYPOTHESIS_PROFILE=long`` (or
``RHEUMSTATS_RSS_CALLS=100000``) runs the issue's 100,000."""

from __future__ import annotations

import gc
import os
import sys

import numpy as np
import pytest

import rheumstats as rs

N = int(os.environ.get("RHEUMSTATS_RSS_CALLS", 100_000 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 20_000))
X = np.array([1.0, 2, 3, 4, 5, 6])
Y = np.array([2.0, 2.5, 3, 5, 4, 7])
G = np.array([0, 0, 0, 1, 1, 1])
CASES = {
    "scores": lambda: rs.scores.das28_esr(X, X + 1, X * 10, Y * 10),
    "paired": lambda: rs.paired.wilcoxon(X, Y),
    "groups": lambda: rs.groups.ttest(X, Y),
    "safety": lambda: rs.safety.incidence_rate([3.0], [10.0]),
    "survival": lambda: rs.survival.logrank(X, [1, 0, 1, 1, 0, 1], G),
    "multitest": lambda: rs.multitest.adjust([0.01, 0.2, 0.03]),
}


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
@pytest.mark.parametrize("domain", sorted(CASES))
def test_rss_does_not_grow_over_repeated_calls(domain):
    f = CASES[domain]
    for _ in range(min(2_000, N)):  # warm-up: caches, thread pools, interned objects
        f()
    gc.collect()
    before = _rss_bytes()
    for _ in range(N):
        f()
    gc.collect()
    grown = _rss_bytes() - before
    assert grown < 4 * 2**20, f"{domain}: RSS grew {grown / 2**20:.2f} MiB over {N} calls"
