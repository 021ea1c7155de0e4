"""Over the whole follow-up: the analyses of every visit, not only baseline vs one follow-up.

:func:`over_time` computes, per endpoint present (mRSS, DAS28, HAQ-DI, FVC,
DLCO and the patient-reported outcomes):

* **change per year**: a linear mixed model ``value ~ years + (1 + years | patient)``
  (:func:`rheumstats.longitudinal.lmm`, REML, Satterthwaite df), falling back to
  the random-intercept model ``(1 | patient)`` with a note when the random-slope
  fit is singular (slope variance on its bound or a correlation of +/-1) or does
  not converge;
* **LS-mean change from baseline by visit**: an MMRM of the change
  (:func:`rheumstats.longitudinal.mmrm`, visit as a factor, the baseline value
  as covariate, Satterthwaite df), unstructured covariance (``us``) falling back
  to Toeplitz (``toep``) and then compound symmetry (``cs``) with a note saying
  which; visits with fewer than :data:`MIN_PER_VISIT` patients are left out;
* **change from baseline to each patient's last visit on drug** (mean +/- SD,
  paired t P; :func:`rheumstats.paired.compare`) with the time of that visit,
  the "benefit still present after a mean of x years" claim made checkable;
* **years x subgroup**: the P of the interaction in
  ``value ~ years * subgroup + (1 + years | patient)`` (or the random-intercept
  model when the slope model is singular) for the cutaneous subset and for
  disease duration < 5 years.

With fewer than three distinct visit times there is nothing over time to
model: the section then says so (``available = False`` and ``reason``).
When ``rs.longitudinal`` lacks a model (an install without it), the model
tables are empty and a note says which part is not available; the
last-visit change is computed either way.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import pandas as pd

OVER_TIME_ENDPOINTS = ("mrss", "das28", "haq_di", "fvc_pct", "dlco_pct", "patient_global", "pain", "physician_global")
MIN_PER_VISIT = 10  # an MMRM visit needs at least this many patients with a change
MIN_PER_VISIT_FRACTION = 0.2  # ... and at least this fraction of the patients at baseline
COVARIANCES = ("us", "toep", "cs")
MAX_MODEL_PATIENTS: Optional[int] = None  # default: no limit (a 100,000-patient registry's fits take seconds)


@dataclass
class OverTime:
    """The over-time section of a :class:`~rheumstats.report.CohortAnalysis`."""

    available: bool
    reason: str = ""
    slopes: pd.DataFrame = field(default_factory=pd.DataFrame)  # per endpoint: change per year
    lsmeans: pd.DataFrame = field(default_factory=pd.DataFrame)  # (endpoint, month): LS-mean change
    covariance: Dict[str, str] = field(default_factory=dict)  # endpoint -> covariance used by the MMRM
    last_visit: pd.DataFrame = field(default_factory=pd.DataFrame)  # per endpoint: change to the last visit
    interactions: pd.DataFrame = field(default_factory=pd.DataFrame)  # (endpoint, subgroup): P of years x subgroup
    notes: List[str] = field(default_factory=list)
    years_last: Optional[pd.Series] = None  # per patient: years from baseline to the last visit


def _label(e: str) -> str:
    from ._analysis import LABELS

    return LABELS.get(e, e)


def _longitudinal() -> Any:
    try:
        from .. import longitudinal
    except ImportError:  # pragma: no cover - the package always ships the module
        return None
    return longitudinal


def _has(mod: Any, name: str) -> bool:
    return mod is not None and callable(getattr(mod, name, None))


ON_DRUG_WINDOW = 1.0  # months: a scheduled visit this close after the last day on drug is the stop visit


def _coded(cohort: Any) -> Any:
    """The cohort's visits and patients with the patient IDs replaced by
    integer codes in sorted-ID order (so subjects keep the order they have as
    labels). Every step below groups, maps and matches by patient, and on a
    registry of 100,000 text IDs those string operations took most of the
    section's time; nothing in the section shows a patient ID."""
    v = cohort.visits
    codes, uniq = pd.factorize(v["patient"], sort=True)
    visits = v.assign(patient=codes)[codes >= 0]  # a row without an ID is in no patient's trajectory
    p = cohort.patients
    if p is not None:
        pc = uniq.get_indexer(p["patient"])
        p = p.assign(patient=pc)[pc >= 0]
    return SimpleNamespace(visits=visits, patients=p)


