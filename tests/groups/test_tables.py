"""rs.groups.chisq / fisher_exact against R chisq.test / fisher.test
(tests/reference/groups/tables.R -> tables.json)."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

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


def test_zero_margin_negative_and_fractional_counts():
    for f in (rs.groups.chisq, rs.groups.fisher_exact):
        with pytest.raises(ValueError, match=r"table: column 1 sums to 0"):
            f([[1, 0], [2, 0]])
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
