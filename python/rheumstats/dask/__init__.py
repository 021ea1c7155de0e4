"""rs.dask: the same analyses on Dask DataFrames (``pip install 'rheumstats[dask]'``).

Each call maps every partition to a small, exactly mergeable partial result
computed in Rust, merges the partials in a tree on the workers and computes
only the merged result (never the rows) on the client; the estimator that
runs on the merged result is the in-memory one, so the numbers and result
classes are those of ``rs.survival``, ``rs.paired`` and ``rs.safety``.

==========================  ===============================================  ===========================
call                        what each partition sends                         in-memory twin
==========================  ===============================================  ===========================
kaplan_meier                events / censorings per distinct time and group  rs.survival.kaplan_meier
logrank (rho, strata)       the same per (stratum, group)                    rs.survival.logrank
cumulative_incidence        rows per distinct time, group and cause          rs.survival.cumulative_incidence
ttest, compare (t columns)  n, mean, M2 of the differences (Chan's merge)    rs.paired.ttest / compare
incidence_rate              event and exposure sums per ``by`` level         rs.safety.incidence_rate
coxph (Efron/Breslow)       per Newton step: per (stratum, time) sums of     rs.survival.coxph
                            w, w·x, w·xxᵀ over rows and events
lmm (one grouping factor)   per-subject ZᵀZ, ZᵀX, Zᵀy; XᵀX, Xᵀy, yᵀy, n      rs.longitudinal.lmm
scores.*, ssc.*             row-wise: lazy ``map_partitions`` with meta      rs.scores.*, rs.ssc.*
==========================  ===============================================  ===========================

Rank statistics (:func:`wilcoxon`, :func:`mannwhitney`) raise
``NotImplementedError`` naming the in-memory call. Use the distributed
scheduler by creating a ``distributed.Client`` (``Client("tcp://host:8786")``
for an existing cluster) before calling; every call uses the active client.
"""

from __future__ import annotations

from typing import Any

from ._core import _require_dask

_require_dask()

from . import scores, ssc  # noqa: E402
from ._cox import coxph  # noqa: E402
from ._lmm import lmm  # noqa: E402
from ._paired import compare, ttest  # noqa: E402
from ._safety import incidence_rate  # noqa: E402
from ._survival import DaskCumulativeIncidence, cumulative_incidence, kaplan_meier, logrank  # noqa: E402


def wilcoxon(*args: Any, **kwargs: Any) -> Any:
    """Not available on Dask data: signed ranks need every difference in one place."""
    raise NotImplementedError(
        "the Wilcoxon signed-rank test is not computed across Dask partitions (ranks are not mergeable); "
        "select the two columns and run rheumstats.paired.wilcoxon(before, after) in memory"
    )


def mannwhitney(*args: Any, **kwargs: Any) -> Any:
    """Not available on Dask data: ranks need every value in one place."""
    raise NotImplementedError(
        "the Mann-Whitney U test is not computed across Dask partitions (ranks are not mergeable); "
        "select the value and group columns and run rheumstats.groups.mannwhitney in memory"
    )


__all__ = [
    "kaplan_meier",
    "logrank",
    "cumulative_incidence",
    "DaskCumulativeIncidence",
    "ttest",
    "compare",
    "incidence_rate",
    "coxph",
    "lmm",
    "scores",
    "ssc",
    "wilcoxon",
    "mannwhitney",
]
