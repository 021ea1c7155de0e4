"""SSc composites: CRISS, revised CRISS and OMERACT lung decline vs what an
analyst would write with numpy/pandas on the same DataFrames."""

import numpy as np
import pandas as pd

import rheumstats as rs
from workloads import Workload

CORE = list(rs.ssc.SSC_CORE)


def _core_data(quick: bool):
    n = 100_000 if quick else 2_000_000
    rng = np.random.default_rng(5)
    b = pd.DataFrame({
        "mrss": rng.integers(5, 45, n).astype(float), "fvc_pct": rng.uniform(45, 110, n),
        "patient_global": rng.uniform(0, 10, n), "physician_global": rng.uniform(0, 10, n),
        "haq_di": rng.integers(0, 25, n) / 8,
    })
    f = pd.DataFrame({
        "mrss": np.clip(b["mrss"] + rng.integers(-15, 6, n), 0, 51), "fvc_pct": b["fvc_pct"] + rng.normal(0, 5, n),
        "patient_global": np.clip(b["patient_global"] + rng.normal(-1, 2, n), 0, 10),
        "physician_global": np.clip(b["physician_global"] + rng.normal(-1, 2, n), 0, 10),
        "haq_di": np.clip(b["haq_di"] + rng.integers(-6, 3, n) / 8, 0, 3),
    })
    worse = pd.Series(rng.random(n) < 0.05)
    return b, f, worse


def _criss_pandas(d):
    b, f, worse = d
    delta = f[CORE] - b[CORE]
    lp = (-5.54 - 0.81 * delta["mrss"] + 0.21 * delta["fvc_pct"] - 0.40 * delta["patient_global"]
          - 0.44 * delta["physician_global"] - 3.41 * delta["haq_di"])
    p = (1.0 / (1.0 + np.exp(-lp))).mask(worse, 0.0)
    return pd.DataFrame({"probability": p, "improved": (p >= 0.6 - 1e-9).astype("boolean")})


def _criss_check(a, b):
    np.testing.assert_allclose(a["probability"].to_numpy(), b["probability"].to_numpy(), rtol=1e-12, atol=1e-300)
    assert (a["improved"] == b["improved"]).all()


def _rcriss_pandas(d):
    b, f, worse = d
    rel = (b[CORE] - f[CORE]) / b[CORE]
    rel["fvc_pct"] = (f["fvc_pct"] - b["fvc_pct"]) / b["fvc_pct"]
    thr = pd.Series([0.2, 0.05, 0.2, 0.2, 0.2], index=CORE)
    flags = (rel >= thr - 1e-9) & (b[CORE] != 0)
    n = flags.sum(axis=1)
    return pd.DataFrame({"n_improved": n, "responder": (n >= 3) & ~worse})


def _rcriss_check(a, b):
    assert (a["n_improved"].to_numpy(dtype=np.int64) == b["n_improved"].to_numpy()).all()
    assert (a["responder"].to_numpy(dtype=bool) == b["responder"].to_numpy()).all()


def _lung_data(quick: bool):
    n = 200_000 if quick else 5_000_000
    rng = np.random.default_rng(6)
    fb = rng.uniform(45, 120, n)
    db = rng.uniform(30, 100, n)
    return fb, fb * (1 + rng.uniform(-0.15, 0.06, n)), db, db * (1 + rng.uniform(-0.25, 0.08, n))


def _lung_numpy(d):
    fb, ff, db, df = d
    rf, rd = (fb - ff) / fb, (db - df) / db
    sig = (rf >= 0.1 - 1e-9) | ((rf >= 0.05 - 1e-9) & (rd >= 0.15 - 1e-9))
    marg = (rf >= 0.05 - 1e-9) & ~sig
    codes = np.where(sig, 2, np.where(marg, 1, 0))
    return pd.Categorical.from_codes(codes, categories=["stable", "marginal", "significant"], ordered=True)


def _lung_check(a, b):
    assert (np.asarray(a.codes) == np.asarray(b.codes)).all()


WORKLOADS = [
    Workload(
        name="CRISS, 2M patient pairs (DataFrames)",
        setup=_core_data,
        ours=lambda d: rs.ssc.criss(d[0], d[1], worsening=d[2]),
        peer=_criss_pandas,
        peer_name="pandas formula",
        check=_criss_check,
    ),
    Workload(
        name="rCRISS, 2M patient pairs (DataFrames)",
        setup=_core_data,
        ours=lambda d: rs.ssc.rcriss(d[0], d[1], worsening=d[2]),
        peer=_rcriss_pandas,
        peer_name="pandas formula",
        check=_rcriss_check,
    ),
    Workload(
        name="lung decline OMERACT, 5M rows",
        setup=_lung_data,
        ours=lambda d: rs.ssc.lung_decline(*d),
        peer=_lung_numpy,
        peer_name="numpy select",
        check=_lung_check,
    ),
]
