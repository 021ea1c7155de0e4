"""rs.paired.sign_test against R binom.test(n_pos, n_pos + n_neg).

Reference: tests/reference/paired/categorical.R -> categorical.json (R 4.2.2).
Tolerance: 1e-10 relative (exact binomial p-values).
"""

import json
from pathlib import Path

import numpy as np
import pytest

import rheumstats as rs

REF = json.loads((Path(__file__).parents[1] / "reference" / "paired" / "categorical.json").read_text())


@pytest.mark.parametrize("case", REF["sign"], ids=lambda c: f"{c['data']}-{c['alternative']}")
def test_sign_test_matches_r(case):
    d = REF["datasets"][case["data"]]
    r = rs.paired.sign_test(d["x"], d["y"], alternative=case["alternative"])
    assert (r.n_pos, r.n_neg) == (case["n_pos"], case["n_neg"])
    assert r.statistic == case["n_pos"]
    assert r.pvalue == pytest.approx(case["pvalue"], rel=1e-10)
    assert r.estimate == pytest.approx(case["median"], rel=1e-15)


def test_median_interval_by_hand():
    # n = 10 sorted d = 1..10: P(Bin(10, .5) <= 1) = 11/1024 <= 0.025 < P(<= 2) = 56/1024
    # -> k = 2: [d_(2), d_(9)] with coverage 1 - 22/1024
    r = rs.paired.sign_test(np.arange(1.0, 11.0))
    assert tuple(r.confidence_interval()) == (2.0, 9.0)
    assert r._ci_level == pytest.approx(1 - 22 / 1024, rel=1e-14)
    lo, hi = rs.paired.sign_test(np.arange(1.0, 11.0), alternative="greater").confidence_interval()
    # one-sided 0.05: P(B <= 1) = 0.0107 <= 0.05 < P(B <= 2) = 0.0547 -> k = 2
    assert (lo, hi) == (2.0, np.inf)


def test_matrix_mode_equals_1d_row_by_row():
    rng = np.random.default_rng(6)
    x = rng.integers(0, 10, (15, 4)).astype(float)
    y = x + rng.integers(-3, 4, (15, 4))
    y[0, 2] = np.nan
    m = rs.paired.sign_test(x, y, nan_policy="omit")
    for j in range(4):
        one = rs.paired.sign_test(x[:, j], y[:, j], nan_policy="omit")
        assert (m.pvalue[j], m.n_pos[j], m.estimate[j]) == (one.pvalue, one.n_pos, one.estimate)
        assert m.confidence_interval().low[j] == one.confidence_interval().low
