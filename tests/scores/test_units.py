"""Unit keywords of the scores (issue 13): CRP in mg/L or mg/dL, patient global in mm or cm;
a UnitWarning when a whole column looks like the other unit, never for plausible values."""

import warnings

import numpy as np
import pytest

import rheumstats as rs
from rheumstats.exceptions import UnitWarning

TJC = np.array([4, 2, 10, 0, 6, 8.0])
SJC = np.array([2, 1, 5, 0, 3, 4.0])


def test_crp_in_mg_dl_gives_the_mg_l_score():
    crp_mg_l = np.array([12.0, 3.5, 40.0, 1.2, 8.0, 20.0])
    a = rs.scores.das28_crp(TJC, SJC, crp_mg_l, np.array([50.0, 30, 80, 10, 40, 60]))
    b = rs.scores.das28_crp(TJC, SJC, crp_mg_l / 10, np.array([50.0, 30, 80, 10, 40, 60]), crp_unit="mg/dL")
    np.testing.assert_allclose(a, b, rtol=1e-14)


def test_a_column_that_looks_like_the_other_unit_warns_with_its_range():
    with pytest.warns(UnitWarning, match=r"look like mg/dL"):
        rs.scores.das28_crp(TJC, SJC, np.array([0.5, 0.2, 0.9, 0.1, 0.3, 0.4]))
    with pytest.warns(UnitWarning, match=r"look like cm"):
        rs.scores.das28_esr(TJC, SJC, np.array([20.0, 10, 40, 5, 30, 25]), np.array([5.0, 3, 8, 1, 4, 6]))
    # infinities and NaN do not hide the rule (the finite values decide)
    with pytest.warns(UnitWarning):
        rs.scores.das28_esr(TJC, SJC, np.array([20.0, 10, 40, 5, 30, 25]), np.array([5.0, 3, 8, 1, 4, np.nan]))


def test_plausible_values_and_short_columns_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnitWarning)
        rs.scores.das28_crp(TJC, SJC, np.array([12.0, 3.5, 40.0, 1.2, 8.0, 20.0]))
        rs.scores.das28_esr(TJC, SJC, np.array([20.0, 10, 40, 5, 30, 25]), np.array([50.0, 30, 80, 10, 40, 60]))
        rs.scores.das28_esr(TJC[:4], SJC[:4], np.array([20.0, 10, 40, 5]), np.array([5.0, 3, 8, 1]))  # under 5 values
        rs.scores.das28_crp(TJC, SJC, np.full(6, np.nan))  # nothing to judge
