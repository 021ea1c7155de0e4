"""Write the SIMULATED tocilizumab-in-SSc cohort (``rs.datasets.tocilizumab_ssc``).

Run from the repository root, with rheumstats built into the active
environment (``maturin develop``)::

    python tools/make_tocilizumab_ssc.py

It writes ``python/rheumstats/datasets/tocilizumab_ssc_visits.csv`` and
``tocilizumab_ssc_patients.csv``. Everything is drawn from a fixed seed and
then nudged, one integer step at a time, until the published summary figures
of the reference cohort are met exactly at the precision they were published
(one decimal). The stored score columns (``mrss``, ``haq_di``, ``das28``) are
computed with :mod:`rheumstats.scores` from the stored item columns. The rows
are NOT patient data: no individual patient's values were known or used.

Published figures reproduced (21 patients on weekly SC tocilizumab 162 mg):
20 women; 16 diffuse / 5 limited; 10 with disease duration < 5 years; prior
treatments (corticosteroids 21, methotrexate 19, cyclophosphamide 10,
mycophenolate 7, rituximab 1, leflunomide 2, hydroxychloroquine 2, autologous
stem-cell transplant 2); one stop at 3 months for inefficacy; 20 on drug at
1 year; 4 stops in year 2 (1 CMV infection, 2 inefficacy, 1 death) leaving 16
(the source text says "3 patients stopping" but lists four reasons and
20 - 16 = 4, so the arithmetic is followed); follow-up 2.2 +/- 1.1 years;
12-month change in the 20 completers: mRSS -6.9 +/- 5.9, DAS28 -1.9 +/- 0.8;
HAQ-DI, patient global and pain improve (P < 0.001, paired t and Wilcoxon);
3 patients with lung-function deterioration (OMERACT 'significant' decline
between baseline and last visit, with DLCO); 3 with recurrent digital-ulcer
infections.

Everything else is invented (and only meant to be plausible): the individual
values, baseline levels, the visits after month 12, and the 12-month changes
of HAQ-DI, patient global, pain and physician global, drawn with the spreads
of real cohorts (SD of change ~20 mm for a visual analogue scale, ~0.4 for
HAQ-DI) rather than the narrow ones of the first version.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

import rheumstats as rs

SEED = 20261125
N = 21
CENSOR_DATE = pd.Timestamp("2020-06-30")
OUT = Path(__file__).resolve().parents[1] / "python" / "rheumstats" / "datasets"

SITES = list(rs.scores.MRSS_SITES)
ITEMS = list(rs.scores.HAQ_ITEMS)
PROXIMAL = {"anterior_chest", "abdomen", "upper_arm_right", "upper_arm_left", "thigh_right", "thigh_left"}
DISTAL = [s for s in SITES if s not in PROXIMAL]
# how often a site is involved (weights for distributing a total over sites)
SITE_WEIGHT = {
    "face": 1.0, "anterior_chest": 0.8, "abdomen": 0.6, "upper_arm_right": 0.9, "upper_arm_left": 0.9,
    "forearm_right": 1.3, "forearm_left": 1.3, "hand_right": 1.6, "hand_left": 1.6,
    "fingers_right": 2.0, "fingers_left": 2.0, "thigh_right": 0.5, "thigh_left": 0.5,
    "lower_leg_right": 0.7, "lower_leg_left": 0.7, "foot_right": 0.4, "foot_left": 0.4,
}
# HAQ items per category (2, 2, 3, 2, 3, 2, 3, 3)
CATEGORY_START = [0, 2, 4, 7, 9, 12, 14, 17, 20]
SCHEDULE = [0, 3, 6, 12, 18, 24, 36, 48, 60, 72, 84]
# fraction of the 12-month change reached at each month (before noise)
PROGRESS = {0: 0.0, 3: 0.45, 6: 0.75, 12: 1.0}

PRIOR = {  # prior treatment -> number of patients (published)
    "prior_corticosteroids": 21,
    "prior_methotrexate": 19,
    "prior_cyclophosphamide": 10,
    "prior_mycophenolate": 7,
    "prior_rituximab": 1,
    "prior_leflunomide": 2,
    "prior_hydroxychloroquine": 2,
    "prior_stem_cell_transplant": 2,
}


# ---------------------------------------------------------------------------
# adjust-until-exact: integer hill climbing on mean and SD
# ---------------------------------------------------------------------------
def tune(values, lo, hi, summary, target_mean, target_sd, tol, rng, max_iter=200_000, steps=(1,)):
    """Move integer entries of ``values`` one unit at a time (single or paired
    moves, bounds ``lo``/``hi``) until ``summary(values)`` -> (mean, sd) is within
    ``tol`` of the targets. Deterministic for a given ``rng`` state."""
    v = np.array(values, dtype=np.int64)
    lo, hi = np.asarray(lo), np.asarray(hi)

    def objective(w):
        m, s = summary(w)
        return (m - target_mean) ** 2 + (s - target_sd) ** 2, m, s

    cur, m, s = objective(v)
    for _ in range(max_iter):
        if abs(m - target_mean) < tol and abs(s - target_sd) < tol:
            return v
        w = v.copy()
        i = rng.integers(len(w))
        w[i] += rng.choice([-1, 1]) * steps[rng.integers(len(steps))]
        if rng.random() < 0.5:  # paired move keeps the sum
            j = rng.integers(len(w))
            w[j] -= w[i] - v[i]
        if np.any(w < lo) or np.any(w > hi):
            continue
        o, mm, ss = objective(w)
        if o < cur:
            v, cur, m, s = w, o, mm, ss
    raise RuntimeError(f"tune: no exact solution found (mean {m}, sd {s})")


def mean_sd(w):
    w = np.asarray(w, dtype=float)
    return w.mean(), w.std(ddof=1)


# ---------------------------------------------------------------------------
# patient table
# ---------------------------------------------------------------------------
def make_patients(rng):
    ids = [f"P{i:02d}" for i in range(1, N + 1)]
    order = rng.permutation(N)
    limited = set(order[:5].tolist())
    male = int(order[5])
    # roles (indexes into ids); the 3-month stopper and year-2 stoppers are diffuse
    diffuse_idx = [i for i in order if i not in limited]
    stop3 = int(diffuse_idx[0])
    stop_y2 = [int(i) for i in diffuse_idx[1:4]] + [int(order[1])]  # one limited patient among them
    reasons_y2 = ["cmv_infection", "inefficacy", "death", "inefficacy"]
    months_y2 = [13, 16, 19, 21]

    subset = ["limited" if i in limited else "diffuse" for i in range(N)]
    sex = ["M" if i == male else "F" for i in range(N)]

    short = set(rng.choice(N, 10, replace=False).tolist())
    duration = np.where(
        [i in short for i in range(N)],
        np.round(rng.uniform(0.6, 4.8, N), 1),
        np.round(rng.uniform(5.3, 19.0, N), 1),
    )

    prior = {}
    diffuse_all = [i for i in range(N) if subset[i] == "diffuse"]
    for name, k in PRIOR.items():
        if name in ("prior_cyclophosphamide", "prior_stem_cell_transplant"):
            pool = diffuse_all
        else:
            pool = list(range(N))
        chosen = set(rng.choice(pool, k, replace=False).tolist()) if k < len(pool) else set(pool)
        prior[name] = [i in chosen for i in range(N)]
    # a transplant includes cyclophosphamide conditioning: make those two overlap
    for i in range(N):
        if prior["prior_stem_cell_transplant"][i] and not prior["prior_cyclophosphamide"][i]:
            swap = next(j for j in range(N) if prior["prior_cyclophosphamide"][j] and not prior["prior_stem_cell_transplant"][j])
            prior["prior_cyclophosphamide"][i], prior["prior_cyclophosphamide"][swap] = True, False

    # follow-up in days: fixed windows for the stoppers, tuned for the 16 still on drug
    # (all of them past 2 years, so "16 on drug at 2 years" holds without censoring)
    stopped = np.zeros(N, dtype=bool)
    reason = [""] * N
    stopped[stop3], reason[stop3] = True, "inefficacy"
    for i, why in zip(stop_y2, reasons_y2):
        stopped[i], reason[i] = True, why
    starts = [pd.Timestamp(2014, 1, 1) + pd.Timedelta(days=int(rng.integers(0, 3 * 365))) for _ in range(N)]
    days = np.zeros(N, dtype=np.int64)
    days[stop3] = (starts[stop3] + pd.DateOffset(months=3) - starts[stop3]).days  # stop at the 3-month visit
    for i, mth in zip(stop_y2, months_y2):
        days[i] = int(mth * 30.4375) + int(rng.integers(-10, 10))
    remaining = [i for i in range(N) if not stopped[i]]
    # staggered lower bounds keep the short follow-ups distinct (recruitment over time);
    # the mean and SD then force a long right tail, as in a cohort that kept recruiting
    lo = 735 + 7 * rng.permutation(len(remaining))
    guess = lo + np.round(rng.exponential(200.0, len(remaining))).astype(np.int64)

    def fu_summary(w):
        d = days.astype(float).copy()
        d[remaining] = w
        return mean_sd(d / 365.25)

    days[remaining] = tune(guess, lo, 2300, fu_summary, 2.2, 1.1, 0.01, rng, steps=(1, 7, 30))
    stops = []
    for i in range(N):
        if stopped[i]:
            stops.append(starts[i] + pd.Timedelta(days=int(days[i])))
        else:
            starts[i] = CENSOR_DATE - pd.Timedelta(days=int(days[i]))
            stops.append(pd.NaT)
    followup = np.round(days / (365.25 / 12), 2)

    du = set(rng.choice(N, 3, replace=False).tolist())
    df = pd.DataFrame({
        "patient": ids,
        "sex": sex,
        "subset": subset,
        "disease_duration_years": duration,
        "followup_months": followup,
        "stopped": stopped,
        "stop_reason": [r if r else None for r in reason],
        "start_date": pd.to_datetime(starts),
        "stop_date": pd.to_datetime(stops),
        **prior,
        "recurrent_du_infections": [i in du for i in range(N)],
    })
    # follow-up from dates (what a user computes) is the same figure as months / 12
    end = df["stop_date"].fillna(CENSOR_DATE)
    fu_years = (end - df["start_date"]).dt.days / 365.25
    assert (round(fu_years.mean(), 1), round(fu_years.std(ddof=1), 1)) == (2.2, 1.1), fu_years.describe()
    # lung decliners: the patient who died, one year-2 inefficacy stop, one still on drug
    decliners = [stop_y2[2], stop_y2[1], remaining[int(rng.integers(len(remaining)))]]
    return df, decliners


# ---------------------------------------------------------------------------
# visits
# ---------------------------------------------------------------------------
def spread_sites(total, allowed, rng, must_proximal):
    s = dict.fromkeys(SITES, 0)
    w = np.array([SITE_WEIGHT[a] for a in allowed])
    if must_proximal:
        s[str(rng.choice(sorted(PROXIMAL)))] = 1
    while sum(s.values()) < total:
        k = allowed[rng.choice(len(allowed), p=w / w.sum())]
        if s[k] < 3:
            s[k] += 1
    return s


def move_sites(prev, total, allowed, rng):
    s = dict(prev)
    while sum(s.values()) > total:
        cand = [k for k in SITES if s[k] > 0]
        s[cand[rng.integers(len(cand))]] -= 1
    while sum(s.values()) < total:
        cand = [k for k in allowed if s[k] < 3]
        s[cand[rng.integers(len(cand))]] += 1
    return s


def haq_items(cat_scores, rng):
    items = []
    for c in range(8):
        n = CATEGORY_START[c + 1] - CATEGORY_START[c]
        top = int(cat_scores[c])
        vals = [int(rng.integers(0, top + 1)) for _ in range(n)]
        vals[int(rng.integers(n))] = top
        items.extend(vals)
    return items


def das28(t, s, e, g):
    return rs.scores.das28_esr(np.asarray(t, float), np.asarray(s, float), np.asarray(e, float), np.asarray(g, float))


def make_visits(patients, decliners, rng):
    n = len(patients)
    end = patients["stop_date"].fillna(CENSOR_DATE)
    # months of the scheduled visits that fall on or before the stop / censor date
    visit_months = [
        [m for m in SCHEDULE if patients["start_date"].iloc[i] + pd.DateOffset(months=m) <= end.iloc[i]] for i in range(n)
    ]
    fu = np.array([vm[-1] for vm in visit_months])
    limited = (patients["subset"] == "limited").to_numpy()
    completers = np.flatnonzero(fu >= 12)
    assert len(completers) == 20

    # --- mRSS totals at baseline and 12-month changes (tuned: -6.9 +/- 5.9) ---
    base_mrss = np.where(limited, rng.integers(4, 12, n), rng.integers(15, 34, n))
    d0 = np.where(limited, np.round(rng.normal(-2.0, 1.5, n)), np.round(rng.normal(-8.5, 5.5, n))).astype(np.int64)
    d0 = np.clip(d0, -base_mrss + 2, 5)
    lo = (-base_mrss + 2)[completers]
    hi = np.where(limited, 2, 6)[completers]
    d12 = tune(d0[completers], lo, hi, mean_sd, -6.9, 5.9, 0.006, rng)
    mrss_delta = np.zeros(n, dtype=np.int64)
    mrss_delta[completers] = d12

    # --- DAS28 components at baseline and 12 months (tuned: -1.9 +/- 0.8) ---
    tjc0 = rng.integers(2, 13, n)
    sjc0 = rng.integers(0, 8, n)
    esr0 = rng.integers(14, 65, n)
    pg0 = rng.integers(40, 86, n)
    tjc12 = np.round(tjc0 * rng.uniform(0.2, 0.7, n)).astype(np.int64)
    sjc12 = np.round(sjc0 * rng.uniform(0.1, 0.6, n)).astype(np.int64)
    esr12 = rng.integers(2, 14, n)
    # patient global: 12-month change ~ N(-25, 20) mm (invented; real cohorts have SD ~20 mm for a VAS)
    pg12 = np.clip(pg0 + np.round(rng.normal(-25, 20, n)), 0, 100).astype(np.int64)
    c = completers

    def das_summary(w):
        k = len(c)
        e, g, t = w[:k], w[k:2 * k], w[2 * k:]
        d = das28(t, sjc12[c], e, g) - das28(tjc0[c], sjc0[c], esr0[c], pg0[c])
        return mean_sd(d)

    w0 = np.concatenate([esr12[c], pg12[c], tjc12[c]])
    lo = np.concatenate([np.full(len(c), 2), np.zeros(len(c), int), np.zeros(len(c), int)])
    hi = np.concatenate([np.full(len(c), 30), np.minimum(pg0[c] + 30, 100), tjc0[c]])
    w = tune(w0, lo, hi, das_summary, -1.9, 0.8, 0.005, rng)
    k = len(c)
    esr12[c], pg12[c], tjc12[c] = w[:k], w[k:2 * k], w[2 * k:]

    # --- HAQ category scores, pain, physician global, lung function ---
    level = rng.uniform(0.7, 2.1, n)
    cat0 = np.clip(np.round(level[:, None] + rng.normal(0, 0.6, (n, 8))), 0, 3).astype(np.int64)
    # HAQ-DI: 12-month change in steps of 1/8 (one category one point better), ~ N(-0.45, 0.4) (invented)
    haq_steps = np.round(rng.normal(3.6, 3.2, n)).astype(np.int64)
    # pain ~ N(-26, 20) mm and physician global ~ N(-18, 18) mm over 12 months (invented)
    pain0 = rng.integers(35, 81, n)
    pain12 = np.clip(pain0 + np.round(rng.normal(-26, 23, n)), 0, 100).astype(np.int64)
    md0 = rng.integers(30, 71, n)
    md12 = np.clip(md0 + np.round(rng.normal(-18, 18, n)), 0, 100).astype(np.int64)
    fvc0 = np.round(np.clip(rng.normal(84, 14, n), 52, 118), 1)
    dlco0 = np.round(np.clip(rng.normal(60, 12, n), 34, 92), 1)

    rows = []
    for i in range(n):
        p = patients.iloc[i]
        months = visit_months[i]
        allowed = DISTAL if limited[i] else SITES
        sites = spread_sites(int(base_mrss[i]), allowed, rng, must_proximal=not limited[i])
        decline = i in decliners
        fvc_last = fvc0[i] * (1 - rng.uniform(0.11, 0.18)) if decline else fvc0[i] * (1 + rng.uniform(-0.03, 0.06))
        dlco_last = dlco0[i] * (1 - rng.uniform(0.16, 0.25)) if decline else dlco0[i] * (1 + rng.uniform(-0.08, 0.06))
        # order in which HAQ categories improve
        cat = cat0[i].copy()
        step_order = [j for j in rng.permutation(8) for _ in range(3)]
        stop3 = fu[i] == 3
        late_drift = int(rng.integers(-2, 2))
        for m in months:
            if stop3:  # inefficacy at 3 months: no improvement
                g = 0.0 if m == 0 else -0.2
            else:
                g = PROGRESS.get(m, 1.1)
            if m == 0:
                tot = int(base_mrss[i])
            elif stop3:
                tot = int(base_mrss[i]) + 2
            elif m == 12:
                tot = int(base_mrss[i] + mrss_delta[i])
            else:
                tot = int(round(base_mrss[i] + mrss_delta[i] * g + (late_drift if m > 12 else rng.integers(-1, 2))))
            tot = int(np.clip(tot, 0, 33 if limited[i] else 51))
            if m > 0:
                sites = move_sites(sites, tot, allowed, rng)

            # DAS28 components
            if m == 0:
                t, s, e, pg = tjc0[i], sjc0[i], esr0[i], pg0[i]
            elif m == 12 and not stop3:
                t, s, e, pg = tjc12[i], sjc12[i], esr12[i], pg12[i]
            else:
                gg = max(g, 0.0)
                t = int(round(tjc0[i] + (tjc12[i] - tjc0[i]) * min(gg, 1) + (rng.integers(-1, 2) if m > 0 else 0)))
                s = int(round(sjc0[i] + (sjc12[i] - sjc0[i]) * min(gg, 1)))
                e = int(round(np.exp(np.log(esr0[i]) + (np.log(esr12[i]) - np.log(esr0[i])) * min(gg, 1)) + rng.integers(-2, 3)))
                pg = int(round(pg0[i] + (pg12[i] - pg0[i]) * gg + rng.normal(0, 7)))
                if stop3:
                    t, e, pg = tjc0[i] + 1, esr0[i] + 3, pg0[i] + 5
            t, s = int(np.clip(t, 0, 28)), int(np.clip(s, 0, 28))
            e, pg = int(np.clip(e, 2, 120)), int(np.clip(pg, 0, 100))

            # HAQ: apply a prefix of the improvement steps (negative: the patient got worse)
            nsteps = 0 if (m == 0 or stop3) else int(round(haq_steps[i] * min(g, 1.0))) + (1 if m > 18 and late_drift < 0 else 0)
            cat = cat0[i].copy()
            done = 0
            for j in step_order:
                if done >= abs(nsteps):
                    break
                if nsteps > 0 and cat[j] > 0:
                    cat[j] -= 1
                    done += 1
                elif nsteps < 0 and cat[j] < 3:
                    cat[j] += 1
                    done += 1
            if stop3 and m > 0:
                cat = np.minimum(cat0[i] + (rng.random(8) < 0.25), 3)
            items = haq_items(cat, rng)

            if m == 0:
                pain, md = pain0[i], md0[i]
            elif stop3:
                pain, md = pain0[i] + 4, md0[i] + 6
            else:
                pain = pain0[i] + (pain12[i] - pain0[i]) * g + (0 if m == 12 else rng.normal(0, 7))
                md = md0[i] + (md12[i] - md0[i]) * g + (0 if m == 12 else rng.normal(0, 6))
            pain, md = int(np.clip(round(pain), 0, 100)), int(np.clip(round(md), 0, 100))

            frac = m / months[-1] if months[-1] > 0 else 0.0
            if m == months[-1] and m > 0:
                fvc, dlco = fvc_last, dlco_last
            else:
                fvc = fvc0[i] + (fvc_last - fvc0[i]) * frac + (rng.normal(0, 1.2) if m > 0 else 0)
                dlco = dlco0[i] + (dlco_last - dlco0[i]) * frac + (rng.normal(0, 1.5) if m > 0 else 0)

            rows.append({
                "patient": p["patient"], "month": m,
                "date": (p["start_date"] + pd.DateOffset(months=m)).date().isoformat(),
                "tjc28": t, "sjc28": s, "esr": e,
                "fvc_pct": round(float(fvc), 1), "dlco_pct": round(float(dlco), 1),
                "patient_global": pg, "physician_global": md, "pain": pain,
                **sites, **dict(zip(ITEMS, items)),
            })
    v = pd.DataFrame(rows)
    v["mrss"] = rs.scores.mrss(v[SITES])
    v["haq_di"] = rs.scores.haq_di(v[ITEMS])
    v["das28"] = rs.scores.das28_esr(v["tjc28"], v["sjc28"], v["esr"], v["patient_global"])
    front = ["patient", "month", "date", "mrss", "das28", "tjc28", "sjc28", "esr", "fvc_pct", "dlco_pct", "haq_di",
             "patient_global", "physician_global", "pain"]
    return v[front + SITES + ITEMS]


# ---------------------------------------------------------------------------
# checks of every published figure (the test suite repeats them on the CSVs)
# ---------------------------------------------------------------------------
def check(patients, visits):
    from scipy import stats

    assert len(patients) == 21 and (patients["sex"] == "F").sum() == 20
    assert (patients["subset"] == "diffuse").sum() == 16
    assert (patients["disease_duration_years"] < 5).sum() == 10
    for name, k in PRIOR.items():
        assert patients[name].sum() == k, name
    b = visits[visits["month"] == 0].set_index("patient")
    f = visits[visits["month"] == 12].set_index("patient")
    assert len(f) == 20
    b = b.loc[f.index]
    for col, (mu, sd) in {"mrss": (-6.9, 5.9), "das28": (-1.9, 0.8)}.items():
        d = f[col] - b[col]
        assert (round(d.mean(), 1), round(d.std(ddof=1), 1)) == (mu, sd), (col, d.mean(), d.std(ddof=1))
    for col in ("haq_di", "patient_global", "pain"):
        pt = stats.ttest_rel(f[col], b[col]).pvalue
        pw = stats.wilcoxon(f[col], b[col]).pvalue
        assert pt < 1e-3 and pw < 1e-3 and (f[col] - b[col]).mean() < 0, (col, pt, pw)
    last = visits.groupby("patient").tail(1).set_index("patient")
    base = visits[visits["month"] == 0].set_index("patient").loc[last.index]
    cat = rs.ssc.lung_decline(base["fvc_pct"], last["fvc_pct"], base["dlco_pct"], last["dlco_pct"], definition="omeract")
    assert (cat == "significant").sum() == 3 and (cat == "marginal").sum() == 0
    assert patients["recurrent_du_infections"].sum() == 3
    assert (rs.scores.skin_subset(b[SITES]) == patients.set_index("patient").loc[b.index, "subset"]).all()


def main() -> int:
    rng = np.random.default_rng(SEED)
    patients, decliners = make_patients(rng)
    visits = make_visits(patients, decliners, rng)
    check(patients, visits)
    out_p = patients.copy()
    out_p["start_date"] = out_p["start_date"].dt.date.astype(str)
    out_p["stop_date"] = out_p["stop_date"].dt.strftime("%Y-%m-%d")
    out_p.to_csv(OUT / "tocilizumab_ssc_patients.csv", index=False)
    visits.to_csv(OUT / "tocilizumab_ssc_visits.csv", index=False)
    print(f"wrote {len(patients)} patients, {len(visits)} visits to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
