"""rs.longitudinal.mmrm: LS-means by hand, contrasts, F tests, display, bad input."""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs
from rheumstats.exceptions import InvalidInputError

REF = Path(__file__).parents[1] / "reference" / "longitudinal"


@pytest.fixture(scope="module")
def fev():
    d = pd.read_csv(REF / "mmrm_fev_data.csv")
    d["ARMCD"] = pd.Categorical(d["ARMCD"], ["PBO", "TRT"])
    return d


@pytest.fixture(scope="module")
def fit(fev):
    return rs.longitudinal.mmrm(fev, "FEV1", "AVISIT", "USUBJID", formula="ARMCD * AVISIT + FEV1_BL")


def test_lsmeans_equal_l_beta_by_hand(fit, fev):
    names = list(fit.fixed.index)
    beta = fit.fixed["estimate"].to_numpy()
    V = fit.vcov.to_numpy()
    bl = fev.loc[fev["FEV1"].notna(), "FEV1_BL"].mean()
    ls = fit.lsmeans(["AVISIT", "ARMCD"])
    for _, row in ls.iterrows():
        l = pd.Series(0.0, index=names)
        l["(Intercept)"] = 1.0
        l["FEV1_BL"] = bl
        if row["AVISIT"] != "VIS1":
            l[f"AVISIT{row['AVISIT']}"] = 1.0
        if row["ARMCD"] == "TRT":
            l["ARMCDTRT"] = 1.0
            if row["AVISIT"] != "VIS1":
                l[f"ARMCDTRT:AVISIT{row['AVISIT']}"] = 1.0
        assert row["estimate"] == pytest.approx(l.to_numpy() @ beta, rel=1e-12)
        assert row["se"] == pytest.approx(np.sqrt(l.to_numpy() @ V @ l.to_numpy()), rel=1e-10)
    # by visit: the two arms averaged with equal weights
    lv = fit.lsmeans("AVISIT")
    both = ls.groupby("AVISIT", observed=True)["estimate"].mean()
    np.testing.assert_allclose(lv["estimate"], both.loc[lv["AVISIT"]].to_numpy(), rtol=1e-12)


def test_differences_equal_contrast(fit):
    d = fit.lsmeans_diff("ARMCD")
    L = []
    for v in ["VIS1", "VIS2", "VIS3", "VIS4"]:
        l = pd.Series(0.0, index=fit.fixed.index)
        l["ARMCDTRT"] = 1.0
        if v != "VIS1":
            l[f"ARMCDTRT:AVISIT{v}"] = 1.0
        L.append(l.to_numpy())
    c = fit.contrast(np.array(L))
    for col in ["estimate", "se", "df", "t", "p", "ci_low", "ci_high"]:
        np.testing.assert_allclose(d[col].to_numpy(), c[col].to_numpy(), rtol=1e-10)
    assert list(d.index.get_level_values(1)) == ["TRT - PBO"] * 4


def test_contrast_forms_and_f_test(fit):
    one = fit.contrast({"ARMCDTRT": 1.0})
    assert one["estimate"].iloc[0] == pytest.approx(fit.fixed.loc["ARMCDTRT", "estimate"])
    assert one["df"].iloc[0] == pytest.approx(fit.fixed.loc["ARMCDTRT", "df"])
    L = np.zeros((3, len(fit.fixed)))
    cols = [list(fit.fixed.index).index(f"ARMCDTRT:AVISIT{v}") for v in ["VIS2", "VIS3", "VIS4"]]
    L[[0, 1, 2], cols] = 1.0
    F = fit.contrast(L, joint=True)
    aov = fit.anova()
    assert F["F"] == pytest.approx(aov.loc["ARMCD:AVISIT", "F"])
    assert F["num_df"] == 3 and 0 < F["p"] < 1
    # a one-row F test is the squared t test with the same df
    f1 = fit.contrast({"FEV1_BL": 1.0}, joint=True)
    t1 = fit.fixed.loc["FEV1_BL"]
    assert f1["F"] == pytest.approx(t1["t"] ** 2, rel=1e-10)
    assert f1["den_df"] == pytest.approx(t1["df"], rel=1e-10)
    with pytest.raises(InvalidInputError, match="unknown coefficient"):
        fit.contrast({"nope": 1.0})


def test_residual_ddf_and_display(fev):
    r = rs.longitudinal.mmrm(fev, "FEV1", "AVISIT", "USUBJID", covariates=["ARMCD"], covariance="cs", ddf="residual")
    assert (r.fixed["df"] == r.nobs - len(r.fixed)).all()
    assert r.nobs == 537 and r.n_subjects == 197 and r.n_dropped == 263
    assert "MmrmResult" in repr(r) and "<table" in r._repr_html_()
    assert r.to_frame().shape[0] == 5
    k = 2
    assert r.aic == pytest.approx(-2 * r.loglik + 2 * k)
    assert r.bic == pytest.approx(-2 * r.loglik + k * np.log(r.n_subjects))


def test_grouped_covariance_dicts(fev):
    r = rs.longitudinal.mmrm(fev, "FEV1", "AVISIT", "USUBJID", covariates=["ARMCD"], covariance="us", group="ARMCD")
    assert set(r.covariance) == {"PBO", "TRT"} and set(r.correlation) == {"PBO", "TRT"}
    assert r.covariance["PBO"].shape == (4, 4)
    assert "[PBO]" in repr(r)


