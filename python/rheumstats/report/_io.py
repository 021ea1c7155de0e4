"""Reading a user's cohort files in the report schema, with errors a person can act on.

Schema (any subset of the optional columns may be present):

* visits: ``patient, month`` (required) and endpoint columns ``mrss, das28,
  tjc28, sjc28, esr, fvc_pct, dlco_pct, haq_di, patient_global,
  physician_global, pain`` (+ the 17 mRSS site columns); one row per
  patient-visit.
* patients: ``patient`` (required) and ``sex, subset, disease_duration_years,
  followup_months, stopped, stop_reason`` (+ prior-treatment booleans and
  anything else, passed through).

Every problem raises :class:`CohortDataError` naming the file, the row (data
row number and CSV line) and the column. Files are read as text with
``pandas.read_csv``; nothing is evaluated or unpickled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from ..scores import MRSS_SITES


class CohortDataError(ValueError):
    """A problem in a cohort file: names file, row and column."""


# column -> (low, high, low_open, integer, unit text)
ENDPOINTS: Dict[str, Tuple[float, float, bool, bool, str]] = {
    "mrss": (0, 51, False, False, "mRSS 0-51"),
    "das28": (0, 10, False, False, "DAS28 0-10"),
    "tjc28": (0, 28, False, True, "integer 0-28"),
    "sjc28": (0, 28, False, True, "integer 0-28"),
    "esr": (0, np.inf, True, False, "ESR > 0 mm/h"),
    "fvc_pct": (0, 250, True, False, "FVC % predicted, > 0 and <= 250"),
    "dlco_pct": (0, 250, True, False, "DLCO % predicted, > 0 and <= 250"),
    "haq_di": (0, 3, False, False, "HAQ-DI 0-3"),
    "patient_global": (0, 100, False, False, "0-100 mm"),
    "physician_global": (0, 100, False, False, "0-100 mm"),
    "pain": (0, 100, False, False, "0-100 mm"),
}
SITE_RANGE = (0, 3, False, True, "mRSS site, integer 0-3")
PATIENT_NUMERIC: Dict[str, Tuple[float, float, bool, bool, str]] = {
    "disease_duration_years": (0, 100, False, False, "years, 0-100"),
    "followup_months": (0, 1200, False, False, "months, >= 0"),
}
VISIT_REQUIRED = ("patient", "month")
PATIENT_REQUIRED = ("patient",)


@dataclass
class Cohort:
    """A validated cohort: visits (long) and patients (one row each)."""

    visits: pd.DataFrame
    patients: Optional[pd.DataFrame]
    endpoints: List[str]
    absent: List[str]
    sources: Dict[str, str] = field(default_factory=dict)


def parse_mapping(items: Sequence[str]) -> Dict[str, str]:
    """``['mRSS=mrss', 'ID=patient']`` -> ``{'mRSS': 'mrss', 'ID': 'patient'}``."""
    out: Dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise CohortDataError(f"--map {item!r}: expected FILE_COLUMN=SCHEMA_COLUMN, e.g. --map mRSS=mrss")
        src, dst = (s.strip() for s in item.split("=", 1))
        if not src or not dst:
            raise CohortDataError(f"--map {item!r}: both sides must be non-empty")
        out[src] = dst
    return out


def _where(name: str, frame: pd.DataFrame, pos: int, column: str) -> str:
    label = frame.index[pos]
    return f"{name}, data row {pos + 1} (line {label}), column '{column}'"


def _read(path: Union[str, Path], what: str) -> pd.DataFrame:
    p = Path(path)
    if not p.exists():
        raise CohortDataError(f"{what} file {str(p)!r} does not exist.")
    try:
        df = pd.read_csv(p, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise CohortDataError(f"{p.name}: could not be read as CSV ({str(exc).strip()}).") from None
    df.columns = [str(c).strip() for c in df.columns]
    df.index = pd.RangeIndex(2, len(df) + 2)  # CSV line numbers (line 1 = header)
    return df


def _rename(df: pd.DataFrame, mapping: Mapping[str, str], name: str) -> pd.DataFrame:
    ren = {src: dst for src, dst in mapping.items() if src in df.columns}
    out = df.rename(columns=ren)
    dup = out.columns[out.columns.duplicated()].tolist()
    if dup:
        raise CohortDataError(f"{name}: column(s) {dup} appear twice (after --map); keep one of each.")
    return out


def _numeric(df: pd.DataFrame, column: str, name: str, rule: Tuple[float, float, bool, bool, str]) -> pd.Series:
    raw = df[column].astype(str).str.strip()
    missing = raw.isin(["", "NA", "NaN", "nan", "."])
    values = pd.to_numeric(raw.where(~missing), errors="coerce")
    bad = values.isna() & ~missing
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise CohortDataError(
            f"{_where(name, df, pos, column)}: {raw.iloc[pos]!r} is not a number. "
            f"Fix the value or leave the cell empty (missing)."
        )
    lo, hi, lo_open, integer, text = rule
    v = values.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        out_of_range = (v <= lo if lo_open else v < lo) | (v > hi) | (~np.isfinite(v) & ~np.isnan(v))
        if integer:
            out_of_range |= (v != np.floor(v)) & ~np.isnan(v)
    if out_of_range.any():
        pos = int(np.flatnonzero(out_of_range)[0])
        raise CohortDataError(f"{_where(name, df, pos, column)}: {raw.iloc[pos]} is out of range; allowed {text}.")
    return pd.Series(v, index=df.index, name=column)


def _text(df: pd.DataFrame, column: str) -> pd.Series:
    s = df[column].astype(str).str.strip()
    return s.where(s != "", None)


def load_cohort(
    visits: Union[str, Path],
    patients: Optional[Union[str, Path]] = None,
    mapping: Optional[Mapping[str, str]] = None,
) -> Cohort:
    """Read and validate cohort CSV files in the report schema.

    Parameters
    ----------
    visits, patients : path
        CSV files (``patients`` optional).
    mapping : dict, optional
        File column -> schema column renames (``{'mRSS': 'mrss'}``), applied to both files.

    Raises
    ------
    CohortDataError
        Missing required column, unparseable number, out-of-range score,
        duplicate patient-visit row, duplicate patient row; the message
        names file, row (and CSV line) and column.
    """
    v = _read(visits, "visits")
    p = _read(patients, "patients") if patients is not None else None
    sources = {"visits": str(visits)}
    if patients is not None:
        sources["patients"] = str(patients)
    return _validate(v, p, Path(visits).name, Path(patients).name if patients is not None else "patients", mapping, sources)


def from_frames(visits: pd.DataFrame, patients: Optional[pd.DataFrame] = None, mapping: Optional[Mapping[str, str]] = None) -> Cohort:
    """Validate in-memory DataFrames in the report schema (same rules as :func:`load_cohort`).

    The frames are not modified; errors name ``visits``/``patients`` and the
    0-based data row.
    """

    def as_text(df: pd.DataFrame, name: str) -> pd.DataFrame:
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"{name}: expected a DataFrame, got {type(df).__name__}")
        out = pd.DataFrame({str(c): [("" if pd.isna(x) else str(x)) for x in df[c]] for c in df.columns})
        out.index = pd.RangeIndex(2, len(df) + 2)
        return out

    v = as_text(visits, "visits")
    p = as_text(patients, "patients") if patients is not None else None
    return _validate(v, p, "visits", "patients", mapping, {"visits": "<DataFrame>"})


def _validate(v: pd.DataFrame, p: Optional[pd.DataFrame], vname: str, pname: str, mapping: Optional[Mapping[str, str]], sources: Dict[str, str]) -> Cohort:
    mapping = dict(mapping or {})
    v = _rename(v, mapping, vname)
    missing = [c for c in VISIT_REQUIRED if c not in v.columns]
    if missing:
        raise CohortDataError(
            f"{vname}: required column(s) {missing} not found (columns are {list(v.columns)}); "
            "rename them in the file or map them, e.g. --map ID=patient."
        )
    if len(v) == 0:
        raise CohortDataError(f"{vname}: no data rows.")
    out = pd.DataFrame(index=v.index)
    out["patient"] = _text(v, "patient")
    if out["patient"].isna().any():
        pos = int(np.flatnonzero(out["patient"].isna().to_numpy())[0])
        raise CohortDataError(f"{_where(vname, v, pos, 'patient')}: the patient identifier is empty.")
    out["month"] = _numeric(v, "month", vname, (0, 1200, False, False, "months >= 0"))
    if out["month"].isna().any():
        pos = int(np.flatnonzero(out["month"].isna().to_numpy())[0])
        raise CohortDataError(f"{_where(vname, v, pos, 'month')}: the visit month is empty.")
    dup = out.duplicated(["patient", "month"], keep="first")
    if dup.any():
        pos = int(np.flatnonzero(dup.to_numpy())[0])
        first = out.index[(out["patient"] == out["patient"].iloc[pos]) & (out["month"] == out["month"].iloc[pos])][0]
        raise CohortDataError(
            f"{_where(vname, v, pos, 'patient')}: patient {out['patient'].iloc[pos]!r} has a second row for month "
            f"{out['month'].iloc[pos]:g} (first at line {first}); keep one row per patient and visit."
        )
    endpoints = [c for c in ENDPOINTS if c in v.columns]
    for c in endpoints:
        out[c] = _numeric(v, c, vname, ENDPOINTS[c])
    for c in MRSS_SITES:
        if c in v.columns:
            out[c] = _numeric(v, c, vname, SITE_RANGE)
    absent = [c for c in ENDPOINTS if c not in v.columns]
    if not endpoints:
        raise CohortDataError(f"{vname}: no endpoint column found; expected any of {list(ENDPOINTS)}.")

    pat = None
    if p is not None:
        p = _rename(p, mapping, pname)
        if "patient" not in p.columns:
            raise CohortDataError(f"{pname}: required column 'patient' not found (columns are {list(p.columns)}).")
        pat = pd.DataFrame(index=p.index)
        pat["patient"] = _text(p, "patient")
        dup = pat["patient"].duplicated()
        if dup.any():
            pos = int(np.flatnonzero(dup.to_numpy())[0])
            raise CohortDataError(f"{_where(pname, p, pos, 'patient')}: patient {pat['patient'].iloc[pos]!r} appears twice.")
        for c, rule in PATIENT_NUMERIC.items():
            if c in p.columns:
                pat[c] = _numeric(p, c, pname, rule)
        for c in p.columns:
            if c in pat.columns:
                continue
            txt = _text(p, c)
            low = txt.str.lower()
            if low.dropna().isin(["true", "false", "yes", "no", "1", "0"]).all() and txt.notna().any() and c != "stop_reason":
                pat[c] = low.map({"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}).astype("boolean")
            else:
                pat[c] = txt
        # one factorisation of both ID columns (no per-ID Python objects:
        # registries have 100,000s of visit rows)
        codes, ids = pd.factorize(pd.concat([out["patient"], pat["patient"]], ignore_index=True))
        nv = len(out)
        lost = np.setdiff1d(codes[:nv], codes[nv:])
        unknown = sorted(str(ids[c]) for c in lost)
        if unknown:
            raise CohortDataError(f"{vname}: patient(s) {unknown[:5]} have visits but no row in {pname}.")
    return Cohort(out.reset_index(drop=True), None if pat is None else pat.reset_index(drop=True), endpoints, absent, sources)
