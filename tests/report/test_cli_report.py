"""`rheumstats demo` and `rheumstats report`: the seed's figures, the HTML file, bad data, escaping."""

import base64
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rheumstats as rs


def run(*args, cwd=None, encoding="utf-8"):
    exe = shutil.which("rheumstats")
    cmd = [exe, *args] if exe else [sys.executable, "-m", "rheumstats", *args]
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=cwd, env=env, encoding="utf-8")


PM, MINUS = "\u00b1", "\u2212"


def test_demo_console_script_prints_the_seed_figures():
    r = run("demo")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "SIMULATED" in out
    # 12-month change in the 20 completers: mRSS -6.9 +/- 5.9, DAS28 -1.9 +/- 0.8, P < 0.001
    # (a UTF-8 terminal gets the true minus and plus-minus signs)
    assert re.search(rf"mRSS \(0-51\)\s+20 .*{MINUS}6\.9 {PM} 5\.9 .*< 0\.001", out)
    assert re.search(rf"DAS28-ESR\s+20 .*{MINUS}1\.9 {PM} 0\.8 .*< 0\.001", out)
    assert re.search(rf"Follow-up, years\s+2\.2 {PM} 1\.1", out)
    for label in ("HAQ-DI", "Patient global", "Pain", "FVC"):
        assert label in out
    # retention 20/21 at 1 year, 16/20 in year 2, with reasons
    assert re.search(r"year 1\s+21\s+1\s+20/21", out)
    assert re.search(r"year 2\s+20\s+4\s+16/20", out)
    assert re.search(r"inefficacy\s+1\s+2\s+0\s+3", out)
    assert re.search(r"cmv_infection\s+0\s+1", out) and re.search(r"death\s+0\s+1", out)
    # safety: 3 lung-function deteriorations, 3 recurrent digital-ulcer infections
    assert re.search(r"Lung-function deterioration.*\s3\s+21", out)
    assert re.search(r"Recurrent digital-ulcer infections\s+3\s+21", out)
    # the whole follow-up: the change to each patient's last visit on drug (numbers in tests/report/test_over_time.py)
    assert "Over the whole follow-up" in out
    assert "Change from month 0 to each patient's last visit on drug" in out


def test_report_on_a_two_visit_cohort_says_no_over_time_section(cohort_files, tmp_path):
    _, visits, patients = cohort_files
    v = visits[visits["month"].isin([0, 12])]
    v.to_csv(tmp_path / "v.csv", index=False)
    patients.to_csv(tmp_path / "p.csv", index=False)
    out = tmp_path / "r.html"
    r = run("report", str(tmp_path / "v.csv"), "--patients", str(tmp_path / "p.csv"), "--out", str(out))
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    assert "Over the whole follow-up" in html
    assert "No over-time section possible: the visits fall at only 2 time point(s) (month 0, 12)" in html
    assert "LS-mean" not in html


def test_demo_on_an_ascii_terminal_spells_the_signs_in_ascii():
    r = run("demo", encoding="ascii")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert PM not in out and MINUS not in out and "\u2265" not in out
    assert re.search(r"mRSS \(0-51\)\s+20 .*-6\.9 \+/- 5\.9 .*< 0\.001", out)
    assert re.search(r"Follow-up, years\s+2\.2 \+/- 1\.1", out)
    assert ">= 5 years" in out
    # the columns stay aligned: every row of the change table is as wide as its header
    lines = out.splitlines()
    head = next(i for i, ln in enumerate(lines) if "change, mean +/- SD" in ln)
    assert len(lines[head + 2]) == len(lines[head])


class _Tables(HTMLParser):
    """Collects table cells and img sources (a tiny parser for the test)."""

    def __init__(self):
        super().__init__()
        self.tables, self.imgs, self._row, self._cell, self.text = [], [], None, None, []

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = ""
        elif tag == "img":
            self.imgs.append(dict(attrs).get("src", ""))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._row is not None:
            self._row.append(self._cell)
            self._cell = None
        elif tag == "tr" and self.tables:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell += data


@pytest.fixture(scope="module")
def cohort_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("cohort")
    visits, patients = rs.datasets.tocilizumab_ssc()
    visits.to_csv(d / "visits.csv", index=False)
    patients.to_csv(d / "patients.csv", index=False)
    return d, visits, patients


