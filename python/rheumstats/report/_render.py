"""HTML rendering of a :class:`CohortAnalysis`: one self-contained file."""

from __future__ import annotations

from typing import List, Tuple

import numpy as np

from . import _html as H
from ._analysis import LABELS, CohortAnalysis, change_display, rates_display, retention_display, subgroup_display


MAX_LINES = 300  # beyond this many patients, trajectory plots draw a stated random sample
MAX_CENSOR_TICKS = 2_000  # beyond this many patients the KM curve has no censor ticks


def _figures(a: CohortAnalysis) -> List[str]:
    """Retention curve, stop reasons, trajectories, forest and paired plots, as inline PNGs."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from .. import plot, survival

    figs: List[str] = []
    r = a.retention_data
    if r is not None:
        fig, ax = plt.subplots(figsize=(6.5, 4))
        horizon = int(np.ceil(float(r["time"].max())))
        ticks = len(r) <= MAX_CENSOR_TICKS  # beyond that the ticks merge into a band that hides the curve
        a.km.plot(ax=ax, censor_marks=ticks)
        ax.set_xlabel("years on drug")
        ax.set_ylabel("proportion on drug")
        plot.at_risk_counts(a.km, list(range(0, horizon + 1)), ax, title="at risk")
        what = "censor ticks" if ticks else f"no censor ticks for {len(r):,} patients"
        figs.append(H.figure(fig, f"Drug retention (Kaplan\u2013Meier, 95% CI, {what}); number of patients at risk under each year"))
        if r["event"].sum() > 0:
            ci = survival.cumulative_incidence(r["time"], r["cause"])
            fig, ax = plt.subplots(figsize=(6.5, 4))
            ci.plot(ax=ax, labels=r.attrs.get("causes"))
            ax.set_xlabel("years on drug")
            figs.append(H.figure(fig, "Cumulative incidence of stopping, by reason (Aalen-Johansen)"))
    if a.visits is not None:
        for e in [e for e in ("mrss", "das28", "haq_di") if e in a.visits.columns][:2]:
            fig, ax = plt.subplots(figsize=(6.5, 4))
            plot.spaghetti(a.visits, "patient", "month", e, ax=ax, max_subjects=MAX_LINES, seed=0)
            ax.set_ylabel(LABELS.get(e, e))
            n = int(a.visits.loc[a.visits[e].notna(), "patient"].nunique())
            who = (
                f"a random sample of {MAX_LINES:,} of the {n:,} patients (seed 0)" if n > MAX_LINES else "one line per patient"
            )
            figs.append(H.figure(fig, f"{LABELS.get(e, e)} over time: {who}; mean of all patients with 95% CI at the visits with at least 3 patients"))
    if not a.changes.empty:
        fig, ax = plt.subplots(figsize=(6.5, 0.6 + 0.45 * len(a.changes)))
        plot.forest(a.changes.rename(index=lambda e: LABELS.get(e, e)), ax=ax)
        figs.append(H.figure(fig, f"Mean change month {a.baseline:g} to {a.followup:g} with 95% CI"))
        e = a.changes.index[0]
        fig, ax = plt.subplots(figsize=(4, 4))
        plot.paired(a.wide[f"{e}_before"], a.wide[f"{e}_after"], labels=(f"month {a.baseline:g}", f"month {a.followup:g}"), ax=ax, ylabel=LABELS.get(e, e), max_pairs=MAX_LINES, seed=0)
        n = int((a.wide[f"{e}_before"].notna() & a.wide[f"{e}_after"].notna()).sum())
        who = f"a random sample of {MAX_LINES:,} of the {n:,} patients (seed 0)" if n > MAX_LINES else "each patient"
        figs.append(H.figure(fig, f"{LABELS.get(e, e)}: baseline and follow-up of {who}; medians of all"))
    return figs


def _lsmeans_figure(a: CohortAnalysis) -> str:
    """LS-mean change by visit with 95% CI, one panel per endpoint, n under each x axis."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from .. import plot

    t = a.over_time.lsmeans
    ends = list(dict.fromkeys(e for e, _ in t.index))
    ncol = 2 if len(ends) > 1 else 1
    nrow = int(np.ceil(len(ends) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(5.2 * ncol, 3.3 * nrow), squeeze=False, gridspec_kw={"hspace": 0.95, "wspace": 0.35})
    for ax, e in zip(axes.flat, ends):
        sub = t.loc[e].reset_index()
        plot.lsmeans(sub, x="month", n="n", ax=ax, xlabel="month")
        ax.set_title(f"{LABELS.get(e, e)} ({a.over_time.covariance.get(e, '')})", fontsize="medium")
        ax.set_ylabel("change from baseline")
    for ax in list(axes.flat)[len(ends):]:
        ax.set_visible(False)
    return H.figure(fig, "LS-mean change from baseline by visit (MMRM), 95% CI; n = patients observed at each visit, under the axis")


def _over_time_section(a: CohortAnalysis, figures: bool) -> str:
    from ._overtime import interactions_display, last_visit_display, lsmeans_display, slopes_display

    ot = a.over_time
    if not ot.available:
        return H.paragraph(ot.reason, "note")
    parts = []
    sl = slopes_display(ot)
    if not sl.empty:
        parts.append(H.table(sl, caption="Change per year: linear mixed model value ~ years + (1 + years | patient), REML; 95% CI and P with Satterthwaite df"))
    ls = lsmeans_display(ot)
    if not ls.empty:
        parts.append(H.table(ls, caption="LS-mean change from baseline by visit (95% CI): MMRM (visit as factor, baseline value as covariate), Satterthwaite df; n = patients with the visit"))
        if figures:
            parts.append(_lsmeans_figure(a))
    lv = last_visit_display(ot, a.baseline)
    if not lv.empty:
        parts.append(H.table(lv, caption=f"Change from month {a.baseline:g} to each patient's last visit on drug: mean \u00b1 SD, 95% CI (t), paired t and Wilcoxon signed-rank P"))
    it = interactions_display(ot)
    if not it.empty:
        parts.append(H.table(it, caption="Does the change per year differ by subgroup? P of the years \u00d7 subgroup interaction in the LMM"))
    parts.extend(H.paragraph(n, "note warn") for n in ot.notes)
    return "".join(parts)


def to_html(a: CohortAnalysis, figures: bool = True) -> str:
    sections: List[Tuple[str, str]] = []
    sections.append(("Cohort", H.table(a.description)))
    ch = change_display(a)
    body = H.table(ch, caption="Mean \u00b1 SD; 95% CI of the mean change (t); paired t and Wilcoxon signed-rank P; Holm-adjusted P of the t-tests") if not ch.empty else H.paragraph("No endpoint has baseline and follow-up values.")
    sections.append((f"Change from month {a.baseline:g} to month {a.followup:g}", body))
    rd = retention_display(a)
    if rd is not None:
        sections.append(("Drug retention", H.table(rd) + (H.table(a.stop_reasons, caption="Reasons for stopping") if a.stop_reasons is not None and len(a.stop_reasons) else "")))
    if a.safety is not None and len(a.safety):
        sections.append(("Safety", H.table(a.safety) + (H.table(rates_display(a), caption="Incidence per 100 patient-years, exact Poisson 95% CI") if a.rates is not None else "")))
    for name, t in a.subgroups.items():
        sections.append((f"Change by {name}", H.table(subgroup_display(t))))
    if a.over_time is not None:
        sections.append(("Over the whole follow-up", _over_time_section(a, figures)))
    if figures:
        sections.append(("Figures", "".join(_figures(a))))
    extra = []
    if a.absent:
        extra.append(H.paragraph("Endpoints absent from the data: " + ", ".join(a.absent), "note"))
    extra.extend(H.paragraph(n, "note warn") for n in a.notes)
    if extra:
        sections.append(("Notes", "".join(extra)))
    from .. import __version__

    return H.page(a.title, sections, footer=f"Generated by rheumstats {__version__}. Statistics: paired t and Wilcoxon signed-rank tests, Kaplan-Meier with log-log CI, Aalen-Johansen, exact Poisson rates.")
