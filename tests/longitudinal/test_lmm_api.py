"""rs.longitudinal.lmm: bad input, the crossproduct (Dask) path, predictions,
contrasts and the result conventions. Agreement with lme4/lmerTest is in
test_lmm_reference.py."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs
from rheumstats import _rheumstats as _rs
from rheumstats.exceptions import InvalidInputError

REF = Path(__file__).resolve().parents[1] / "reference" / "longitudinal"


@pytest.fixture(scope="module")
def sleep():
    d = pd.read_csv(REF / "lmm_sleepstudy.csv")
    d["Subject"] = d["Subject"].astype(str)
    return d


@pytest.fixture(scope="module")
def fit(sleep):
    return rs.longitudinal.lmm("Reaction ~ Days + (Days | Subject)", sleep)


@pytest.mark.parametrize(
    "formula, match",
    [
        ("Reaction ~ Dayz + (Days | Subject)", "Dayz"),
        ("Reaction ~ Days + (Days | Subj)", "Subj"),
        ("Reaction ~ Days + (Dayz | Subject)", "Dayz"),
        ("Reaction ~ Days + (Days | Subject", "position"),
        ("Reaction ~ Days + Days | Subject)", "position"),
        ("Reaction Days + (1 | Subject)", "~"),
        ("Reaction ~ Days", "random-effects term"),
        ("Reaction ~ Days + ( | Subject)", "position"),
    ],
)
def test_bad_formulas_name_the_problem(sleep, formula, match):
    with pytest.raises(InvalidInputError, match=match):
        rs.longitudinal.lmm(formula, sleep)


def test_bad_data(sleep):
    d = sleep.copy()
    d["one"] = "a"
    with pytest.raises(InvalidInputError, match="> 1 sampled level"):
        rs.longitudinal.lmm("Reaction ~ Days + (1 | one)", d)
    d["txt"] = "x"
    with pytest.raises(TypeError, match="numeric"):
        rs.longitudinal.lmm("txt ~ Days + (1 | Subject)", d)
    small = sleep.iloc[:3]
    with pytest.raises(InvalidInputError):
        rs.longitudinal.lmm("Reaction ~ Days + (1 | Subject)", small)
    # one observation per subject: n <= number of random effects (lme4's check)
    first = sleep.groupby("Subject").head(1)
    with pytest.raises(InvalidInputError, match="number of random effects"):
        rs.longitudinal.lmm("Reaction ~ 1 + (1 | Subject)", first)
    with pytest.raises(InvalidInputError, match="ddf"):
        rs.longitudinal.lmm("Reaction ~ Days + (1 | Subject)", sleep, ddf="nope")
    with pytest.raises(NotImplementedError):
        rs.longitudinal.lmm("Reaction ~ Days + (1 | Subject) + (0 + Days | Days)", sleep)


def test_missing_rows_dropped_and_input_untouched(sleep):
    d = sleep.copy()
    d.loc[[3, 50], "Reaction"] = np.nan
    before = d.copy()
    f = rs.longitudinal.lmm("Reaction ~ Days + (Days | Subject)", d)
    pd.testing.assert_frame_equal(d, before)
    assert f.n_dropped == 2 and f.nobs == len(d) - 2
    f2 = rs.longitudinal.lmm("Reaction ~ Days + (Days | Subject)", d.dropna())
    np.testing.assert_allclose(f.fixed["estimate"], f2.fixed["estimate"], rtol=1e-12)


def test_crossproduct_path_reproduces_the_fit(sleep, fit):
    # the Dask route: blocks per partition (whole subjects), merged, one fit
    X = np.column_stack([np.ones(len(sleep)), sleep["Days"]]).astype(float)
    codes, levels = pd.factorize(sleep["Subject"], sort=True)
    parts = []
    for half in (levels[:9], levels[9:]):
        rows = sleep["Subject"].isin(half).to_numpy()
        c = pd.Index(half).get_indexer(sleep["Subject"][rows]).astype(np.int64)
        parts.append(_rs.lmm_blocks(X[rows].ravel(), X[rows].ravel(), sleep["Reaction"].to_numpy()[rows], c, 2, 2, len(half)))
    cat = {k: np.concatenate([p[k] for p in parts]) for k in ("ztz", "ztx", "zty")}
    xtx = sum(p["xtx"] for p in parts)
    xty = sum(p["xty"] for p in parts)
    yty = sum(p["yty"] for p in parts)
    out = _rs.lmm_fit_blocks(cat["ztz"], cat["ztx"], cat["zty"], xtx, xty, yty, len(sleep), len(levels), 2, 2, [2],
                             reml=True, max_iter=200, satterthwaite=True)
    np.testing.assert_allclose(out["beta"], fit.fixed["estimate"], rtol=1e-10)
    np.testing.assert_allclose(out["df"], fit.fixed["df"], rtol=1e-6)


def test_predict(sleep, fit):
    fitted = fit.predict()
    assert fitted.index.equals(sleep.index)
    np.testing.assert_allclose(fit.predict(sleep), fitted, rtol=1e-12)
    new = pd.DataFrame({"Days": [0.0, 5.0], "Subject": ["new", "308"]})
    p = fit.predict(new)
    b = fit.fixed["estimate"]
    assert p.iloc[0] == pytest.approx(b["(Intercept)"])
    re = fit.ranef().set_index(["level", "term"])["condval"]
    want = b["(Intercept)"] + 5 * b["Days"] + re[("308", "(Intercept)")] + 5 * re[("308", "Days")]
    assert p.iloc[1] == pytest.approx(want)
    pop = fit.predict(new, include_random=False)
    assert pop.iloc[1] == pytest.approx(b["(Intercept)"] + 5 * b["Days"])


def test_contrast_matches_the_coefficient_table(fit):
    c = fit.contrast({"Days": 1.0})
    row = fit.fixed.loc["Days"]
    for k in ("estimate", "se", "df", "t", "p", "ci_low", "ci_high"):
        assert c[k].iloc[0] == pytest.approx(row[k], rel=1e-10)
    F = fit.contrast(np.eye(2), joint=True)
    assert F["num_df"] == 2 and F["F"] > 0 and 0 <= F["p"] <= 1
    one = fit.contrast([[0.0, 1.0]], joint=True)
    assert one["F"] == pytest.approx(row["t"] ** 2, rel=1e-10)
    assert one["den_df"] == pytest.approx(row["df"], rel=1e-10)
    with pytest.raises(InvalidInputError, match="unknown coefficient"):
        fit.contrast({"Dayz": 1.0})


def test_result_conventions(fit):
    assert list(fit.fixed.columns) == ["estimate", "se", "df", "t", "p", "ci_low", "ci_high"]
    assert list(fit.random.columns) == ["group", "term", "variance", "sd", "corr"]
    assert "Fixed effects" in repr(fit) and "<table" in fit._repr_html_()
    assert fit.to_frame().equals(fit.fixed)
    assert fit.converged and not fit.singular


def test_other_ddf(sleep):
    r = rs.longitudinal.lmm("Reaction ~ Days + (Days | Subject)", sleep, ddf="residual")
    assert (r.fixed["df"] == len(sleep) - 2).all()
    z = rs.longitudinal.lmm("Reaction ~ Days + (Days | Subject)", sleep, ddf="none")
    assert np.isinf(z.fixed["df"]).all()


def test_singular_fit_warns_and_reports_zero():
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"id": np.repeat(np.arange(20), 4), "x": np.tile(np.arange(4.0), 20)})
    d["y"] = 1 + 0.5 * d["x"] + rng.normal(size=len(d))  # no subject effect at all
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        f = rs.longitudinal.lmm("y ~ x + (1 | id)", d)
    # this seed's between-subject variance estimate is on the boundary
    assert f.theta[0] == 0.0 and f.singular
    assert f.random["variance"].iloc[0] == 0.0
    assert any("singular" in str(x.message) for x in w)
    assert f.converged


def test_row_order_does_not_move_the_fit_or_its_df():
    """The same rows in another order: θ, β and SE at 1e-8 (the optimiser's
    polish) and the Satterthwaite df at 1e-8 (closed-form Hessian of the
    deviance, src/longitudinal/lmm/hessian.rs; lmerTest's finite differences
    moved them by up to ~1e-6 here)."""
    rng = np.random.default_rng(7)
    m, v = 40, 5
    ids = np.repeat(np.arange(m), v)
    t = np.tile(np.arange(v, dtype=float), m)
    arm = np.where(ids % 3 == 0, "PBO", np.where(ids % 3 == 1, "TCZ", "MTX"))
    y = 20 + rng.normal(0, 2.0, m)[ids] + (1.0 + rng.normal(0, 0.5, m)[ids] - 0.4 * (arm == "TCZ")) * t + rng.normal(0, 1.0, m * v)
    d = pd.DataFrame({"id": ids, "t": t, "arm": arm, "y": y})
    for formula in ("y ~ t * arm + (1 + t | id)", "y ~ t + (1 | id) + (0 + t | id)"):
        a = rs.longitudinal.lmm(formula, d)
        for seed in range(4):
            b = rs.longitudinal.lmm(formula, d.sample(frac=1.0, random_state=seed))
            np.testing.assert_allclose(b.theta, a.theta, rtol=1e-8, atol=1e-8 * np.abs(a.theta).max())
            for c in ("estimate", "se", "df", "ci_low", "ci_high"):
                np.testing.assert_allclose(b.fixed[c], a.fixed[c], rtol=1e-8, err_msg=f"{formula}: {c}")