def _on_drug(cohort: Any) -> pd.DataFrame:
    """Visits up to each patient's last day on drug (``followup_months``) when known.

    Visit months are nominal (month 3 is the visit about 3 months in), so a
    visit up to :data:`ON_DRUG_WINDOW` month after the last day on drug still
    counts (the stop visit of a patient who stopped at 3 months, 2.96 months
    after the start, is on drug).
    """
    v = cohort.visits
    p = cohort.patients
    if p is not None and "followup_months" in p.columns:
        fu = p.set_index("patient")["followup_months"].astype(float)
        limit = v["patient"].map(fu)
        v = v[limit.isna() | (v["month"] <= limit + ON_DRUG_WINDOW)]
    return v


def _is_singular(fit: Any) -> bool:
    """Random-slope fit on the boundary: slope variance ~ 0 or |corr| ~ 1 (lme4's isSingular idea)."""
    flag = getattr(fit, "singular", None)
    if isinstance(flag, (bool, np.bool_)):
        return bool(flag)
    r = getattr(fit, "random", None)
    if not isinstance(r, pd.DataFrame) or r.empty:
        return False
    var = pd.to_numeric(r.get("variance"), errors="coerce")
    term = r.get("term", pd.Series([""] * len(r))).astype(str)
    slope = var[term.str.contains("years") & ~term.str.contains(":|,", regex=True)]
    total = float(var.abs().sum()) or 1.0
    if len(slope) and (slope <= 1e-8 * max(total, 1e-300)).any():
        return True
    if "corr" in r.columns:
        c = pd.to_numeric(r["corr"], errors="coerce").abs()
        if (c > 1 - 1e-6).any():
            return True
    theta = getattr(fit, "theta", None)
    if theta is not None:
        th = np.asarray(theta, dtype=float)
        # lme4: theta = (sd_int/sigma, corr part, sd_slope part); a zero diagonal entry is a singular fit
        if th.size == 3 and abs(th[2]) < 1e-4:
            return True
    return False


def _lmm_slope(lon: Any, data: pd.DataFrame, e: str, rhs: str = "years") -> Tuple[Any, str, Optional[str]]:
    """Fit ``e ~ rhs + (1 + years | patient)``; on a singular or failed fit, ``(1 | patient)``.

    Returns (fit, random-effects label, note or None).
    """
    from ..exceptions import ConvergenceError

    note = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = lon.lmm(f"{e} ~ {rhs} + (1 + years | patient)", data)
        if getattr(fit, "converged", True) and not _is_singular(fit):
            return fit, "random intercept and slope", None
        why = "singular (slope variance on its bound)" if getattr(fit, "converged", True) else "not converged"
    except ConvergenceError as exc:
        why = f"not converged ({exc})"
    note = f"random-slope model {why}; random intercept only"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = lon.lmm(f"{e} ~ {rhs} + (1 | patient)", data)
    return fit, "random intercept", note


def _fixed_row(fit: Any, name: str) -> pd.Series:
    f = fit.fixed
    if name in f.index:
        return f.loc[name]
    raise KeyError(f"term {name!r} not among {list(f.index)}")


def _interaction_p(fit: Any, by: str) -> float:
    """P of the years x ``by`` interaction: the Type III F test when ``anova()`` has the term, else its t row."""
    an = fit.anova() if callable(getattr(fit, "anova", None)) else None
    if isinstance(an, pd.DataFrame):
        rows = [i for i in an.index if ":" in str(i) and "years" in str(i) and by in str(i)]
        if rows:
            return float(an.loc[rows[0], "p"])
    f = fit.fixed
    rows = [i for i in f.index if ":" in str(i) and "years" in str(i) and by in str(i)]
    if len(rows) == 1:
        return float(f.loc[rows[0], "p"])
    raise KeyError(f"no single years:{by} term among {list(f.index)}")


def _mmrm_visits(change: pd.DataFrame, n_base: int) -> List[float]:
    counts = change.groupby("month")["patient"].nunique()
    need = max(MIN_PER_VISIT, int(np.ceil(MIN_PER_VISIT_FRACTION * n_base)))
    return [float(m) for m, k in counts.items() if m > 0 and k >= need]


def _mmrm_by_visit(lon: Any, change: pd.DataFrame, e: str) -> Tuple[pd.DataFrame, str, Optional[str]]:
    """LS-mean change by visit; covariance ``us``, else ``toep``, else ``cs`` (note says which)."""
    from ..exceptions import ConvergenceError

    failed = []
    for cov in COVARIANCES:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = lon.mmrm(change, outcome="change", visit="visit", subject="patient", covariates=("baseline",), covariance=cov)
        except ConvergenceError:
            failed.append(cov)
            continue
        if not getattr(fit, "converged", True):
            failed.append(cov)
            continue
        ls = fit.lsmeans(by="visit")
        note = None if not failed else f"MMRM covariance {cov} ({', '.join(failed)} did not converge)"
        return ls, cov, note
    raise ConvergenceError(f"{e}: the MMRM did not converge with any of {', '.join(COVARIANCES)}")


