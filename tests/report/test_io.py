"""Reading cohort CSVs: partial schemas, column mapping, and errors naming file, row and column."""

import textwrap

import pandas as pd
import pytest

from rheumstats.report import CohortDataError, load_cohort, parse_mapping


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text).lstrip())
    return p


VISITS = """
patient,month,mrss,das28,fvc_pct,haq_di,patient_global
P1,0,20,5.1,80,1.5,60
P1,12,14,3.2,82,1.0,40
P2,0,30,6.0,70,2.0,70
P2,12,25,4.4,66,1.875,55
"""
PATIENTS = """
patient,sex,subset,stopped,stop_reason,followup_months
P1,F,diffuse,False,,24
P2,M,limited,True,Inefficacy,10
"""


def test_partial_schema_is_read_and_absent_endpoints_are_listed(tmp_path):
    c = load_cohort(write(tmp_path, "v.csv", VISITS), write(tmp_path, "p.csv", PATIENTS))
    assert c.endpoints == ["mrss", "das28", "fvc_pct", "haq_di", "patient_global"]
    assert "pain" in c.absent and "esr" in c.absent
    assert c.visits["mrss"].tolist() == [20, 14, 30, 25]
    assert c.patients["stopped"].tolist() == [False, True]
    assert c.patients["stop_reason"].tolist()[1] == "Inefficacy" and pd.isna(c.patients["stop_reason"].tolist()[0])


def test_column_mapping(tmp_path):
    v = write(tmp_path, "v.csv", VISITS.replace("patient,month,mrss", "ID,Month,mRSS"))
    c = load_cohort(v, mapping=parse_mapping(["ID=patient", "Month=month", "mRSS=mrss"]))
    assert "mrss" in c.endpoints
    with pytest.raises(CohortDataError, match="--map"):
        parse_mapping(["mRSS"])


@pytest.mark.parametrize(
    "edit,pattern",
    [
        (lambda s: s.replace("P2,0,30", "P2,0,abc"), r"v\.csv, data row 3 \(line 4\), column 'mrss': 'abc' is not a number"),
        (lambda s: s.replace("P2,0,30", "P2,0,60"), r"v\.csv, data row 3 \(line 4\), column 'mrss': 60 is out of range; allowed mRSS 0-51"),
        (lambda s: s.replace("P2,12,25", "P2,0,25"), r"data row 4 \(line 5\), column 'patient'.*second row for month 0 \(first at line 4\)"),
        (lambda s: s.replace("patient,month", "pid,month"), r"v\.csv: required column\(s\) \['patient'\] not found"),
        (lambda s: s.replace("1.875", "3.5"), r"column 'haq_di': 3.5 is out of range; allowed HAQ-DI 0-3"),
    ],
)
def test_bad_visits_name_file_row_and_column(tmp_path, edit, pattern):
    with pytest.raises(CohortDataError, match=pattern):
        load_cohort(write(tmp_path, "v.csv", edit(VISITS)))


def test_bad_patients(tmp_path):
    v = write(tmp_path, "v.csv", VISITS)
    with pytest.raises(CohortDataError, match=r"p\.csv, data row 2 \(line 3\), column 'patient': patient 'P1' appears twice"):
        load_cohort(v, write(tmp_path, "p.csv", PATIENTS.replace("P2,M", "P1,M")))
    with pytest.raises(CohortDataError, match=r"patient\(s\) \['P2'\] have visits but no row"):
        load_cohort(v, write(tmp_path, "p.csv", PATIENTS.replace("P2,M", "P3,M")))
    with pytest.raises(CohortDataError, match="does not exist"):
        load_cohort(tmp_path / "nope.csv")
