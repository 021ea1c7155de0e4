"""rs.ssc response composites: CRISS, revised CRISS and MCID responses.

Sources: SCORING_SPEC.md sections 8, 9 and 13 (worked examples; numeric
values asserted with relative tolerance 1e-9, absolute 1e-12 near 0, as the
spec says), and the published formulas re-implemented here with numpy for
three independent seeded vectors per composite (same tolerances; cut-offs
with the spec's EPS = 1e-9).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs
from rheumstats import InvalidInputError

EPS = 1e-9
CORE = ["mrss", "fvc_pct", "patient_global", "physician_global", "haq_di"]


def frame(rows, index=None):
    return pd.DataFrame([dict(zip(CORE, r)) for r in rows], index=index, dtype=float)


def approx(x):
    return pytest.approx(x, rel=1e-9, abs=1e-12)


# ---------------------------------------------------------------------------
# CRISS (SCORING_SPEC section 8)
# ---------------------------------------------------------------------------
BASE = (25, 80, 6, 6, 1.5)


@pytest.mark.parametrize(
    "follow, lp, prob, improved",
    [
        ((15, 83, 4, 3, 1.0), 7.015, 0.999102500417, True),  # example 1
        (BASE, -5.54, 0.00391116952619, False),  # example 2, unchanged
        ((21, 80, 5, 5, 1.25), -0.6075, 0.352629692418, False),  # example 3
        ((30, 80, 6, 6, 1.5), -9.59, 6.84047420801e-05, False),  # example 6
    ],
)
def test_criss_spec_examples(follow, lp, prob, improved):
    out = rs.ssc.criss(frame([BASE]), frame([follow]))
    assert list(out.columns) == ["probability", "improved"]
    # SCORING_SPEC section 0: worked examples to relative 1e-9 (absolute 1e-12 near 0)
    assert out["probability"].iloc[0] == approx(prob)
    assert out["probability"].iloc[0] == approx(1 / (1 + np.exp(-lp)))
    assert not out["improved"].isna().any()
    assert bool(out["improved"].iloc[0]) is improved
    assert out["improved"].dtype == "boolean"


def test_criss_step1_worsening_overrides_everything():
    # example 5: as 1, worsening=True -> 0.0 / False
    b = frame([BASE, BASE, BASE])
    f = frame([(15, 83, 4, 3, 1.0), (15, np.nan, 4, 3, 1.0), (15, 83, 4, 3, 1.0)])
    out = rs.ssc.criss(b, f, worsening=[True, True, False])
    assert out["probability"].tolist()[:2] == [0.0, 0.0]
    assert out["improved"].tolist() == [False, False, True]
    # step 1 needs no core values, even with nan_policy='raise'
    out = rs.ssc.criss(b.iloc[[1]], f.iloc[[1]], worsening=[True], nan_policy="raise")
    assert out["probability"].iloc[0] == 0.0


def test_criss_missing_values():
    b = frame([BASE, BASE])
    f = frame([(15, np.nan, 4, 3, 1.0), (15, 83, 4, 3, 1.0)])
    out = rs.ssc.criss(b, f)
    assert np.isnan(out["probability"].iloc[0]) and out["improved"].isna().iloc[0]
    # a missing step-1 flag gives a missing result
    out = rs.ssc.criss(b, f, worsening=pd.array([False, pd.NA], dtype="boolean"))
    assert out["improved"].isna().tolist() == [True, True]
    with pytest.raises(InvalidInputError, match=r"followup\['fvc_pct'\]\[0\]"):
        rs.ssc.criss(b, f, nan_policy="raise")
    with pytest.raises(ValueError, match="omit"):
        rs.ssc.criss(b, f, nan_policy="omit")


@pytest.mark.parametrize(
    "fvc, improved, near",
    [
        (71.31173861003887, True, 0.6),  # LP = ln 1.5: probability 0.6 to ~1e-15
        (71.31173861, True, 0.599999999998),  # just below 0.6, within EPS
        (71.3, False, 0.599408228476),
    ],
)
def test_criss_boundary_at_0_60(fvc, improved, near):
    # SCORING_SPEC section 8, boundary example 4
    b = frame([(20, 70.0, 5, 5, 1.0)])
    f = frame([(13, fvc, 5, 5, 1.0)])
    out = rs.ssc.criss(b, f)
    p = out["probability"].iloc[0]
    assert p == approx(near)
    if fvc == 71.31173861:
        assert p < 0.6  # below the cut-off, yet improved: within EPS
    assert bool(out["improved"].iloc[0]) is improved


def _criss_numpy(b, f):
    d = f - b
    lp = -5.54 - 0.81 * d[:, 0] + 0.21 * d[:, 1] - 0.40 * d[:, 2] - 0.44 * d[:, 3] - 3.41 * d[:, 4]
    p = 1.0 / (1.0 + np.exp(-lp))
    return p, p >= 0.60 - EPS


def _random_core(rng, n):
    b = np.column_stack([
        rng.integers(5, 45, n), rng.uniform(45, 110, n), rng.uniform(0, 10, n), rng.uniform(0, 10, n),
        rng.integers(0, 25, n) / 8,
    ]).astype(float)
    f = np.column_stack([
        np.clip(b[:, 0] + rng.integers(-15, 6, n), 0, 51), np.clip(b[:, 1] + rng.normal(0, 6, n), 30, 130),
        np.clip(b[:, 2] + rng.normal(-1, 2, n), 0, 10), np.clip(b[:, 3] + rng.normal(-1, 2, n), 0, 10),
        np.clip(b[:, 4] + rng.integers(-6, 3, n) / 8, 0, 3),
    ])
    return b, f


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_criss_matches_numpy_formula(seed):
    rng = np.random.default_rng(seed)
    b, f = _random_core(rng, 300)
    worse = rng.random(300) < 0.1
    p, imp = _criss_numpy(b, f)
    p[worse], imp[worse] = 0.0, False
    out = rs.ssc.criss(frame(b), frame(f), worsening=worse)
    np.testing.assert_allclose(out["probability"].to_numpy(), p, rtol=1e-9, atol=1e-12)
    assert (out["improved"].to_numpy(dtype=bool) == imp).all()
    assert 0 < imp.sum() < 300  # the vector exercises both outcomes


def test_criss_no_overflow_for_extreme_changes():
    b = frame([(51, 20, 10, 10, 3), (0, 250, 0, 0, 0)])
    f = frame([(0, 250, 0, 0, 0), (51, 20, 10, 10, 3)])
    with np.errstate(all="raise"):
        out = rs.ssc.criss(b, f)
    p = out["probability"].to_numpy()
    assert p[0] == 1.0 and 0.0 <= p[1] < 1e-40


def test_criss_accepts_dicts_and_keeps_index():
    idx = pd.Index(["P017", "P003"], name="patient")
    b = frame([BASE, BASE], index=idx)
    f = frame([(15, 83, 4, 3, 1.0), BASE], index=idx)
    b0, f0 = b.copy(deep=True), f.copy(deep=True)
    out = rs.ssc.criss(b, f, worsening=pd.Series([False, False], index=idx))
    assert out.index.equals(idx)
    pd.testing.assert_frame_equal(b, b0)
    pd.testing.assert_frame_equal(f, f0)
    d = rs.ssc.criss({c: list(b[c]) for c in CORE}, {c: f[c].to_numpy() for c in CORE})
    np.testing.assert_array_equal(d["probability"].to_numpy(), out["probability"].to_numpy())
    assert isinstance(d.index, pd.RangeIndex)
    # extra columns are ignored
    out2 = rs.ssc.criss(b.assign(note="x"), f.assign(esr=3.0))
    pd.testing.assert_frame_equal(out, out2)


def test_criss_bad_inputs():
    idx = ["P01", "P02", "P03"]
    b = frame([BASE] * 3, index=idx)
    f = frame([BASE] * 3, index=idx)
    # globals on the mm scale are an error, not rescaled
    f2 = f.copy()
    f2.loc["P03", "patient_global"] = 45.0
    with pytest.raises(InvalidInputError) as e:
        rs.ssc.criss(b, f2)
    msg = str(e.value)
    assert "followup['patient_global'][2]" in msg and "'P03'" in msg and "45" in msg and "0-10" in msg
    # FVC must be > 0
    b2 = b.copy()
    b2.loc["P02", "fvc_pct"] = 0.0
    with pytest.raises(InvalidInputError, match=r"baseline\['fvc_pct'\]\[1\] \(index 'P02'\) = 0.*> 0"):
        rs.ssc.criss(b2, f)
    # missing columns are named
    with pytest.raises(ValueError, match=r"followup: missing column\(s\) \['haq_di'\]"):
        rs.ssc.criss(b, f.drop(columns="haq_di"))
    # different patients
    with pytest.raises(ValueError, match="different indexes"):
        rs.ssc.criss(b, f.rename(index={"P03": "P99"}))
    with pytest.raises(ValueError, match="different indexes"):
        rs.ssc.criss(b, f.iloc[::-1])
    # a worsening flag that is not boolean
    with pytest.raises(InvalidInputError, match=r"worsening\[1\].*True/False"):
        rs.ssc.criss(b, f, worsening=[0, 2, 0])
    # wrong types
    with pytest.raises(TypeError, match=r"baseline\['mrss'\]"):
        rs.ssc.criss(b.assign(mrss=["a", "b", "c"]), f)
    with pytest.raises(TypeError, match="baseline"):
        rs.ssc.criss([1, 2, 3], f)
    # length mismatch between dict columns
    with pytest.raises(ValueError, match="same length"):
        rs.ssc.criss({c: [1.0, 1.0] for c in CORE}, {c: [1.0, 1.0, 1.0] for c in CORE})


# ---------------------------------------------------------------------------
# revised CRISS (SCORING_SPEC section 9)
# ---------------------------------------------------------------------------
RB = (20, 80, 6, 6, 1.5)
RF = (15, 84, 5, 4, 1.25)
FLAGS = [f"{c}_improved" for c in CORE]


def _flags(out, i=0):
    return [c[: -len("_improved")] for c in FLAGS if out[c].iloc[i]]


@pytest.mark.parametrize(
    "follow, kwargs, worsening, items, responder",
    [
        (RF, {}, None, ["mrss", "fvc_pct", "physician_global"], True),  # FVC on its boundary
        (RF, {"threshold": 0.25}, None, ["mrss", "fvc_pct", "physician_global"], True),  # mRSS on its boundary
        (RF, {"threshold": 0.30}, None, ["fvc_pct", "physician_global"], False),
        (RF, {}, [True], ["mrss", "fvc_pct", "physician_global"], False),
        ((15, 83.9, 5, 4, 1.25), {}, None, ["mrss", "physician_global"], False),
    ],
)
def test_rcriss_spec_examples(follow, kwargs, worsening, items, responder):
    out = rs.ssc.rcriss(frame([RB]), frame([follow]), worsening=worsening, **kwargs)
    assert list(out.columns) == FLAGS + ["n_improved", "responder"]
    assert _flags(out) == items
    assert out["n_improved"].iloc[0] == len(items)
    assert bool(out["responder"].iloc[0]) is responder
    assert out["n_improved"].dtype == "Int64"
    assert all(out[c].dtype == "boolean" for c in FLAGS + ["responder"])


def test_rcriss_baseline_zero_is_not_improved():
    # spec example: PtGA 0 at both visits
    b, f = list(RB), list(RF)
    b[2] = f[2] = 0
    out = rs.ssc.rcriss(frame([b]), frame([f]))
    assert _flags(out) == ["mrss", "fvc_pct", "physician_global"]
    assert out["patient_global_improved"].tolist() == [False]  # False, not NA
    assert bool(out["responder"].iloc[0])


def test_rcriss_missing_item():
    f = list(RF)
    f[4] = np.nan
    out = rs.ssc.rcriss(frame([RB, RB]), frame([f, f]), worsening=[False, True])
    assert out["haq_di_improved"].isna().all()
    assert out["n_improved"].isna().all()
    assert out["responder"].isna().tolist() == [True, False]
    assert out["responder"].tolist()[1] is False  # step-1 override


def _rcriss_numpy(b, f, t=0.20, k=3, tf=0.05):
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = (b - f) / b
        rel[:, 1] = (f[:, 1] - b[:, 1]) / b[:, 1]
    thr = np.array([t, tf, t, t, t])
    flags = (rel >= thr - EPS) & (b != 0)
    n = flags.sum(axis=1)
    return flags, n, n >= k


@pytest.mark.parametrize("seed, t, k, tf", [(11, 0.20, 3, 0.05), (12, 0.25, 2, 0.03), (13, 0.30, 4, 0.10)])
def test_rcriss_matches_numpy_formula(seed, t, k, tf):
    rng = np.random.default_rng(seed)
    b, f = _random_core(rng, 300)
    b[::17, 2] = 0.0  # some zero baselines
    worse = rng.random(300) < 0.1
    flags, n, resp = _rcriss_numpy(b, f, t, k, tf)
    resp = resp & ~worse
    out = rs.ssc.rcriss(frame(b), frame(f), worsening=worse, threshold=t, min_items=k, fvc_threshold=tf)
    np.testing.assert_array_equal(out[FLAGS].to_numpy(dtype=bool), flags)
    np.testing.assert_array_equal(out["n_improved"].to_numpy(dtype=np.int64), n)
    np.testing.assert_array_equal(out["responder"].to_numpy(dtype=bool), resp)
    assert 0 < resp.sum() < 300


def test_rcriss_exact_fraction_boundaries():
    # integer mRSS and eighth-step HAQ land exactly on 20 % in float arithmetic
    b = frame([(20, 80, 5, 10, 1.25), (10, 100, 5, 10, 0.625)])
    f = frame([(16, 84, 4, 8, 1.0), (8, 105, 4, 8, 0.5)])
    out = rs.ssc.rcriss(b, f)
    assert out[FLAGS].to_numpy(dtype=bool).all()


def test_rcriss_bad_options_and_inputs():
    b, f = frame([RB]), frame([RF])
    with pytest.raises(ValueError, match="min_items"):
        rs.ssc.rcriss(b, f, min_items=6)
    with pytest.raises(TypeError, match="min_items"):
        rs.ssc.rcriss(b, f, min_items=2.5)
    with pytest.raises(ValueError, match="threshold"):
        rs.ssc.rcriss(b, f, threshold=20)
    with pytest.raises(TypeError, match="fvc_threshold"):
        rs.ssc.rcriss(b, f, fvc_threshold="5%")
    with pytest.raises(InvalidInputError, match=r"baseline\['haq_di'\]\[0\] \(index 0\) = 3.5.*0-3"):
        rs.ssc.rcriss(frame([(20, 80, 6, 6, 3.5)]), f)
    with pytest.raises(ValueError, match=r"baseline: missing column\(s\) \['mrss', 'fvc_pct'\]"):
        rs.ssc.rcriss(b.drop(columns=["mrss", "fvc_pct"]), f)


def test_rcriss_keeps_index_and_inputs():
    idx = pd.Index([101, 205])
    b, f = frame([RB, RB], index=idx), frame([RF, RB], index=idx)
    b0, f0 = b.copy(deep=True), f.copy(deep=True)
    out = rs.ssc.rcriss(b, f)
    assert out.index.equals(idx)
    assert out["responder"].tolist() == [True, False]
    pd.testing.assert_frame_equal(b, b0)
    pd.testing.assert_frame_equal(f, f0)


# ---------------------------------------------------------------------------
# MCID responses (SCORING_SPEC section 13)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "measure, b, f, expected",
    [
        ("mrss", 25, 20, True),  # boundary
        ("mrss", 25, 21, False),
        ("haq_di", 1.5, 1.36, True),  # float difference 0.1399999999999999
        ("haq_di", 1.5, 1.375, False),
        ("haq_di", 1.5, 1.25, True),
        ("fvc_pct", 70, 73, True),  # boundary
        ("fvc_pct", 70, 72.5, False),
        ("das28", 5.0, 3.8, False),  # difference 1.2 is not > 1.2
        ("das28", 5.0, 3.7, True),
    ],
)
def test_mcid_spec_examples(measure, b, f, expected):
    assert rs.ssc.mcid_response(measure, b, f) is expected


@pytest.mark.parametrize("seed, measure", [(21, "mrss"), (22, "haq_di"), (23, "fvc_pct"), (24, "das28")])
def test_mcid_matches_numpy(seed, measure):
    rng = np.random.default_rng(seed)
    n = 400
    if measure == "mrss":
        b = rng.integers(0, 51, n).astype(float)
        f = np.clip(b + rng.integers(-12, 6, n), 0, 51)
        want = b - f >= 5 - EPS
    elif measure == "haq_di":
        b = rng.integers(0, 25, n) / 8
        f = np.clip(b + rng.integers(-4, 3, n) / 8, 0, 3)
        want = b - f >= 0.14 - EPS
    elif measure == "fvc_pct":
        b = np.round(rng.uniform(40, 120, n), 1)
        f = np.round(b + rng.uniform(-6, 8, n), 1)
        want = f - b >= 3.0 - EPS
    else:
        b = rng.uniform(2, 8, n)
        f = np.clip(b + rng.normal(-1, 1, n), 0, 10)
        want = b - f > 1.2 + EPS
    out = rs.ssc.mcid_response(measure, b, f)
    np.testing.assert_array_equal(out.to_numpy(dtype=bool), want)
    assert 0 < want.sum() < n


def test_mcid_threshold_override_series_and_missing():
    idx = pd.Index(["a", "b", "c"])
    b = pd.Series([25.0, 25.0, np.nan], index=idx)
    f = pd.Series([22.0, 23.0, 20.0], index=idx)
    out = rs.ssc.mcid_response("mrss", b, f, threshold=3)
    assert out.index.equals(idx) and out.dtype == "boolean"
    assert out.tolist()[:2] == [True, False] and out.isna().tolist() == [False, False, True]


def test_mcid_bad_inputs():
    with pytest.raises(ValueError, match="measure"):
        rs.ssc.mcid_response("cdai", [1.0], [2.0])
    with pytest.raises(TypeError, match="measure"):
        rs.ssc.mcid_response(None, [1.0], [2.0])
    with pytest.raises(ValueError, match="threshold"):
        rs.ssc.mcid_response("mrss", [1.0], [2.0], threshold=-1)
    with pytest.raises(InvalidInputError) as e:
        rs.ssc.mcid_response("haq_di", pd.Series([1.0, 3.5], index=["x", "y"]), pd.Series([1.0, 1.0], index=["x", "y"]))
    msg = str(e.value)
    assert "baseline[1]" in msg and "'y'" in msg and "3.5" in msg and "0-3" in msg
    with pytest.raises(TypeError, match="followup"):
        rs.ssc.mcid_response("mrss", [1.0], ["x"])
    with pytest.raises(ValueError, match="same length"):
        rs.ssc.mcid_response("mrss", [1.0, 2.0], [1.0, 2.0, 3.0])


def test_core_set_worsening_index_and_empty_input():
    idx = pd.Index(["a", "b"])
    b, f = frame([BASE, BASE], index=idx), frame([BASE, BASE], index=idx)
    with pytest.raises(ValueError, match="worsening.*different indexes|different indexes.*worsening"):
        rs.ssc.criss(b, f, worsening=pd.Series([False, True], index=["a", "c"]))
    # a worsening Series supplies the index when the visits are plain dicts
    d = {c: [1.0, 1.0] for c in CORE}
    out = rs.ssc.rcriss(d, d, worsening=pd.Series([False, True], index=idx))
    assert out.index.equals(idx) and out["responder"].tolist() == [False, False]
    # empty input is an error (SCORING_SPEC section 0)
    with pytest.raises(ValueError, match="at least 1"):
        rs.ssc.criss(frame([]).reindex(columns=CORE), frame([]).reindex(columns=CORE))


# ---------------------------------------------------------------------------
# properties (hypothesis): invariants that follow from the published formulas
# ---------------------------------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_visit = st.tuples(
    st.integers(0, 51).map(float),
    st.floats(20, 150, allow_nan=False),
    st.floats(0, 10, allow_nan=False),
    st.floats(0, 10, allow_nan=False),
    st.integers(0, 24).map(lambda k: k / 8),
)


@settings(max_examples=200, deadline=None)
@given(b=_visit, f=_visit)
def test_criss_properties(b, f):
    out = rs.ssc.criss(frame([b, b]), frame([f, f]), worsening=[False, True])
    p = out["probability"].iloc[0]
    assert 0.0 <= p <= 1.0
    assert bool(out["improved"].iloc[0]) == (p >= 0.6 - EPS)
    assert out["probability"].iloc[1] == 0.0 and not out["improved"].iloc[1]
    # one point less mRSS at follow-up never lowers the probability (sign check)
    if f[0] >= 1:
        better = (f[0] - 1,) + tuple(f[1:])
        assert rs.ssc.criss(frame([b]), frame([better]))["probability"].iloc[0] >= p


@settings(max_examples=200, deadline=None)
@given(b=_visit, f=_visit, k=st.integers(1, 5))
def test_rcriss_properties(b, f, k):
    out = rs.ssc.rcriss(frame([b]), frame([f]), min_items=k)
    n = int(out[FLAGS].to_numpy(dtype=bool).sum())
    assert out["n_improved"].iloc[0] == n
    assert bool(out["responder"].iloc[0]) == (n >= k)
    # swapping the visits cannot make both directions improve on a lower-is-better item
    back = rs.ssc.rcriss(frame([f]), frame([b]), min_items=k)
    for c in ("mrss_improved", "haq_di_improved"):
        assert not (out[c].iloc[0] and back[c].iloc[0])
