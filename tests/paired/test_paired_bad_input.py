"""Bad input for every rs.paired function: each a clear error naming the argument
(and row), or a documented NaN/p = 1 result where R/scipy give one."""

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs
from rheumstats import InvalidInputError

P = rs.paired
X = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
Y = [1.5, 2.0, 4.5, 3.0, 7.0, 8.0]
TESTS = [P.ttest, P.wilcoxon, P.sign_test, P.permutation_test, P.bootstrap_ci]
IDS = [f.__name__ for f in TESTS]


def _kw(f):
    return {"seed": 1, "n_resamples": 500} if f is P.bootstrap_ci else ({"seed": 1} if f is P.permutation_test else {})


@pytest.mark.parametrize("f", TESTS, ids=IDS)
def test_mismatched_lengths(f):
    with pytest.raises(InvalidInputError, match="x and y must have the same length"):
        f(X, Y[:-1], **_kw(f))
    with pytest.raises(ValueError, match="same shape"):
        f(np.ones((4, 3)), np.ones((4, 2)), **_kw(f))


@pytest.mark.parametrize("f", TESTS, ids=IDS)
def test_empty(f):
    with pytest.raises(InvalidInputError, match="^x"):
        f([], [], **_kw(f))


def test_n_equal_one():
    # t and bootstrap need two pairs; rank, sign and permutation tests give p = 1 (as R)
    for f in (P.ttest, P.bootstrap_ci):
        with pytest.raises(InvalidInputError, match="x: 1 non-missing value.*at least 2"):
            f([1.0], [2.0], **_kw(f))
    assert P.wilcoxon([1.0], [2.0]).pvalue == 1.0
    assert P.sign_test([1.0], [2.0]).pvalue == 1.0
    assert P.permutation_test([1.0], [2.0]).pvalue == 1.0


def test_all_differences_zero():
    same = [3.0, 4.0, 5.0]
    r = P.ttest(same, same)  # documented: NaN, as scipy (R stops: "data are essentially constant")
    assert np.isnan(r.statistic) and np.isnan(r.pvalue)
    with pytest.raises(InvalidInputError, match="non-zero differences"):
        P.sign_test(same, same)
    w = P.wilcoxon(same, same)  # as R: V = 0, p = NA (tests/paired/test_wilcoxon_all_zero.py)
    assert w.statistic == 0 and np.isnan(w.pvalue)
    assert P.permutation_test(same, same).pvalue == 1.0
    # matrix mode: a NaN row, not an error
    m = P.wilcoxon(np.c_[same, [1.0, 2.0, 3.0]], np.c_[same, [2.0, 4.0, 5.0]])
    assert np.isnan(m.pvalue[0]) and m.pvalue[1] == 0.25


@pytest.mark.parametrize("f", TESTS, ids=IDS)
def test_non_numeric(f):
    with pytest.raises(TypeError, match="^x"):
        f(["a", "b", "c"], [1, 2, 3], **_kw(f))
    with pytest.raises(TypeError, match="^y"):
        f([1, 2, 3], pd.Series(["a", "b", "c"]), **_kw(f))
    with pytest.raises(TypeError, match="x"):
        f(None, **_kw(f))


@pytest.mark.parametrize("f", TESTS, ids=IDS)
def test_nan_policies(f):
    idx = [f"p{i}" for i in range(6)]
    x = pd.Series(X, index=idx)
    y = pd.Series([1.5, 2.0, np.nan, 3.0, 7.0, 8.0], index=idx)
    kw = _kw(f)
    prop = f(x, y, **kw)
    first = prop.statistic if hasattr(prop, "statistic") else prop.estimate
    assert np.isnan(first)
    omit = f(x, y, nan_policy="omit", **kw)
    keep = y.notna()
    ref = f(x[keep].to_numpy(), y[keep].to_numpy(), **kw)
    np.testing.assert_equal(omit.to_dict(), ref.to_dict())
    with pytest.raises(InvalidInputError, match=r"^y\[2\] \(index 'p2'\)") as e:
        f(x, y, nan_policy="raise", **kw)
    assert e.value.arg == "y" and e.value.row == 2
    with pytest.raises(ValueError, match="nan_policy"):
        f(x, y, nan_policy="drop", **kw)


def test_nan_raise_in_matrix_mode_names_the_column():
    x = pd.DataFrame({"mrss": [10.0, 12.0, 9.0], "haq": [1.0, np.nan, 0.5]}, index=["a", "b", "c"])
    y = x + 1
    with pytest.raises(InvalidInputError, match=r"x\['haq'\]\[1\] \(index 'b'\)"):
        P.ttest(x, y, nan_policy="raise")


@pytest.mark.parametrize("f", [P.permutation_test, P.bootstrap_ci], ids=["permutation_test", "bootstrap_ci"])
def test_n_resamples_must_be_positive(f):
    for bad in (0, -5):
        with pytest.raises(ValueError, match="n_resamples"):
            f(X, Y, n_resamples=bad, seed=1)
    with pytest.raises(TypeError, match="n_resamples"):
        f(X, Y, n_resamples=10.5, seed=1)


@pytest.mark.parametrize("f", [P.ttest, P.wilcoxon, P.sign_test, P.bootstrap_ci], ids=["ttest", "wilcoxon", "sign_test", "bootstrap_ci"])
@pytest.mark.parametrize("level", [0.0, 1.0, 1.5, -0.1])
def test_conf_level_outside_unit_interval(f, level):
    with pytest.raises(ValueError, match="conf_level"):
        f(X, Y, conf_level=level, **_kw(f))


def test_bad_options_name_their_argument():
    with pytest.raises(ValueError, match="alternative"):
        P.ttest(X, Y, alternative="two_sided")
    with pytest.raises(ValueError, match="zero_method"):
        P.wilcoxon(X, Y, zero_method="drop")
    with pytest.raises(ValueError, match="method"):
        P.wilcoxon(X, Y, method="fast")
    with pytest.raises(ValueError, match="statistic"):
        P.permutation_test(X, Y, statistic="max")
    with pytest.raises(ValueError, match="ci_method"):
        P.bootstrap_ci(X, Y, ci_method="studentized")
    with pytest.raises(ValueError, match="axis"):
        P.ttest(np.ones((3, 2)), np.ones((3, 2)), axis=2)
    with pytest.raises(ValueError, match="conf_level"):
        P.compare(pd.DataFrame({"a": X, "b": Y}), {"e": ("a", "b")}, conf_level=2)
    with pytest.raises(InvalidInputError, match="x"):
        P.ttest([1.0, np.inf, 3.0], [1.0, 2.0, 4.0])


def test_inputs_are_not_modified_and_index_must_match():
    x = np.array(X)
    y = pd.Series(Y)
    before = (x.copy(), y.copy())
    P.wilcoxon(x, y)
    np.testing.assert_array_equal(x, before[0])
    pd.testing.assert_series_equal(y, before[1])
    with pytest.raises(ValueError, match="different indexes"):
        P.ttest(pd.Series(X), pd.Series(Y, index=range(10, 16)))
