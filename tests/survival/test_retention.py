"""retention(): per-patient start/stop dates and stop reasons -> time, event, cause.

Expected values worked by hand (day counts between the dates; a year = 365.25 days).
"""

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs
from rheumstats.survival import _on_drug_time

COHORT = pd.DataFrame(
    {
        "start": ["2020-01-01", "2020-01-01", "2020-03-15", "2021-01-01", "2020-06-01", "2021-02-01", "2019-05-01"],
        "stop": ["2020-07-01", None, "2021-03-15", "2021-06-30", "2023-06-01", "2022-02-01", "2019-05-01"],
        "reason": ["Inefficacy", None, "infection ", "INFECTION", "death", "", "Death"],
    },
    index=[f"p{i}" for i in range(1, 8)],
)
CUT = "2022-12-31"
# p1 182 d stopped (inefficacy); p2 still on drug -> 366+365+364 = 1095 d censored;
# p3 365 d infection; p4 180 d infection; p5 stop after the cut -> censored at the cut, 730+213 = 943 d;
# p6 no reason -> censored at last follow-up, 365 d; p7 stopped on day 0 (death)
DAYS = [182, 1095, 365, 180, 943, 365, 0]
EVENT = [1, 0, 1, 1, 0, 0, 1]
CAUSE = [2, 0, 3, 3, 0, 0, 1]  # death = 1, inefficacy = 2, infection = 3 (alphabetical, case-folded)


def test_retention_hand_worked_days():
    r = rs.survival.retention(COHORT, "start", "stop", "reason", censor_date=CUT, unit="days")
    assert r.index.tolist() == COHORT.index.tolist()
    assert r["time"].tolist() == DAYS
    assert r["event"].tolist() == EVENT
    assert r["cause"].tolist() == CAUSE
    assert r.attrs["causes"] == {1: "death", 2: "inefficacy", 3: "infection"}


@pytest.mark.parametrize("unit, per_day", [("years", 1 / 365.25), ("months", 12 / 365.25), ("weeks", 1 / 7)])
def test_retention_units(unit, per_day):
    r = rs.survival.retention(COHORT, "start", "stop", "reason", censor_date=CUT, unit=unit)
    np.testing.assert_allclose(r["time"], np.array(DAYS) * per_day, rtol=1e-14)


def test_retention_feeds_km_and_cif():
    r = rs.survival.retention(COHORT, "start", "stop", "reason", censor_date=CUT)
    km = rs.survival.kaplan_meier(r["time"], r["event"])
    assert km.table["n_event"].sum() == 4
    ci = rs.survival.cumulative_incidence(r["time"], r["cause"])
    assert ci.causes == (1, 2, 3)


def test_retention_numeric_durations_and_datetime_columns():
    d = pd.DataFrame({"start": [0.0, 1.0, 2.0], "stop": [2.5, np.nan, 3.0], "why": ["AE", np.nan, "ae"]})
    r = rs.survival.retention(d, "start", "stop", "why", censor_date=4.0)
    assert r["time"].tolist() == [2.5, 3.0, 1.0]
    assert r["cause"].tolist() == [1, 0, 1]
    dd = COHORT.assign(start=pd.to_datetime(COHORT["start"]), stop=pd.to_datetime(COHORT["stop"]))
    r2 = rs.survival.retention(dd, "start", "stop", "reason", censor_date=pd.Timestamp(CUT), unit="days")
    assert r2["time"].tolist() == DAYS


def test_on_drug_time_helper_is_reusable():
    t, truncated, open_ = _on_drug_time(COHORT, "start", "stop", CUT, "days")
    assert t.tolist() == DAYS
    assert truncated.tolist() == [False, False, False, False, True, False, False]
    assert open_.tolist() == [False, True, False, False, False, False, False]


def test_stop_before_start_names_row():
    d = COHORT.copy()
    d.loc["p3", "stop"] = "2019-01-01"
    with pytest.raises(ValueError, match=r"stop\[2\] \(index 'p3'\): stop is before start"):
        rs.survival.retention(d, "start", "stop", "reason", censor_date=CUT)


def test_missing_start_names_row():
    d = COHORT.copy()
    d.loc["p4", "start"] = None
    with pytest.raises(ValueError, match=r"start\[3\] \(index 'p4'\): missing start"):
        rs.survival.retention(d, "start", "stop", "reason", censor_date=CUT)


def test_unknown_unit():
    with pytest.raises(ValueError, match="unit: 'fortnights'"):
        rs.survival.retention(COHORT, "start", "stop", "reason", censor_date=CUT, unit="fortnights")


def test_missing_stop_needs_censor_date():
    with pytest.raises(ValueError, match=r"stop\[1\].*censor_date"):
        rs.survival.retention(COHORT, "start", "stop", "reason")


def test_reason_without_stop_date():
    d = COHORT.copy()
    d.loc["p2", "reason"] = "infection"
    with pytest.raises(ValueError, match=r"stop\[1\].*reason"):
        rs.survival.retention(d, "start", "stop", "reason", censor_date=CUT)


def test_censor_date_before_start():
    with pytest.raises(ValueError, match="censor_date is before start"):
        rs.survival.retention(COHORT, "start", "stop", "reason", censor_date="2020-02-01")


def test_bad_columns_and_types():
    with pytest.raises(ValueError, match="reason"):
        rs.survival.retention(COHORT, "start", "stop", "nope", censor_date=CUT)
    with pytest.raises(TypeError, match="start"):
        rs.survival.retention(COHORT.assign(start="not a date"), "start", "stop", "reason", censor_date=CUT)
