"""Property tests (hypothesis) for rs.paired and rs.multitest: brute-force enumeration of sign
vectors as the oracle for the exact tests, and invariants."""

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import rheumstats as rs

small_ints = st.lists(st.integers(-6, 6), min_size=1, max_size=9)
FAST = settings(max_examples=60, deadline=None)  # per test: no global profile


def _brute_signed_rank(d):
    """All 2**n sign vectors of the non-zero |d| (wilcox zero method), V with mid-ranks."""
    d = np.asarray([v for v in d if v != 0], dtype=float)
    a = np.abs(d)
    ranks = np.array([np.sum(a < v) + (np.sum(a == v) + 1) / 2 for v in a])
    obs = ranks[d > 0].sum()
    vs = np.array([ranks[np.array(s, dtype=bool)].sum() for s in itertools.product([0, 1], repeat=len(d))])
    le, ge = np.mean(vs <= obs + 1e-9), np.mean(vs >= obs - 1e-9)
    return obs, min(1.0, 2 * min(le, ge))


@FAST
@given(small_ints)
def test_exact_wilcoxon_with_ties_equals_enumeration(d):
    if all(v == 0 for v in d):
        return
    r = rs.paired.wilcoxon(np.asarray(d, dtype=float), method="exact", conf_int=False)
    v, p = _brute_signed_rank(d)
    assert r.statistic == v
    assert abs(r.pvalue - p) < 1e-12


@FAST
@given(small_ints)
def test_exact_permutation_equals_enumeration(d):
    d = np.asarray(d, dtype=float)
    obs = d.mean()
    means = np.array([(d * s).mean() for s in itertools.product([1, -1], repeat=len(d))])
    le, ge = np.mean(means <= obs + 1e-12), np.mean(means >= obs - 1e-12)
    r = rs.paired.permutation_test(d)
    assert abs(r.pvalue - min(1.0, 2 * min(le, ge))) < 1e-12


@FAST
@given(st.lists(st.floats(-50, 50, allow_nan=False), min_size=3, max_size=30), st.lists(st.floats(-50, 50, allow_nan=False), min_size=3, max_size=30))
def test_swapping_x_and_y_flips_t_and_mirrors_v(x, y):
    n = min(len(x), len(y))
    x, y = np.asarray(x[:n]), np.asarray(y[:n])
    if np.all(y - x == 0):
        return
    a, b = rs.paired.ttest(x, y), rs.paired.ttest(y, x)
    if np.isfinite(a.statistic):
        assert abs(a.statistic + b.statistic) <= 1e-9 * max(1.0, abs(a.statistic))
    wa, wb = rs.paired.wilcoxon(x, y, conf_int=False), rs.paired.wilcoxon(y, x, conf_int=False)
    assert wa.statistic + wb.statistic == wa.n * (wa.n + 1) / 2
    assert abs(wa.pvalue - wb.pvalue) < 1e-12


@FAST
@given(st.lists(st.one_of(st.floats(0, 1), st.just(float("nan"))), min_size=1, max_size=40), st.sampled_from(["bonferroni", "holm", "hochberg", "hommel", "bh", "by"]))
def test_adjusted_pvalues_are_at_least_p_at_most_one_and_keep_order(p, method):
    p = np.asarray(p)
    a = rs.multitest.adjust(p, method=method)
    ok = ~np.isnan(p)
    assert np.array_equal(np.isnan(a), ~ok)
    assert np.all(a[ok] >= p[ok] - 1e-15) and np.all(a[ok] <= 1.0)
    order = np.argsort(p[ok], kind="stable")
    assert np.all(np.diff(a[ok][order]) >= -1e-15)
