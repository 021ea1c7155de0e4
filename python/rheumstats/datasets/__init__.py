"""Bundled example data. Everything here is synthetic, not patient data."""

from __future__ import annotations

from importlib import resources

import pandas as pd

__all__ = ["sample_visits"]


def _read(name: str) -> pd.DataFrame:
    with resources.files(__name__).joinpath(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


def sample_visits() -> pd.DataFrame:
    """Eight synthetic patient-visits with the inputs of every score in :mod:`rheumstats.scores`.

    Columns: ``patient, month``, the 17 mRSS sites, ``tjc28, sjc28, esr``
    (mm/h), ``crp`` (mg/L), ``patient_global`` (mm), ``evaluator_global``
    (cm), the 20 HAQ items, and device check boxes ``cane`` and
    ``jar_opener``. The values are invented for demonstration (SIMULATED,
    not patient data); index = ``visit`` labels.
    """
    df = _read("sample_visits.csv")
    return df.set_index("visit")
