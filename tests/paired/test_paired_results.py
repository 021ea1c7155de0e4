"""Result objects of rs.paired: printing, frames, pickling, unpacking, matrix labels."""

import pickle

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs

X = [12.0, 15.0, 9.0, 20.0, 14.0, 11.0, 17.0, 13.0]
Y = [10.0, 15.0, 7.0, 16.0, 13.0, 12.0, 12.0, 10.0]


@pytest.mark.parametrize(
    "call",
    [
        lambda x, y: rs.paired.ttest(x, y),
        lambda x, y: rs.paired.wilcoxon(x, y),
        lambda x, y: rs.paired.sign_test(x, y),
        lambda x, y: rs.paired.permutation_test(x, y),
        lambda x, y: rs.paired.bootstrap_ci(x, y, n_resamples=500, seed=1),
    ],
    ids=["ttest", "wilcoxon", "sign_test", "permutation_test", "bootstrap_ci"],
)
def test_results_print_frame_and_pickle(call):
    r = call(X, Y)
    text = repr(r)
    assert type(r).__name__ in text
    assert "<table" in r._repr_html_()
    frame = r.to_frame()
    assert frame.shape[0] == 1
    back = pickle.loads(pickle.dumps(r))
    np.testing.assert_equal(back.to_dict(), r.to_dict())
    m = call(pd.DataFrame({"mrss": X, "haq": Y}), pd.DataFrame({"mrss": Y, "haq": X}))
    mf = m.to_frame()
    assert list(mf.index) == ["mrss", "haq"]
    if hasattr(m, "confidence_interval"):
        assert {"ci_low", "ci_high"} <= set(mf.columns)


def test_t_and_wilcoxon_unpack_like_scipy():
    stat, p = rs.paired.wilcoxon(X, Y)
    assert stat == 1.5  # d = -2,0,-2,-4,-1,1,-5,-3: the +1 ties with -1 at mid-rank 1.5
    assert 0 < p <= 1
    t, pt = rs.paired.ttest(X, Y)
    assert t < 0 and 0 < pt < 1


def test_one_sided_interval_and_other_level_rules():
    r = rs.paired.ttest(X, Y, alternative="less")
    assert r.confidence_interval().low == -np.inf
    w = rs.paired.wilcoxon(X, Y)
    # another level from the stored sorted differences: the same as asking the call for it
    assert w.confidence_interval(0.9) == rs.paired.wilcoxon(X, Y, conf_level=0.9).confidence_interval()
    assert w.confidence_interval(0.95) == w.confidence_interval()
    s = rs.paired.sign_test(X, Y)
    assert s.confidence_interval(0.8) == rs.paired.sign_test(X, Y, conf_level=0.8).confidence_interval()
    b = rs.paired.bootstrap_ci(X, Y, n_resamples=500, seed=3)
    assert b.confidence_interval(0.8) == rs.paired.bootstrap_ci(X, Y, n_resamples=500, seed=3, conf_level=0.8).confidence_interval()


def test_permutation_exact_when_n_resamples_covers_all_sign_vectors():
    r = rs.paired.permutation_test(X, Y, n_resamples=10_000, seed=1)
    assert r.method == "exact" and r.n_resamples == 2 ** len(X)
    assert r.pvalue == rs.paired.permutation_test(X, Y).pvalue


def test_matrix_interval_at_another_level_uses_a_snapshot():
    # wilcoxon and sign test keep a copy of the differences (one-sample: of x)
    rng = np.random.default_rng(3)
    for y in (None, rng.normal(0.3, 1, (9, 60))):
        x = rng.normal(0, 1, (9, 60))
        w = rs.paired.wilcoxon(x, y, axis=1)
        s = rs.paired.sign_test(x, y, axis=1)
        ww = rs.paired.wilcoxon(x, y, axis=1, conf_level=0.8).confidence_interval()
        sw = rs.paired.sign_test(x, y, axis=1, conf_level=0.8).confidence_interval()
        x[...] = 1.0
        np.testing.assert_array_equal(w.confidence_interval(0.8).low, ww.low)
        np.testing.assert_array_equal(w.confidence_interval(0.8).high, ww.high)
        np.testing.assert_array_equal(s.confidence_interval(0.8).low, sw.low)
