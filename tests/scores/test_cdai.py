"""CDAI / SDAI and their categories: SCORING_SPEC section 3."""

import numpy as np
import pytest

import rheumstats as rs

CDAI = [((4, 3, 4.5, 3.0), 14.5, "moderate"), ((1, 0, 1.0, 0.8), 2.8, "remission"), ((3, 2, 3.0, 2.0), 10.0, "low"),
        ((8, 6, 4.0, 4.0), 22.0, "moderate"), ((8, 7, 4.0, 3.5), 22.5, "high"), ((28, 28, 10, 10), 76.0, "high")]
SDAI = [((4, 3, 4.5, 3.0, 1.2), 15.7, "moderate"), ((1, 1, 0.5, 0.5, 0.3), 3.3, "remission"), ((3, 3, 2.5, 2.0, 0.5), 11.0, "low"),
        ((10, 8, 4.0, 3.0, 1.0), 26.0, "moderate"), ((10, 8, 4.0, 3.0, 1.1), 26.1, "high")]


@pytest.mark.parametrize("args,score,cat", CDAI)
def test_cdai_spec_examples(args, score, cat):
    v = rs.scores.cdai(*args)
    assert v == pytest.approx(score, rel=1e-12)
    assert rs.scores.cdai_category(v) == cat


@pytest.mark.parametrize("args,score,cat", SDAI)
def test_sdai_spec_examples(args, score, cat):
    v = rs.scores.sdai(*args)
    assert v == pytest.approx(score, rel=1e-12)
    assert rs.scores.sdai_category(v) == cat


def test_independent_vectors():
    # the published sums, evaluated with numpy
    rng = np.random.default_rng(3)
    t, s = rng.integers(0, 29, 40).astype(float), rng.integers(0, 29, 40).astype(float)
    p, e, c = rng.uniform(0, 10, 40), rng.uniform(0, 10, 40), rng.uniform(0, 12, 40)
    np.testing.assert_allclose(rs.scores.cdai(t, s, p, e), t + s + p + e, rtol=1e-15)
    np.testing.assert_allclose(rs.scores.sdai(t, s, p, e, c), t + s + p + e + c, rtol=1e-15)
    cat = rs.scores.cdai_category(t + s + p + e)
    want = np.select([t + s + p + e <= 2.8, t + s + p + e <= 10, t + s + p + e <= 22], ["remission", "low", "moderate"], "high")
    assert list(cat.astype(str)) == list(want)


@pytest.mark.parametrize("ptga", [11, 45])
def test_global_on_a_mm_scale_is_an_error(ptga):
    with pytest.raises(ValueError) as exc:
        rs.scores.cdai(4, 3, ptga, 3.0)
    assert "patient_global[0]" in str(exc.value) and "0-10 cm" in str(exc.value)


def test_negative_crp_and_bad_category_inputs():
    with pytest.raises(ValueError, match=r"crp\[0\].*mg/dL"):
        rs.scores.sdai(4, 3, 4.5, 3.0, -0.1)
    with pytest.raises(ValueError, match=r"cdai\[0\]"):
        rs.scores.cdai_category(80)
    with pytest.raises(ValueError, match=r"sdai\[1\]"):
        rs.scores.sdai_category([3, -1])
