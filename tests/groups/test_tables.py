"""rs.groups.chisq / fisher_exact against R chisq.test / fisher.test
(tests/reference/groups/tables.R -> tables.json)."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import rheumstats as rs

REF = json.loads((Path(__file__).parents[1] / "reference" / "groups" / "tables.json").read_text())
EXACT_RTOL = 1e-10  # exact p-values and closed forms
ROOT_RTOL = 1e-8  # MLE / CI limits vs fisher.test run with uniroot(tol = 1e-13)
ALTS = {"two.sided": "two-sided", "less": "less", "greater": "greater"}


def num(v):
    return float(v)


@pytest.mark.parametrize("name", list(REF["two_by_two"]))
@pytest.mark.parametrize("alt", list(ALTS))
def test_fisher_2x2_matches_r(name, alt):
    d = REF["two_by_two"][name]
    e = d[alt]
    r = rs.groups.fisher_exact(np.array(d["table"]), alternative=ALTS[alt])
    assert r.pvalue == pytest.approx(e["p_value"], rel=EXACT_RTOL)
    assert r.estimate == pytest.approx(num(e["estimate_refined"]), rel=ROOT_RTOL)
    # R's default uniroot tolerance (~1.2e-4) separates its printed values from ours
    assert r.estimate == pytest.approx(num(e["estimate"]), rel=1e-2)
    lo, hi = r.confidence_interval()
    assert lo == pytest.approx(num(e["conf_int_refined"][0]), rel=ROOT_RTOL, abs=1e-12)
    assert hi == pytest.approx(num(e["conf_int_refined"][1]), rel=ROOT_RTOL)
    if alt == "two.sided":
        lo90, hi90 = r.confidence_interval(0.9)
        assert lo90 == pytest.approx(num(d["conf_int_refined_90"][0]), rel=ROOT_RTOL, abs=1e-12)
        assert hi90 == pytest.approx(num(d["conf_int_refined_90"][1]), rel=ROOT_RTOL)


@pytest.mark.parametrize("name", ["r2x3", "r3x3", "r3x4", "r4x4"])
def test_fisher_rxc_matches_r(name):
    d = REF["rxc"][name]
    r = rs.groups.fisher_exact(pd.DataFrame(d["table"]))
    assert r.pvalue == pytest.approx(d["fisher_p"], rel=EXACT_RTOL)
    assert np.isnan(r.estimate)
    with pytest.raises(ValueError, match="2 x 2"):
        r.confidence_interval()


def test_fisher_rxc_5x5_total_195_matches_r():
    # R fisher.test(workspace = 2e8) took 723 s on this table (tables.R). R's FEXACT
    # (Algorithm 643) merges past log-probabilities within a 3.45e-7 tolerance, so its
    # value is itself only good to ~1e-7 relative: we agree to 2.2e-7 (tolerance 1e-6);
    # the exact summation is checked against a full listing of tables below.
    d = REF["rxc"]["r5x5_n200"]
    r = rs.groups.fisher_exact(np.array(d["table"]))
    assert r.pvalue == pytest.approx(d["fisher_p"], rel=1e-6)


COHORT = json.loads((Path(__file__).parents[1] / "reference" / "groups" / "fisher_rxc_cohort.json").read_text())


# the tables R finished (fisher_rxc_cohort.R records an error for one it cannot)
COHORT_DONE = [k for k, v in COHORT.items() if isinstance(v, dict) and "fisher_p" in v]


def test_fisher_rxc_cohort_reference_is_there():
    assert "sparse_assoc_n200" in COHORT_DONE


@pytest.mark.parametrize("name", COHORT_DONE)
def test_fisher_rxc_cohort_tables_match_r(name):
    # 5 x 5 tables with association (tests/reference/groups/fisher_rxc_cohort.R): R's
    # FEXACT value is good to ~1e-7 relative (see the 5 x 5 total 195 case above)
    d = COHORT[name]
    r = rs.groups.fisher_exact(np.array(d["table"]))
    assert r.pvalue == pytest.approx(d["fisher_p"], rel=1e-6)


def _fisher_by_listing(t):
    # every table with the margins of t, cell by cell (row-major); R's rule:
    # sum of P(T) over P(T) <= P(obs) (1 + 1e-7); math.fsum for an exact-rounded sum
    t = np.asarray(t, dtype=int)
    r, c = t.shape
    rows, cols = list(t.sum(1)), list(t.sum(0))
    n = int(t.sum())
    k = sum(math.lgamma(v + 1) for v in rows + cols) - math.lgamma(n + 1)

    def lnp(cells):
        return k - sum(math.lgamma(v + 1) for v in cells)

    probs = []

    def rec(i, cells):
        if i == r * c:
            probs.append(math.exp(lnp(cells)))
            return
        a, b = divmod(i, c)
        if b == c - 1:
            choices = [rows[a]]
        elif a == r - 1:
            choices = [cols[b]]
        else:
            choices = range(min(rows[a], cols[b]) + 1)
        for v in choices:
            if v > rows[a] or v > cols[b]:
                continue
            rows[a] -= v
            cols[b] -= v
            rec(i + 1, cells + [v])
            rows[a] += v
            cols[b] += v

    rec(0, [])
    pobs = math.exp(lnp(list(t.ravel())))
    return math.fsum(q for q in probs if q <= pobs * (1 + 1e-7))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 4).flatmap(
        lambda r: st.integers(2, 4).flatmap(
            lambda c: st.lists(
                st.lists(st.integers(0, 4 if r * c < 16 else 3), min_size=c, max_size=c),
                min_size=r,
                max_size=r,
            )
        )
    )
)
def test_fisher_rxc_matches_full_listing(t):
    # source: brute-force listing of all tables with the observed margins; tolerance 1e-12
    t = np.array(t, dtype=float)
    assume((t.sum(0) > 0).all() and (t.sum(1) > 0).all())
    p = rs.groups.fisher_exact(t).pvalue
    assert p == pytest.approx(_fisher_by_listing(t), rel=1e-12)


@pytest.mark.parametrize("name", list(REF["two_by_two"]))
@pytest.mark.parametrize("correct", [True, False])
def test_chisq_2x2_matches_r(name, correct):
    d = REF["two_by_two"][name]
    e = d[f"chisq_correct_{'TRUE' if correct else 'FALSE'}"]
    r = rs.groups.chisq(d["table"], correction=correct)
    assert r.statistic == pytest.approx(e["statistic"], rel=EXACT_RTOL)
    assert r.df == e["df"]
    assert r.pvalue == pytest.approx(e["p_value"], rel=EXACT_RTOL)


@pytest.mark.parametrize("name", list(REF["rxc"]))
def test_chisq_rxc_matches_r(name):
    d = REF["rxc"][name]
    r = rs.groups.chisq(d["table"])
    assert r.statistic == pytest.approx(d["chisq"]["statistic"], rel=EXACT_RTOL)
    assert r.pvalue == pytest.approx(d["chisq"]["p_value"], rel=EXACT_RTOL)
    np.testing.assert_allclose(r.expected, d["chisq"]["expected"], rtol=1e-12)


@pytest.mark.parametrize("table", [[[0, 3], [0, 5]], [[0, 0], [3, 5]], [[0, 0], [0, 0]], [[4, 0], [2, 0]]])
@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_fisher_2x2_empty_margin_is_degenerate_as_r(table, alternative):
    # R 4.x fisher.test(matrix(c(0, 0, 3, 5), 2), alternative = ...) and the other
    # tables: p-value = 1, odds ratio 0, 95 percent CI 0 Inf
    r = rs.groups.fisher_exact(table, alternative=alternative)
    assert r.pvalue == 1.0
    assert r.estimate == 0.0
    assert (r.ci_low, r.ci_high) == (0.0, float("inf"))


def test_zero_margin_negative_and_fractional_counts():
    with pytest.raises(ValueError, match=r"table: column 1 sums to 0"):
        rs.groups.chisq([[1, 0], [2, 0]])
    for f in (rs.groups.chisq, rs.groups.fisher_exact):
        with pytest.raises(ValueError, match=r"table: row 0 sums to 0"):
            f([[0, 0, 0], [2, 1, 3]])
        with pytest.raises(ValueError, match=r"table\[:, 1\]\[0\] = -1: negative count"):
            f([[1, -1], [2, 3]])
        with pytest.raises(ValueError, match=r"table\[:, 0\]\[1\] = 2.5: not an integer"):
            f([[1, 1], [2.5, 3]])
        with pytest.raises(ValueError, match="table"):
            f([1, 2, 3])
    with pytest.raises(ValueError, match="alternative"):
        rs.groups.fisher_exact([[1, 2, 3], [3, 2, 1]], alternative="less")


# ----------------------------------------------------------------------------
# Monte Carlo p-value (R fisher.test(simulate.p.value = TRUE, B)): within Monte
# Carlo error of the exact p (R's value, tables.json); reproducible by seed
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["r3x4", "r4x4"])
def test_fisher_rxc_simulated_is_within_monte_carlo_error_of_r_exact(name):
    d = REF["rxc"][name]
    b = 20_000
    r = rs.groups.fisher_exact(np.array(d["table"]), n_resamples=b, seed=2026)
    p = d["fisher_p"]
    se = math.sqrt(p * (1 - p) / b)
    assert abs(r.pvalue - p) < 4.5 * se + 1 / b
    assert r.n_resamples == b and np.isnan(r.estimate)
    # (1 + k) / (B + 1) for an integer k
    k = r.pvalue * (b + 1) - 1
    assert k == pytest.approx(round(k), abs=1e-6)


def test_fisher_rxc_simulated_same_seed_same_p():
    t = np.array(REF["rxc"]["r3x3"]["table"])
    a = rs.groups.fisher_exact(t, n_resamples=5_000, seed=11).pvalue
    assert rs.groups.fisher_exact(t, n_resamples=5_000, seed=11).pvalue == a
    assert rs.groups.fisher_exact(t, n_resamples=5_000, seed=np.random.default_rng(3)).pvalue > 0


def test_fisher_rxc_simulated_where_the_exact_test_stops():
    # strong association, total 154: the exact enumeration stops at its memory guard
    # and says to use n_resamples; the Monte Carlo p is the smallest it can be
    t = np.array([[16, 5, 4, 3, 1], [5, 14, 5, 4, 3], [4, 5, 16, 5, 4], [3, 4, 5, 14, 5], [1, 3, 4, 5, 16]])
    r = rs.groups.fisher_exact(t, n_resamples=2_000, seed=1)
    assert r.pvalue == pytest.approx(1 / 2_001)


def test_fisher_rxc_too_large_stops_early_and_points_to_monte_carlo():
    # strong association, total 178: the windows of one column split pass the
    # memory guard after ~2 s (it once ran ~15 s and ~6 GB before the error)
    t = np.array([[25, 5, 2, 1, 0], [5, 22, 6, 2, 1], [2, 6, 24, 6, 2], [1, 2, 6, 22, 5], [0, 1, 2, 5, 25]])
    with pytest.raises(ValueError, match="n_resamples"):
        rs.groups.fisher_exact(t)


def test_fisher_simulated_bad_arguments():
    t = np.array(REF["rxc"]["r3x3"]["table"])
    with pytest.raises(ValueError, match="n_resamples"):
        rs.groups.fisher_exact(t, n_resamples=0)
    with pytest.raises(TypeError, match="n_resamples"):
        rs.groups.fisher_exact(t, n_resamples=2.5)
    with pytest.raises(ValueError, match="n_resamples"):
        rs.groups.fisher_exact([[3, 1], [1, 3]], n_resamples=100)
    with pytest.raises(ValueError, match="alternative"):
        rs.groups.fisher_exact(t, n_resamples=100, alternative="less")
    with pytest.raises(ValueError, match="seed"):
        rs.groups.fisher_exact(t, n_resamples=100, seed=-1)
    with pytest.raises(ValueError, match="2 x 2"):
        rs.groups.fisher_exact(t, n_resamples=100).confidence_interval()