def test_input_not_mutated_and_numeric_visit(fev):
    d = fev.copy()
    d["VIS"] = d["VISITN"]
    before = d.copy()
    r = rs.longitudinal.mmrm(d, "FEV1", "VIS", "USUBJID", covariates=["ARMCD"])
    pd.testing.assert_frame_equal(d, before)
    assert list(r.covariance.index) == ["1", "2", "3", "4"]
    r2 = rs.longitudinal.mmrm(fev, "FEV1", "AVISIT", "USUBJID", covariates=["ARMCD"])
    assert r.loglik == pytest.approx(r2.loglik, rel=1e-12)


def test_bad_input(fev):
    dup = pd.concat([fev, fev.iloc[[1]]])
    with pytest.raises(InvalidInputError, match=r"subject 'PT1' has 2 rows at visit 'VIS2'"):
        rs.longitudinal.mmrm(dup, "FEV1", "AVISIT", "USUBJID")
    with pytest.raises(InvalidInputError, match="covariance: unknown structure 'un'"):
        rs.longitudinal.mmrm(fev, "FEV1", "AVISIT", "USUBJID", covariance="un")
    one = fev[fev["AVISIT"] == "VIS1"]
    with pytest.raises(InvalidInputError, match="at least 2 visit levels"):
        rs.longitudinal.mmrm(one, "FEV1", "AVISIT", "USUBJID")
    empty = fev.copy()
    empty["AVISIT"] = pd.Categorical(empty["AVISIT"], ["VIS1", "VIS2", "VIS3", "VIS4", "VIS5"])
    with pytest.raises(InvalidInputError, match=r"level\(s\) \['VIS5'\] have no observations"):
        rs.longitudinal.mmrm(empty, "FEV1", "AVISIT", "USUBJID")
    const = fev.assign(K=1.0)
    with pytest.raises(InvalidInputError, match="'K' of the fixed design is constant"):
        rs.longitudinal.mmrm(const, "FEV1", "AVISIT", "USUBJID", covariates=["K"])
    with pytest.raises(InvalidInputError, match="unknown column 'nope'"):
        rs.longitudinal.mmrm(fev, "nope", "AVISIT", "USUBJID")
    with pytest.raises(InvalidInputError, match="ddf"):
        rs.longitudinal.mmrm(fev, "FEV1", "AVISIT", "USUBJID", ddf="kr")
    with pytest.raises(InvalidInputError, match="'kenward-roger' needs a REML fit"):
        rs.longitudinal.mmrm(fev, "FEV1", "AVISIT", "USUBJID", ddf="kenward-roger", reml=False)
    mixed = fev.copy()
    mixed["ARM2"] = np.where(np.arange(len(mixed)) % 2 == 0, "A", "B")
    with pytest.raises(InvalidInputError, match="more than one 'ARM2' level"):
        rs.longitudinal.mmrm(mixed, "FEV1", "AVISIT", "USUBJID", group="ARM2")
    with pytest.raises(TypeError, match="DataFrame"):
        rs.longitudinal.mmrm(fev.to_dict(), "FEV1", "AVISIT", "USUBJID")


def test_nonconvergence_warns():
    # three subjects, four visits: the unstructured REML likelihood is unbounded
    rng = np.random.default_rng(1)
    d = pd.DataFrame({"s": np.repeat([1, 2, 3], 4), "v": np.tile([1, 2, 3, 4], 3), "y": rng.normal(size=12)})
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = rs.longitudinal.mmrm(d, "y", "v", "s")
    assert not r.converged
    assert any(issubclass(x.category, rs.exceptions.ConvergenceWarning) for x in w)


def test_rare_visit_patterns_and_row_order(fev):
    # 12 subjects each with a visit pattern of their own (kept as rows, not sums)
    d = fev.copy()
    full = d.groupby("USUBJID", observed=True)["FEV1"].count()
    ids = list(full[full == 4].index[:12])
    pats = [["VIS1"], ["VIS2", "VIS4"], ["VIS1", "VIS3"], ["VIS3", "VIS4"]]
    for i, s in enumerate(ids):
        d.loc[(d["USUBJID"] == s) & d["AVISIT"].isin(pats[i % 4]), "FEV1"] = np.nan
    r1 = rs.longitudinal.mmrm(d, "FEV1", "AVISIT", "USUBJID", formula="ARMCD * AVISIT + FEV1_BL")
    r2 = rs.longitudinal.mmrm(d.sample(frac=1.0, random_state=3), "FEV1", "AVISIT", "USUBJID", formula="ARMCD * AVISIT + FEV1_BL")
    assert r1.converged and r2.converged
    assert r1.loglik == pytest.approx(r2.loglik, rel=1e-10)
    np.testing.assert_allclose(r1.fixed["estimate"], r2.fixed["estimate"], rtol=1e-6)


def test_single_subject_patterns():
    # one subject per visit pattern: those subjects enter by their rows
    c = pd.read_csv(REF / "mmrm_complete_data.csv")
    c.loc[(c["subj"] == "S001") & c["visit"].isin(["M2", "M4"]), "y"] = np.nan
    c.loc[(c["subj"] == "S002") & c["visit"].isin(["M1"]), "y"] = np.nan
    r = rs.longitudinal.mmrm(c, "y", "visit", "subj", formula="visit * arm + base")
    r2 = rs.longitudinal.mmrm(c.iloc[::-1], "y", "visit", "subj", formula="visit * arm + base")
    assert r.converged and r.nobs == 597
    assert r.loglik == pytest.approx(r2.loglik, rel=1e-10)
