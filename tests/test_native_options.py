"""Every string option of the native module goes through one extractor
(`Wrap<T>` in src/python/convert.rs): an unknown value is an
InvalidInputError (a ValueError) whose `.arg` is the option and whose message
lists the allowed values in one wording; a non-string is a TypeError; the
documented aliases are accepted; nothing falls back silently."""

import numpy as np
import pytest

from rheumstats import InvalidInputError
from rheumstats import _rheumstats as n

V = np.array([1.0, 2.0, 3.0, 4.0, 6.0])
M = V.reshape(1, -1)
I = np.array([0, 0, 1, 1, 2], dtype=np.int64)
COLS7 = [V] * 7

# (name, call taking the option as keyword, option, allowed values as the message lists them)
CASES = [
    ("scores_mrss", lambda **o: n.scores_mrss(np.ones((2, 17)), **o), "nan_policy", "'propagate', 'omit', 'raise'"),
    ("scores_das28", lambda **o: n.scores_das28(tjc=V, sjc=V, apr=V, patient_global=None, nan_policy="propagate", **o), "kind", "'esr', 'crp'"),
    ("scores_activity_category", lambda **o: n.scores_activity_category(V, nan_policy="propagate", **o), "index", "'cdai', 'sdai'"),
    ("scores_acr_response", lambda **o: n.scores_acr_response(COLS7, COLS7, level=20.0, nan_policy="propagate", **o), "apr", "'esr', 'crp'"),
    ("scores_haq_di", lambda **o: n.scores_haq_di(np.zeros((2, 20)), None, [], None, [], nan_policy="propagate", **o), "method", "'aids', 'no_aids'"),
    ("scores_shaq_scale", lambda **o: n.scores_shaq_scale("pain", V, nan_policy="propagate", **o), "unit", "'mm', 'cm'"),
    ("ssc_lung_decline", lambda **o: n.ssc_lung_decline(V, V, None, None, nan_policy="propagate", **o), "definition", "'omeract', 'ppf2022'"),
    ("ssc_mcid_response", lambda **o: n.ssc_mcid_response(baseline=V, followup=V, threshold=None, nan_policy="propagate", **o), "measure", "'mrss', 'haq_di', 'fvc_pct', 'das28'"),
    ("paired_ttest", lambda **o: n.paired_ttest(M, None, conf_level=0.95, popmean=0.0, nan_policy="omit", strict=True, **o), "alternative", "'two-sided', 'less', 'greater'"),
    (
        "paired_wilcoxon",
        lambda **o: n.paired_wilcoxon(
            M, None, alternative="two-sided", zero_method="wilcox", correction=True, conf_level=0.95, popmean=0.0, conf_int=True,
            nan_policy="omit", strict=True, **o,
        ),
        "method",
        "'auto', 'exact', 'approx' ('asymptotic' is accepted for 'approx')",
    ),
    (
        "paired_wilcoxon",
        lambda **o: n.paired_wilcoxon(
            M, None, alternative="two-sided", method="auto", correction=True, conf_level=0.95, popmean=0.0, conf_int=True,
            nan_policy="omit", strict=True, **o,
        ),
        "zero_method",
        "'wilcox', 'pratt', 'zsplit'",
    ),
    (
        "paired_permutation_test",
        lambda **o: n.paired_permutation_test(M, None, alternative="two-sided", n_resamples=None, seed=0, popmean=0.0, nan_policy="omit", strict=True, **o),
        "statistic",
        "'mean', 'median'",
    ),
    (
        "paired_bootstrap",
        lambda **o: n.paired_bootstrap(
            M, None, statistic="mean", n_resamples=99, conf_level=0.95, seed=0, endpoint_offset=0, nan_policy="omit", strict=True, **o
        ),
        "method",
        "'bca', 'percentile', 'basic'",
    ),
    ("paired_mcnemar", lambda **o: n.paired_mcnemar(V, V, exact=None, correction=True, **o), "nan_policy", "'propagate', 'omit', 'raise'"),
    (
        "multitest_adjust",
        lambda **o: n.multitest_adjust(np.array([0.1, 0.2]), **o),
        "method",
        "'bonferroni', 'holm', 'hochberg', 'hommel', 'bh', 'by', 'none'"
        " ('fdr' is accepted for 'bh', 'fdr_bh' is accepted for 'bh', 'fdr_by' is accepted for 'by')",
    ),
    ("survival_km", lambda **o: n.survival_km(V, V, None, conf_level=0.95, nan_policy="propagate", **o), "conf_type", "'log-log', 'log', 'plain'"),
    ("survival_coxph", lambda **o: n.survival_coxph(V, V, M.T.copy(), None, max_iter=20, conf_level=0.95, **o), "ties", "'efron', 'breslow'"),
    ("groups_ttest", lambda **o: n.groups_ttest(V, V, equal_var=False, alternative="two-sided", conf_level=0.95, **o), "nan_policy", "'propagate', 'omit', 'raise'"),
    (
        "groups_mannwhitney",
        lambda **o: n.groups_mannwhitney(V, V, alternative="two-sided", correction=True, conf_level=0.95, conf_int=True, nan_policy="omit", **o),
        "method",
        "'auto', 'exact', 'approx' ('asymptotic' is accepted for 'approx')",
    ),
    ("groups_kruskal", lambda **o: n.groups_kruskal(V, V, **o), "nan_policy", "'propagate', 'omit', 'raise'"),
    ("groups_fisher_exact", lambda **o: n.groups_fisher_exact(np.ones((2, 2)), conf_level=0.95, **o), "alternative", "'two-sided', 'less', 'greater'"),
    ("safety_rate_ratio", lambda **o: n.safety_rate_ratio((1.0, 2.0), (3.0, 4.0), conf_level=0.95, **o), "alternative", "'two-sided', 'less', 'greater'"),
    (
        "mmrm_fit",
        lambda **o: n.mmrm_fit(V, V, 1, I, I, I, 3, 3, reml=True, kr=None, kr_expected=False, **o),
        "covariance",
        "'us', 'cs', 'csh', 'ar1', 'ar1h', 'toep', 'toeph', 'ad', 'adh'",
    ),
    (
        "mmrm_fit",
        lambda **o: n.mmrm_fit(V, V, 1, I, I, I, 3, 3, covariance="us", reml=True, kr_expected=False, kr=o["ddf"]),
        "ddf",
        "'kenward-roger', 'kenward-roger-linear'",
    ),
    ("repeated_per_subject", lambda **o: n.repeated_per_subject(I, 0, 3, V, M.T.copy(), normalise=False, nan_policy="omit", **o), "what", "'auc', 'slopes'"),
    (
        "repeated_test",
        lambda **o: n.repeated_test(I, 0, 3, V, M.T.copy(), alternative="two-sided", nan_policy="omit", **o),
        "test",
        "'friedman', 'cochran_q', 'skillings_mack', 'page_trend'",
    ),
    ("dask_survival_km", lambda **o: n.dask_survival_km(V, np.zeros((5, 2)), 1, conf_level=0.95, **o), "conf_type", "'log-log', 'log', 'plain'"),
    ("DaskCoxNewton", lambda **o: n.DaskCoxNewton(1, max_iter=20, conf_level=0.95, **o), "ties", "'efron', 'breslow'"),
]
IDS = [f"{name}-{option}" for name, _, option, _ in CASES]