def _last_visit(v: pd.DataFrame, endpoints: List[str], baseline: float) -> Tuple[pd.DataFrame, pd.Series]:
    from .. import paired

    rows = {}
    years_last = None
    pairs = {}
    wide_parts = []
    for e in endpoints:
        d = v[["patient", "month", e]].dropna()
        base = d[d["month"] == baseline].set_index("patient")[e]
        last = d[d["month"] > baseline].sort_values(["patient", "month"]).groupby("patient").tail(1).set_index("patient")
        common = base.index.intersection(last.index)
        if len(common) < 2:
            continue
        w = pd.DataFrame({f"{e}_before": base.loc[common], f"{e}_after": last.loc[common, e], f"{e}_month": last.loc[common, "month"]})
        wide_parts.append(w)
        pairs[e] = (f"{e}_before", f"{e}_after")
        rows[e] = (w[f"{e}_month"] - baseline) / 12.0
    if not pairs:
        return pd.DataFrame(), pd.Series(dtype=float)
    wide = pd.concat(wide_parts, axis=1)
    table = paired.compare(wide, pairs, tests=("t", "wilcoxon"))
    yrs = pd.DataFrame({e: rows[e].reindex(wide.index) for e in pairs})
    table["years_mean"] = [float(yrs[e].mean()) for e in table.index]
    table["years_sd"] = [float(yrs[e].std(ddof=1)) for e in table.index]
    years_last = yrs.max(axis=1)
    return table, years_last


def _subgroup_columns(cohort: Any) -> Dict[str, pd.Series]:
    p = cohort.patients
    out: Dict[str, pd.Series] = {}
    if p is None:
        return out
    pi = p.set_index("patient")
    if "subset" in pi.columns:
        s = pi["subset"].astype(object).where(pi["subset"].notna()).map(lambda x: None if x is None else str(x).lower())
        if s.dropna().nunique() == 2:
            out["cutaneous subset"] = s
    if "disease_duration_years" in pi.columns:
        dd = pi["disease_duration_years"].astype(float)
        s = pd.Series(np.where(dd < 5, "short", "long"), index=pi.index, dtype=object).where(dd.notna())
        if s.dropna().nunique() == 2:
            out["disease duration < 5 years"] = s
    return out


