"""Benchmark workloads, one module per domain, each exporting ``WORKLOADS``."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence


@dataclass
class Workload:
    name: str
    setup: Callable[[bool], Any]  # quick -> data
    ours: Callable[[Any], Any]
    peer: Optional[Callable[[Any], Any]]  # None: no peer can run here; ours is timed alone
    peer_name: str
    goal: Optional[float] = None  # the ratio we hold ourselves to
    check: Optional[Callable[[Any, Any], None]] = None  # check(ours, peer result) — or (ours, data) when peer is None
    requires: Sequence[str] = field(default_factory=tuple)  # importable modules the peer needs
    repeats: Optional[int] = None  # override the run's repeat count (slow workloads)
    pause: float = 0.0  # seconds of sleep before each timed call (cold-call rows: 0.05)
    number: int = 1  # calls per timed sample, the sample's time divided by it (microsecond calls)

    def available(self) -> bool:
        return all(importlib.util.find_spec(m) is not None for m in self.requires)
