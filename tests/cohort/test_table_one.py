"""rs.cohort.table_one against the `tableone` package (values and P) on the bundled cohort."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs

tableone = pytest.importorskip("tableone")

CATEGORICAL = ["sex", "prior_cyclophosphamide", "prior_mycophenolate", "recurrent_du_infections"]
NONNORMAL = ["disease_duration_years"]
COLUMNS = ["sex", "disease_duration_years", "mrss", "das28", "fvc_pct", "dlco_pct", "haq_di", *CATEGORICAL[1:]]


def numbers(s):
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", str(s))]


@pytest.fixture(scope="module")
def baseline():
    v, p = rs.datasets.tocilizumab_ssc()
    b = v[v["month"] == 0].set_index("patient")[["mrss", "das28", "fvc_pct", "dlco_pct", "haq_di"]]
    d = p.set_index("patient").join(b)
    d["duration_group"] = pd.cut(d["disease_duration_years"], [0, 3, 8, 100], labels=["<3", "3-8", ">8"]).astype(str)
    return d


def theirs(data, groupby):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = tableone.TableOne(data.reset_index(), columns=COLUMNS, categorical=CATEGORICAL, nonnormal=NONNORMAL, groupby=groupby, pval=True)
    return t


@pytest.mark.parametrize("groupby", ["subset", "duration_group"])
def test_values_and_p_match_tableone(baseline, groupby):
    ours = rs.cohort.table_one(baseline, COLUMNS, by=groupby, categorical=CATEGORICAL, nonnormal=NONNORMAL)
    t = theirs(baseline, groupby)
    ref = t.tableone
    ref.columns = ref.columns.droplevel(0)
    groups = [c for c in ours.columns if c not in ("Missing", "P-Value", "Test")]
    assert [str(c) for c in ref.columns if c not in ("Missing", "P-Value", "Test")] == groups
    assert [str(ref.iloc[0][g]) for g in groups] == [ours.iloc[0][g] for g in groups]  # n per group
    for var in COLUMNS:
        mine = ours.xs(var, level="variable")
        rows = ref.loc[[i for i in ref.index if i[0].split(",")[0] == var]]
        assert len(mine) == len(rows), var
        for (_, m), (_, r) in zip(mine.iterrows(), rows.iterrows()):
            for g in groups:
                assert numbers(m[g]) == pytest.approx(numbers(r[g]), abs=1e-9), (var, g, m[g], r[g])
        # P value (tableone: scipy ttest_ind(equal_var=False) / f_oneway / kruskal / fisher_exact / chi2_contingency)
        p_ref = t.htest_table.loc[var, "P-Value"]
        if mine["Test"].iloc[0] == "Fisher's exact" and str(t.htest_table.loc[var, "Test"]).startswith("Chi-squared"):
            # r x c with expected counts < 5: tableone keeps chi-squared (with a warning),
            # we use Fisher's exact r x c (see test_small_rxc_table_uses_fisher_exact)
            continue
        assert mine["P-Value"].iloc[0] == pytest.approx(float(p_ref), rel=1e-9, abs=1e-14), var


def test_small_rxc_table_uses_fisher_exact(baseline):
    ours = rs.cohort.table_one(baseline, ["prior_cyclophosphamide"], by="duration_group", categorical=["prior_cyclophosphamide"])
    row = ours.xs("prior_cyclophosphamide", level="variable").iloc[0]
    assert row["Test"] == "Fisher's exact"
    ct = pd.crosstab(baseline["prior_cyclophosphamide"], baseline["duration_group"])
    assert row["P-Value"] == pytest.approx(rs.groups.fisher_exact(ct).pvalue, rel=1e-12)


def test_missing_values_are_counted_and_excluded(baseline):
    d = baseline.copy()
    d.iloc[[0, 3], d.columns.get_loc("mrss")] = np.nan
    t = rs.cohort.table_one(d, ["mrss"])
    assert t.loc[("mrss", "mean ± SD"), "Missing"] == "2"
    m = d["mrss"].dropna()
    assert t.loc[("mrss", "mean ± SD"), "Overall"] == f"{m.mean():.1f} ± {m.std():.1f}"
    assert list(t.columns) == ["Missing", "Overall"]
    pd.testing.assert_frame_equal(d, d.copy())


def test_bad_input(baseline):
    with pytest.raises(ValueError, match=r"missing column\(s\) \['bmi'\]"):
        rs.cohort.table_one(baseline, ["mrss", "bmi"])
    with pytest.raises(ValueError, match="by.*1 level"):
        rs.cohort.table_one(baseline.assign(one="a"), ["mrss"], by="one")
    with pytest.raises(TypeError, match="data"):
        rs.cohort.table_one(baseline.to_numpy(), ["mrss"])
    with pytest.raises(ValueError, match="not in columns"):
        rs.cohort.table_one(baseline, ["mrss"], nonnormal=["haq_di"])
