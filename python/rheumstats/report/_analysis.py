"""The reference analysis of a cohort paper, on any cohort in the report schema.

:func:`analyse` computes, from a validated :class:`~rheumstats.report.Cohort`:

* a cohort description (patients, sex, subset, disease duration, follow-up,
  prior treatments);
* the change table baseline -> follow-up for every endpoint present
  (:func:`rheumstats.paired.compare`: mean ± SD, 95% CI, paired t and
  Wilcoxon P, Holm-adjusted P) over patients with both visits;
* drug retention at 1 and 2 years (Kaplan-Meier, :func:`rheumstats.survival.retention`)
  and the reasons for stopping, grouped case-insensitively, by year;
* safety counts (lung-function deterioration by OMERACT
  :func:`rheumstats.ssc.lung_decline` between baseline and last visit,
  recurrent digital-ulcer infections, infections and deaths among the stop
  reasons) and, with exposure in patient-years, incidence rates per 100
  patient-years (:func:`rheumstats.safety.incidence_rate`);
* subgroup tables of change (:func:`rheumstats.groups.compare_subgroups`) by
  cutaneous subset and by disease duration < 5 years, when those columns exist.

:func:`to_text` renders it for the terminal (``rheumstats demo``) and
:func:`to_html` as one self-contained HTML file (``rheumstats report``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import pandas as pd

from ._io import Cohort

LABELS: Dict[str, str] = {
    "mrss": "mRSS (0-51)",
    "das28": "DAS28-ESR",
    "haq_di": "HAQ-DI (0-3)",
    "patient_global": "Patient global (mm)",
    "physician_global": "Physician global (mm)",
    "pain": "Pain (mm)",
    "fvc_pct": "FVC (% pred.)",
    "dlco_pct": "DLCO (% pred.)",
    "esr": "ESR (mm/h)",
    "tjc28": "Tender joints (28)",
    "sjc28": "Swollen joints (28)",
}
CHANGE_ENDPOINTS = ("mrss", "das28", "haq_di", "patient_global", "pain", "fvc_pct", "dlco_pct", "physician_global")
PRIOR_PREFIX = "prior_"


PM, MINUS, GE = "\u00b1", "\u2212", "\u2265"
_ASCII = str.maketrans({PM: "+/-", MINUS: "-", GE: ">=", "\u2264": "<=", "\u2013": "-", "\u00d7": "x"})


def ascii_text(text: str) -> str:
    """The report's typography (\u00b1, \u2212, \u2265, ...) spelled in ASCII (``+/-``, ``-``, ``>=``)."""
    return text.translate(_ASCII)


def can_encode(encoding: Optional[str]) -> bool:
    """Whether a stream in ``encoding`` can print the report's typography."""
    if not encoding:
        return False
    try:
        (PM + MINUS + GE + "\u00d7").encode(encoding)
    except (LookupError, UnicodeEncodeError):
        return False
    return True


