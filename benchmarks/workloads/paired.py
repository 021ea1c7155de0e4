"""Paired tests: rheumstats vs scipy.stats in the same run (same data, same options).

Matrix workloads put 20,000 endpoints (omics-style features) in rows and 200 subjects in
columns (``axis=1`` for both libraries). ``--quick`` shrinks every size.
"""

import numpy as np
from scipy import stats

import rheumstats as rs
from workloads import Workload


def _matrix(quick: bool):
    m, n = (2_000, 200) if quick else (20_000, 200)
    rng = np.random.default_rng(1)
    x = rng.normal(50, 10, (m, n))
    y = x + rng.normal(0.5, 3, (m, n))
    return x, y


def _exact_matrix(quick: bool):
    m = 100 if quick else 1_000
    rng = np.random.default_rng(2)
    x = rng.normal(50, 10, (m, 20))
    return x, x + rng.normal(0.5, 3, (m, 20))


def _perm(quick: bool):
    n = 16 if quick else 20
    return np.random.default_rng(3).normal(0.4, 1, n)


def _boot(quick: bool):
    return np.random.default_rng(4).normal(0.4, 1, 200), (2_000 if quick else 10_000)


def _p_close(rtol):
    def check(ours, peer):
        np.testing.assert_allclose(ours.pvalue, peer.pvalue, rtol=rtol)

    return check


def _boot_check(ours, peer):
    se = peer.standard_error
    lo, hi = ours.confidence_interval()
    assert abs(lo - peer.confidence_interval.low) < 0.15 * se, (lo, peer.confidence_interval)
    assert abs(hi - peer.confidence_interval.high) < 0.15 * se, (hi, peer.confidence_interval)


WORKLOADS = [
    Workload(
        name="paired t, 20,000 x 200",
        setup=_matrix,
        ours=lambda d: rs.paired.ttest(d[0], d[1], axis=1),
        peer=lambda d: stats.ttest_rel(d[1], d[0], axis=1),
        peer_name="scipy ttest_rel(axis=1)",
        goal=10,
        check=_p_close(1e-9),
    ),
    Workload(
        name="Wilcoxon approx, no HL CI, 20,000 x 200",
        setup=_matrix,
        # no Hodges-Lehmann interval: the same work as scipy (see the next row for it)
        ours=lambda d: rs.paired.wilcoxon(d[0], d[1], axis=1, method="approx", correction=False, conf_int=False),
        peer=lambda d: stats.wilcoxon(d[1], d[0], axis=1, method="asymptotic", correction=False),
        peer_name="scipy wilcoxon(axis=1)",
        goal=20,
        check=_p_close(1e-8),
    ),
    Workload(
        name="Wilcoxon approx + HL CI, 20,000 x 200",
        setup=_matrix,
        ours=lambda d: rs.paired.wilcoxon(d[0], d[1], axis=1, method="approx", correction=False),
        peer=lambda d: stats.wilcoxon(d[1], d[0], axis=1, method="asymptotic", correction=False),
        peer_name="scipy wilcoxon (no CI)",
        check=_p_close(1e-8),
    ),
    Workload(
        name="exact Wilcoxon, 1,000 x n=20",
        setup=_exact_matrix,
        ours=lambda d: rs.paired.wilcoxon(d[0], d[1], axis=1, method="exact", conf_int=False),
        peer=lambda d: stats.wilcoxon(d[1], d[0], axis=1, method="exact"),
        peer_name="scipy wilcoxon(exact)",
        goal=5,
        check=_p_close(1e-12),
    ),
    Workload(
        name="exact permutation (sign flip), n=20",
        setup=_perm,
        ours=lambda d: rs.paired.permutation_test(d),
        peer=lambda d: stats.permutation_test(
            (d,), lambda v, axis: np.mean(v, axis=axis), permutation_type="samples", n_resamples=np.inf, vectorized=True
        ),
        peer_name="scipy permutation_test",
        goal=500,
        check=_p_close(1e-12),
    ),
    Workload(
        name="BCa bootstrap, n=200 x 10k",
        setup=_boot,
        ours=lambda d: rs.paired.bootstrap_ci(d[0], n_resamples=d[1], seed=1, progress=False),
        peer=lambda d: stats.bootstrap((d[0],), np.mean, n_resamples=d[1], method="BCa", rng=np.random.default_rng(1)),
        peer_name="scipy bootstrap(BCa)",
        goal=5,
        check=_boot_check,
    ),
]
