"""Latency: the call an analyst types, cold and at small n.

* Cold-call rows: a 50 ms sleep before each timed call (the thread pool and
  caches idle, as before the first call of a notebook cell); compare each with
  its warm row of the domain file (same data, same call).
* Small-n rows: one test on n = 20 (survival: n = 21), as run thousands of
  times over endpoints x subgroups x visits; the per-call overhead (input
  checks, result construction) is what is timed. Each sample times ``number``
  calls in a row (time per call reported). Every public call of
  ``rs.paired``, ``rs.groups``, ``rs.survival`` and ``rs.safety`` that has a
  scipy / statsmodels / lifelines twin has a row, and each row checks that both
  sides agree (Monte Carlo rows: within the resampling error).

Public calls without a row, and why:

* ``paired.compare``, ``groups.compare_subgroups``: batch wrappers (a table of
  t / Wilcoxon / ... tests over endpoint columns or subgroups); the twin is a
  loop of the single calls timed here.
* ``survival.retention``, ``safety.exposure``: date handling on a DataFrame
  (start/stop dates, censoring date, reasons) before a curve or a rate; no
  library computes the same from the same input (pandas code, not a call).
* Wilcoxon / Mann-Whitney Hodges-Lehmann CIs, sign-test CI: no scipy twin (the
  rows time our default call, CI included, against scipy's test without one).
* Fisher r x c exact: scipy's r x c ``fisher_exact`` is Monte Carlo only, so
  the r x c row compares our Monte Carlo p (``n_resamples``) with it.
* ``logrank`` with ``strata`` or ``rho``, Gray's test
  (``cumulative_incidence(...).test()``): lifelines has no stratified or
  G-rho log-rank and no Gray test (R ``survival`` / ``cmprsk`` are the
  references in tests/reference).
* Friedman is in ``rs.longitudinal`` (outside these four modules).
"""

import numpy as np
from scipy import stats

import rheumstats as rs
from workloads import Workload
from workloads.survival import _aj_lifelines, _check_aj  # the same peer call and check as the 100k row

COLD = 0.05


def _matrix(quick: bool):
    m, n = (2_000, 200) if quick else (20_000, 200)
    rng = np.random.default_rng(1)
    x = rng.normal(50, 10, (m, n))
    return x, x + rng.normal(0.5, 3, (m, n))


def _mw_matrix(quick: bool):
    k = 2_000 if quick else 20_000
    rng = np.random.default_rng(11)
    return rng.normal(0.0, 1.0, (100, k)), rng.normal(0.2, 1.0, (100, k))


def _small(quick: bool):
    rng = np.random.default_rng(5)
    x = rng.normal(50, 10, 20)
    return x, x + rng.normal(2, 4, 20)


def _small_surv(quick: bool):
    rng = np.random.default_rng(6)
    t = rng.exponential(5, 21).round(2) + 0.01
    e = (rng.random(21) < 0.7).astype(float)
    g = np.arange(21) % 2
    return t, e, g


def _p(ours, peer):
    np.testing.assert_allclose(ours.pvalue, peer.pvalue, rtol=1e-6)


def _p_mc(ours, peer):
    """Two Monte Carlo p-values of 9,999 resamples each: within 0.03 (> 5 standard errors)."""
    assert abs(ours.pvalue - peer.pvalue) < 0.03, (ours.pvalue, peer.pvalue)


def _stat_p(ours, peer):
    np.testing.assert_allclose([ours.statistic, ours.pvalue], [peer.statistic, peer.pvalue], rtol=1e-6)


def _sm_mcnemar(table, **kw):
    from statsmodels.stats.contingency_tables import mcnemar

    return mcnemar(table, **kw)


def _bools(quick: bool):
    # b = 2, c = 6 discordant pairs (with b == c, R and we drop the continuity
    # correction, statsmodels keeps it: the chi-squared rows would differ)
    rng = np.random.default_rng(10)
    x = rng.random(20) < 0.5
    return x, np.where(rng.random(20) < 0.3, ~x, x)


def _table2(x, y):
    """The 2 x 2 table statsmodels takes (rows x, columns y)."""
    return np.bincount(2 * x.astype(np.int64) + y.astype(np.int64), minlength=4).reshape(2, 2)


def _cats(quick: bool):
    rng = np.random.default_rng(8)
    x = rng.integers(0, 3, 20)
    return x, np.where(rng.random(20) < 0.6, x, rng.integers(0, 3, 20))


def _square(d):
    from statsmodels.stats.contingency_tables import SquareTable

    return SquareTable(np.bincount(3 * d[0] + d[1], minlength=9).reshape(3, 3), shift_zeros=False).homogeneity()


