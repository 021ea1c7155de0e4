"""mRSS and skin subset: SCORING_SPEC section 1 worked examples plus independent vectors."""

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs
from rheumstats.scores import MRSS_SITES


def site_row(**scores):
    row = dict.fromkeys(MRSS_SITES, 0)
    row.update(scores)
    return row


LIMITED = dict(face=1, fingers_right=2, fingers_left=2, hand_right=1, hand_left=1, forearm_right=1, forearm_left=1)

# (sites, mrss, subset) from the SCORING_SPEC section 1 example table
SPEC = [
    (site_row(), 0, "none"),
    (site_row(**LIMITED), 9, "limited"),
    (site_row(**LIMITED, upper_arm_right=1), 10, "diffuse"),
    (site_row(anterior_chest=1), 1, "diffuse"),
    (site_row(face=2), 2, "limited"),
    (dict.fromkeys(MRSS_SITES, 3), 51, "diffuse"),
]


def test_sites_are_the_17_canonical_names_in_order():
    assert len(MRSS_SITES) == 17
    assert MRSS_SITES[0] == "face" and MRSS_SITES[-1] == "foot_left"


def test_spec_examples():
    df = pd.DataFrame([s for s, _, _ in SPEC], index=[f"v{i}" for i in range(len(SPEC))])
    total = rs.scores.mrss(df)
    subset = rs.scores.skin_subset(df)
    assert total.tolist() == [m for _, m, _ in SPEC]
    assert subset.astype(str).tolist() == [s for _, _, s in SPEC]
    assert list(total.index) == list(df.index)
    assert list(subset.cat.categories) == ["none", "limited", "diffuse"]
    assert not subset.cat.ordered


def test_column_order_does_not_matter_and_array_input_uses_canonical_order():
    rng = np.random.default_rng(7)
    arr = rng.integers(0, 4, (50, 17)).astype(float)
    df = pd.DataFrame(arr, columns=MRSS_SITES)
    shuffled = df[list(reversed(MRSS_SITES))]
    # independent reference: numpy row sums
    np.testing.assert_array_equal(rs.scores.mrss(arr), arr.sum(axis=1))
    np.testing.assert_array_equal(rs.scores.mrss(shuffled).to_numpy(), arr.sum(axis=1))


def test_subset_independent_vectors():
    # computed by hand from the LeRoy site lists: proximal = chest, abdomen, upper arms, thighs
    rows = [
        site_row(thigh_left=1),  # diffuse (thigh is proximal)
        site_row(lower_leg_right=3, foot_left=1),  # limited (distal only)
        site_row(abdomen=2, face=3),  # diffuse
    ]
    assert list(rs.scores.skin_subset(np.array([list(r.values()) for r in rows]))) == ["diffuse", "limited", "diffuse"]


def test_nan_rules():
    nan_proximal = site_row(upper_arm_left=2)
    nan_proximal["face"] = np.nan
    nan_distal = site_row(face=1)
    nan_distal["fingers_left"] = np.nan
    df = pd.DataFrame([nan_proximal, nan_distal])
    assert np.isnan(rs.scores.mrss(df)).all()
    sub = rs.scores.skin_subset(df)
    assert sub.iloc[0] == "diffuse" and pd.isna(sub.iloc[1])
    with pytest.raises(ValueError, match=r"sites\['face'\]\[0\]"):
        rs.scores.mrss(df, nan_policy="raise")


@pytest.mark.parametrize("bad", [4, 1.5, -1, np.inf])
def test_out_of_range_site_names_column_row_and_range(bad):
    df = pd.DataFrame([site_row(), site_row(hand_left=bad)], index=["p1", "p7"])
    with pytest.raises(ValueError) as exc:
        rs.scores.mrss(df)
    msg = str(exc.value)
    assert "sites['hand_left'][1]" in msg and "'p7'" in msg and "0-3" in msg
    assert exc.value.arg == "sites" and exc.value.row == 1 and exc.value.label == "p7"
    with pytest.raises(ValueError, match="hand_left"):
        rs.scores.skin_subset(df)


def test_wrong_columns_are_listed():
    df = pd.DataFrame([site_row()]).drop(columns=["face"])
    with pytest.raises(ValueError, match="missing column.*face"):
        rs.scores.mrss(df)
    extra = pd.DataFrame([site_row()]).assign(patient="p1")
    with pytest.raises(ValueError, match="unexpected column.*patient"):
        rs.scores.mrss(extra)
    with pytest.raises(ValueError, match=r"shape \(n, 17\)"):
        rs.scores.mrss(np.zeros((3, 16)))
