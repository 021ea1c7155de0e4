"""Cohort reports: read cohort CSV files, analyse them, render text or HTML.

``rheumstats report`` and ``rheumstats demo`` are thin wrappers over these.
"""

from ._analysis import CohortAnalysis, analyse, to_text
from ._io import Cohort, CohortDataError, from_frames, load_cohort, parse_mapping
from ._render import to_html

__all__ = ["CohortDataError", "Cohort", "CohortAnalysis", "load_cohort", "from_frames", "parse_mapping", "analyse", "to_text", "to_html"]