@pytest.mark.parametrize("name,call,option,allowed", CASES, ids=IDS)
def test_an_unknown_value_names_the_option_and_the_allowed_values(name, call, option, allowed):
    with pytest.raises(InvalidInputError) as err:
        call(**{option: "bogus"})
    assert isinstance(err.value, ValueError)
    assert str(err.value) == f"{option}: 'bogus' is not one of {allowed}"
    assert err.value.arg == option


@pytest.mark.parametrize("name,call,option,allowed", CASES, ids=IDS)
def test_a_non_string_is_a_type_error_naming_the_option(name, call, option, allowed):
    with pytest.raises(TypeError, match=f"^{option}: expected one of "):
        call(**{option: 1})


def test_documented_aliases_are_accepted():
    x = np.array([[1.0, -2.0, 3.5, 4.0, 5.5, -0.5, 7.0, 8.5]])
    common = dict(alternative="two-sided", zero_method="wilcox", correction=True, conf_level=0.95, popmean=0.0, conf_int=False, nan_policy="omit", strict=True)
    a = n.paired_wilcoxon(x, None, method="asymptotic", **common)
    b = n.paired_wilcoxon(x, None, method="approx", **common)
    assert a["pvalue"][0] == b["pvalue"][0]
    p = np.array([0.01, 0.04, 0.03, 0.2])
    np.testing.assert_array_equal(n.multitest_adjust(p, method="fdr_bh"), n.multitest_adjust(p, method="bh"))
    np.testing.assert_array_equal(n.multitest_adjust(p, method="BH"), n.multitest_adjust(p, method="bh"))


def test_reactant_and_index_do_not_fall_back():
    # 'crp' and 'sdai' are accepted, anything else raises (was: kind != 'esr' -> CRP, index != 'sdai' -> CDAI)
    for kind in ("CRP", "esr ", ""):
        with pytest.raises(InvalidInputError, match="kind"):
            n.scores_das28(kind, V, V, V, None, nan_policy="propagate")
    for index in ("SDAI", "das28"):
        with pytest.raises(InvalidInputError, match="index"):
            n.scores_activity_category(V, index, nan_policy="propagate")
    with pytest.raises(InvalidInputError, match="apr"):
        n.scores_acr_response(COLS7, COLS7, apr="ESR", level=20.0, nan_policy="propagate")
