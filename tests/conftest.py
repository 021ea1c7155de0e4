"""Shared test helpers: the reference-value loader and input-kind parametrisation."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REFERENCE = Path(__file__).resolve().parent / "reference"


def load_reference(relpath: str) -> dict:
    """Load ``tests/reference/<relpath>`` (JSON written by the R script beside it)."""
    with open(REFERENCE / relpath, encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(params=["list", "ndarray", "series"])
def kind(request):
    """Convert a 1-D list into each accepted input kind."""
    def convert(values, index=None):
        if request.param == "list":
            return list(values)
        if request.param == "ndarray":
            return np.asarray(values, dtype=float)
        return pd.Series(values, index=index if index is not None else [f"p{i}" for i in range(len(values))], dtype=float)
    convert.name = request.param
    return convert
