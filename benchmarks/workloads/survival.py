"""Survival: Kaplan–Meier and log-rank on 1M rows (vs lifelines and greenwood), Aalen–Johansen on
100k rows (vs lifelines), Cox on 100k x 2 covariates (vs R coxph through Rscript, when installed).

Times are whole days (ties, as in registry data; rheumstats counts them into a histogram)
except for the continuous-time rows (every time distinct: the sort path and a 1M-row curve) and
for Aalen–Johansen, where lifelines would jitter tied times. The continuous-time KM rows time the
call as typed (`kaplan_meier(t, e)`: the curve's columns, its pandas table built on first access);
the `.table` row adds building that table, as lifelines builds `survival_function_` in `fit`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import numpy as np
import pandas as pd

import rheumstats as rs
from workloads import Workload


def _km_data(quick: bool):
    n = 50_000 if quick else 1_000_000
    rng = np.random.default_rng(11)
    time = np.ceil(rng.exponential(900, n))
    event = (rng.random(n) < 0.6).astype(np.int64)
    group = rng.integers(0, 2, n)
    return time, event, group


def _km_cont_data(quick: bool):
    """The same rows with continuous times (every time distinct: the sort path, a 1M-row table)."""
    time, event, group = _km_data(quick)
    return time + np.random.default_rng(14).random(len(time)), event, group


def _km_ours(d):
    return rs.survival.kaplan_meier(d[0], d[1]).table


def _km_call(d):
    """The call as typed: the curve's columns, the table built only when asked for."""
    return rs.survival.kaplan_meier(d[0], d[1])


def _table(ours):
    return ours.table if isinstance(ours, rs.survival.KaplanMeier) else ours


def _km_lifelines(d):
    from lifelines import KaplanMeierFitter

    return KaplanMeierFitter().fit(d[0], d[1]).survival_function_


def _km_greenwood(d):
    import greenwood as gw

    return gw.KaplanMeier(conf_type="log-log").fit(gw.Surv(time=d[0], event=d[1]))


def _check_km_lifelines(ours, peer):
    ours = _table(ours)
    s = peer.iloc[:, 0]
    s = s[s.index > 0]
    np.testing.assert_allclose(ours["survival"].to_numpy(), s.to_numpy(), rtol=1e-10, atol=1e-12)


def _check_km_greenwood(ours, peer):
    ours = _table(ours)
    t = np.asarray(peer.time_)
    s = np.asarray(peer.survival_)
    j = np.searchsorted(ours["time"].to_numpy(), t, side="right") - 1
    np.testing.assert_allclose(ours["survival"].to_numpy()[j], s, rtol=1e-10, atol=1e-12)


def _lr_ours(d):
    return rs.survival.logrank(d[0], d[1], d[2]).statistic


def _lr_lifelines(d):
    from lifelines.statistics import logrank_test

    a = d[2] == 0
    return logrank_test(d[0][a], d[0][~a], d[1][a], d[1][~a]).test_statistic


def _lr_greenwood(d):
    import greenwood as gw

    return gw.logrank_test(gw.Surv(time=d[0], event=d[1]), d[2]).statistic


def _same_stat(a, b):
    np.testing.assert_allclose(float(a), float(b), rtol=1e-8)


def _aj_data(quick: bool):
    n = 10_000 if quick else 100_000
    rng = np.random.default_rng(12)
    time = rng.exponential(900, n) + rng.random(n) * 1e-3  # continuous: no ties
    cause = rng.choice([0, 1, 2], size=n, p=[0.4, 0.35, 0.25])
    return time, cause


def _aj_ours(d):
    return rs.survival.cumulative_incidence(d[0], d[1])


def _aj_lifelines(d):
    from lifelines import AalenJohansenFitter

    return AalenJohansenFitter().fit(d[0], d[1], event_of_interest=1)


def _check_aj(ours, peer):
    cd = peer.cumulative_density_
    t = cd.index.to_numpy()[1:]
    a = ours.at(t)
    np.testing.assert_allclose(a[a["cause"] == 1]["cif"].to_numpy(), cd.iloc[1:, 0].to_numpy(), rtol=1e-8, atol=1e-10)


