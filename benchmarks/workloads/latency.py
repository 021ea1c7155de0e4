"""Latency: the call an analyst types, cold and at small n.

* Cold-call rows: a 50 ms sleep before each timed call (the thread pool and
  caches idle, as before the first call of a notebook cell); compare each with
  its warm row of the domain file (same data, same call).
* Small-n rows: one test on n = 20 (survival: n = 21), as run thousands of
  times over endpoints x subgroups x visits; the per-call overhead (input
  checks, result construction) is what is timed.
"""

import numpy as np
from scipy import stats

import rheumstats as rs
from workloads import Workload

COLD = 0.05


def _matrix(quick: bool):
    m, n = (2_000, 200) if quick else (20_000, 200)
    rng = np.random.default_rng(1)
    x = rng.normal(50, 10, (m, n))
    return x, x + rng.normal(0.5, 3, (m, n))


def _mw_matrix(quick: bool):
    k = 2_000 if quick else 20_000
    rng = np.random.default_rng(11)
    return rng.normal(0.0, 1.0, (100, k)), rng.normal(0.2, 1.0, (100, k))


def _small(quick: bool):
    rng = np.random.default_rng(5)
    x = rng.normal(50, 10, 20)
    return x, x + rng.normal(2, 4, 20)


def _small_surv(quick: bool):
    rng = np.random.default_rng(6)
    t = rng.exponential(5, 21).round(2) + 0.01
    e = (rng.random(21) < 0.7).astype(float)
    g = np.arange(21) % 2
    return t, e, g


def _p(ours, peer):
    np.testing.assert_allclose(ours.pvalue, peer.pvalue, rtol=1e-6)


def _km_lifelines(d):
    from lifelines import KaplanMeierFitter

    return KaplanMeierFitter().fit(d[0], d[1]).survival_function_


def _lr_lifelines(d):
    from lifelines.statistics import logrank_test

    a = d[2] == 0
    return logrank_test(d[0][a], d[0][~a], d[1][a], d[1][~a])


WORKLOADS = [
    Workload(
        name="cold: paired t, 20,000 x 200",
        setup=_matrix,
        ours=lambda d: rs.paired.ttest(d[0], d[1], axis=1),
        peer=lambda d: stats.ttest_rel(d[1], d[0], axis=1),
        peer_name="scipy ttest_rel(axis=1)",
        pause=COLD,
    ),
    Workload(
        name="cold: Wilcoxon no HL, 20,000 x 200",
        setup=_matrix,
        ours=lambda d: rs.paired.wilcoxon(d[0], d[1], axis=1, method="approx", correction=False, conf_int=False),
        peer=lambda d: stats.wilcoxon(d[1], d[0], axis=1, method="asymptotic", correction=False),
        peer_name="scipy wilcoxon(axis=1)",
        pause=COLD,
    ),
    Workload(
        name="cold: Mann-Whitney no HL, 20,000 x (100+100)",
        setup=_mw_matrix,
        ours=lambda d: rs.groups.mannwhitney(d[0], d[1], conf_int=False),
        peer=lambda d: stats.mannwhitneyu(d[0], d[1], axis=0, method="asymptotic"),
        peer_name="scipy mannwhitneyu(axis=0)",
        pause=COLD,
    ),
    Workload(
        name="small n=20: paired t",
        setup=_small,
        ours=lambda d: rs.paired.ttest(d[0], d[1]),
        peer=lambda d: stats.ttest_rel(d[1], d[0]),
        peer_name="scipy ttest_rel",
        goal=2,
        check=_p,
        repeats=200,
    ),
    Workload(
        name="small n=20: Wilcoxon (default, HL CI)",
        setup=_small,
        ours=lambda d: rs.paired.wilcoxon(d[0], d[1]),
        peer=lambda d: stats.wilcoxon(d[1], d[0]),
        peer_name="scipy wilcoxon (no CI)",
        goal=2,
        check=_p,
        repeats=200,
    ),
    Workload(
        name="small n=20: sign test",
        setup=_small,
        ours=lambda d: rs.paired.sign_test(d[0], d[1]),
        peer=lambda d: stats.binomtest(int(np.sum(d[1] > d[0])), int(np.sum(d[1] != d[0]))),
        peer_name="scipy binomtest",
        goal=2,
        check=_p,
        repeats=200,
    ),
    Workload(
        name="small n=20: two-sample t",
        setup=_small,
        ours=lambda d: rs.groups.ttest(d[0], d[1]),
        peer=lambda d: stats.ttest_ind(d[0], d[1], equal_var=False),
        peer_name="scipy ttest_ind(Welch)",
        goal=2,
        check=_p,
        repeats=200,
    ),
    Workload(
        name="small n=20: Mann-Whitney (default, HL CI)",
        setup=_small,
        ours=lambda d: rs.groups.mannwhitney(d[0], d[1]),
        peer=lambda d: stats.mannwhitneyu(d[0], d[1], method="exact"),
        peer_name="scipy mannwhitneyu (no CI)",
        goal=2,
        check=_p,
        repeats=200,
    ),
    Workload(
        name="small n=20: rate ratio",
        setup=lambda q: ((12, 5), (310.0, 295.0)),
        ours=lambda d: rs.safety.rate_ratio(d[0], d[1]),
        peer=lambda d: stats.poisson_means_test(d[0][0], d[1][0], d[0][1], d[1][1]),
        peer_name="scipy poisson_means_test",
        goal=2,
        repeats=200,
    ),
    Workload(
        name="small n=21: Kaplan-Meier",
        setup=_small_surv,
        ours=lambda d: rs.survival.kaplan_meier(d[0], d[1]),
        peer=_km_lifelines,
        peer_name="lifelines KaplanMeierFitter",
        goal=2,
        requires=("lifelines",),
        repeats=100,
    ),
    Workload(
        name="small n=21: log-rank",
        setup=_small_surv,
        ours=lambda d: rs.survival.logrank(d[0], d[1], d[2]),
        peer=_lr_lifelines,
        peer_name="lifelines logrank_test",
        goal=2,
        requires=("lifelines",),
        repeats=100,
    ),
]
