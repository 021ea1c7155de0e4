"""The fast design path (``_fastdesign``) against formulaic's ``model_matrix``:
same column names and order, same values, same term slices, and a lazily
built ``ModelSpec`` that rebuilds the same design on other rows."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from formulaic import model_matrix

import rheumstats as rs
from rheumstats.longitudinal import _design, _lmm
from rheumstats.longitudinal._design import fixed_design
from rheumstats.longitudinal._fastdesign import fast_design

FORMULAS = [
    "t * a", "0 + a", "0 + t:a", "a:b", "0 + a:b", "t:a + b", "a * b * t", "1 + t", "0 + t", "t", "a + a:t",
    "t:u", "b:a", "a:t", "a:b:t + a", "a * b", "a * b * c", "0 + a * b", "c", "0 + c", "c:t", "t + u + w",
    "t * u * w", "(a + b + t)**2", "a:b + a:c", "b + a:b", "0 + a:b:c", "t:a:b", "1", "a/b", "a - 1",
    "b * t + c * u", "u:b:a + c", "s * t", "0 + s:a", "w + s:b:t",
]
SLOW = ["t + I(t**2)", "log(w**2)", "C(a)", "C(a, contr.sum)", "flag * t", "o + t", "k * t", "t + center(w)"]


def _frame(n: int = 60, seed: int = 0) -> pd.DataFrame:
    r = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "t": r.normal(size=n),
            "u": r.integers(0, 5, n),
            "w": r.normal(size=n) + 3,
            "a": r.choice(["x", "y", "z"], n),
            "s": pd.Series(r.choice(["m", "f"], n), dtype=object),
            "b": pd.Categorical(r.choice(["q", "p"], n), categories=["q", "p"]),
            "c": pd.Categorical(r.choice(["k", "l", "m"], n), categories=["m", "k", "l", "unused"]),
            "flag": r.random(n) < 0.5,
            "o": pd.Categorical(r.choice(["lo", "hi"], n), categories=["lo", "hi"], ordered=True),
            "k": pd.Categorical(r.choice([1, 2], n)),
        }
    )


def _terms(mm) -> dict:
    return {("(Intercept)" if str(k) == "1" else str(k)): list(range(v.start, v.stop)) for k, v in mm.model_spec.term_slices.items()}


@pytest.mark.parametrize("f", FORMULAS)
def test_fast_design_equals_formulaic(f):
    d = _frame()
    ref = model_matrix(f, d, na_action="ignore")
    out = fast_design(f, d, None, len(d))
    assert out is not None, f
    X, names, terms, spec = out
    assert names == list(ref.columns)
    np.testing.assert_array_equal(X, np.asarray(ref, dtype=float))
    assert X.flags.c_contiguous
    assert terms == _terms(ref)
    # the lazily built spec rebuilds the design on other rows and pickles as formulaic's spec
    new = _frame(25, seed=1)
    again = spec.get_model_matrix(new, na_action="ignore")
    np.testing.assert_array_equal(np.asarray(again), np.asarray(ref.model_spec.get_model_matrix(new, na_action="ignore")))
    assert list(again.columns) == names
    assert type(pickle.loads(pickle.dumps(spec))) is type(ref.model_spec)


@pytest.mark.parametrize("f", SLOW)
def test_other_terms_fall_back(f):
    assert fast_design(f, _frame(), None, 60) is None


@pytest.mark.parametrize("f", ["t * a", "b * c + u", "a:c + t"])
def test_fixed_design_with_missing_values_and_unused_levels(f, monkeypatch):
    # rows dropped by the mask take a level of `c` and of `a` with them: both paths
    # drop the now unused levels (R's model.frame) and agree
    d = _frame(80)
    d.loc[d.index[:7], "t"] = np.nan
    d["a"] = d["a"].astype(object)
    d.loc[d["a"] == "z", "u"] = -1
    d.loc[d["c"] == "l", "w"] = np.nan
    d.loc[d.index[9], "a"] = None
    d.index = [f"r{i}" for i in range(len(d))]
    fast = fixed_design(f, d, extra_columns=["w"])
    monkeypatch.setattr(_design, "fast_design", lambda *a, **k: None)
    slow = fixed_design(f, d, extra_columns=["w"])
    assert fast.names == slow.names and fast.terms == slow.terms
    np.testing.assert_array_equal(fast.X, slow.X)
    np.testing.assert_array_equal(fast.used_rows, slow.used_rows)
    grid = d.loc[fast.used_rows].iloc[:5].astype({"b": object, "c": object})
    np.testing.assert_array_equal(np.asarray(fast.spec.get_model_matrix(grid)), np.asarray(slow.spec.get_model_matrix(grid)))


def test_lmm_fast_path_equals_formulaic_path(monkeypatch):
    # the same fit, once with the fast designs and once with formulaic's only
    d = _frame(240, seed=3)
    d["id"] = np.repeat(np.arange(40), 6)
    r = np.random.default_rng(4)
    d["y"] = 1 + d["t"] * (1 + np.repeat(r.normal(size=40), 6)) + (d["a"] == "y") + np.repeat(r.normal(size=40), 6) + d["w"]
    d.loc[d.index[5], "y"] = np.nan
    fit = lambda: rs.longitudinal.lmm("y ~ t * a + b + (1 + t | id)", d)  # noqa: E731
    fast = fit()
    monkeypatch.setattr(_design, "fast_design", lambda *a, **k: None)
    monkeypatch.setattr(_lmm, "fast_design", lambda *a, **k: None)
    slow = fit()
    pd.testing.assert_frame_equal(fast.fixed, slow.fixed)
    pd.testing.assert_frame_equal(fast.random, slow.random)
    pd.testing.assert_frame_equal(fast.anova(), slow.anova())
    pd.testing.assert_frame_equal(fast.emmeans("a"), slow.emmeans("a"))
    pd.testing.assert_series_equal(fast.predict(d), slow.predict(d))
    assert fast.n_dropped == slow.n_dropped == 1


@pytest.mark.parametrize("ids", [np.arange(50)[::-1], np.array([7, -3, 7, 12, 0, -3, 5]), np.array([10**12, 3, 3, 10**12]), np.array([4], dtype=np.uint8)])
def test_integer_subject_codes_equal_factorize(ids):
    s = pd.Series(ids)
    fast = _lmm._int_codes(s)
    c, lev = pd.factorize(s, sort=True)
    if fast is None:  # a sparse range goes through factorize
        assert ids.max() - ids.min() > 4 * len(ids) + 1024
        return
    np.testing.assert_array_equal(fast[0], c)
    pd.testing.assert_index_equal(fast[1], pd.Index(lev))


def test_anova_and_emmeans_ignore_later_changes_to_data():
    # the rows behind anova() and emmeans() are taken lazily: a snapshot of fit time
    d = _frame(240, seed=5)
    d["id"] = np.repeat(np.arange(40), 6)
    r = np.random.default_rng(6)
    d["y"] = d["t"] + (d["a"] == "y") + np.repeat(r.normal(size=40), 6) + r.normal(size=240)
    d.loc[d.index[3], "t"] = np.nan
    pristine = rs.longitudinal.lmm("y ~ t * a + (1 | id)", d.copy())
    fit = rs.longitudinal.lmm("y ~ t * a + (1 | id)", d)
    d.loc[d.index[::2], "a"] = "w"
    d.loc[:, "t"] = 0.0
    pd.testing.assert_frame_equal(fit.anova(), pristine.anova())
    pd.testing.assert_frame_equal(fit.emmeans("a"), pristine.emmeans("a"))
