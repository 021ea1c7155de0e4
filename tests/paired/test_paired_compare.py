"""rs.paired.compare: the per-endpoint before/after table, against R and the 1-D calls.

Reference: t.test / wilcox.test values in tests/reference/paired/ttest.json and wilcoxon.json
(R 4.2.2, coin 1.4.2). Tolerance 1e-10 relative (t and exact Wilcoxon), p.adjust checked via
rs.multitest.adjust (itself tested against R).
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs

REF = Path(__file__).parents[1] / "reference" / "paired"
T = json.loads((REF / "ttest.json").read_text())
W = json.loads((REF / "wilcoxon.json").read_text())


def _frame():
    d = T["datasets"]
    n = 30
    df = pd.DataFrame(index=[f"p{i:02d}" for i in range(n)])
    for name in ("sleep", "mrss", "immer"):
        x = np.full(n, np.nan)
        y = np.full(n, np.nan)
        x[: len(d[name]["x"])] = d[name]["x"]
        y[: len(d[name]["y"])] = d[name]["y"]
        df[f"{name}_0"] = x
        df[f"{name}_12"] = y
    return df


def test_compare_matches_r_and_the_single_tests():
    df = _frame()
    pairs = {name: (f"{name}_0", f"{name}_12") for name in ("sleep", "mrss", "immer")}
    out = rs.paired.compare(df, pairs)
    assert list(out.index) == ["sleep", "mrss", "immer"]
    assert list(out.columns) == ["n", "mean_before", "mean_after", "mean_change", "sd_change", "ci_low", "ci_high", "p_t", "p_wilcoxon", "p_adjusted", "cohen_dz"]
    for name in pairs:
        t = next(c for c in T["cases"] if c["data"] == name and c["alternative"] == "two-sided" and c["mu"] == 0 and c["conf_level"] == 0.95)
        # n <= 50: exact Wilcoxon with ties/zeros = coin::wilcoxsign_test(zero.method = "Wilcoxon")
        w = next(c for c in W["coin"] if c["data"] == name and c["alternative"] == "two-sided" and c["zero_method"] == "Wilcoxon")
        row = out.loc[name]
        x, y = np.array(T["datasets"][name]["x"]), np.array(T["datasets"][name]["y"])
        assert row["n"] == len(x)
        assert row["mean_before"] == pytest.approx(x.mean(), rel=1e-13)
        assert row["mean_after"] == pytest.approx(y.mean(), rel=1e-13)
        assert row["p_t"] == pytest.approx(t["pvalue"], rel=1e-10)
        np.testing.assert_allclose([row["ci_low"], row["ci_high"]], t["ci"], rtol=1e-10)
        assert row["p_wilcoxon"] == pytest.approx(w["pvalue"], rel=1e-10)
        assert row["cohen_dz"] == rs.paired.ttest(x, y).cohen_dz
    np.testing.assert_allclose(out["p_adjusted"], rs.multitest.adjust(out["p_t"].to_numpy(), method="holm"))


def test_compare_options_and_errors():
    df = _frame()
    out = rs.paired.compare(df, {"skin": ("mrss_0", "mrss_12")}, tests=("wilcoxon",), adjust=None)
    assert "p_t" not in out and "p_adjusted" not in out and "p_wilcoxon" in out
    with pytest.raises(ValueError, match="nope"):
        rs.paired.compare(df, {"skin": ("mrss_0", "nope")})
    with pytest.raises(TypeError, match="data"):
        rs.paired.compare(df.to_numpy(), {"skin": ("mrss_0", "mrss_12")})
    with pytest.raises(ValueError, match="tests"):
        rs.paired.compare(df, {"skin": ("mrss_0", "mrss_12")}, tests=("anova",))
