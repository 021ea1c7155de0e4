"""rs.ssc indices: revised EUSTAR activity index, 2013 ACR/EULAR classification
score and lung-function decline categories.

Sources: SCORING_SPEC.md sections 10, 11 and 12 (worked examples; exact
equality where the result is a multiple of 0.25 or a category), and the
published rules re-implemented with numpy for three independent seeded
vectors per composite (cut-offs with the spec's EPS = 1e-9).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs
from rheumstats import InvalidInputError

EPS = 1e-9


# ---------------------------------------------------------------------------
# revised EUSTAR activity index (SCORING_SPEC section 10)
# ---------------------------------------------------------------------------
EUSTAR_EXAMPLES = [
    # delta_skin, mrss, DU, TFR, CRP mg/dL, DLCO %, index, active
    (False, 10, False, False, 0.5, 80, 0.0, False),
    (True, 25, True, False, 1.5, 65, 7.75, True),
    (False, 19, False, False, 0.3, 65, 2.5, True),  # boundary
    (False, 18, False, False, 0.3, 65, 1.0, False),
    (False, 5, False, True, 1.0, 70, 2.25, False),
    (True, 40, True, True, 3.0, 40, 10.0, True),
]


@pytest.mark.parametrize("row", EUSTAR_EXAMPLES)
def test_eustar_spec_examples_scalar(row):
    *items, index, active = row
    assert rs.ssc.eustar_ai(*items) == index
    assert rs.ssc.eustar_ai_active(index) is active


def test_eustar_spec_examples_vectorised_keep_index():
    df = pd.DataFrame(
        [r[:6] for r in EUSTAR_EXAMPLES],
        columns=["delta_skin", "mrss", "digital_ulcers", "tendon_friction_rubs", "crp", "dlco"],
        index=[f"V{i}" for i in range(6)],
    )
    before = df.copy(deep=True)
    ai = rs.ssc.eustar_ai(**{c: df[c] for c in df.columns})
    assert ai.index.equals(df.index)
    assert ai.tolist() == [r[6] for r in EUSTAR_EXAMPLES]
    act = rs.ssc.eustar_ai_active(ai)
    assert act.dtype == "boolean" and act.index.equals(df.index)
    assert act.tolist() == [r[7] for r in EUSTAR_EXAMPLES]
    pd.testing.assert_frame_equal(df, before)


def _eustar_numpy(ds, m, du, tfr, crp, dlco):
    return 1.5 * ds + 1.5 * (m > 18 + EPS) + 1.5 * du + 2.25 * tfr + 2.25 * (crp > 1 + EPS) + 1.0 * (dlco < 70 - EPS)


@pytest.mark.parametrize("seed", [31, 32, 33])
def test_eustar_matches_numpy_formula(seed):
    rng = np.random.default_rng(seed)
    n = 400
    ds, du, tfr = (rng.random(n) < 0.3 for _ in range(3))
    m = rng.integers(0, 52, n).astype(float)
    crp = np.round(rng.gamma(1.5, 0.8, n), 1)  # includes exactly 1.0
    dlco = np.round(rng.uniform(30, 110, n))  # includes exactly 70
    want = _eustar_numpy(ds, m, du, tfr, crp, dlco)
    got = rs.ssc.eustar_ai(ds, m, du, tfr, crp, dlco)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(rs.ssc.eustar_ai_active(got).to_numpy(dtype=bool), want >= 2.5 - EPS)


def test_eustar_missing_and_bad_inputs():
    out = rs.ssc.eustar_ai([True, False], [10, 20], [False, np.nan], [False, False], [0.5, 0.5], [80, 80])
    assert out[0] == 1.5 and np.isnan(out[1])
    assert rs.ssc.eustar_ai_active([np.nan, 3.0]).isna().tolist() == [True, False]
    with pytest.raises(InvalidInputError, match=r"crp\[1\] = -0.1.*mg/dL"):
        rs.ssc.eustar_ai([0, 0], [10, 10], [0, 0], [0, 0], [0.5, -0.1], [80, 80])
    with pytest.raises(InvalidInputError, match=r"digital_ulcers\[0\] = 2.*True/False"):
        rs.ssc.eustar_ai([0], [10], [2], [0], [0.5], [80])
    with pytest.raises(InvalidInputError) as e:
        rs.ssc.eustar_ai(
            pd.Series([0, 0], index=["a", "b"]), pd.Series([10, 52], index=["a", "b"]), 0, 0, 0.5, 80,
        )
    msg = str(e.value)
    assert "mrss[1]" in msg and "'b'" in msg and "52" in msg and "0-51" in msg
    with pytest.raises(InvalidInputError, match=r"dlco\[0\] = 0"):
        rs.ssc.eustar_ai(0, 10, 0, 0, 0.5, 0)
    with pytest.raises(InvalidInputError, match=r"index\[0\] = 11.*0-10"):
        rs.ssc.eustar_ai_active([11.0])
    with pytest.raises(TypeError, match="crp"):
        rs.ssc.eustar_ai(0, 10, 0, 0, "high", 80)
    with pytest.raises(InvalidInputError, match=r"mrss\[0\]"):
        rs.ssc.eustar_ai(0, np.nan, 0, 0, 0.5, 80, nan_policy="raise")


# ---------------------------------------------------------------------------
# 2013 ACR/EULAR classification (SCORING_SPEC section 11)
# ---------------------------------------------------------------------------
ITEMS = rs.ssc.ACR_EULAR_2013_ITEMS


@pytest.mark.parametrize(
    "present, score, classified",
    [
        (["skin_proximal_mcp"], 9, True),
        (["skin_proximal_mcp", "raynaud", "anti_centromere"], 15, True),
        (["sclerodactyly", "raynaud", "anti_centromere"], 10, True),
        (["puffy_fingers", "raynaud", "telangiectasia", "abnormal_nailfold_capillaries"], 9, True),  # boundary
        (["puffy_fingers", "raynaud", "anti_topoisomerase"], 8, False),
        (["puffy_fingers", "sclerodactyly", "digital_tip_ulcers", "pitting_scars", "pah", "ild",
          "anti_centromere", "anti_topoisomerase"], 12, True),
        (list(ITEMS), 24, True),
    ],
)
def test_acr_eular_spec_examples(present, score, classified):
    out = rs.ssc.acr_eular_2013(**{k: True for k in present})
    assert list(out.columns) == ["score", "classified"]
    assert out["score"].dtype == "Int64" and out["classified"].dtype == "boolean"
    assert out["score"].iloc[0] == score
    assert bool(out["classified"].iloc[0]) is classified
    # the DataFrame form gives the same answer
    df = pd.DataFrame({k: [k in present] for k in ITEMS}, index=["pt"])
    out2 = rs.ssc.acr_eular_2013(df)
    assert out2.index.tolist() == ["pt"] and out2["score"].iloc[0] == score


WEIGHTS = dict(telangiectasia=2, abnormal_nailfold_capillaries=2, raynaud=3)


def _acr_eular_numpy(x):
    skin = np.select([x["skin_proximal_mcp"], x["sclerodactyly"], x["puffy_fingers"]], [9, 4, 2], 0)
    tips = np.select([x["pitting_scars"], x["digital_tip_ulcers"]], [3, 2], 0)
    s = skin + tips + sum(w * x[k] for k, w in WEIGHTS.items())
    s = s + 2 * (x["pah"] | x["ild"]) + 3 * (x["anti_centromere"] | x["anti_topoisomerase"] | x["anti_rnap3"])
    return s, s >= 9


@pytest.mark.parametrize("seed", [41, 42, 43])
def test_acr_eular_matches_numpy_rule(seed):
    rng = np.random.default_rng(seed)
    n = 500
    df = pd.DataFrame({k: rng.random(n) < 0.3 for k in ITEMS})
    score, cls = _acr_eular_numpy({k: df[k].to_numpy() for k in ITEMS})
    out = rs.ssc.acr_eular_2013(df)
    np.testing.assert_array_equal(out["score"].to_numpy(dtype=np.int64), score)
    np.testing.assert_array_equal(out["classified"].to_numpy(dtype=bool), cls)
    assert 0 < cls.sum() < n


def test_acr_eular_missing_and_bad_inputs():
    out = rs.ssc.acr_eular_2013(raynaud=[True, np.nan], puffy_fingers=[True, True])
    assert out["score"].tolist()[0] == 5 and out["score"].isna().tolist() == [False, True]
    assert out["classified"].isna().tolist() == [False, True]
    df = pd.DataFrame({k: [False, False] for k in ITEMS}, index=["a", "b"])
    with pytest.raises(ValueError, match=r"missing column\(s\) \['pah', 'ild'\]"):
        rs.ssc.acr_eular_2013(df.drop(columns=["pah", "ild"]))
    with pytest.raises(ValueError, match="not both"):
        rs.ssc.acr_eular_2013(df, raynaud=True)
    with pytest.raises(ValueError, match="no items"):
        rs.ssc.acr_eular_2013()
    bad = df.astype(float)
    bad.loc["b", "ild"] = 3.0
    with pytest.raises(InvalidInputError) as e:
        rs.ssc.acr_eular_2013(bad)
    msg = str(e.value)
    assert "ild[1]" in msg and "'b'" in msg and "3" in msg and "True/False" in msg
    with pytest.raises(TypeError, match="raynaud"):
        rs.ssc.acr_eular_2013(raynaud=["yes"])
    before = df.copy(deep=True)
    rs.ssc.acr_eular_2013(df)
    pd.testing.assert_frame_equal(df, before)


# ---------------------------------------------------------------------------
# lung-function decline (SCORING_SPEC section 12)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "definition, fb, ff, db, df, expected",
    [
        ("omeract", 80, 72, None, None, "significant"),  # boundary 10 %
        ("omeract", 80, 75, 60, 50, "significant"),  # DLCO 16.7 %
        ("omeract", 80, 75, 60, 55, "marginal"),
        ("omeract", 80, 76, None, None, "marginal"),  # boundary 5 %
        ("omeract", 70, 66.5, 60, 51, "significant"),  # DLCO exactly 15 %
        ("omeract", 70, 66.5, 60, 51.5, "marginal"),
        ("omeract", 80, 77, 60, 48, "stable"),
        ("omeract", 80, 85, 60, 60, "stable"),
        ("ppf2022", 80, 75, None, None, "significant"),  # 5 points, boundary
        ("ppf2022", 80, 76, 60, 50, "significant"),  # DLCO 10 points, boundary
        ("ppf2022", 80, 76, 60, 52, "stable"),
        ("ppf2022", 80, 75.5, 60, 52, "stable"),
    ],
)
def test_lung_decline_spec_examples(definition, fb, ff, db, df, expected):
    assert rs.ssc.lung_decline(fb, ff, db, df, definition=definition) == expected


def test_lung_decline_is_ordered_categorical_with_index():
    idx = pd.Index(["p1", "p2", "p3"])
    fb, ff = pd.Series([80.0, 80, 80], index=idx), pd.Series([72.0, 76, 79], index=idx)
    before = fb.copy()
    out = rs.ssc.lung_decline(fb, ff)
    assert out.index.equals(idx)
    assert list(out.cat.categories) == ["stable", "marginal", "significant"] and out.cat.ordered
    assert out.tolist() == ["significant", "marginal", "stable"]
    assert (out > "stable").tolist() == [True, True, False]  # ordered comparison
    pd.testing.assert_series_equal(fb, before)
    arr = rs.ssc.lung_decline([80.0, 80.0], [72.0, 79.0])
    assert isinstance(arr, pd.Categorical)


def _omeract_numpy(fb, ff, db, df):
    rf = (fb - ff) / fb
    rd = (db - df) / db
    sig = (rf >= 0.10 - EPS) | ((rf >= 0.05 - EPS) & (rd >= 0.15 - EPS))
    marg = (rf >= 0.05 - EPS) & ~sig
    return np.where(sig, "significant", np.where(marg, "marginal", "stable"))


def _ppf_numpy(fb, ff, db, df):
    sig = (fb - ff >= 5 - EPS) | (db - df >= 10 - EPS)
    return np.where(sig, "significant", "stable")


@pytest.mark.parametrize("seed", [51, 52, 53])
def test_lung_decline_matches_numpy_rules(seed):
    rng = np.random.default_rng(seed)
    n = 500
    fb = np.round(rng.uniform(45, 120, n), 1)
    ff = np.round(fb * (1 + rng.uniform(-0.15, 0.06, n)), 1)
    db = np.round(rng.uniform(30, 100, n), 1)
    dd = np.round(db * (1 + rng.uniform(-0.25, 0.08, n)), 1)
    om = rs.ssc.lung_decline(fb, ff, db, dd)
    np.testing.assert_array_equal(np.asarray(om, dtype=str), _omeract_numpy(fb, ff, db, dd))
    pp = rs.ssc.lung_decline(fb, ff, db, dd, definition="ppf2022")
    np.testing.assert_array_equal(np.asarray(pp, dtype=str), _ppf_numpy(fb, ff, db, dd))
    assert len(set(np.asarray(om, dtype=str))) == 3


def test_lung_decline_missing_values():
    nan = np.nan
    out = rs.ssc.lung_decline([nan, 80, 80, 80], [70, 75, 79, 70], [60, nan, nan, nan], [50, 50, 50, 50])
    assert out.isna().tolist() == [True, True, False, False]
    assert list(out[2:]) == ["stable", "significant"]
    pp = rs.ssc.lung_decline([80, 80, nan], [74, 79, 79], [nan, nan, 60], [50, 50, 50], definition="ppf2022")
    assert pp[0] == "significant" and pd.isna(pp[1]) and pp[2] == "significant"


def test_lung_decline_bad_inputs():
    with pytest.raises(ValueError, match="both or neither"):
        rs.ssc.lung_decline([80], [70], dlco_base=[60])
    with pytest.raises(ValueError, match="definition"):
        rs.ssc.lung_decline([80], [70], definition="zappala")
    with pytest.raises(InvalidInputError) as e:
        rs.ssc.lung_decline(pd.Series([80.0, 260.0], index=["x", "y"]), pd.Series([70.0, 70.0], index=["x", "y"]))
    msg = str(e.value)
    assert "fvc_base[1]" in msg and "'y'" in msg and "260" in msg and "250" in msg
    with pytest.raises(InvalidInputError, match=r"dlco_follow\[0\] = -5"):
        rs.ssc.lung_decline([80], [70], [60], [-5])
    with pytest.raises(TypeError, match="fvc_follow"):
        rs.ssc.lung_decline([80], ["70"])
    with pytest.raises(ValueError, match="same length"):
        rs.ssc.lung_decline([80, 80], [70])
    with pytest.raises(InvalidInputError, match=r"fvc_follow\[0\]"):
        rs.ssc.lung_decline([80], [np.nan], nan_policy="raise")
    with pytest.raises(ValueError, match="different indexes"):
        rs.ssc.lung_decline(pd.Series([80.0], index=["a"]), pd.Series([70.0], index=["b"]))
