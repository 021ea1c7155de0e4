"""retention(): day-first dates and stops without a reason (issue 19). Expected
times are calendar arithmetic: 10 Jan 2020 -> 10 Jan 2021 is 366 days (2020 is a
leap year); 1 Oct 2020 -> 1 Oct 2021 is 365 days."""

import warnings

import pandas as pd
import pytest

import rheumstats as rs

DAYFIRST = pd.DataFrame({"start": ["10/01/2020", "01/02/2020"], "stop": ["10/01/2021", "01/08/2020"], "why": ["Infection", "death"]})


def test_ambiguous_date_strings_are_refused_naming_the_row():
    with pytest.raises(rs.InvalidInputError, match=r"start\[0\].*ambiguous.*2020-10-01.*2020-01-10.*dayfirst") as e:
        rs.survival.retention(DAYFIRST, "start", "stop", "why", unit="days")
    assert e.value.arg == "start" and e.value.row == 0
    with pytest.raises(rs.InvalidInputError, match="ambiguous"):
        rs.safety.exposure(DAYFIRST, "start", "stop", unit="days")


@pytest.mark.parametrize("kw", [{"dayfirst": True}, {"date_format": "%d/%m/%Y"}])
def test_day_first_dates_when_asked(kw):
    r = rs.survival.retention(DAYFIRST, "start", "stop", "why", unit="days", **kw)
    # 10 Jan 2020 -> 10 Jan 2021; 1 Feb 2020 -> 1 Aug 2020 (29+31+30+31+30+31 = 182 days)
    assert r["time"].tolist() == [366.0, 182.0]
    assert rs.safety.exposure(DAYFIRST, "start", "stop", unit="days", **kw).tolist() == [366.0, 182.0]
    m = rs.survival.retention(DAYFIRST, "start", "stop", "why", unit="days", dayfirst=False)
    # month-first: 1 Oct 2020 -> 1 Oct 2021; 2 Jan 2020 -> 8 Jan 2020
    assert m["time"].tolist() == [365.0, 6.0]


def test_a_column_only_one_reading_accepts_is_read_that_way():
    d = DAYFIRST.assign(stop=["13/01/2021", "01/08/2020"], start=["13/01/2020", "01/02/2020"])
    r = rs.survival.retention(d, "start", "stop", "why", unit="days")
    assert r["time"].tolist() == [366.0, 182.0]


def test_iso_dates_ignore_dayfirst_and_an_ambiguous_censor_date_is_refused():
    d = pd.DataFrame({"start": ["2020-01-10", "2020-02-01"], "stop": ["2021-01-10", None], "why": ["x", None]})
    r = rs.survival.retention(d, "start", "stop", "why", censor_date="2020-03-01", unit="days", dayfirst=True)
    assert r["time"].tolist() == [51.0, 29.0]  # both cut at 1 Mar 2020
    with pytest.raises(rs.InvalidInputError, match="censor_date.*ambiguous"):
        rs.survival.retention(d, "start", "stop", "why", censor_date="01/03/2020", unit="days")
    r = rs.survival.retention(d, "start", "stop", "why", censor_date="01/03/2020", unit="days", dayfirst=True)
    assert r["time"].tolist() == [51.0, 29.0]  # both cut at 1 Mar 2020


STOPS = pd.DataFrame({"start": [0.0, 0, 0, 0], "stop": [1.0, 2, 3, None], "why": ["ae", "", None, None]})


def test_missing_reason_default_censors_with_a_counted_warning():
    with pytest.warns(rs.MissingReasonWarning, match="2 stop date"):
        r = rs.survival.retention(STOPS, "start", "stop", "why", censor_date=4.0)
    assert r["event"].tolist() == [1, 0, 0, 0]
    assert r.attrs["missing_reason"] == {"policy": "censor", "n": 2}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = rs.survival.retention(STOPS, "start", "stop", "why", censor_date=4.0, missing_reason="censor")
    assert r["event"].tolist() == [1, 0, 0, 0]


def test_missing_reason_unknown_and_error():
    r = rs.survival.retention(STOPS, "start", "stop", "why", censor_date=4.0, missing_reason="unknown")
    assert r["event"].tolist() == [1, 1, 1, 0]  # the open course (no stop date) stays censored
    assert r.attrs["causes"] == {1: "ae", 2: "unknown"}
    assert r["cause"].tolist() == [1, 2, 2, 0]
    with pytest.raises(rs.InvalidInputError, match=r"reason\[1\].*without a stop reason") as e:
        rs.survival.retention(STOPS, "start", "stop", "why", censor_date=4.0, missing_reason="error")
    assert e.value.row == 1
    with pytest.raises(ValueError, match="missing_reason"):
        rs.survival.retention(STOPS, "start", "stop", "why", censor_date=4.0, missing_reason="drop")