def over_time(cohort: Any, baseline: float = 0, endpoints: Optional[List[str]] = None, max_model_patients: Optional[int] = MAX_MODEL_PATIENTS) -> OverTime:
    """The over-time section (see the module docstring).

    ``max_model_patients``: with more patients than this, the mixed models
    (change per year, LS-means by visit, years x subgroup) are not fitted and
    a note says so; ``None`` (the default) fits them whatever the size (a
    100,000-patient registry's fits take seconds). The change to the last
    visit is computed at any size.
    """
    if max_model_patients is not None and (not isinstance(max_model_patients, (int, np.integer)) or max_model_patients < 0):
        raise ValueError(f"max_model_patients must be a non-negative integer or None; got {max_model_patients!r}")
    if endpoints is None:
        endpoints = [e for e in OVER_TIME_ENDPOINTS if e in getattr(cohort, "endpoints", cohort.visits.columns)]
    cohort = _coded(cohort)
    v = _on_drug(cohort)
    months = sorted(float(m) for m in v["month"].unique())
    if len(months) < 3:
        shown = ", ".join(f"{m:g}" for m in months)
        return OverTime(
            available=False,
            reason=(
                f"No over-time section possible: the visits fall at only {len(months)} time point(s) (month {shown}); "
                "trajectories over the whole follow-up need at least three."
            ),
        )
    endpoints = [e for e in endpoints if e in v.columns and v[e].notna().any()]
    out = OverTime(available=True)
    later = v[v["month"] > baseline]
    out.last_visit, out.years_last = _last_visit(v, endpoints, baseline)

    lon = _longitudinal()
    n_patients = int(v["patient"].nunique())
    if max_model_patients is not None and n_patients > max_model_patients:
        out.notes.append(
            f"Mixed models (change per year, LS-means by visit, years \u00d7 subgroup) not fitted: {n_patients:,} patients "
            f"exceed the limit of {max_model_patients:,} set for this report. "
            "Raise it with --max-model-patients, or fit rs.longitudinal.lmm / mmrm directly."
        )
        return out
    data = v.assign(years=(v["month"] - baseline) / 12.0)
    data = data[data["years"] >= 0]
    # --- change per year (LMM) ---
    if _has(lon, "lmm"):
        rows = []
        for e in endpoints:
            d = data[["patient", "years", e]].dropna()
            if d["patient"].nunique() < 3 or d["years"].nunique() < 3:
                continue
            try:
                fit, model, note = _lmm_slope(lon, d, e)
                r = _fixed_row(fit, "years")
            except (ValueError, KeyError, np.linalg.LinAlgError) as exc:
                out.notes.append(f"{_label(e)}: change per year not estimated ({exc}).")
                continue
            if note:
                out.notes.append(f"{_label(e)}: {note}.")
            rows.append({"endpoint": e, "patients": int(d["patient"].nunique()), "visits": len(d), "estimate": float(r["estimate"]),
                         "se": float(r["se"]), "df": float(r["df"]), "ci_low": float(r["ci_low"]), "ci_high": float(r["ci_high"]),
                         "p": float(r["p"]), "random effects": model})
        out.slopes = pd.DataFrame(rows).set_index("endpoint") if rows else pd.DataFrame()
    else:
        out.notes.append("Change per year: rs.longitudinal.lmm is not available in this installation.")
    # --- LS-mean change by visit (MMRM) ---
    if _has(lon, "mmrm"):
        parts = []
        for e in endpoints:
            base = v[v["month"] == baseline].set_index("patient")[e].dropna()
            ch = later[["patient", "month", e]].dropna()
            ch = ch[ch["patient"].isin(base.index)]
            ch = ch.assign(baseline=ch["patient"].map(base), change=ch[e] - ch["patient"].map(base))
            keep = _mmrm_visits(ch, len(base))
            if len(keep) < 2:
                continue
            ch = ch[ch["month"].isin(keep)].copy()
            ch["visit"] = pd.Categorical(ch["month"], categories=keep, ordered=True)
            try:
                ls, cov, note = _mmrm_by_visit(lon, ch, e)
            except (ValueError, KeyError, np.linalg.LinAlgError) as exc:
                out.notes.append(f"{_label(e)}: LS-means by visit not estimated ({exc}).")
                continue
            out.covariance[e] = cov
            if note:
                out.notes.append(f"{_label(e)}: {note}.")
            ls = ls.reset_index()
            vis = ls.columns[0] if "visit" not in ls.columns else "visit"
            ls["month"] = ls[vis].astype(float)
            n = ch.groupby("month")["patient"].nunique()
            ls["n"] = ls["month"].map(n).astype(int)
            ls["endpoint"] = e
            parts.append(ls[["endpoint", "month", "n", "estimate", "se", "df", "ci_low", "ci_high"]])
        out.lsmeans = pd.concat(parts).set_index(["endpoint", "month"]) if parts else pd.DataFrame()
    else:
        out.notes.append("LS-mean change by visit: rs.longitudinal.mmrm is not available in this installation.")
    # --- years x subgroup ---
    if _has(lon, "lmm"):
        rows = []
        for name, col in _subgroup_columns(cohort).items():
            for e in endpoints:
                d = data[["patient", "years", e]].dropna().assign(sub=lambda t: t["patient"].map(col)).dropna()
                if d.groupby("sub")["patient"].nunique().min() < 2 or d["years"].nunique() < 3:
                    continue
                try:
                    fit, model, _ = _lmm_slope(lon, d, e, rhs="years * sub")
                    p = _interaction_p(fit, "sub")
                except (ValueError, KeyError, np.linalg.LinAlgError) as exc:
                    out.notes.append(f"{_label(e)} by {name}: interaction not estimated ({exc}).")
                    continue
                rows.append({"endpoint": e, "subgroup": name, "p": p, "random effects": model})
        out.interactions = pd.DataFrame(rows).set_index(["endpoint", "subgroup"]) if rows else pd.DataFrame()
    return out


# ----------------------------------------------------------------------------
# display tables (strings, with the report's typography)
def _digits(e: str) -> int:
    return 2 if e in ("haq_di", "das28") else 1


