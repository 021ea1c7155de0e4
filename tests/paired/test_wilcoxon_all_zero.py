"""Issue 19 defects in rs.paired.wilcoxon when every difference is zero.

Reference: R 4.2 `wilcox.test(x, x, paired = TRUE, exact = TRUE)` gives V = 0, p-value = NA
(R drops the zeros and falls back to the approximation, whose variance is 0), and with
`conf.int = TRUE` estimate and interval NaN. scipy.stats.wilcoxon(x, x, zero_method='zsplit')
gives the centre V = n(n+1)/4 and p = 1. One behaviour in 1-D, matrix mode and compare.
"""

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs

X = np.array([1.0, 2.0, 3.0, 4.5, 6.0])


@pytest.mark.parametrize("method", ["exact", "approx", "auto"])
def test_zsplit_all_zero_is_the_centre_with_p_one(method):
    r = rs.paired.wilcoxon(X, X, zero_method="zsplit", method=method)
    n = len(X)
    assert r.statistic == n * (n + 1) / 4
    assert r.pvalue == 1.0


@pytest.mark.parametrize("zero_method", ["wilcox", "pratt"])
@pytest.mark.parametrize("method", ["exact", "approx", "auto"])
def test_all_zero_is_v0_p_nan_as_r(zero_method, method):
    r = rs.paired.wilcoxon(X, X, zero_method=zero_method, method=method)
    assert r.statistic == 0.0
    assert np.isnan(r.pvalue)
    assert np.isnan(r.estimate) and np.isnan(r.confidence_interval()).all()
    assert r.n_zero == len(X)


@pytest.mark.parametrize("zero_method", ["wilcox", "pratt", "zsplit"])
def test_all_zero_exact_is_the_same_in_1d_matrix_and_compare(zero_method):
    y2 = X + np.array([0.5, -1.0, 2.0, 3.5, 4.0])
    xm, ym = np.stack([X, X]), np.stack([X, y2])
    m = rs.paired.wilcoxon(xm, ym, axis=1, method="exact", zero_method=zero_method)
    for j, y in enumerate([X, y2]):
        one = rs.paired.wilcoxon(X, y, method="exact", zero_method=zero_method)
        assert m.statistic[j] == one.statistic
        assert m.pvalue[j] == one.pvalue or (np.isnan(m.pvalue[j]) and np.isnan(one.pvalue))
    if zero_method == "wilcox":  # compare runs the default (auto = exact here) 'wilcox' test
        df = pd.DataFrame({"a0": X, "a1": X, "b0": X, "b1": y2})
        c = rs.paired.compare(df, {"a": ("a0", "a1"), "b": ("b0", "b1")}, tests=("wilcoxon",), adjust=None)
        assert np.isnan(c.loc["a", "p_wilcoxon"])
        assert c.loc["b", "p_wilcoxon"] == m.pvalue[1]
