"""Bundled example data. Everything here is synthetic, not patient data."""

from __future__ import annotations

from importlib import resources
from typing import Tuple

import pandas as pd

__all__ = ["sample_visits", "tocilizumab_ssc", "TOCILIZUMAB_SSC_CENSOR_DATE"]

TOCILIZUMAB_SSC_CENSOR_DATE: pd.Timestamp = pd.Timestamp("2020-06-30")
"""Administrative censor date of :func:`tocilizumab_ssc` (end of follow-up for patients still on drug)."""


def _read(name: str, **kwargs: object) -> pd.DataFrame:
    if int(pd.__version__.split(".")[0]) < 3:  # pandas 3 parses floats round-trip by default
        kwargs.setdefault("float_precision", "round_trip")
    with resources.files(__name__).joinpath(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, **kwargs)


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


def tocilizumab_ssc() -> Tuple[pd.DataFrame, pd.DataFrame]:
    """A SIMULATED cohort of 21 systemic sclerosis patients on subcutaneous tocilizumab.

    **These are not patient data.** The rows were generated with a fixed seed
    by ``tools/make_tocilizumab_ssc.py`` and then adjusted so that they
    reproduce, exactly at the published precision, every summary figure that
    a published reference cohort reported (weekly SC tocilizumab 162 mg in
    SSc). No individual patient's values were known or used; any resemblance
    of a row to a real person is chance. Use it to try the package and to
    check that an analysis recovers the published summaries.

    Published figures the data reproduce (each is asserted in
    ``tests/datasets/test_tocilizumab_ssc.py``):

    * 21 patients, 20 women; 16 diffuse / 5 limited cutaneous SSc; 10 with
      disease duration < 5 years;
    * prior treatments: corticosteroids 21, methotrexate 19,
      cyclophosphamide 10, mycophenolate 7, rituximab 1, leflunomide 2,
      hydroxychloroquine 2, autologous stem-cell transplant 2;
    * one stop at 3 months for inefficacy, so 20 patients on drug at 1 year;
      in year 2, 4 stops (1 CMV infection, 2 inefficacy, 1 death) leaving 16
      on drug at 2 years. *The source text says "3 patients stopping" in
      year 2 but lists four reasons, and 20 - 16 = 4; the arithmetic (four
      stops) is followed here.* Every patient still on drug has more than
      2 years of follow-up, so "16 on drug at 2 years" needs no censoring;
    * follow-up 2.2 +/- 1.1 years (mean +/- SD; from ``start_date`` to
      ``stop_date``, or to :data:`TOCILIZUMAB_SSC_CENSOR_DATE` for patients
      still on drug, in days / 365.25);
    * change from baseline to 12 months in the 20 patients on drug at
      1 year: mRSS -6.9 +/- 5.9 and DAS28(ESR) -1.9 +/- 0.8 (mean +/- SD,
      exact at one decimal); HAQ-DI, patient global and pain improve with
      P < 0.001 by paired t-test and by Wilcoxon signed-rank test;
    * 3 patients with lung-function deterioration, defined here as an
      OMERACT 'significant' decline (:func:`rheumstats.ssc.lung_decline`,
      ``definition='omeract'``, with DLCO) between the baseline visit and
      the patient's last visit; no other patient has even a 'marginal'
      decline;
    * 3 patients with recurrent digital-ulcer infections.

    **Invented** (not published; drawn to be plausible, so that analyses
    behave as on real data — do not quote them as results of the cohort):
    every individual value; the baseline levels; the 12-month changes of
    HAQ-DI (about -0.5 +/- 0.4), patient global (about -29 +/- 17 mm), pain
    (about -20 +/- 18 mm) and physician global (about -21 +/- 20 mm), whose
    spreads are those of real cohorts (SD of change ~20 mm for a visual
    analogue scale, ~0.4 for HAQ-DI) while keeping the published P < 0.001
    for the patient-reported outcomes; FVC and DLCO (stable apart from the
    three decliners); the visits after month 12 (the month-12 level held, with
    visit-to-visit noise) and everything the over-time models estimate from
    them (change per year, LS-means by visit, change to the last visit).

    Returns
    -------
    visits : DataFrame
        One row per scheduled visit (months 0, 3, 6, 12, 18, 24, then
        yearly) up to the stop or censor date, sorted by patient and month.
        Columns:

        - ``patient`` (``'P01'``...), ``month`` (int), ``date`` (datetime);
        - ``mrss`` (0-51) = :func:`rheumstats.scores.mrss` of the 17 site
          columns (:data:`rheumstats.scores.MRSS_SITES`, integers 0-3);
        - ``das28`` = :func:`rheumstats.scores.das28_esr` of ``tjc28``,
          ``sjc28`` (counts 0-28), ``esr`` (mm/h) and ``patient_global``;
        - ``fvc_pct``, ``dlco_pct``: FVC and DLCO, % predicted;
        - ``haq_di`` (0-3) = :func:`rheumstats.scores.haq_di` of the 20 HAQ
          item columns (:data:`rheumstats.scores.HAQ_ITEMS`, integers 0-3;
          no aids or help recorded);
        - ``patient_global``, ``physician_global``, ``pain``: visual analogue
          scales in **mm, 0-100** (the unit DAS28 expects). For
          :func:`rheumstats.ssc.criss` / ``rcriss``, which take the globals
          on a 0-10 scale, divide them by 10
          (``visits[['patient_global', 'physician_global']] / 10``).

    patients : DataFrame
        One row per patient. Columns: ``patient``, ``sex`` (``'F'``/``'M'``),
        ``subset`` (``'diffuse'``/``'limited'``; the baseline skin sites agree
        with :func:`rheumstats.scores.skin_subset`), ``disease_duration_years``
        (at start), ``followup_months`` (days on study / (365.25/12)),
        ``stopped`` (bool), ``stop_reason`` (``'inefficacy'``,
        ``'cmv_infection'``, ``'death'``, or missing), ``start_date``,
        ``stop_date`` (NaT when still on drug), eight prior-treatment
        booleans ``prior_corticosteroids, prior_methotrexate,
        prior_cyclophosphamide, prior_mycophenolate, prior_rituximab,
        prior_leflunomide, prior_hydroxychloroquine,
        prior_stem_cell_transplant``, and ``recurrent_du_infections`` (bool).

    Examples
    --------
    >>> import rheumstats as rs
    >>> visits, patients = rs.datasets.tocilizumab_ssc()
    >>> len(patients), int(patients["stopped"].sum())
    (21, 5)
    """
    visits = _read("tocilizumab_ssc_visits.csv", parse_dates=["date"])
    patients = _read("tocilizumab_ssc_patients.csv", parse_dates=["start_date", "stop_date"])
    return visits, patients
