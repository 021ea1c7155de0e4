"""DAS28, its categories and the EULAR response: SCORING_SPEC section 2."""

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs

REL = 1e-9  # SCORING_SPEC section 0: worked examples to 1e-9 relative

ESR_EXAMPLES = [
    ((4, 3, 20, 40), 4.26198681761),
    ((4, 3, 20, None), 4.15814576302),
    ((0, 0, 1, 0), 0.0),
    ((0, 0, 1, None), 0.16),
    ((10, 8, 45, 70), 6.20749882746),
    ((28, 28, 100, 100), 9.06848133278),
]
CRP_EXAMPLES = [
    ((4, 3, 10, 40), 3.98821652433),
    ((4, 3, 10, None), 3.86503817676),
    ((0, 0, 0, 0), 0.96),
    ((0, 0, 0, None), 1.15),
    ((10, 8, 25.5, 70), 5.68260718850),
]


@pytest.mark.parametrize("args,want", ESR_EXAMPLES)
def test_das28_esr_spec_examples(args, want):
    got = rs.scores.das28_esr(*args)
    assert isinstance(got, float)
    assert got == pytest.approx(want, rel=REL, abs=1e-12)


@pytest.mark.parametrize("args,want", CRP_EXAMPLES)
def test_das28_crp_spec_examples(args, want):
    assert rs.scores.das28_crp(*args) == pytest.approx(want, rel=REL, abs=1e-12)


def test_independent_vectors_against_the_numpy_formula():
    # Prevoo 1995 formulae evaluated independently in numpy (libm log/sqrt)
    rng = np.random.default_rng(11)
    n = 70_000  # spans several parallel chunks
    tjc = rng.integers(0, 29, n).astype(float)
    sjc = rng.integers(0, 29, n).astype(float)
    esr = rng.uniform(0.5, 140, n)
    crp = rng.uniform(0, 200, n)
    gh = rng.uniform(0, 100, n)
    j = 0.56 * np.sqrt(tjc) + 0.28 * np.sqrt(sjc)
    np.testing.assert_allclose(rs.scores.das28_esr(tjc, sjc, esr, gh), j + 0.70 * np.log(esr) + 0.014 * gh, rtol=1e-13)
    np.testing.assert_allclose(rs.scores.das28_esr(tjc, sjc, esr), (j + 0.70 * np.log(esr)) * 1.08 + 0.16, rtol=1e-13)
    np.testing.assert_allclose(rs.scores.das28_crp(tjc, sjc, crp, gh), j + 0.36 * np.log1p(crp) + 0.014 * gh + 0.96, rtol=1e-13)
    np.testing.assert_allclose(rs.scores.das28_crp(tjc, sjc, crp), (j + 0.36 * np.log1p(crp)) * 1.10 + 1.15, rtol=1e-13)


def test_series_in_series_out_and_scalar_broadcast(kind):
    tjc = kind([4, 10, 0])
    out = rs.scores.das28_esr(tjc, 3, 20, 40)
    want = [rs.scores.das28_esr(t, 3, 20, 40) for t in (4, 10, 0)]
    np.testing.assert_allclose(np.asarray(out), want, rtol=1e-15)
    if kind.name == "series":
        assert list(out.index) == ["p0", "p1", "p2"] and out.name == "das28_esr"
    else:
        assert isinstance(out, np.ndarray)


def test_nan_row_is_nan_and_global_nan_does_not_switch_form():
    out = rs.scores.das28_esr([4, np.nan, 4], [3, 3, 3], [20, 20, 20], [40, 40, np.nan])
    assert out[0] == pytest.approx(4.26198681761, rel=REL)
    assert np.isnan(out[1]) and np.isnan(out[2])
    with pytest.raises(ValueError, match=r"tjc\[1\]"):
        rs.scores.das28_esr([4, np.nan], [3, 3], [20, 20], nan_policy="raise")
    with pytest.raises(ValueError, match="omit"):
        rs.scores.das28_esr([4], [3], [20], nan_policy="omit")


@pytest.mark.parametrize(
    "call,arg,allowed",
    [
        (lambda: rs.scores.das28_esr(4, 3, 0, 40), "esr", "> 0 mm/h"),
        (lambda: rs.scores.das28_esr(29, 3, 20, 40), "tjc", "0-28"),
        (lambda: rs.scores.das28_esr(4, 3.5, 20, 40), "sjc", "0-28"),
        (lambda: rs.scores.das28_crp(4, 3, 10, 101), "patient_global", "0-100"),
        (lambda: rs.scores.das28_crp(4, 3, -1, 40), "crp", ">= 0 mg/L"),
        (lambda: rs.scores.das28_esr(4, 3, np.inf, 40), "esr", "> 0 mm/h"),
    ],
)
def test_spec_invalid_inputs(call, arg, allowed):
    with pytest.raises(ValueError) as exc:
        call()
    assert str(exc.value).startswith(f"{arg}[0]") and allowed in str(exc.value)


def test_error_names_pandas_label_of_the_first_bad_row():
    df = pd.DataFrame({"tjc": [4, 5, 6], "sjc": [1, 1, 1], "esr": [10, -5, -7], "gh": [10, 10, 10]}, index=["p1", "p7", "p9"])
    with pytest.raises(ValueError) as exc:
        rs.scores.das28_esr(df["tjc"], df["sjc"], df["esr"], df["gh"])
    assert str(exc.value).startswith("esr[1] (index 'p7') = -5") and "ESR must be > 0 mm/h" in str(exc.value)


CATS = [(2.59, "remission"), (2.6, "low"), (3.2, "low"), (3.21, "moderate"), (5.1, "moderate"), (5.11, "high"), (2.5999999999999996, "low")]


def test_das28_category_boundaries():
    out = rs.scores.das28_category([v for v, _ in CATS])
    assert list(out.astype(str)) == [c for _, c in CATS]
    assert out.ordered and list(out.categories) == ["remission", "low", "moderate", "high"]
    assert rs.scores.das28_category(3.2) == "low"
    assert list(rs.scores.das28_category([2.5, 3.0], thresholds=(2.4, 2.9, 5.0)).astype(str)) == ["low", "moderate"]
    with pytest.raises(ValueError, match="das28"):
        rs.scores.das28_category([11.0])


EULAR = [
    (4.5, 3.2, "good"), (5.0, 3.7, "moderate"), (6.5, 5.2, "moderate"), (6.0, 4.8, "moderate"),
    (5.0, 3.8, "moderate"), (6.3, 5.1, "moderate"), (3.0, 2.0, "moderate"), (5.8, 5.1, "moderate"),
    (6.0, 5.2, "none"), (4.0, 3.4, "none"), (4.0, 4.5, "none"),
]


def test_eular_response_spec_table():
    b = pd.Series([e[0] for e in EULAR], index=[f"p{i}" for i in range(len(EULAR))])
    f = pd.Series([e[1] for e in EULAR], index=b.index)
    out = rs.scores.eular_response(b, f)
    assert list(out.astype(str)) == [e[2] for e in EULAR]
    assert out.cat.ordered and list(out.cat.categories) == ["none", "moderate", "good"]
    assert list(out.index) == list(b.index)
