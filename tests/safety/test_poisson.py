"""rs.safety.incidence_rate / rate_ratio against R poisson.test
(tests/reference/safety/poisson.R -> poisson.json), and rs.safety.exposure by hand."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs

REF = json.loads((Path(__file__).parents[1] / "reference" / "safety" / "poisson.json").read_text())
RTOL = 1e-10  # exact CIs (gamma/beta quantiles) and exact p-values
ALTS = {"two.sided": "two-sided", "less": "less", "greater": "greater"}


@pytest.mark.parametrize("case", REF["one"], ids=lambda c: f"{c['events']:g}/{c['exposure']:g}@{c['conf_level']}")
def test_incidence_rate_matches_r_poisson_test(case):
    df = rs.safety.incidence_rate(case["events"], case["exposure"], per=1, conf_level=case["conf_level"])
    assert len(df) == 1
    row = df.iloc[0]
    assert row["rate"] == pytest.approx(case["rate"], rel=RTOL)
    assert row["ci_low"] == pytest.approx(float(case["conf_int"][0]), rel=RTOL, abs=0)
    assert row["ci_high"] == pytest.approx(float(case["conf_int"][1]), rel=RTOL)


@pytest.mark.parametrize("case", REF["two"], ids=lambda c: f"{c['events']}/{c['exposure']}/{c['alternative']}")
def test_rate_ratio_matches_r_poisson_test(case):
    r = rs.safety.rate_ratio(case["events"], case["exposure"], alternative=ALTS[case["alternative"]])
    assert r.estimate == pytest.approx(float(case["estimate"]), rel=RTOL)
    assert r.pvalue == pytest.approx(case["p_value"], rel=RTOL)
    lo, hi = r.confidence_interval()
    assert lo == pytest.approx(float(case["conf_int"][0]), rel=RTOL, abs=0)
    assert hi == pytest.approx(float(case["conf_int"][1]), rel=RTOL)


def test_incidence_by_group_sums_patients_and_scales_per():
    ev = pd.Series([0, 1, 2, 0, 1], index=[f"p{i}" for i in range(5)])
    ex = pd.Series([1.5, 2.0, 3.0, 0.5, 1.0], index=ev.index)
    by = pd.Series(["tcz", "tcz", "rtx", "rtx", "tcz"], index=ev.index, name="drug")
    df = rs.safety.incidence_rate(ev, ex, group=by)
    assert list(df.index) == ["rtx", "tcz"] and df.index.name == "drug"
    assert df.loc["tcz", "events"] == 2 and df.loc["tcz", "exposure"] == 4.5
    assert df.loc["tcz", "rate"] == pytest.approx(200 / 4.5)
    one = rs.safety.incidence_rate(2, 4.5, per=100)
    assert one["ci_high"].iloc[0] == pytest.approx(df.loc["tcz", "ci_high"], rel=1e-15)


def test_incidence_without_by_gives_one_rate_per_row():
    ev = pd.Series([3, 0, 1], index=["lung", "du_infection", "death"])
    df = rs.safety.incidence_rate(ev, [42.5, 42.5, 42.5])
    assert list(df.index) == ["lung", "du_infection", "death"]
    assert df.loc["lung", "rate"] == pytest.approx(300 / 42.5)
    assert df.loc["du_infection", "rate"] == 0


def test_zero_events_rate_zero_with_upper_limit():
    df = rs.safety.incidence_rate([0, 0], [10.0, 15.0], group=["a", "a"])
    assert df.loc["a", "rate"] == 0 and df.loc["a", "ci_low"] == 0
    assert df.loc["a", "ci_high"] == pytest.approx(-np.log(0.025) / 25 * 100, rel=1e-12)


def test_bad_counts_and_exposure():
    with pytest.raises(ValueError, match=r"events\[1\] \(index 'b'\) = 1.5: not an integer"):
        rs.safety.incidence_rate(pd.Series([1, 1.5], index=["a", "b"]), pd.Series([1.0, 2.0], index=["a", "b"]))
    with pytest.raises(ValueError, match=r"events\[0\] = -1: negative count"):
        rs.safety.incidence_rate([-1, 1], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"exposure\[1\] = -2"):
        rs.safety.incidence_rate([1, 1], [1.0, -2.0])
    with pytest.raises(ValueError, match="exposure"):
        rs.safety.incidence_rate([1], [0.0])
    with pytest.raises(ValueError, match=r"events\[0\] = 2.5: not an integer"):
        rs.safety.rate_ratio([2.5, 1], [1.0, 1.0])
    with pytest.raises(ValueError, match="exposure"):
        rs.safety.rate_ratio([2, 1], [1.0, -1.0])
    with pytest.raises(ValueError, match="events"):
        rs.safety.rate_ratio([0, 0], [1.0, 1.0])
    with pytest.raises(ValueError, match="events"):
        rs.safety.rate_ratio([1, 2, 3], [1.0, 1.0, 1.0])


def test_exposure_from_dates_with_censoring():
    data = pd.DataFrame(
        {
            "start": pd.to_datetime(["2020-01-01", "2020-07-01", "2021-01-01"]),
            "stop": pd.to_datetime(["2021-01-01", pd.NaT, "2023-06-30"]),
        },
        index=["a", "b", "c"],
    )
    e = rs.safety.exposure(data, "start", "stop", censor_date="2022-01-01")
    assert list(e.index) == ["a", "b", "c"]
    assert e["a"] == pytest.approx(366 / 365.25)  # 2020 is a leap year
    assert e["b"] == pytest.approx((184 + 365) / 365.25)  # still on drug at the cut-off
    assert e["c"] == pytest.approx(365 / 365.25)  # truncated at the cut-off
    m = rs.safety.exposure(data, "start", "stop", censor_date="2022-01-01", unit="days")
    assert m["a"] == 366


def test_exposure_numeric_and_errors():
    data = pd.DataFrame({"t0": [0.0, 30.0], "t1": [365.25, 395.25]})
    np.testing.assert_allclose(rs.safety.exposure(data, "t0", "t1"), [1.0, 1.0])
    np.testing.assert_allclose(rs.safety.exposure(data, "t0", "t1", unit="months", numeric_unit="days"), [12.0, 12.0])
    with pytest.raises(ValueError, match=r"stop\[1\].*before start"):
        rs.safety.exposure(pd.DataFrame({"a": [0.0, 10.0], "b": [5.0, 3.0]}), "a", "b")
    with pytest.raises(ValueError, match=r"start\[0\].*missing start"):
        rs.safety.exposure(pd.DataFrame({"a": [np.nan, 10.0], "b": [5.0, 30.0]}), "a", "b")
    with pytest.raises(ValueError, match=r"stop\[0\].*censor_date"):
        rs.safety.exposure(pd.DataFrame({"a": [0.0, 10.0], "b": [np.nan, 30.0]}), "a", "b")
    with pytest.raises(ValueError, match="unit"):
        rs.safety.exposure(pd.DataFrame({"a": [0.0], "b": [5.0]}), "a", "b", unit="fortnights")
    with pytest.raises(ValueError, match="start"):
        rs.safety.exposure(pd.DataFrame({"a": [0.0], "b": [5.0]}), "begin", "b")


def test_incidence_numpy_labels_and_default_rows():
    # numpy labels are grouped in numpy and unindexed rows share one cached index (issue 17):
    # the same table as labels given as a list, and renaming one result's index leaves the next alone
    ev = np.array([0, 1, 2, 0, 1, 3])
    ex = np.array([1.5, 2.0, 3.0, 0.5, 1.0, 2.5])
    for g in (np.array([2, 2, 1, 1, 2, 0]), np.array(["b", "b", "a", "a", "b", "c"]), np.array([0.5, 0.5, 0.0, 0.0, 0.5, 1.5])):
        want = rs.safety.incidence_rate(ev, ex, group=list(g))
        got = rs.safety.incidence_rate(ev, ex, group=g)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    a = rs.safety.incidence_rate(ev, ex)
    assert list(a.index) == list(range(6)) and a.index.dtype == np.int64 and a.index.name is None
    a.index.name = "row"
    b = rs.safety.incidence_rate(ev, ex)
    assert b.index.name is None and a.index.name == "row"
