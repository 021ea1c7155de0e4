# %% [markdown]
# # Tocilizumab in systemic sclerosis: the reference analysis, step by step
#
# A single-centre cohort of 21 refractory SSc patients on weekly subcutaneous
# tocilizumab, followed 1-2 years with mRSS, DAS28, lung function and
# patient-reported outcomes. The data here are **simulated** to reproduce the
# published summaries (`rs.datasets.tocilizumab_ssc()`); they are not patient
# data. Every step is plain pandas plus one rheumstats call.
#
# Run as a script (`python examples/tocilizumab_ssc.py`) or open the notebook
# `examples/tocilizumab_ssc.ipynb`, which holds the same cells. In Jupyter each
# cell ends in a DataFrame or a result object (shown as an HTML table) or draws
# a plot inline; run as a script, the plots are drawn but not shown.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import rheumstats as rs

visits, patients = rs.datasets.tocilizumab_ssc()
visits[["patient", "month", "mrss", "das28", "haq_di", "patient_global", "pain", "fvc_pct", "dlco_pct"]].head(8)

# %% [markdown]
# ## 1. Scores: recompute the totals from their items
# mRSS from the 17 skin sites, DAS28-ESR from joint counts, ESR and patient
# global, HAQ-DI from the 20 items (Stanford rules). Inputs are never modified;
# outputs keep the DataFrame index.

# %%
mrss = rs.scores.mrss(visits[list(rs.scores.MRSS_SITES)])
das28 = rs.scores.das28_esr(visits["tjc28"], visits["sjc28"], visits["esr"], visits["patient_global"])
haq = rs.scores.haq_di(visits[list(rs.scores.HAQ_ITEMS)])
assert (mrss == visits["mrss"]).all() and (haq == visits["haq_di"]).all()
visits["das28_category"] = rs.scores.das28_category(das28)
visits["skin_subset"] = rs.scores.skin_subset(visits[list(rs.scores.MRSS_SITES)])
visits.groupby("month")["das28_category"].value_counts().unstack().loc[[0, 12]]

# %% [markdown]
# ## 2. Cohort description (Table 1)

# %%
desc = pd.Series(
    {
        "patients": len(patients),
        "women": int((patients["sex"] == "F").sum()),
        "diffuse / limited": "{} / {}".format(*patients["subset"].value_counts()[["diffuse", "limited"]]),
        "disease duration < 5 years": int((patients["disease_duration_years"] < 5).sum()),
        "follow-up, years (mean ± SD)": f"{patients['followup_months'].mean() / 12:.1f} ± {patients['followup_months'].std() / 12:.1f}",
    }
)
desc.to_frame("value")

# %% [markdown]
# ## 3. Change from baseline to 12 months (paired)
# One row per endpoint over the patients with both visits: mean ± SD of the
# change, 95% CI, paired t and Wilcoxon signed-rank P, Holm-adjusted P.

# %%
endpoints = ["mrss", "das28", "haq_di", "patient_global", "pain", "fvc_pct"]
wide = (
    visits[visits["month"] == 0].set_index("patient")[endpoints].add_suffix("_m0")
    .join(visits[visits["month"] == 12].set_index("patient")[endpoints].add_suffix("_m12"), how="inner")
)
change = rs.paired.compare(wide, {e: (f"{e}_m0", f"{e}_m12") for e in endpoints})
change[["n", "mean_change", "sd_change", "ci_low", "ci_high", "p_t", "p_wilcoxon", "p_adjusted"]].round(4)

# %% [markdown]
# One endpoint in detail. A result object prints as readable text and, as the
# last line of a cell, shows as a table; `confidence_interval()` recomputes
# the CI at any level from the stored quantities.

# %%
res = rs.paired.ttest(wide["mrss_m0"], wide["mrss_m12"])
print(res)
res.confidence_interval(conf_level=0.99)

# %%
rs.paired.wilcoxon(wide["mrss_m0"], wide["mrss_m12"])

# %% [markdown]
# The same changes as a forest plot, and one endpoint patient by patient.

# %%
labels = {"mrss": "mRSS", "das28": "DAS28-ESR", "haq_di": "HAQ-DI", "patient_global": "Patient global (mm)", "pain": "Pain (mm)", "fvc_pct": "FVC (% pred.)"}
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6), gridspec_kw={"width_ratios": [1.6, 1]})
rs.plot.forest(change.loc[["mrss", "das28", "haq_di"]].rename(index=labels), ax=ax1, xlabel="mean change, month 0 to 12 (95% CI)")
rs.plot.paired(wide["mrss_m0"], wide["mrss_m12"], labels=("month 0", "month 12"), ylabel="mRSS", ax=ax2)
fig.tight_layout()

# %% [markdown]
# Every visit, not only months 0 and 12: one line per patient and the mean
# with its 95% CI at each visit.

# %%
fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
for ax, e in zip(axes, ["mrss", "haq_di", "patient_global"]):
    rs.plot.spaghetti(visits, "patient", "month", e, ax=ax)
    ax.set_ylabel(labels[e])
fig.tight_layout()

# %% [markdown]
# ## 4. Drug retention and reasons for stopping
# `retention()` turns start/stop dates and stop reasons into `time, event,
# cause`; Kaplan-Meier gives retention at 1 and 2 years, Aalen-Johansen the
# cumulative incidence of each reason.

