"""Linear mixed models: rs.longitudinal.lmm vs mixedlm (pip, a Rust-backed
lme4 port), statsmodels MixedLM (2,000 patients only) and R lme4::lmer
(through Rscript, timed inside R), same data in the same run.

Data: patients × 6 visits (0, 3, 6, 12, 18, 24 months, in years), two arms,
random intercept and slope, 10% of post-baseline visits missing. Ours
includes the Satterthwaite df of every coefficient (lmerTest); the peers'
times are their fit alone. ``--quick`` shrinks 100,000 patients to 10,000.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import warnings

import numpy as np
import pandas as pd

import rheumstats as rs
from workloads import Workload

RI = "y ~ t * arm + (1 | id)"
RS = "y ~ t * arm + (1 + t | id)"


def _make(n: int, seed: int = 1) -> pd.DataFrame:
    r = np.random.default_rng(seed)
    t = np.tile(np.array([0, 3, 6, 12, 18, 24.0]) / 12, n)
    g = np.repeat(np.arange(n), 6)
    b0, b1 = r.normal(0, 3, n), r.normal(0, 1, n)
    arm = np.repeat(r.integers(0, 2, n), 6)
    y = 20 + b0[g] + (-1 + 0.5 * arm + b1[g]) * t + r.normal(0, 2, len(t))
    d = pd.DataFrame({"y": y, "t": t, "id": g, "arm": np.where(arm == 1, "TCZ", "PBO")})
    keep = ~((r.random(len(d)) < 0.1) & (d["t"] > 0))
    d = d[keep].reset_index(drop=True)
    path = os.path.join(tempfile.mkdtemp(prefix="rs_lmm_"), "lmm.csv")
    d.to_csv(path, index=False)
    d.attrs["path"] = path
    return d


def _setup(n_full: int, n_quick: int):
    return lambda quick: _make(n_quick if quick else n_full)


def _ours(formula):
    def run(d):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return rs.longitudinal.lmm(formula, d)

    return run


def _mixedlm(formula):
    def run(d):
        import mixedlm

        return mixedlm.lmer(formula, d)

    return run


def _statsmodels(slope: bool):
    def run(d):
        import statsmodels.formula.api as smf

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = smf.mixedlm("y ~ t * arm", d, groups=d["id"], re_formula="~t" if slope else "~1")
            return m.fit(reml=True)

    return run


R_LMM = r"""
suppressPackageStartupMessages(library(lme4))
d <- read.csv("{path}"); d$id <- factor(d$id); d$arm <- factor(d$arm)
el <- replicate({reps}, system.time(f <<- lmer({formula}, data = d, REML = TRUE))[["elapsed"]])
cat(sprintf("%.17g", fixef(f)), median(el), "\n")
"""


def _r(formula, reps):
    def run(d):
        code = R_LMM.replace("{path}", d.attrs["path"]).replace("{formula}", formula).replace("{reps}", str(reps))
        out = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, check=True)
        return [float(v) for v in out.stdout.split()]

    return run


def _beta(ours):
    return ours.fixed["estimate"].to_numpy()


def _check_mixedlm(ours, peer):
    b = np.asarray(list(peer.fixef().values()), float)
    np.testing.assert_allclose(_beta(ours), b, rtol=1e-5, atol=1e-6)
    print(f"    (max |Δβ| vs mixedlm {np.max(np.abs(_beta(ours) - b)):.2e}; ours converged={ours.converged})")


def _check_sm(ours, peer):
    from rheumstats.longitudinal._design import r_column_name

    fe = peer.fe_params.rename(index=r_column_name).reindex(ours.fixed.index)
    b = fe.to_numpy(dtype=float)
    diff = np.max(np.abs(_beta(ours) - b))
    print(f"    (max |Δβ| vs statsmodels {diff:.2e}; statsmodels converged={peer.converged})")
    if peer.converged:
        np.testing.assert_allclose(_beta(ours), b, rtol=1e-3, atol=1e-3)


def _check_r(ours, peer):
    p = len(_beta(ours))
    np.testing.assert_allclose(_beta(ours), peer[:p], rtol=1e-5, atol=1e-6)
    print(f"    (R lmer time inside R, median of system.time: {peer[p] * 1e3:.1f} ms; the table's peer time adds R start-up and CSV reading; max |Δβ| {np.max(np.abs(_beta(ours) - peer[:p])):.2e})")


WORKLOADS = []
for label, n_full, n_quick in (("2,000 x 6", 2_000, 2_000), ("100,000 x 6", 100_000, 10_000)):
    setup = _setup(n_full, n_quick)
    for kind, f in (("random intercept", RI), ("random slope", RS)):
        name = f"lmm {kind}, {label}"
        big = n_full > 10_000
        WORKLOADS.append(Workload(name, setup, _ours(f), _mixedlm(f), "mixedlm lmer", 2, _check_mixedlm, ("mixedlm",), repeats=3 if big else None))
        if not big:
            WORKLOADS.append(Workload(name + " ", setup, _ours(f), _statsmodels(f == RS), "statsmodels MixedLM", 100, _check_sm, ("statsmodels",), repeats=1))
        if shutil.which("Rscript"):
            WORKLOADS.append(Workload(name + "  ", setup, _ours(f), _r(f, 1 if big else 3), "R lme4::lmer (Rscript)", 10, _check_r, repeats=1))