def _three(quick: bool):
    """Three groups of 7, 7 and 6: long form (values, labels) for us, the groups for scipy."""
    rng = np.random.default_rng(9)
    v = rng.normal(50, 10, 20) + np.repeat([0.0, 3.0, 6.0], [7, 7, 6])
    g = np.repeat([0, 1, 2], [7, 7, 6])
    return v, g, [v[g == k] for k in range(3)]


T22 = np.array([[7, 3], [2, 8]])
T33 = np.array([[4, 2, 1], [1, 5, 2], [0, 2, 3]])


def _boot_ci(ours, peer):
    """Two BCa bootstraps of 9,999 resamples: each limit within 10% of the CI's width."""
    lo, hi = ours.confidence_interval()
    w = hi - lo
    assert abs(lo - peer.confidence_interval.low) < 0.1 * w and abs(hi - peer.confidence_interval.high) < 0.1 * w


def _rates(quick: bool):
    rng = np.random.default_rng(10)
    return rng.poisson(1.0, 20).astype(float), rng.uniform(0.5, 2.0, 20), np.arange(20) % 2


def _ir_scalar_peer(d):
    from statsmodels.stats.rates import confint_poisson

    return np.asarray(confint_poisson(12, 310.0, method="exact-c")) * 100


def _ir_group_peer(d):
    from statsmodels.stats.rates import confint_poisson

    ev, ex, g = d
    return [np.asarray(confint_poisson(ev[g == k].sum(), ex[g == k].sum(), method="exact-c")) * 100 for k in (0, 1)]


def _check_ir(ours, peer):
    np.testing.assert_allclose(ours[["ci_low", "ci_high"]].to_numpy().ravel(), np.ravel(peer), rtol=1e-8)


def _rr_peer(alternative):
    def peer(d):
        from statsmodels.stats.rates import test_poisson_2indep

        return test_poisson_2indep(12, 310.0, 5, 295.0, method="exact-cond", alternative=alternative)

    return peer


def _cr_data(quick: bool):
    rng = np.random.default_rng(12)
    return rng.exponential(5, 21) + 0.01, rng.integers(0, 3, 21)  # distinct times (lifelines jitters ties)


def _cox_data(quick: bool):
    import pandas as pd

    t, e, g = _small_surv(quick)
    rng = np.random.default_rng(13)
    return pd.DataFrame({"time": t, "status": e, "x1": rng.normal(size=21), "x2": g.astype(float)})


def _cox_lifelines(df):
    from lifelines import CoxPHFitter

    return CoxPHFitter().fit(df, "time", "status")


def _check_cox(ours, peer):
    # lifelines stops its Newton iterations at a looser tolerance than R's (ours)
    np.testing.assert_allclose(ours.summary["coef"].to_numpy(), peer.params_.to_numpy(), rtol=1e-5, atol=1e-6)


def _km_two(d):
    from lifelines import KaplanMeierFitter

    return [KaplanMeierFitter().fit(d[0][d[2] == k], d[1][d[2] == k]).survival_function_ for k in (0, 1)]


def _check_km(ours, peer):
    tab = ours.table
    for k, s in enumerate(peer if isinstance(peer, list) else [peer]):
        sub = tab[tab["group"] == k] if "group" in tab else tab
        s = s.iloc[:, 0]
        np.testing.assert_allclose(sub["survival"].to_numpy(), s[s.index > 0].to_numpy(), rtol=1e-10)


def _check_lr(ours, peer):
    np.testing.assert_allclose([ours.statistic, ours.pvalue], [peer.test_statistic, peer.p_value], rtol=1e-8)


def _km_lifelines(d):
    from lifelines import KaplanMeierFitter

    return KaplanMeierFitter().fit(d[0], d[1]).survival_function_


def _lr_lifelines(d):
    from lifelines.statistics import logrank_test

    a = d[2] == 0
    return logrank_test(d[0][a], d[0][~a], d[1][a], d[1][~a])


