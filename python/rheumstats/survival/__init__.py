"""Drug retention and time-to-event analysis (Rust core), matching R ``survival``.

* :func:`kaplan_meier` — Kaplan–Meier curves with Greenwood standard errors and
  R's ``conf.type`` confidence limits (as ``survfit``).
* :func:`logrank` — the G-rho family of k-sample tests (``survdiff``), stratified.
* :func:`cumulative_incidence` — Aalen–Johansen cumulative incidence of competing
  causes (multi-state ``survfit``) and Gray's test (``cmprsk::cuminc``).
* :func:`coxph` — the Cox model (``coxph``, Efron or Breslow ties).
* :func:`retention` — from per-patient start/stop dates and stop reasons to the
  ``time, event, cause`` columns the calls above take.

Times must be finite and >= 0; events are 0 (censored) / 1 (event); causes are
integers >= 0 with 0 = censored. Bad values raise
:class:`~rheumstats.exceptions.InvalidInputError` (a ``ValueError``) naming
the argument and the row (and pandas index label). There is no silent
dropping of missing values: a NaN is an error (``nan_policy='raise'``, the
default) unless ``nan_policy='omit'`` asks to leave its row out (applied in the
Rust core). ``coxph`` takes a DataFrame and omits incomplete rows by default
(R's ``na.omit``), reporting how many in ``n_missing``.

Times are compared exactly: unlike R's ``timefix``, values that differ only by
floating-point noise (``0.1 + 0.2`` and ``0.3``) are distinct times. Times
computed the same way (e.g. by :func:`retention` from dates) tie exactly.
"""

from __future__ import annotations

from ._common import CONF_TYPES, TIES, UNITS
from ._competing import CumulativeIncidence, cumulative_incidence
from ._cox import CoxPH, coxph
from ._km import KaplanMeier, LogrankResult, kaplan_meier, logrank
from ._retention import _on_drug_time, retention

__all__ = [
    "kaplan_meier",
    "logrank",
    "cumulative_incidence",
    "coxph",
    "retention",
    "KaplanMeier",
    "LogrankResult",
    "CumulativeIncidence",
    "CoxPH",
    "CONF_TYPES",
    "TIES",
    "UNITS",
    "_on_drug_time",
]
