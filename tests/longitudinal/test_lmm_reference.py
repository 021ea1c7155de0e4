"""rs.longitudinal.lmm against lme4 + lmerTest (tests/reference/longitudinal/
lmm_reference.R, optimiser tightened so the references are the true optimum)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs

REF = Path(__file__).resolve().parents[1] / "reference" / "longitudinal"
CASES = {c["name"]: c for c in json.loads((REF / "lmm_reference.json").read_text())}
# jsonlite unboxes length-1 vectors: make every list-valued field a list
_LISTS = ("names", "beta", "se", "df", "t", "p", "df_kr", "se_kr", "theta", "vc_vcov", "vc_sdcor", "anova_terms", "anova_F", "anova_numdf", "anova_dendf", "anova_p", "anova_kr_dendf", "ranef_levels")
for _c in CASES.values():
    for _k in _LISTS:
        if _k in _c and _c[_k] is not None and not isinstance(_c[_k], list):
            _c[_k] = [_c[_k]]


def _data(name: str) -> pd.DataFrame:
    if name.startswith("penicillin"):
        return pd.read_csv(REF / "lmm_penicillin.csv")
    if name.startswith("pastes"):
        return pd.read_csv(REF / "lmm_pastes.csv")
    if name.startswith("sleep"):
        d = pd.read_csv(REF / "lmm_sleepstudy.csv")
        d["Subject"] = d["Subject"].astype(str)
        return d
    d = pd.read_csv(REF / "lmm_chickweight.csv")
    d["Chick"] = d["Chick"].astype(str)
    d["Diet"] = d["Diet"].astype(str)
    return d


def _rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300))


MULTI = ("penicillin", "pastes")  # several grouping factors: checked in test_several_grouping_factors


@pytest.fixture(scope="module", params=[n for n in sorted(CASES) if not n.startswith(MULTI)])
def case(request):
    c = CASES[request.param]
    d = _data(c["name"])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fit = rs.longitudinal.lmm(c["formula"], d, reml=c["reml"])
    return c, fit


def test_fixed_effects(case):
    c, fit = case
    assert list(fit.fixed.index) == c["names"]
    assert _rel(fit.fixed["estimate"], c["beta"]) < 1e-6
    assert _rel(fit.fixed["se"], c["se"]) < 1e-5
    assert _rel(fit.fixed["t"], c["t"]) < 1e-5
    assert np.max(np.abs(fit.fixed["df"] - np.asarray(c["df"]))) < 1e-3
    np.testing.assert_allclose(fit.fixed["p"], c["p"], rtol=1e-4, atol=1e-12)


def test_variance_components_and_likelihood(case):
    c, fit = case
    assert abs(fit.loglik - c["loglik"]) < 1e-7 * abs(c["loglik"])
    assert abs(fit.deviance - c["deviance"]) < 1e-7 * abs(c["deviance"])
    assert abs(fit.aic - c["aic"]) < 1e-6 and abs(fit.bic - c["bic"]) < 1e-6
    np.testing.assert_allclose(fit.theta, c["theta"], rtol=1e-4, atol=1e-6)
    assert abs(fit.sigma - c["sigma"]) < 1e-5 * c["sigma"]
    # lme4's as.data.frame(VarCorr): variances then covariances, then Residual
    ours = fit.random
    var = ours["variance"].to_numpy()
    np.testing.assert_allclose(np.sort(var), np.sort(np.asarray(c["vc_vcov"], float)), rtol=1e-4, atol=1e-8)
    assert fit.nobs == c["nobs"] and fit.ngroups == c["ngroups"]


def test_conditional_modes(case):
    c, fit = case
    re = fit.ranef()
    terms = list(dict.fromkeys(re["term"]))
    for j, tm in enumerate(terms):
        got = re[re["term"] == tm].set_index("level").loc[c["ranef_levels"]]
        want = np.asarray(c["ranef"], float).reshape(3, -1)[:, j]
        np.testing.assert_allclose(got["condval"], want, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(got["condsd"], c["ranef_sd"][j], rtol=1e-4)


def test_anova_type3(case):
    c, fit = case
    a = fit.anova()
    assert list(a.index) == c["anova_terms"]
    np.testing.assert_allclose(a["F"], c["anova_F"], rtol=1e-5)
    np.testing.assert_array_equal(a["num_df"], c["anova_numdf"])
    assert np.max(np.abs(a["den_df"].to_numpy() - np.asarray(c["anova_dendf"]))) < 1e-3
    np.testing.assert_allclose(a["p"], c["anova_p"], rtol=1e-4)


@pytest.mark.parametrize("name", ["chick_slope_reml", "chick_slope_ml"])
def test_emmeans(name):
    c = CASES[name]
    fit = rs.longitudinal.lmm(c["formula"], _data(name), reml=c["reml"])
    em = fit.emmeans("Diet")
    assert [str(v) for v in em["Diet"]] == c["emm_levels"]
    np.testing.assert_allclose(em["estimate"], c["emm"], rtol=1e-6)
    np.testing.assert_allclose(em["se"], c["emm_se"], rtol=1e-5)
    assert np.max(np.abs(em["df"].to_numpy() - np.asarray(c["emm_df"]))) < 1e-3


@pytest.mark.parametrize("name", [n for n in sorted(CASES) if CASES[n]["df_kr"] is not None and not n.startswith(("penicillin", "pastes"))])
def test_kenward_roger(name):
    c = CASES[name]
    fit = rs.longitudinal.lmm(c["formula"], _data(name), ddf="kenward-roger")
    assert np.max(np.abs(fit.fixed["df"].to_numpy() - np.asarray(c["df_kr"]))) < 1e-3
    assert _rel(fit.fixed["se"], c["se_kr"]) < 1e-5
    np.testing.assert_allclose(fit.fixed["estimate"], c["beta"], rtol=1e-6)
    row = fit.contrast({c["names"][-1]: 1.0})
    assert row["df"].iloc[0] == pytest.approx(c["df_kr"][-1], abs=1e-3)


def test_kenward_roger_needs_reml():
    with pytest.raises(rs.InvalidInputError, match="REML"):
        rs.longitudinal.lmm("Reaction ~ Days + (Days | Subject)", _data("sleep"), reml=False, ddf="kenward-roger")


@pytest.mark.parametrize("name", [n for n in sorted(CASES) if n.startswith(MULTI)])
def test_several_grouping_factors(name):
    c = CASES[name]
    fit = rs.longitudinal.lmm(c["formula"], _data(name), reml=c["reml"])
    assert _rel(fit.fixed["estimate"], c["beta"]) < 1e-6
    assert _rel(fit.fixed["se"], c["se"]) < 1e-5
    assert np.max(np.abs(fit.fixed["df"].to_numpy() - np.asarray(c["df"]))) < 1e-3
    assert abs(fit.loglik - c["loglik"]) < 1e-7 * abs(c["loglik"])
    np.testing.assert_allclose(fit.theta, c["theta"], rtol=1e-4)
