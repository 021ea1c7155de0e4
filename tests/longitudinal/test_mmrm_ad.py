"""The homogeneous antedependence structure (`ad`, R mmrm's ``ad``; SAS has
only the heterogeneous ANTE(1), checked as `adh` against SAS in
test_mmrm_kr.py) against an independent dense REML written here from the
definition: Sigma_ij = sigma^2 prod_{k=i}^{j-1} rho_k, each subject's rows and
columns of its observed visits, beta profiled out, -2 REML logL =
(n - p) log(2 pi) + sum log|Sigma_i| + log|X'WX| + r'Wr. The dense function is
first checked on `us` against SAS's published -2 REML logL (3666.96698281,
openpharma/mmrm design/SAS), so both use one convention. Then: our optimum
evaluated by the dense function reproduces our logLik (1e-9 relative); a
separate optimiser (scipy BFGS on log sigma^2 and atanh rho from another
start) finds no lower value (1e-7 absolute) and the same covariance (1e-4);
beta and its SE at our Sigma computed densely (1e-8). This test found that
the fit stopped at the optimum with all correlations positive, 3.04 above the
best one (rho_2 = -0.56); the core now searches the correlations' signs
(mmrm/mod.rs, antedependence_signs).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs

scipy_optimize = pytest.importorskip("scipy.optimize")
REF = Path(__file__).parents[1] / "reference" / "longitudinal"


@pytest.fixture(scope="module")
def fev():
    d = pd.read_csv(REF / "mmrm_fev_data.csv")
    d["ARMCD"] = pd.Categorical(d["ARMCD"], ["PBO", "TRT"])
    return d.dropna(subset=["FEV1"])


def _dense(fev, X):
    vis = fev["AVISIT"].map({f"VIS{i}": i - 1 for i in range(1, 5)}).to_numpy()
    ids = fev["USUBJID"].to_numpy()
    subj = [np.flatnonzero(ids == s) for s in pd.unique(ids)]
    y = fev["FEV1"].to_numpy()
    n, p = X.shape

    def gls(S):
        ld, xwx, xwy, ywy = 0.0, np.zeros((p, p)), np.zeros(p), 0.0
        for ix in subj:
            Si = S[np.ix_(vis[ix], vis[ix])]
            Wi = np.linalg.inv(Si)
            ld += np.linalg.slogdet(Si)[1]
            xwx += X[ix].T @ Wi @ X[ix]
            xwy += X[ix].T @ Wi @ y[ix]
            ywy += y[ix] @ Wi @ y[ix]
        b = np.linalg.solve(xwx, xwy)
        m2ll = (n - p) * np.log(2 * np.pi) + ld + np.linalg.slogdet(xwx)[1] + ywy - xwy @ b
        return m2ll, b, np.sqrt(np.diag(np.linalg.inv(xwx)))

    return gls


def _ad(sigma2, rho):
    m = len(rho) + 1
    S = np.empty((m, m))
    for i in range(m):
        for j in range(m):
            a, b = min(i, j), max(i, j)
            S[i, j] = sigma2 * np.prod(rho[a:b])
    return S


def test_dense_reml_reproduces_sas_for_us(fev):
    r = rs.longitudinal.mmrm(fev, "FEV1", "AVISIT", "USUBJID", formula="ARMCD + SEX", covariance="us")
    gls = _dense(fev, r._ctx["design"].X)
    m2ll, _, _ = gls(r.covariance.to_numpy())
    assert m2ll == pytest.approx(3666.96698281, abs=2e-5)  # SAS prints the optimum it reached (ours is 1.2e-5 lower at most)
    assert m2ll == pytest.approx(-2 * r.loglik, rel=1e-10)


def test_ad_against_an_independent_dense_reml(fev):
    r = rs.longitudinal.mmrm(fev, "FEV1", "AVISIT", "USUBJID", formula="ARMCD + SEX", covariance="ad")
    assert r.converged
    S = r.covariance.to_numpy()
    sigma2 = S[0, 0]
    rho = np.array([S[k, k + 1] / sigma2 for k in range(3)])
    np.testing.assert_allclose(S, _ad(sigma2, rho), rtol=1e-12)  # our Sigma has the ad form
    gls = _dense(fev, r._ctx["design"].X)
    m2ll, b, se = gls(S)
    assert m2ll == pytest.approx(-2 * r.loglik, rel=1e-9)
    np.testing.assert_allclose(r.fixed["estimate"].to_numpy(), b, rtol=1e-8)
    np.testing.assert_allclose(r.fixed["se"].to_numpy(), se, rtol=1e-8)

    def f(par):
        return gls(_ad(np.exp(par[0]), np.tanh(par[1:])))[0]

    start = np.array([np.log(fev["FEV1"].var()), 0.0, 0.0, 0.0])
    opt = scipy_optimize.minimize(f, start, method="BFGS", options={"gtol": 1e-9, "maxiter": 500})
    assert opt.fun >= m2ll - 1e-7  # the separate optimiser finds nothing lower
    assert opt.fun == pytest.approx(m2ll, abs=1e-5)
    np.testing.assert_allclose(_ad(np.exp(opt.x[0]), np.tanh(opt.x[1:])), S, rtol=1e-4, atol=1e-4 * sigma2)
