"""rs.dask.lmm against the in-memory rs.longitudinal.lmm (itself checked against
lme4/lmerTest in tests/longitudinal), on the session's 2-process LocalCluster.

What is merged (the per-subject crossproducts and the global sums) equals the
in-memory crossproducts at 1e-12 relative, and the deviance at the optimum at
1e-10. The fitted parameters agree at 1e-8 relative (entries near 0 relative
to the largest of their kind): the optimiser ends with a Newton polish on a
large-step gradient (common/optim.rs), so the optimum no longer moves with
rounding-level differences of the deviance (before it, θ moved ~1e-6 when the
same rows were merely permuted). The Satterthwaite df and the CIs through it
agree at 1e-8 too: their Hessian and Jacobian are in closed form
(src/longitudinal/lmm/hessian.rs); with lmerTest's finite differences the
rounding differences reached them amplified by 1/step² (1e-7 to 1.3e-6
between row orders of the same in-memory fit).
Data: 9 partitions, two of them
empty, subjects whose rows are split across partitions (no shuffle needed:
per-subject crossproducts are summed by label), a missing response, text and
Categorical factors.
"""

import numpy as np
import pandas as pd
import pytest

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

import rheumstats as rs  # noqa: E402

RTOL = 1e-8
DF_RTOL = RTOL  # closed-form Hessian: no step to amplify rounding


def _long(seed=7, m=40, visits=5):
    rng = np.random.default_rng(seed)
    ids = np.repeat(np.arange(m), visits)
    t = np.tile(np.arange(visits, dtype=float), m)
    arm = np.where(np.arange(m) % 3 == 0, "PBO", np.where(np.arange(m) % 3 == 1, "TCZ", "MTX"))[ids]
    b0 = rng.normal(0, 2.0, m)[ids]
    b1 = rng.normal(0, 0.5, m)[ids]
    y = 20 + b0 + (1.0 + b1 - 0.4 * (arm == "TCZ")) * t + rng.normal(0, 1.0, len(ids))
    df = pd.DataFrame({"id": ids * 7 + 3, "t": t, "arm": arm, "y": y, "site": pd.Categorical(np.where(ids % 2 == 0, "s2", "s1"), categories=["s2", "s1", "s0"])})
    df.loc[[4, 17, 60], "y"] = np.nan
    df = df.sample(frac=1.0, random_state=3).sort_values("id", kind="stable").reset_index(drop=True)
    df.index = [f"r{i}" for i in range(len(df))]
    return df


def _split(df, cuts):
    frames = [df.iloc[a:b].copy() for a, b in zip(cuts[:-1], cuts[1:])]
    meta = frames[0].iloc[:0]
    return dd.from_delayed([dask.delayed(f) for f in frames], meta=meta, verify_meta=False), frames


@pytest.fixture(scope="module")
def long_data():
    df = _long()
    n = len(df)
    # cuts inside subjects (rows sorted by id, 5 per subject): 23 splits subject 4, 101 subject 20, ...
    cuts = [0, 23, 23, 61, 101, 101, 137, 152, 178, n]
    ddf, frames = _split(df, cuts)
    assert ddf.npartitions >= 8 and any(len(f) == 0 for f in frames)
    ids = [set(f["id"]) for f in frames]
    assert any(ids[i] & ids[j] for i in range(len(ids)) for j in range(i + 1, len(ids))), "a subject must be split"
    return ddf, pd.concat(frames)


def _close(a, b, rtol=RTOL):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=1e-12)


def _same_fit(r, m):
    assert isinstance(r, rs.longitudinal.LmmResult)
    assert list(r.fixed.index) == list(m.fixed.index)
    _close([r.deviance, r.loglik, r.aic, r.bic], [m.deviance, m.loglik, m.aic, m.bic], rtol=1e-10)
    for c, tol in (("estimate", RTOL), ("se", RTOL), ("t", RTOL), ("df", DF_RTOL), ("ci_low", DF_RTOL), ("ci_high", DF_RTOL)):
        np.testing.assert_allclose(r.fixed[c].to_numpy(float), m.fixed[c].to_numpy(float), rtol=tol, atol=1e-12, err_msg=c)
    # θ (relative Cholesky factor) entries near 0: relative to the largest
    np.testing.assert_allclose(r.theta, m.theta, rtol=RTOL, atol=RTOL * float(np.abs(m.theta).max()))
    _close(r.sigma, m.sigma)
    assert (r.nobs, r.ngroups, r.n_dropped) == (m.nobs, m.ngroups, m.n_dropped)
    pd.testing.assert_frame_equal(r.random.drop(columns=["variance", "sd", "corr"]), m.random.drop(columns=["variance", "sd", "corr"]))
    for c in ("variance", "sd", "corr"):  # entries near 0: relative to the largest (a correlation: to 1)
        ref = m.random[c].to_numpy(float)
        np.testing.assert_allclose(r.random[c].to_numpy(float), ref, rtol=RTOL, atol=RTOL * max(np.nanmax(np.abs(ref)), 1.0 if c == "corr" else 0.0), err_msg=c)
    ra, rb = r.ranef(), m.ranef()
    assert list(ra["level"]) == list(rb["level"])
    scale = float(np.abs(rb["condval"]).max())  # modes near 0: relative to the largest
    np.testing.assert_allclose(ra["condval"], rb["condval"], rtol=RTOL, atol=RTOL * scale)
    _close(ra["condsd"], rb["condsd"])