# %%
ret = rs.survival.retention(patients, "start_date", "stop_date", "stop_reason", censor_date=rs.datasets.TOCILIZUMAB_SSC_CENSOR_DATE)
km = rs.survival.kaplan_meier(ret["time"], ret["event"])
km.at([1, 2])

# %%
km.risk_table([0, 1, 2])

# %%
cif = rs.survival.cumulative_incidence(ret["time"], ret["cause"])
cif.at([1, 2]).assign(reason=lambda t: t["cause"].map(ret.attrs["causes"]))

# %% [markdown]
# Kaplan-Meier retention with the numbers at risk under the years, and the
# cumulative incidence of each reason for stopping.

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
km.plot(ax=ax1)
ax1.set_xlabel("years on drug")
ax1.set_ylabel("proportion on drug")
rs.plot.at_risk_counts(km, [0, 1, 2, 3, 4, 5, 6], ax1, title="at risk")
cif.plot(ax=ax2, labels=ret.attrs["causes"])
ax2.set_xlabel("years on drug")
fig.tight_layout()

# %% [markdown]
# ## 5. Safety: lung-function deterioration and events per 100 patient-years

# %%
base = visits[visits["month"] == 0].set_index("patient")
last = visits.sort_values("month").groupby("patient").tail(1).set_index("patient").loc[base.index]
decline = rs.ssc.lung_decline(base["fvc_pct"], last["fvc_pct"], base["dlco_pct"], last["dlco_pct"])
decline.value_counts().to_frame("patients")

# %%
exposure = ret["time"]  # years on drug
events = pd.Series(
    {
        "lung-function deterioration": int((decline == "significant").sum()),
        "recurrent digital-ulcer infections": int(patients["recurrent_du_infections"].sum()),
    }
)
rates = rs.safety.incidence_rate(events.to_numpy(), [exposure.sum()] * len(events), per=100)
rates.index = events.index
rates.round(2)

# %% [markdown]
# ## 6. "Regardless of disease duration or subtype": subgroup tables

# %%
wide = wide.join(patients.set_index("patient")[["subset"]])
by_subset = rs.groups.compare_subgroups(wide, {"mrss": ("mrss_m0", "mrss_m12"), "das28": ("das28_m0", "das28_m12")}, by="subset")
by_subset.round(3)

# %% [markdown]
# ## 7. Over the whole follow-up
# The paper says the benefit was "still present" after a mean of 2.2 years.
# Checkable: the change from baseline to each patient's last visit on drug
# (mean ± SD, paired t and Wilcoxon P), with how long after baseline that
# visit was.

# %%
on_drug = visits[visits["month"] <= visits["patient"].map(patients.set_index("patient")["followup_months"]) + 1]
last_visit = on_drug.sort_values("month").groupby("patient").tail(1).set_index("patient")
base = on_drug[on_drug["month"] == 0].set_index("patient").loc[last_visit.index]
to_last = base[endpoints].add_suffix("_m0").join(last_visit[endpoints].add_suffix("_last"))
since = (last_visit["month"] / 12).agg(["mean", "std"]).round(1)
print(f"last visit on drug: {since['mean']} ± {since['std']} years after baseline")
rs.paired.compare(to_last, {e: (f"{e}_m0", f"{e}_last") for e in endpoints})[["n", "mean_change", "sd_change", "ci_low", "ci_high", "p_t", "p_wilcoxon"]].round(4)

# %% [markdown]
# Change per year over every visit on drug: a linear mixed model with a
# random intercept and slope per patient (REML; Satterthwaite df, as lmerTest).
# The result object shows its fixed and random effects as tables.

# %%
long = on_drug.assign(years=on_drug["month"] / 12)
fit = rs.longitudinal.lmm("mrss ~ years + (1 + years | patient)", long)
fit

# %% [markdown]
# Does the change per year differ between diffuse and limited disease? The
# `years:subsetlimited` row is the interaction.

# %%
by_sub = long.merge(patients[["patient", "subset"]], on="patient")
rs.longitudinal.lmm("mrss ~ years * subset + (1 + years | patient)", by_sub).fixed.round(4)

# %% [markdown]
# LS-mean change from baseline at each visit (MMRM, baseline as covariate,
# visits seen in at least 10 patients). With 21 patients the unstructured
# covariance of mRSS does not converge (nor does R's `gls` on these data), so
# Toeplitz is used; the number of patients at each visit sits under the axis.

# %%
base_mrss = long[long["month"] == 0].set_index("patient")["mrss"]
chg = long[long["month"].isin([3, 6, 12, 18, 24])].assign(baseline=lambda t: t["patient"].map(base_mrss))
chg["change"] = chg["mrss"] - chg["baseline"]
chg["visit"] = pd.Categorical(chg["month"])
mm = rs.longitudinal.mmrm(chg, outcome="change", visit="visit", subject="patient", covariates=("baseline",), covariance="toep")
ls = mm.lsmeans().assign(month=lambda t: t["visit"].astype(float))
ls["n"] = ls["month"].map(chg.groupby("month")["patient"].nunique())
ls

# %%
fig, ax = plt.subplots(figsize=(6, 3.6))
rs.plot.lsmeans(ls, ax=ax, xlabel="month")
ax.set_ylabel("mRSS change from baseline")
fig.tight_layout()

# %% [markdown]
# ## 8. All of it in one command
# `rheumstats demo` prints this analysis, the whole follow-up included;
# `rheumstats report visits.csv --patients patients.csv --out report.html`
# writes it as one HTML file with the retention curve, trajectories, the
# LS-means plot and a forest plot.