WORKLOADS = [
    Workload(
        name="cold: paired t, 20,000 x 200",
        setup=_matrix,
        ours=lambda d: rs.paired.ttest(d[0], d[1], axis=1),
        peer=lambda d: stats.ttest_rel(d[1], d[0], axis=1),
        peer_name="scipy ttest_rel(axis=1)",
        pause=COLD,
    ),
    Workload(
        name="cold: Wilcoxon no HL, 20,000 x 200",
        setup=_matrix,
        ours=lambda d: rs.paired.wilcoxon(d[0], d[1], axis=1, method="approx", correction=False, conf_int=False),
        peer=lambda d: stats.wilcoxon(d[1], d[0], axis=1, method="asymptotic", correction=False),
        peer_name="scipy wilcoxon(axis=1)",
        pause=COLD,
    ),
    Workload(
        name="cold: Mann-Whitney no HL, 20,000 x (100+100)",
        setup=_mw_matrix,
        ours=lambda d: rs.groups.mannwhitney(d[0], d[1], conf_int=False),
        peer=lambda d: stats.mannwhitneyu(d[0], d[1], axis=0, method="asymptotic"),
        peer_name="scipy mannwhitneyu(axis=0)",
        pause=COLD,
    ),
    Workload(
        name="small n=20: paired t",
        setup=_small,
        ours=lambda d: rs.paired.ttest(d[0], d[1]),
        peer=lambda d: stats.ttest_rel(d[1], d[0]),
        peer_name="scipy ttest_rel",
        goal=2,
        check=_p,
        repeats=200,
        number=200,
    ),
    Workload(
        name="small n=20: Wilcoxon (default, HL CI)",
        setup=_small,
        ours=lambda d: rs.paired.wilcoxon(d[0], d[1]),
        peer=lambda d: stats.wilcoxon(d[1], d[0]),
        peer_name="scipy wilcoxon (no CI)",
        goal=2,
        check=_p,
        repeats=200,
        number=200,
    ),
    Workload(
        name="small n=20: sign test",
        setup=_small,
        ours=lambda d: rs.paired.sign_test(d[0], d[1]),
        peer=lambda d: stats.binomtest(int(np.sum(d[1] > d[0])), int(np.sum(d[1] != d[0]))),
        peer_name="scipy binomtest",
        goal=2,
        check=_p,
        repeats=200,
        number=200,
    ),
    Workload(
        name="small n=20: two-sample t",
        setup=_small,
        ours=lambda d: rs.groups.ttest(d[0], d[1]),
        peer=lambda d: stats.ttest_ind(d[0], d[1], equal_var=False),
        peer_name="scipy ttest_ind(Welch)",
        goal=2,
        check=_p,
        repeats=200,
        number=200,
    ),
    Workload(
        name="small n=20: Mann-Whitney (default, HL CI)",
        setup=_small,
        ours=lambda d: rs.groups.mannwhitney(d[0], d[1]),
        peer=lambda d: stats.mannwhitneyu(d[0], d[1], method="exact"),
        peer_name="scipy mannwhitneyu (no CI)",
        goal=2,
        check=_p,
        repeats=200,
        number=200,
    ),
    Workload(
        name="small n=20: rate ratio",
        setup=lambda q: ((12, 5), (310.0, 295.0)),
        ours=lambda d: rs.safety.rate_ratio(d[0], d[1]),
        peer=lambda d: stats.poisson_means_test(d[0][0], d[1][0], d[0][1], d[1][1]),
        peer_name="scipy poisson_means_test",
        goal=2,
        repeats=200,
        number=200,
    ),
    Workload(
        name="small n=21: Kaplan-Meier",
        setup=_small_surv,
        ours=lambda d: rs.survival.kaplan_meier(d[0], d[1]),
        peer=_km_lifelines,
        peer_name="lifelines KaplanMeierFitter",
        goal=2,
        check=_check_km,
        requires=("lifelines",),
        repeats=100,
        number=50,
    ),
    Workload(
        name="small n=21: log-rank",
        setup=_small_surv,
        ours=lambda d: rs.survival.logrank(d[0], d[1], d[2]),
        peer=_lr_lifelines,
        peer_name="lifelines logrank_test",
        goal=2,
        check=_check_lr,
        requires=("lifelines",),
        repeats=100,
        number=50,
    ),
]


def _small_row(name, setup, ours, peer, peer_name, check, number=200, requires=()):
    return Workload(name=name, setup=setup, ours=ours, peer=peer, peer_name=peer_name, goal=2, check=check, requires=requires, repeats=200, number=number)


_SM = ("statsmodels",)
_LL = ("lifelines",)