@pytest.mark.parametrize("formula", ["y ~ t * arm + (1 + t | id)", "y ~ t + site + (1 | id) + (0 + t | id)"])
def test_merged_crossproducts_equal_in_memory(client, long_data, formula):
    from formulaic import model_matrix

    from rheumstats import _rheumstats as native
    from rheumstats.dask._lmm import merged_blocks
    from rheumstats.longitudinal._design import fixed_design

    ddf, whole = long_data
    k = merged_blocks(formula, ddf)
    fixed, exprs = formula.split("~")[1].split("+ (")[0], [t.split("|")[0].strip(" (") for t in formula.split("+ (")[1:]]
    d = fixed_design(fixed, whole, extra_columns=["y", "id"])
    sub = whole.loc[d.used_rows]
    Z = np.hstack([np.asarray(model_matrix(e, sub), dtype=float) for e in exprs])
    codes, levels = pd.factorize(sub["id"], sort=True)
    b = native.lmm_blocks(d.X.ravel(), np.ascontiguousarray(Z).ravel(), sub["y"].to_numpy(float), codes.astype(np.int64), d.X.shape[1], Z.shape[1], len(levels))
    assert k["names"] == d.names and list(k["subj"]) == list(levels)
    assert (k["n"], k["m"], k["n_total"]) == (len(sub), len(levels), len(whole))
    for key in ("ztz", "ztx", "zty", "xtx", "xty"):
        _close(k[key].ravel(), b[key], rtol=1e-12)
    _close(k["yty"], b["yty"], rtol=1e-12)


@pytest.mark.parametrize("formula", ["y ~ t * arm + (1 + t | id)", "y ~ t + site + (1 | id) + (0 + t | id)"])
@pytest.mark.parametrize("reml", [True, False])
def test_lmm_equals_in_memory(client, long_data, formula, reml):
    ddf, whole = long_data
    _same_fit(rs.dask.lmm(formula, ddf, reml=reml), rs.longitudinal.lmm(formula, whole, reml=reml))


def test_lmm_residual_df_contrast_and_predict(client, long_data):
    ddf, whole = long_data
    r = rs.dask.lmm("y ~ t * arm + (1 | id)", ddf, ddf="residual")
    m = rs.longitudinal.lmm("y ~ t * arm + (1 | id)", whole, ddf="residual")
    _same_fit(r, m)
    assert repr(r).splitlines()[0] == repr(m).splitlines()[0]
    pd.testing.assert_index_equal(r.to_frame().index, m.to_frame().index)
    L = {"t:armTCZ": 1.0, "t": 1.0}
    _close(r.contrast(L).to_numpy(), m.contrast(L).to_numpy())
    _close(r.predict(whole.iloc[:20]), m.predict(whole.iloc[:20]), rtol=1e-7)
    with pytest.raises(NotImplementedError, match="rows"):
        r.fitted()
    with pytest.raises(NotImplementedError, match="rows"):
        r.anova()


def test_lmm_numeric_design_and_text_subjects(client, long_data):
    # no factor in the formula (no level pass); subject labels as text (sorted as text in both)
    ddf, whole = long_data
    f = "y ~ t + (1 + t | sid)"
    r = rs.dask.lmm(f, ddf.assign(sid="S" + ddf["id"].astype(str)))
    m = rs.longitudinal.lmm(f, whole.assign(sid="S" + whole["id"].astype(str)))
    _same_fit(r, m)


def test_lmm_unsupported_and_bad_input(client, long_data):
    ddf, whole = long_data
    with pytest.raises(NotImplementedError, match="kenward-roger"):
        rs.dask.lmm("y ~ t + (1 | id)", ddf, ddf="kenward-roger")
    with pytest.raises(NotImplementedError, match="one grouping factor"):
        rs.dask.lmm("y ~ t + (1 | id) + (1 | site)", ddf)
    with pytest.raises(ValueError, match="unknown column"):
        rs.dask.lmm("y ~ t + (1 | nope)", ddf)
    with pytest.raises(TypeError, match="dask"):
        rs.dask.lmm("y ~ t + (1 | id)", whole)


def test_lmm_unknown_categories_keep_their_order(client, long_data):
    # a Dask categorical with unknown categories: the categories are computed, their order kept (s2 is the reference)
    ddf, whole = long_data
    f = "y ~ t + site + (1 | id)"
    r = rs.dask.lmm(f, ddf.assign(site=ddf["site"].cat.as_unknown()))
    m = rs.longitudinal.lmm(f, whole)
    assert list(r.fixed.index) == ["(Intercept)", "t", "sites1"]
    _same_fit(r, m)
