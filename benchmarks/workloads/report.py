"""``rheumstats report`` with figures on a generated registry-sized cohort (goal: 100,000 patients under 15 s).

The cohort is SIMULATED (``registry_cohort``): patients on drug for up to 4 years,
visits at months 0, 3, 6, 12, 18, 24 then yearly while on drug (about 3.4 visits
a patient, as in the 20,000-patient / 66,000-visit registry of issue 20), with
mRSS, DAS28, HAQ-DI, patient global, pain, FVC and DLCO drifting down from
baseline with patient-level noise. There is no peer: the row times the whole
command (CSV reading and validation, the statistics, every figure, the HTML file)
in this process, including the over-time section's mixed models (LMM per endpoint,
MMRM LS-means by visit, years x subgroup), and ``goal`` is the wall time in seconds
the report should stay under.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from workloads import Workload

SCHEDULE = np.array([0, 3, 6, 12, 18, 24, 36, 48, 60, 72, 84])


def registry_cohort(n_patients: int, seed: int = 20) -> "tuple[pd.DataFrame, pd.DataFrame]":
    """(visits, patients) in the report schema for ``n_patients`` simulated patients."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"R{i:06d}" for i in range(n_patients)])
    # months on drug: two thirds under a year (recent entries and early stops), the rest up to 4 years
    fu = np.where(rng.random(n_patients) < 0.65, rng.uniform(0.5, 12, n_patients), rng.uniform(12, 48, n_patients))
    stopped = rng.random(n_patients) < np.where(fu < 12, 0.4, 0.3)
    reasons = np.array(["inefficacy", "adverse event", "infection", "death", "patient wish"])
    reason = np.where(stopped, reasons[rng.choice(5, n_patients, p=[0.45, 0.25, 0.12, 0.05, 0.13])], "")
    patients = pd.DataFrame({
        "patient": ids,
        "sex": np.where(rng.random(n_patients) < 0.8, "F", "M"),
        "subset": np.where(rng.random(n_patients) < 0.6, "diffuse", "limited"),
        "disease_duration_years": np.round(rng.gamma(2.0, 3.5, n_patients).clip(0.1, 60), 1),
        "followup_months": np.round(fu, 2),
        "stopped": stopped,
        "stop_reason": reason,
    })
    nvis = np.searchsorted(SCHEDULE, fu, side="right")  # scheduled visits on or before the last day on drug
    pid = np.repeat(np.arange(n_patients), nvis)
    month = np.concatenate([SCHEDULE[:k] for k in nvis]) if n_patients else np.array([], int)
    years = month / 12.0
    k = len(pid)

    def endpoint(base, slope, sd_pat, sd_slope, sd_noise, lo, hi, digits):
        b = base + sd_pat * rng.standard_normal(n_patients)
        s = slope + sd_slope * rng.standard_normal(n_patients)
        v = b[pid] + s[pid] * np.minimum(years, 2.0) + sd_noise * rng.standard_normal(k)
        return np.round(np.clip(v, lo, hi), digits)

    visits = pd.DataFrame({
        "patient": ids[pid],
        "month": month,
        "mrss": endpoint(20, -3.5, 8, 2.5, 2.0, 0, 51, 0),
        "das28": endpoint(4.8, -0.9, 1.0, 0.5, 0.4, 0.5, 9.5, 2),
        "haq_di": np.round(endpoint(1.2, -0.2, 0.6, 0.2, 0.15, 0, 3, 3) * 8) / 8,
        "patient_global": endpoint(55, -12, 18, 8, 8, 0, 100, 0),
        "pain": endpoint(50, -10, 18, 8, 8, 0, 100, 0),
        "fvc_pct": endpoint(82, -0.5, 15, 2, 2, 30, 140, 1),
        "dlco_pct": endpoint(62, -1.0, 14, 2, 3, 20, 130, 1),
    })
    return visits, patients


def write_cohort(directory: Path, n_patients: int, seed: int = 20) -> "tuple[Path, Path]":
    visits, patients = registry_cohort(n_patients, seed)
    vp, pp = Path(directory) / "visits.csv", Path(directory) / "patients.csv"
    visits.to_csv(vp, index=False)
    patients.to_csv(pp, index=False)
    return vp, pp


def _setup(quick: bool):
    n = 2_000 if quick else 100_000  # --quick: 2,000 patients (smoke test only)
    d = Path(tempfile.mkdtemp(prefix="rs_report_bench_"))
    vp, pp = write_cohort(d, n)
    return {"visits": vp, "patients": pp, "out": d / "report.html", "n": n}


def _report(d):
    import contextlib
    import io

    from rheumstats.cli import main

    with contextlib.redirect_stdout(io.StringIO()):
        rc = main(["report", str(d["visits"]), "--patients", str(d["patients"]), "--out", str(d["out"])])
    return rc


def _check(rc, d):
    assert rc == 0
    html = Path(d["out"]).read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") >= 4, "figures missing from the report"
    # the whole report: the over-time mixed models are fitted at this size too
    assert "Change per year: linear mixed model" in html and "LS-mean change from baseline by visit" in html, "over-time models missing"
    assert "Mixed models (change per year" not in html, "over-time models skipped"


WORKLOADS = [
    Workload(
        "report + figures, 100k patients (< 15 s)",
        _setup,
        _report,
        None,
        "none (wall time)",
        check=_check,
        requires=("matplotlib",),
        repeats=1,
    ),
]
