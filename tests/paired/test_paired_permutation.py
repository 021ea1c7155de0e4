"""rs.paired.permutation_test against scipy.stats.permutation_test (sign flips of the differences).

Exact p-values: 1e-12 relative (both enumerate all 2**n sign vectors; ties within 100 eps
count for both). Monte Carlo: reproducible by seed and independent of the thread count.
"""

import os
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

import rheumstats as rs


def _scipy(d, statistic, alternative):
    f = {"mean": np.mean, "median": np.median}[statistic]
    return stats.permutation_test(
        (d,), lambda v, axis: f(v, axis=axis), permutation_type="samples", alternative=alternative, n_resamples=np.inf, vectorized=True
    )


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_exact_permutation_matches_scipy_with_ties(alternative):
    # integer mRSS changes: many null sums tie with the observed one
    x = np.array([20, 25, 14, 30, 18, 22, 9, 27, 31, 16, 12, 24], dtype=float)
    y = np.array([18, 25, 12, 31, 14, 20, 9, 22, 30, 17, 10, 21], dtype=float)
    r = rs.paired.permutation_test(x, y, alternative=alternative)
    s = _scipy(y - x, "mean", alternative)
    assert r.method == "exact" and r.n_resamples == 2**12
    assert r.statistic == pytest.approx(s.statistic, rel=1e-14)
    assert r.pvalue == pytest.approx(s.pvalue, rel=1e-12)


def test_exact_permutation_matches_scipy_decimals_and_median():
    rng = np.random.default_rng(3)
    d = rng.normal(0.3, 1, 11).round(2)
    for stat in ("mean", "median"):
        r = rs.paired.permutation_test(d, statistic=stat)
        s = _scipy(d, stat, "two-sided")
        assert r.pvalue == pytest.approx(s.pvalue, rel=1e-12), stat


def test_all_positive_differences_give_two_over_two_to_the_n():
    r = rs.paired.permutation_test(np.arange(1.0, 21.0))
    assert r.pvalue == 2 / 2**20 and r.n_resamples == 2**20


def test_monte_carlo_is_seeded_and_close_to_exact():
    rng = np.random.default_rng(1)
    d = rng.normal(0.4, 1, 18)
    exact = rs.paired.permutation_test(d)
    a = rs.paired.permutation_test(d, n_resamples=20_000, seed=7)
    b = rs.paired.permutation_test(d, n_resamples=20_000, seed=7)
    assert a.method == "monte-carlo" and a.n_resamples == 20_000
    assert a.pvalue == b.pvalue
    assert abs(a.pvalue - exact.pvalue) < 4 * np.sqrt(exact.pvalue * (1 - exact.pvalue) / 20_000) + 1e-4


def test_large_n_defaults_to_monte_carlo_with_scipy_like_p():
    rng = np.random.default_rng(2)
    d = rng.normal(0.1, 1, 60)
    r = rs.paired.permutation_test(d, seed=1)
    assert r.method == "monte-carlo" and r.n_resamples == 9999
    # (count + 1) / (n_resamples + 1): never zero
    assert r.pvalue >= 2 / 10_000


def test_matrix_mode_equals_1d():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(12, 4))
    y = x + rng.normal(0.5, 1, (12, 4))
    m = rs.paired.permutation_test(x, y)
    for j in range(4):
        assert m.pvalue[j] == rs.paired.permutation_test(x[:, j], y[:, j]).pvalue


def test_results_do_not_depend_on_the_thread_count():
    code = (
        "import numpy as np, rheumstats as rs;"
        "d = np.random.default_rng(5).normal(0.2, 1, (40, 3));"
        "r = rs.paired.permutation_test(d, n_resamples=5000, seed=3);"
        "b = rs.paired.bootstrap_ci(d, n_resamples=3000, seed=3);"
        "print(repr(list(r.pvalue) + list(b.confidence_interval().low)))"
    )
    outs = []
    for threads in ("1", "3"):
        env = dict(os.environ, RAYON_NUM_THREADS=threads)
        outs.append(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout)
    assert outs[0] == outs[1]