WORKLOADS += [
    # rs.paired
    _small_row("small n=20: one-sample t", _small, lambda d: rs.paired.ttest(d[0], popmean=50), lambda d: stats.ttest_1samp(d[0], 50), "scipy ttest_1samp", _p),
    _small_row("small n=20: Wilcoxon, no HL CI", _small, lambda d: rs.paired.wilcoxon(d[0], d[1], conf_int=False), lambda d: stats.wilcoxon(d[1], d[0]), "scipy wilcoxon", _p),
    _small_row(
        "small n=20: McNemar (exact)", _bools, lambda d: rs.paired.mcnemar(d[0], d[1]),
        lambda d: _sm_mcnemar(_table2(d[0], d[1]), exact=True), "statsmodels mcnemar(exact)", _p, requires=_SM,
    ),
    _small_row(
        "small n=20: McNemar (chi-squared)", _bools, lambda d: rs.paired.mcnemar(d[0], d[1], method="approx"),
        lambda d: _sm_mcnemar(_table2(d[0], d[1]), exact=False, correction=True), "statsmodels mcnemar", _stat_p, requires=_SM,
    ),
    _small_row("small n=20: Stuart-Maxwell 3 categories", _cats, lambda d: rs.paired.stuart_maxwell(d[0], d[1]), _square, "statsmodels SquareTable", _stat_p, requires=_SM),
    _small_row(
        "small n=20: permutation test, 9,999 resamples", _small, lambda d: rs.paired.permutation_test(d[0], d[1], n_resamples=9999, seed=1),
        lambda d: stats.permutation_test((d[1] - d[0],), np.mean, permutation_type="samples", n_resamples=9999, vectorized=True, rng=1),
        "scipy permutation_test", _p_mc, number=5,
    ),
    _small_row(
        "small n=20: bootstrap BCa, 9,999 resamples", _small, lambda d: rs.paired.bootstrap_ci(d[0], d[1], n_resamples=9999, seed=1),
        lambda d: stats.bootstrap((d[1] - d[0],), np.mean, method="BCa", n_resamples=9999, rng=1), "scipy bootstrap", _boot_ci, number=5,
    ),
    # rs.groups
    _small_row("small n=20: Student t", _small, lambda d: rs.groups.ttest(d[0], d[1], equal_var=True), lambda d: stats.ttest_ind(d[0], d[1]), "scipy ttest_ind", _p),
    _small_row("small n=20: Mann-Whitney, no HL CI", _small, lambda d: rs.groups.mannwhitney(d[0], d[1], conf_int=False), lambda d: stats.mannwhitneyu(d[0], d[1], method="exact"), "scipy mannwhitneyu", _p),
    _small_row("small n=20: one-way ANOVA, 3 groups", _three, lambda d: rs.groups.anova_oneway(d[0], d[1]), lambda d: stats.f_oneway(*d[2]), "scipy f_oneway", _stat_p),
    _small_row("small n=20: Kruskal-Wallis, 3 groups", _three, lambda d: rs.groups.kruskal(d[0], d[1]), lambda d: stats.kruskal(*d[2]), "scipy kruskal", _stat_p),
    _small_row("small: chi-squared 2x2 (Yates)", lambda q: T22, lambda d: rs.groups.chisq(d), lambda d: stats.chi2_contingency(d), "scipy chi2_contingency", _stat_p),
    _small_row("small: chi-squared 3x3", lambda q: T33, lambda d: rs.groups.chisq(d), lambda d: stats.chi2_contingency(d), "scipy chi2_contingency", _stat_p),
    _small_row("small: Fisher exact 2x2", lambda q: T22, lambda d: rs.groups.fisher_exact(d), lambda d: stats.fisher_exact(d), "scipy fisher_exact", _p),
    _small_row(
        "small: Fisher 3x3, Monte Carlo 9,999", lambda q: T33, lambda d: rs.groups.fisher_exact(d, n_resamples=9999, seed=1),
        lambda d: stats.fisher_exact(d), "scipy fisher_exact (r x c: MC)", _p_mc, number=5,
    ),
    # rs.survival
    _small_row("small n=21: Kaplan-Meier, 2 groups", _small_surv, lambda d: rs.survival.kaplan_meier(d[0], d[1], d[2]), _km_two, "lifelines KaplanMeierFitter x2", _check_km, number=50, requires=_LL),
    _small_row("small n=21: Aalen-Johansen, 2 causes", _cr_data, lambda d: rs.survival.cumulative_incidence(d[0], d[1]), _aj_lifelines, "lifelines AalenJohansenFitter", _check_aj, number=20, requires=_LL),
    _small_row("small n=21: Cox, 2 covariates", _cox_data, lambda d: rs.survival.coxph(d, "time", "status", ["x1", "x2"]), _cox_lifelines, "lifelines CoxPHFitter", _check_cox, number=10, requires=_LL),
    # rs.safety
    _small_row("small: incidence rate, one rate", lambda q: None, lambda d: rs.safety.incidence_rate(12, 310.0), _ir_scalar_peer, "statsmodels confint_poisson", _check_ir, requires=_SM),
    _small_row("small n=20: incidence rate by group", _rates, lambda d: rs.safety.incidence_rate(d[0], d[1], group=d[2]), _ir_group_peer, "statsmodels confint_poisson x2", _check_ir, requires=_SM),
    _small_row("small: rate ratio, exact conditional", lambda q: None, lambda d: rs.safety.rate_ratio((12, 5), (310.0, 295.0)), _rr_peer("two-sided"), "statsmodels test_poisson_2indep", _p, requires=_SM),
    _small_row(
        "small: rate ratio, one-sided", lambda q: None, lambda d: rs.safety.rate_ratio((12, 5), (310.0, 295.0), alternative="greater"),
        _rr_peer("larger"), "statsmodels test_poisson_2indep", _p, requires=_SM,
    ),
]