def slopes_display(ot: OverTime) -> pd.DataFrame:
    from ._analysis import LABELS, fmt_num, fmt_p

    s = ot.slopes
    if s.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            "patients": s["patients"].astype(int).to_numpy(),
            "visits": s["visits"].astype(int).to_numpy(),
            "change per year (95% CI)": [
                f"{fmt_num(m, _digits(e))} ({fmt_num(lo, _digits(e))} to {fmt_num(hi, _digits(e))})"
                for e, m, lo, hi in zip(s.index, s["estimate"], s["ci_low"], s["ci_high"])
            ],
            "df": [f"{d:.1f}" for d in s["df"]],
            "P": [fmt_p(p) for p in s["p"]],
            "random effects": s["random effects"].to_numpy(),
        },
        index=pd.Index([LABELS.get(e, e) for e in s.index], name="endpoint"),
    )


def lsmeans_display(ot: OverTime) -> pd.DataFrame:
    """One row per endpoint, one column per visit: LS-mean change (95% CI); n at each visit; covariance."""
    from ._analysis import LABELS, fmt_num

    t = ot.lsmeans
    if t.empty:
        return pd.DataFrame()
    months = sorted({m for _, m in t.index})
    rows = {}
    for e in dict.fromkeys(e for e, _ in t.index):
        sub = t.loc[e]
        k = _digits(e)
        row = {f"month {m:g}": (f"{fmt_num(sub.loc[m, 'estimate'], k)} ({fmt_num(sub.loc[m, 'ci_low'], k)} to {fmt_num(sub.loc[m, 'ci_high'], k)})"
                                if m in sub.index else "") for m in months}
        row["n at each visit"] = ", ".join(str(int(x)) for x in sub["n"])
        row["covariance"] = ot.covariance.get(e, "")
        rows[LABELS.get(e, e)] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "endpoint"
    return out


def last_visit_display(ot: OverTime, baseline: float) -> pd.DataFrame:
    from ._analysis import LABELS, fmt_msd, fmt_num, fmt_p

    c = ot.last_visit
    if c.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            "n": c["n"].astype(int).to_numpy(),
            "years to last visit": [fmt_msd(m, s) for m, s in zip(c["years_mean"], c["years_sd"])],
            f"month {baseline:g}": [fmt_num(m, _digits(e)) for e, m in zip(c.index, c["mean_before"])],
            "last visit": [fmt_num(m, _digits(e)) for e, m in zip(c.index, c["mean_after"])],
            "change, mean \u00b1 SD": [fmt_msd(m, s, _digits(e)) for e, m, s in zip(c.index, c["mean_change"], c["sd_change"])],
            "95% CI": [f"{fmt_num(lo, _digits(e))} to {fmt_num(hi, _digits(e))}" for e, lo, hi in zip(c.index, c["ci_low"], c["ci_high"])],
            "P (t)": [fmt_p(p) for p in c["p_t"]],
            "P (Wilcoxon)": [fmt_p(p) for p in c["p_wilcoxon"]],
        },
        index=pd.Index([LABELS.get(e, e) for e in c.index], name="endpoint"),
    )


def interactions_display(ot: OverTime) -> pd.DataFrame:
    from ._analysis import LABELS, fmt_p

    t = ot.interactions
    if t.empty:
        return pd.DataFrame()
    order = list(dict.fromkeys(e for e, _ in t.index))
    wide = t["p"].unstack("subgroup").reindex(order)[list(dict.fromkeys(g for _, g in t.index))]
    out = wide.apply(lambda col: col.map(fmt_p))
    out.columns = [f"P years \u00d7 {c}" for c in out.columns]
    out.index = pd.Index([LABELS.get(e, e) for e in out.index], name="endpoint")
    return out


def text_lines(ot: OverTime, baseline: float, ascii: bool = False) -> List[str]:
    """The section for the terminal."""
    from ._analysis import ascii_text, text_block

    head = "Over the whole follow-up"
    out = [head, "=" * len(head), ""]
    if not ot.available:
        out += [ascii_text(ot.reason) if ascii else ot.reason, ""]
        return out
    out += text_block("Change per year (linear mixed model, value ~ years + (1 + years | patient); REML, Satterthwaite df)", slopes_display(ot), ascii)
    out += text_block("LS-mean change from baseline by visit, 95% CI (MMRM, baseline as covariate)", lsmeans_display(ot), ascii)
    out += text_block(f"Change from month {baseline:g} to each patient's last visit on drug (paired)", last_visit_display(ot, baseline), ascii)
    out += text_block("Does the change per year differ by subgroup? (LMM years \u00d7 subgroup interaction)", interactions_display(ot), ascii)
    for n in ot.notes:
        out.append(ascii_text("Note: " + n) if ascii else "Note: " + n)
    if ot.notes:
        out.append("")
    return out
