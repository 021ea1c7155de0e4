"""ACR20/50/70: SCORING_SPEC section 4 patients A-D."""

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs

COLS = ["tjc", "sjc", "pain", "patient_global", "physician_global", "haq_di", "crp"]
A_B = [20, 15, 60, 70, 60, 1.5, 20]
A_F = [10, 9, 40, 50, 50, 1.375, 12]
B_B = [10, 5, 50, 50, 50, 1.0, 10]
B_F = [8, 4, 40, 40, 45, 0.9, 8]
C_B = [20, 0, 60, 70, 60, 1.5, 20]
C_F = [10, 0, 40, 50, 50, 1.375, 12]
D_B = [12, 10, 0, 60, 50, 1.25, 30]
D_F = [6, 5, 10, 30, 25, 0.625, 33]


def frames():
    b = pd.DataFrame([A_B, B_B, C_B, D_B], columns=COLS, index=list("ABCD"))
    f = pd.DataFrame([A_F, B_F, C_F, D_F], columns=COLS, index=list("ABCD"))
    return b, f


@pytest.mark.parametrize("level,want", [(20, [True, True, False, True]), (50, [False, False, False, True]), (70, [False] * 4)])
def test_spec_examples(level, want):
    b, f = frames()
    out = rs.scores.acr_response(b, f, level=level)
    assert out.dtype == "boolean" and list(out.index) == list("ABCD")
    assert out.tolist() == want


def test_independent_vectors_against_a_numpy_rule():
    rng = np.random.default_rng(5)
    n = 200
    b = pd.DataFrame({"tjc": rng.integers(1, 30, n), "sjc": rng.integers(1, 20, n), "pain": rng.uniform(1, 100, n),
                      "patient_global": rng.uniform(1, 100, n), "physician_global": rng.uniform(1, 100, n),
                      "haq_di": rng.uniform(0.1, 3, n), "esr": rng.uniform(1, 80, n)})
    f = b * rng.uniform(0.3, 1.2, (n, 7))
    f["tjc"], f["sjc"] = np.floor(f["tjc"]).clip(0, 68), np.floor(f["sjc"]).clip(0, 66)
    f["haq_di"] = f["haq_di"].clip(0, 3)
    f[["pain", "patient_global", "physician_global"]] = f[["pain", "patient_global", "physician_global"]].clip(0, 100)
    frac = (b - f) / b
    ok = frac >= 0.2 - 1e-9
    want = ok["tjc"] & ok["sjc"] & (ok[["pain", "patient_global", "physician_global", "haq_di", "esr"]].sum(axis=1) >= 3)
    assert rs.scores.acr_response(b, f).tolist() == want.tolist()


def test_missing_measure_gives_na_and_errors_name_the_column():
    b, f = frames()
    f.loc["B", "pain"] = np.nan
    assert pd.isna(rs.scores.acr_response(b, f).loc["B"])
    f.loc["C", "haq_di"] = 3.5
    with pytest.raises(ValueError) as exc:
        rs.scores.acr_response(b, f)
    assert "followup['haq_di'][2] (index 'C')" in str(exc.value) and "0-3" in str(exc.value)
    with pytest.raises(ValueError, match="missing column"):
        rs.scores.acr_response(b.drop(columns="pain"), f)
    with pytest.raises(ValueError, match="esr' or 'crp"):
        rs.scores.acr_response(b.assign(esr=10), f.assign(esr=10))
    with pytest.raises(ValueError, match="level"):
        rs.scores.acr_response(*frames(), level=0)


def test_inputs_unchanged_and_index_kept():
    b, f = frames()
    b0, f0 = b.copy(deep=True), f.copy(deep=True)
    out = rs.scores.acr_response(b, f)
    pd.testing.assert_frame_equal(b, b0)
    pd.testing.assert_frame_equal(f, f0)
    assert list(out.index) == list("ABCD")
    # dict-of-lists input gives a BooleanArray without index
    arr = rs.scores.acr_response(b.to_dict("list"), f.to_dict("list"))
    assert isinstance(arr, pd.arrays.BooleanArray) and arr.tolist() == out.tolist()
