"""Cohort reports: read cohort CSV files, analyse them, render text or HTML.

``rheumstats report`` and ``rheumstats demo`` are thin wrappers over these.
"""

from ._io import CohortDataError, Cohort, load_cohort, parse_mapping

__all__ = ["CohortDataError", "Cohort", "load_cohort", "parse_mapping"]