def _cox_data(quick: bool):
    n = 10_000 if quick else 100_000
    rng = np.random.default_rng(13)
    x1 = rng.normal(size=n)
    x2 = rng.integers(0, 2, n).astype(float)
    lp = 0.5 * x1 - 0.7 * x2
    t = np.ceil(rng.exponential(np.exp(-lp)) * 365)
    c = np.ceil(rng.uniform(0, 3 * 365, n))
    df = pd.DataFrame({"time": np.minimum(t, c), "status": (t <= c).astype(int), "x1": x1, "x2": x2})
    path = os.path.join(tempfile.mkdtemp(prefix="rs_cox_"), "cox.csv")
    df.to_csv(path, index=False)
    return df, path


R_COX = r"""
suppressPackageStartupMessages(library(survival))
d <- read.csv("{path}")
el <- replicate(3, system.time(f <<- coxph(Surv(time, status) ~ x1 + x2, data = d, ties = "efron"))[["elapsed"]])
cat(sprintf("%.17g", coef(f)), median(el), "\n")
"""


def _cox_ours(d):
    return rs.survival.coxph(d[0], "time", "status", ["x1", "x2"])


def _cox_r(d):
    out = subprocess.run(["Rscript", "-e", R_COX.replace("{path}", d[1])], capture_output=True, text=True, check=True)
    vals = [float(v) for v in out.stdout.split()]
    return vals


def _check_cox(ours, peer):
    np.testing.assert_allclose(ours.summary["coef"].to_numpy(), peer[:2], rtol=1e-6, atol=1e-8)
    print(f"    (R coxph time inside R, median of 3 system.time: {peer[2] * 1e3:.1f} ms; the table's peer time adds R start-up and CSV reading)")


WORKLOADS = [
    Workload("Kaplan-Meier, 1M rows", _km_data, _km_ours, _km_lifelines, "lifelines KaplanMeierFitter", 10, _check_km_lifelines, ("lifelines",)),
    Workload("Kaplan-Meier, 1M rows ", _km_data, _km_ours, _km_greenwood, "greenwood KaplanMeier", 10, _check_km_greenwood, ("greenwood",)),
    Workload("KM, 1M continuous times", _km_cont_data, _km_call, _km_lifelines, "lifelines KaplanMeierFitter", 10, _check_km_lifelines, ("lifelines",)),
    Workload("KM, 1M continuous times ", _km_cont_data, _km_call, _km_greenwood, "greenwood KaplanMeier", 10, _check_km_greenwood, ("greenwood",)),
    Workload("KM, 1M continuous times, .table", _km_cont_data, _km_ours, _km_lifelines, "lifelines KaplanMeierFitter", None, _check_km_lifelines, ("lifelines",)),
    Workload("log-rank, 1M continuous times", _km_cont_data, _lr_ours, _lr_lifelines, "lifelines logrank_test", 10, _same_stat, ("lifelines",)),
    Workload("log-rank, 1M continuous times ", _km_cont_data, _lr_ours, _lr_greenwood, "greenwood logrank_test", 10, _same_stat, ("greenwood",)),
    Workload("log-rank, 1M rows", _km_data, _lr_ours, _lr_lifelines, "lifelines logrank_test", 10, _same_stat, ("lifelines",)),
    Workload("log-rank, 1M rows ", _km_data, _lr_ours, _lr_greenwood, "greenwood logrank_test", 10, _same_stat, ("greenwood",)),
    Workload("Aalen-Johansen, 100k rows", _aj_data, _aj_ours, _aj_lifelines, "lifelines AalenJohansenFitter", 30, _check_aj, ("lifelines",)),
]
if shutil.which("Rscript"):
    WORKLOADS.append(Workload("Cox Efron, 100k x 2 covariates", _cox_data, _cox_ours, _cox_r, "R coxph (Rscript)", 1, _check_cox))