def fmt_p(p: float) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "n/a"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def fmt_num(x: float, digits: int = 1) -> str:
    """A number with a true minus sign (U+2212); ``n/a`` for missing."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:.{digits}f}".replace("-", MINUS)


def fmt_msd(m: float, s: float, digits: int = 1) -> str:
    """``mean \u00b1 SD``."""
    return f"{fmt_num(m, digits)} {PM} {fmt_num(s, digits)}"


@dataclass
class CohortAnalysis:
    title: str
    baseline: float
    followup: float
    description: pd.DataFrame
    changes: pd.DataFrame
    absent: List[str]
    retention: Optional[pd.DataFrame] = None
    stop_reasons: Optional[pd.DataFrame] = None
    safety: Optional[pd.DataFrame] = None
    rates: Optional[pd.DataFrame] = None
    subgroups: Dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: List[str] = field(default_factory=list)
    visits: Optional[pd.DataFrame] = None
    wide: Optional[pd.DataFrame] = None
    retention_data: Optional[pd.DataFrame] = None
    km: Any = None  # the KaplanMeier result behind `retention` (reused for the plot)
    over_time: Any = None  # an OverTime (report/_overtime.py), or None when not asked for


# ----------------------------------------------------------------------------
def _describe(cohort: Cohort) -> pd.DataFrame:
    rows: List[Tuple[str, str]] = []
    p = cohort.patients
    n = cohort.visits["patient"].nunique()
    rows.append(("Patients", f"{n}"))
    rows.append(("Visits", f"{len(cohort.visits)} (months {', '.join(f'{m:g}' for m in sorted(cohort.visits['month'].unique()))})"))
    if p is not None:
        if "sex" in p.columns:
            sex = p["sex"].dropna().str.upper().str[0]
            women = int((sex == "F").sum())
            rows.append(("Women", f"{women} ({100 * women / len(p):.0f}%)"))
        if "subset" in p.columns:
            counts = p["subset"].dropna().str.lower().value_counts()
            rows.append(("Cutaneous subset", ", ".join(f"{k} {v}" for k, v in counts.items())))
        if "disease_duration_years" in p.columns:
            d = p["disease_duration_years"].astype(float)
            rows.append(("Disease duration, years", f"{fmt_msd(d.mean(), d.std(ddof=1))}; < 5 years: {int((d < 5).sum())}"))
        if "followup_months" in p.columns:
            f = p["followup_months"].astype(float) / 12
            rows.append(("Follow-up, years", fmt_msd(f.mean(), f.std(ddof=1))))
        for c in p.columns:
            if c.startswith(PRIOR_PREFIX) and str(p[c].dtype) in ("boolean", "bool"):
                k = int(p[c].fillna(False).astype(bool).sum())
                rows.append((f"Prior {c[len(PRIOR_PREFIX):].replace('_', ' ')}", f"{k} ({100 * k / len(p):.0f}%)"))
    return pd.DataFrame(rows, columns=["characteristic", "value"]).set_index("characteristic")


def _wide(visits: pd.DataFrame, endpoints: List[str], baseline: float, followup: float) -> pd.DataFrame:
    b = visits[visits["month"] == baseline].set_index("patient")[endpoints].add_suffix("_before")
    f = visits[visits["month"] == followup].set_index("patient")[endpoints].add_suffix("_after")
    return b.join(f, how="inner")


def _changes(cohort: Cohort, baseline: float, followup: float) -> Tuple[pd.DataFrame, pd.DataFrame, List[str]]:
    from .. import paired

    notes = []
    months = set(cohort.visits["month"].unique())
    for m, what in ((baseline, "baseline"), (followup, "follow-up")):
        if m not in months:
            raise ValueError(f"{what} month {m:g} has no visits (months present: {sorted(months)})")
    endpoints = [e for e in CHANGE_ENDPOINTS if e in cohort.endpoints]
    wide = _wide(cohort.visits, endpoints, baseline, followup)
    usable = [e for e in endpoints if (wide[f"{e}_before"].notna() & wide[f"{e}_after"].notna()).sum() >= 2]
    for e in endpoints:
        if e not in usable:
            notes.append(f"{LABELS.get(e, e)}: fewer than 2 patients with both visits; no change computed.")
    if not usable:
        return pd.DataFrame(), wide, notes
    table = paired.compare(wide, {e: (f"{e}_before", f"{e}_after") for e in usable}, tests=("t", "wilcoxon"), adjust="holm")
    return table, wide, notes


def _retention(cohort: Cohort) -> Tuple[Optional[pd.DataFrame], Optional[pd.DataFrame], Optional[pd.DataFrame], Any, List[str]]:
    from .. import survival

    p = cohort.patients
    if p is None or "followup_months" not in p.columns or not ({"stopped", "stop_reason"} & set(p.columns)):
        return None, None, None, None, ["Retention: needs a patients file with followup_months and stop_reason (or stopped)."]
    d = pd.DataFrame({"patient": p["patient"], "start": 0.0, "stop": p["followup_months"].astype(float) / 12})
    reason = p["stop_reason"].astype(object) if "stop_reason" in p.columns else pd.Series([None] * len(p), dtype=object)
    notes: List[str] = []
    empty = (reason.isna() | (reason.astype("string").str.strip() == "")).to_numpy(dtype=bool)
    if "stopped" in p.columns:
        stopped = p["stopped"].fillna(False).astype(bool).to_numpy()
        # stopped without a reason -> "unspecified"; not stopped -> no reason (censored)
        n_unspec = int((stopped & empty).sum())
        if n_unspec:
            notes.append(f"Retention: {n_unspec} patient(s) stopped without a recorded reason; counted as stops (reason 'unspecified').")
        reason = pd.Series(np.where(stopped, reason.where(~empty, "unspecified"), None), dtype=object)
    elif empty.any():
        # no `stopped` column: an empty stop_reason means still on drug at the last follow-up
        notes.append(
            f"Retention: {int(empty.sum())} patient(s) without a stop_reason were read as still on drug and censored at "
            "their last follow-up (no 'stopped' column to tell a stop of unknown reason)."
        )
    d["reason"] = reason.to_numpy()
    if d["stop"].isna().any():
        return None, None, None, None, ["Retention: followup_months is missing for some patients; retention not computed."]
    r = survival.retention(d, "start", "stop", "reason", unit="years", missing_reason="censor")
    r.index = d["patient"].to_numpy()
    km = survival.kaplan_meier(r["time"], r["event"])
    at = km.at([1.0, 2.0]).reset_index(drop=True)
    t, ev = r["time"].to_numpy(), r["event"].to_numpy()
    rows = []
    for year, prev in ((1.0, 0.0), (2.0, 1.0)):
        start_n = int((t > prev).sum()) if prev > 0 else len(t)
        stops = int(((t > prev) & (t <= year) & (ev == 1)).sum())
        s = at.loc[at["time"] == year].iloc[0]
        rows.append({
            "period": f"year {int(year)}",
            "on drug at start": start_n,
            "stopped": stops,
            "on drug at end": int((t > year).sum() + ((t == year) & (ev == 0)).sum()),
            "KM retention": float(s["survival"]),
            "ci_low": float(s["ci_low"]),
            "ci_high": float(s["ci_high"]),
        })
    retention = pd.DataFrame(rows).set_index("period")
    labels = r.attrs.get("causes", {})
    stops = r[r["event"] == 1]
    reasons = (
        pd.DataFrame({
            "reason": [labels.get(int(c), str(c)) for c in stops["cause"]],
            "period": np.where(stops["time"] <= 1, "year 1", np.where(stops["time"] <= 2, "year 2", "after year 2")),
        })
        .value_counts()
        .unstack(fill_value=0)
    )
    for col in ("year 1", "year 2", "after year 2"):
        if col not in reasons.columns:
            reasons[col] = 0
    reasons = reasons[["year 1", "year 2", "after year 2"]]
    reasons["total"] = reasons.sum(axis=1)
    reasons.index.name = "reason"
    return retention, reasons, r, km, notes


def _safety(cohort: Cohort, retention_data: Optional[pd.DataFrame], baseline: float) -> Tuple[pd.DataFrame, Optional[pd.DataFrame], List[str]]:
    from .. import safety, ssc

    notes: List[str] = []
    events: Dict[str, pd.Series] = {}
    v = cohort.visits
    if "fvc_pct" in cohort.endpoints:
        base = v[v["month"] == baseline].set_index("patient")
        last = v.dropna(subset=["fvc_pct"]).sort_values("month").groupby("patient").tail(1).set_index("patient")
        last = last[last["month"] > baseline]
        common = base.index.intersection(last.index)
        b, f = base.loc[common], last.loc[common]
        have_dlco = "dlco_pct" in cohort.endpoints
        cat = ssc.lung_decline(
            b["fvc_pct"], f["fvc_pct"],
            b["dlco_pct"] if have_dlco else None, f["dlco_pct"] if have_dlco else None,
            definition="omeract",
        )
        events["Lung-function deterioration (OMERACT significant decline, baseline to last visit)"] = (cat == "significant").fillna(False)
    else:
        notes.append("Lung-function deterioration: no fvc_pct column.")
    p = cohort.patients
    if p is not None:
        for c in p.columns:
            if "du_infection" in c or "digital_ulcer_infection" in c:
                events["Recurrent digital-ulcer infections"] = p.set_index("patient")[c].fillna(False).astype(bool)
    if retention_data is not None and retention_data.attrs.get("causes"):
        labels = retention_data.attrs["causes"]
        cause = retention_data["cause"]
        for code, lab in labels.items():
            if "infection" in lab or "death" in lab or "died" in lab:
                events[f"Stopped for {lab}"] = cause == code
    rows = []
    for name, flag in events.items():
        rows.append({"event": name, "patients": int(flag.sum()), "of": int(flag.notna().sum())})
    table = pd.DataFrame(rows, columns=["event", "patients", "of"]).set_index("event")
    rates = None
    if retention_data is not None and len(table):
        exposure = retention_data["time"].sum()
        r = safety.incidence_rate(table["patients"].to_numpy(), np.full(len(table), exposure), per=100)
        r.index = table.index
        rates = r
    return table, rates, notes


def _subgroups(cohort: Cohort, wide: pd.DataFrame, changes: pd.DataFrame) -> Dict[str, pd.DataFrame]:
    from .. import groups

    p = cohort.patients
    out: Dict[str, pd.DataFrame] = {}
    if p is None or changes.empty:
        return out
    pairs = {e: (f"{e}_before", f"{e}_after") for e in changes.index}
    pi = p.set_index("patient")
    splits = {}
    if "subset" in pi.columns:
        splits["cutaneous subset"] = pi["subset"].str.lower()
    if "disease_duration_years" in pi.columns:
        dd = pi["disease_duration_years"].astype(float)
        splits["disease duration"] = pd.Series(np.where(dd < 5, "< 5 years", f"{GE} 5 years"), index=pi.index).where(dd.notna())
    for name, by in splits.items():
        data = wide.join(by.rename("_by"), how="left")
        if data["_by"].nunique() < 2:
            continue
        out[name] = groups.compare_subgroups(data, pairs, by="_by")
    return out


def text_block(heading: str, df: Optional[pd.DataFrame], ascii: bool = False) -> List[str]:
    """A titled DataFrame for the terminal (typography in ASCII when ``ascii``)."""
    if df is None or df.empty:
        return []
    if ascii:  # translate the cells before the layout, so the columns stay aligned
        tr = lambda x: ascii_text(x) if isinstance(x, str) else x  # noqa: E731
        df = df.rename(index=tr, columns=tr)
        df = df.apply(lambda col: col.map(tr) if col.dtype == object or str(col.dtype) == "str" else col)
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.max_colwidth", 80):
        return [heading, "-" * len(heading), df.to_string(), ""]


def analyse(
    cohort: Cohort,
    baseline: float = 0,
    followup: float = 12,
    title: str = "Cohort report",
    over_time: bool = True,
    max_model_patients: Optional[int] = None,
) -> CohortAnalysis:
    """Run the reference analysis on a validated cohort (see module docstring).

    ``over_time=True`` adds the "Over the whole follow-up" section
    (:func:`rheumstats.report._overtime.over_time`: change per year, LS-mean
    change by visit, change to the last visit on drug, years x subgroup);
    its mixed models are fitted up to ``max_model_patients`` patients
    (``None``: any number).
    """
    changes, wide, notes = _changes(cohort, baseline, followup)
    retention, reasons, rdata, km, n2 = _retention(cohort)
    safety_table, rates, n3 = _safety(cohort, rdata, baseline)
    subgroups = _subgroups(cohort, wide, changes)
    return CohortAnalysis(
        title=title, baseline=baseline, followup=followup, description=_describe(cohort), changes=changes,
        absent=list(cohort.absent), retention=retention, stop_reasons=reasons, safety=safety_table, rates=rates,
        subgroups=subgroups, notes=notes + n2 + n3, visits=cohort.visits, wide=wide, retention_data=rdata, km=km,
        over_time=_over_time(cohort, baseline, max_model_patients) if over_time else None,
    )


def _over_time(cohort: Cohort, baseline: float, max_model_patients: Optional[int]) -> Any:
    from ._overtime import over_time

    return over_time(cohort, baseline=baseline, max_model_patients=max_model_patients)


# ----------------------------------------------------------------------------
def change_display(a: CohortAnalysis) -> pd.DataFrame:
    """The change table as a paper prints it (strings)."""
    c = a.changes
    if c.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            "n": c["n"].astype(int).to_numpy(),
            f"month {a.baseline:g}": [fmt_num(m) for m in c["mean_before"]],
            f"month {a.followup:g}": [fmt_num(m) for m in c["mean_after"]],
            f"change, mean {PM} SD": [fmt_msd(m, s) for m, s in zip(c["mean_change"], c["sd_change"])],
            "95% CI": [f"{fmt_num(lo)} to {fmt_num(hi)}" for lo, hi in zip(c["ci_low"], c["ci_high"])],
            "P (t)": [fmt_p(p) for p in c["p_t"]],
            "P (Wilcoxon)": [fmt_p(p) for p in c["p_wilcoxon"]],
            "P (Holm)": [fmt_p(p) for p in c["p_adjusted"]],
        },
        index=pd.Index([LABELS.get(e, e) for e in c.index], name="endpoint"),
    )


def retention_display(a: CohortAnalysis) -> Optional[pd.DataFrame]:
    r = a.retention
    if r is None:
        return None
    return pd.DataFrame(
        {
            "on drug at start": r["on drug at start"],
            "stopped": r["stopped"],
            "on drug at end": [f"{e}/{s}" for e, s in zip(r["on drug at end"], r["on drug at start"])],
            "KM retention (95% CI)": [f"{100 * k:.0f}% ({100 * lo:.0f}-{100 * hi:.0f}%)" for k, lo, hi in zip(r["KM retention"], r["ci_low"], r["ci_high"])],
        },
        index=r.index,
    )


def subgroup_display(table: pd.DataFrame) -> pd.DataFrame:
    index = table.index
    if isinstance(index, pd.MultiIndex):
        index = index.set_levels([LABELS.get(e, e) for e in index.levels[0]], level=0)
    out = pd.DataFrame(index=index)
    out["n"] = table["n"].astype(int).to_numpy()
    out[f"change, mean {PM} SD"] = [fmt_msd(m, s) for m, s in zip(table["mean_change"], table["sd_change"])]
    out["P (t)"] = [fmt_p(p) for p in table["p_t"]]
    out["P (Wilcoxon)"] = [fmt_p(p) for p in table["p_wilcoxon"]]
    for c, name in (("p_between_t", "P between (t)"), ("p_between_rank", "P between (rank)")):
        if c in table.columns:
            out[name] = [fmt_p(p) for p in table[c]]
    return out


def rates_display(a: CohortAnalysis) -> Optional[pd.DataFrame]:
    r = a.rates
    if r is None:
        return None
    return pd.DataFrame(
        {
            "events": r["events"].astype(int).to_numpy(),
            "patient-years": [f"{e:.1f}" for e in r["exposure"]],
            "per 100 PY (95% CI)": [f"{x:.1f} ({lo:.1f}-{hi:.1f})" for x, lo, hi in zip(r["rate"], r["ci_low"], r["ci_high"])],
        },
        index=r.index,
    )


def to_text(a: CohortAnalysis, ascii: bool = False) -> str:
    """Plain-text rendering for the terminal.

    The text uses \u00b1, \u2212 (minus) and \u2265; ``ascii=True`` spells them
    ``+/-``, ``-`` and ``>=`` (for a terminal whose encoding cannot print
    them: see :func:`can_encode`).
    """
    out: List[str] = [a.title, "=" * len(a.title), ""]

    def block(heading: str, df: Optional[pd.DataFrame]) -> None:
        out.extend(text_block(heading, df, ascii))

    block("Cohort", a.description)
    block(f"Change from month {a.baseline:g} to month {a.followup:g} (patients with both visits)", change_display(a))
    block("Drug retention", retention_display(a))
    block("Reasons for stopping", a.stop_reasons)
    block("Safety", a.safety)
    block("Safety: incidence per 100 patient-years (exact Poisson CI)", rates_display(a))
    for name, t in a.subgroups.items():
        block(f"Change by {name}", subgroup_display(t))
    if a.over_time is not None:
        from ._overtime import text_lines

        out.extend(text_lines(a.over_time, a.baseline, ascii))
    if a.absent:
        out.append("Endpoints absent from the data: " + ", ".join(a.absent))
    for n in a.notes:
        out.append("Note: " + n)
    text = "\n".join(out).rstrip() + "\n"
    return ascii_text(text) if ascii else text