def test_report_on_the_bundled_cohort(cohort_files):
    d, visits, patients = cohort_files
    out = d / "report.html"
    r = run("report", str(d / "visits.csv"), "--patients", str(d / "patients.csv"), "--out", str(out))
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    p = _Tables()
    p.feed(html)
    # at least three embedded images, all inline PNGs
    pngs = [s for s in p.imgs if s.startswith("data:image/png;base64,")]
    assert len(pngs) >= 3 and len(pngs) == len(p.imgs)
    assert all(base64.b64decode(s.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n" for s in pngs)
    # nothing remote
    assert "http://" not in html and "https://" not in html
    # the change table equals rs.paired.compare on the same data
    b = visits[visits["month"] == 0].set_index("patient")
    f = visits[visits["month"] == 12].set_index("patient")
    wide = b[["mrss", "das28"]].add_suffix("_b").join(f[["mrss", "das28"]].add_suffix("_a"), how="inner")
    ref = rs.paired.compare(wide, {"mrss": ("mrss_b", "mrss_a"), "das28": ("das28_b", "das28_a")})
    change = next(t for t in p.tables if t and f"change, mean {PM} SD" in t[0])
    rows = {r[0]: r for r in change[1:]}
    hdr = change[0]
    for key, label in (("mrss", "mRSS (0-51)"), ("das28", "DAS28-ESR")):
        row = dict(zip(hdr, rows[label]))
        assert int(row["n"]) == ref.loc[key, "n"]
        m = lambda x: f"{x:.1f}".replace("-", MINUS)  # noqa: E731
        assert row[f"change, mean {PM} SD"] == f"{m(ref.loc[key, 'mean_change'])} {PM} {m(ref.loc[key, 'sd_change'])}"
        assert row["95% CI"] == f"{m(ref.loc[key, 'ci_low'])} to {m(ref.loc[key, 'ci_high'])}"
    # stop reasons listed
    text = "".join(p.text)
    for reason in ("inefficacy", "cmv_infection", "death"):
        assert reason in text


def test_report_partial_schema_free_text_reasons_and_map(tmp_path):
    rng = np.random.default_rng(3)
    rows = []
    for i in range(12):
        for m in (0, 6, 12, 24):
            rows.append({"ID": f"S{i}", "month": m, "mRSS": max(0, 20 - m / 4 + rng.integers(-3, 4)), "das28": round(5 - m / 12 + rng.normal(0, 0.3), 2),
                         "fvc_pct": round(80 + rng.normal(0, 3), 1), "haq_di": 1.0 + (i % 4) * 0.125, "patient_global": 50 - m + i})
    pd.DataFrame(rows).to_csv(tmp_path / "v.csv", index=False)
    reasons = ["Inefficacy", "inefficacy ", "death", "CMV infection", None, None, None, None, None, None, None, None]
    pd.DataFrame({"ID": [f"S{i}" for i in range(12)], "sex": ["F"] * 12, "followup_months": [8, 20, 30, 15] + [30] * 8,
                  "stopped": [True] * 4 + [False] * 8, "stop_reason": reasons}).to_csv(tmp_path / "p.csv", index=False)
    out = tmp_path / "r.html"
    r = run("report", str(tmp_path / "v.csv"), "--patients", str(tmp_path / "p.csv"), "--out", str(out), "--map", "ID=patient", "--map", "mRSS=mrss")
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    assert "Endpoints absent from the data:" in html and "tjc28" in html and "pain" in html
    p = _Tables()
    p.feed(html)
    reasons_table = next(t for t in p.tables if t and t[0] and t[0][0] == "reason")
    counts = {row[0]: int(row[-1]) for row in reasons_table[1:]}
    assert counts == {"inefficacy": 2, "death": 1, "cmv infection": 1}


@pytest.mark.parametrize(
    "edit,pattern",
    [
        (lambda v, p: (v.drop(columns=["month"]), p), r"visits\.csv: required column\(s\) \['month'\] not found"),
        (lambda v, p: (v.assign(mrss=v["mrss"].astype(object).where(v.index != 5, "12,5")), p), r"visits\.csv, data row 6 \(line 7\), column 'mrss': '12,5' is not a number"),
        (lambda v, p: (v.assign(haq_di=v["haq_di"].where(v.index != 3, 4.0)), p), r"visits\.csv, data row 4 \(line 5\), column 'haq_di': 4\.0 is out of range; allowed HAQ-DI 0-3"),
        (lambda v, p: (pd.concat([v, v.iloc[[2]]]), p), r"second row for month"),
        (lambda v, p: (v, p.drop(columns=["patient"])), r"patients\.csv: required column 'patient' not found"),
    ],
)
def test_bad_csv_exits_2_with_a_one_paragraph_message(cohort_files, tmp_path, edit, pattern):
    _, visits, patients = cohort_files
    v, p = edit(visits.copy(), patients.copy())
    v.to_csv(tmp_path / "visits.csv", index=False)
    p.to_csv(tmp_path / "patients.csv", index=False)
    r = run("report", str(tmp_path / "visits.csv"), "--patients", str(tmp_path / "patients.csv"), "--out", str(tmp_path / "x.html"))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and r.stdout == ""
    assert re.search(pattern, " ".join(r.stderr.split())), r.stderr
    assert not (tmp_path / "x.html").exists()


def test_user_strings_are_escaped(cohort_files, tmp_path):
    _, visits, patients = cohort_files
    p = patients.copy()
    p.loc[p["stopped"], "stop_reason"] = "<script>alert(1)</script>"
    v = visits.copy()
    v["patient"] = v["patient"].replace({"P02": "<b>P02</b>"})
    p["patient"] = p["patient"].replace({"P02": "<b>P02</b>"})
    v.to_csv(tmp_path / "v.csv", index=False)
    p.to_csv(tmp_path / "p.csv", index=False)
    out = tmp_path / "r.html"
    r = run("report", str(tmp_path / "v.csv"), "--patients", str(tmp_path / "p.csv"), "--out", str(out), "--title", "<i>T</i>")
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    assert "<script>" not in html and "alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<i>T</i>" not in html and "&lt;i&gt;T&lt;/i&gt;" in html
    assert "http://" not in html and "https://" not in html
