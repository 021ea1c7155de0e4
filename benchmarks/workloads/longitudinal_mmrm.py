"""MMRM (unstructured covariance, REML, visit * arm + baseline): rheumstats
against nlme::gls (corSymm + varIdent, the same REML model; R mmrm is not in
Debian) through Rscript, on the FEV example (537 rows) and on 1,000 subjects
x 10 visits; 100,000 subjects x 6 visits timed alone (gls would take hours).

The peer's time in the table includes R's start-up and reading the CSV; the
check line prints gls's own time measured inside R (system.time) and the
ratio against it, which is the figure the issue's goal refers to.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import rheumstats as rs
from workloads import Workload

FEV = Path(__file__).resolve().parents[2] / "tests" / "reference" / "longitudinal" / "mmrm_fev_data.csv"


def _simulate(n: int, m: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    idx = np.arange(m)
    S = 4.0 * 0.6 ** np.abs(idx[:, None] - idx[None, :]) * np.sqrt(np.outer(1 + idx, 1 + idx) / m)
    e = rng.standard_normal((n, m)) @ np.linalg.cholesky(S).T
    arm = rng.integers(0, 2, n)
    base = rng.normal(50, 5, n)
    y = 10 + 0.2 * base[:, None] + (0.5 + 0.3 * arm[:, None]) * idx[None, :] + e
    # monotone dropout: about 25% of the subjects leave before the last visit
    last = np.where(rng.random(n) < 0.25, rng.integers(1, m, n), m)
    y[idx[None, :] >= last[:, None]] = np.nan
    return pd.DataFrame({
        "subj": np.repeat(np.arange(n), m), "visit": np.tile([f"V{i + 1:02d}" for i in range(m)], n),
        "arm": np.repeat(np.where(arm == 1, "TRT", "PBO"), m), "base": np.repeat(base, m), "y": y.ravel(),
    })


R_GLS = r"""
suppressMessages(library(nlme))
d <- read.csv("{path}")
d <- d[!is.na(d${y}), ]
d$vf <- factor(d${visit}); d$vi <- as.integer(d$vf); d$id <- factor(d${subj})
el <- system.time(f <- gls({y} ~ {rhs}, data = d, correlation = corSymm(form = ~ vi | id),
                           weights = varIdent(form = ~ 1 | vf), method = "REML"))[["elapsed"]]
cat(sprintf("%.17g", as.numeric(logLik(f))), el, "\n")
"""


def _prepare(df: pd.DataFrame, cols: dict):
    fd, path = tempfile.mkstemp(suffix=".csv")
    os.close(fd)
    df.to_csv(path, index=False)
    return df, path, cols


def _fev(quick: bool):
    d = pd.read_csv(FEV)
    return _prepare(d, {"y": "FEV1", "visit": "AVISIT", "subj": "USUBJID", "rhs": "ARMCD * AVISIT + SEX + FEV1_BL"})


def _big(quick: bool):
    n, m = (200, 6) if quick else (1000, 10)
    return _prepare(_simulate(n, m, 3), {"y": "y", "visit": "visit", "subj": "subj", "rhs": "arm * visit + base"})


def _huge(quick: bool):
    n = 5_000 if quick else 100_000
    return _simulate(n, 6, 5), None, {"y": "y", "visit": "visit", "subj": "subj", "rhs": "arm * visit + base"}


def _ours(d):
    df, _, c = d
    return rs.longitudinal.mmrm(df, c["y"], c["visit"], c["subj"], formula=c["rhs"], covariance="us")


def _gls(d):
    _, path, c = d
    src = R_GLS.replace("{path}", path)
    for k, v in c.items():
        src = src.replace("{" + k + "}", v)
    out = subprocess.run(["Rscript", "-e", src], capture_output=True, text=True, check=True)
    return [float(v) for v in out.stdout.split()]


def _ours_inside(d):
    import time

    t0 = time.perf_counter()
    r = _ours(d)
    return r, time.perf_counter() - t0


def _check(ours, peer):
    r, _ = ours if isinstance(ours, tuple) else (ours, None)
    assert r.converged
    # gls stops short of the optimum: our REML log-likelihood is at least as high
    assert r.loglik >= peer[0] - 1e-6, (r.loglik, peer[0])
    assert r.loglik - peer[0] < 1e-3
    if isinstance(ours, tuple):
        print(f"    (gls inside R: {peer[1]:.2f} s; rheumstats {ours[1] * 1e3:.1f} ms; ratio {peer[1] / ours[1]:.0f}x)")
    else:
        print(f"    (gls inside R, system.time: {peer[1]:.3f} s)")


def _check_alone(r, d):
    assert r.converged
    assert r.n_subjects == d[0]["subj"].nunique()


WORKLOADS = [
    Workload("MMRM us 100,000 subjects x 6 visits", _huge, _ours, None, "", None, _check_alone, repeats=3),
]
if shutil.which("Rscript"):
    WORKLOADS[:0] = [
        Workload("MMRM us, FEV example (537 rows)", _fev, _ours, _gls, "nlme::gls (Rscript)", None, _check),
        Workload("MMRM us 1,000 subjects x 10 visits", _big, _ours_inside, _gls, "nlme::gls (Rscript)", 100, _check, repeats=1),
    ]
