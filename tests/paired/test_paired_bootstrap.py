"""rs.paired.bootstrap_ci: interval formulas against scipy.stats.bootstrap.

The interval computed from scipy's own bootstrap distribution must equal scipy's interval
(1e-10 relative: same percentile / basic / BCa formulas and quantile rule; BCa differs by
~1e-12 through the normal quantile of statrs vs scipy ndtri). End to end
(our RNG stream differs from numpy's) the intervals agree to Monte Carlo error.
"""

import numpy as np
import pytest
from scipy import stats

import rheumstats as rs
from rheumstats import _rheumstats as native

rng = np.random.default_rng(11)
X = rng.normal(20, 4, 35)
Y = X + rng.gamma(2.0, 0.7, 35) - 0.8


@pytest.mark.parametrize("method", ["percentile", "basic", "bca"])
@pytest.mark.parametrize("statistic", ["mean", "median"])
def test_interval_from_scipys_distribution_matches_scipy(method, statistic):
    d = Y - X
    f = {"mean": np.mean, "median": np.median}[statistic]
    s = stats.bootstrap((d,), f, method=method, n_resamples=4000, rng=np.random.default_rng(1), confidence_level=0.9)
    r = native.paired_bootstrap_interval(
        X.reshape(1, -1), Y.reshape(1, -1), np.ascontiguousarray(s.bootstrap_distribution),
        statistic=statistic, method=method, conf_level=0.9, nan_policy="propagate",
    )
    np.testing.assert_allclose([r["ci_low"][0], r["ci_high"][0]], [s.confidence_interval.low, s.confidence_interval.high], rtol=1e-10)
    assert r["se"][0] == pytest.approx(s.standard_error, rel=1e-12)


@pytest.mark.parametrize("method", ["percentile", "basic", "bca"])
def test_end_to_end_close_to_scipy(method):
    r = rs.paired.bootstrap_ci(X, Y, ci_method=method, n_resamples=20_000, seed=2)
    s = stats.bootstrap((Y - X,), np.mean, method=method, n_resamples=20_000, rng=np.random.default_rng(2))
    se = s.standard_error
    assert r.estimate == pytest.approx(np.mean(Y - X), rel=1e-13)
    assert r.se == pytest.approx(se, rel=0.03)
    lo, hi = r.confidence_interval()
    assert abs(lo - s.confidence_interval.low) < 0.1 * se
    assert abs(hi - s.confidence_interval.high) < 0.1 * se


def test_seed_reproduces_and_progress_bar_gives_the_same_numbers():
    pytest.importorskip("tqdm")
    a = rs.paired.bootstrap_ci(X, Y, n_resamples=3000, seed=9, progress=False)
    b = rs.paired.bootstrap_ci(X, Y, n_resamples=3000, seed=9, progress=True)
    c = rs.paired.bootstrap_ci(X, Y, n_resamples=3000, seed=10)
    assert a.confidence_interval() == b.confidence_interval()
    assert a.se == b.se
    assert a.confidence_interval() != c.confidence_interval()


def test_matrix_mode_equals_1d_and_progress_blocks():
    x = np.c_[X, X[::-1], X * 2]
    y = np.c_[Y, Y[::-1] + 1, Y * 2]
    m = rs.paired.bootstrap_ci(x, y, n_resamples=2000, seed=4, ci_method="percentile")
    p = rs.paired.bootstrap_ci(x, y, n_resamples=2000, seed=4, ci_method="percentile", progress=True)
    np.testing.assert_array_equal(m.confidence_interval().low, p.confidence_interval().low)
    # row 0 is endpoint 0 with the same stream as a 1-D call
    one = rs.paired.bootstrap_ci(X, Y, n_resamples=2000, seed=4, ci_method="percentile")
    assert m.confidence_interval().low[0] == one.confidence_interval().low
