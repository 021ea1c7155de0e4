"""Systemic sclerosis composites, vectorised over rows (Rust core).

Definitions, units and boundary rules follow ``SCORING_SPEC.md`` sections 8-13:
CRISS and revised CRISS responses, the revised EUSTAR activity index, the
2013 ACR/EULAR classification score, lung-function decline categories and
MCID responses. Inputs are lists, numpy arrays, pandas Series, or (for the
two-visit composites) DataFrames / dicts of columns; a pandas input keeps its
index. Invalid values raise :class:`~rheumstats.exceptions.InvalidInputError`
(a ``ValueError``) naming the argument (``baseline['mrss']``), the row (and
pandas index label), the value and the allowed range; non-numeric input
raises ``TypeError``. ``nan_policy='propagate'`` (default) gives a missing
output for a row with a missing required input; ``'raise'`` raises on the
first missing value; ``'omit'`` is not meaningful per row and raises.
"""

from __future__ import annotations

import numbers
import operator
from typing import Any, Dict, Optional, Tuple

import numpy as np
import pandas as pd

from . import _rheumstats as _native
from ._validation import CRP_UNITS, RowArgs, bool_array, call, in_unit, rowwise, wrap_bool, wrap_category, wrap_float
from .scores import _columns_of

SSC_CORE: Tuple[str, ...] = tuple(_native.SSC_CORE)
"""CRISS / rCRISS core-set columns: ``mrss, fvc_pct, patient_global, physician_global, haq_di``."""

ACR_EULAR_2013_ITEMS: Tuple[str, ...] = tuple(_native.ACR_EULAR_2013_ITEMS)
"""The 13 items of the 2013 ACR/EULAR SSc classification criteria, as keyword names."""

DECLINE_CATEGORIES: Tuple[str, ...] = ("stable", "marginal", "significant")
MCID_DEFAULTS: Dict[str, float] = {"mrss": 5.0, "haq_di": 0.14, "fvc_pct": 3.0, "das28": 1.2}
"""Default minimal clinically important differences (project choice within the published ranges)."""


# ----------------------------------------------------------------------------
# two-visit core set (CRISS, rCRISS)
# ----------------------------------------------------------------------------
def _core_set(baseline: Any, followup: Any, worsening: Any) -> Tuple[RowArgs, list, list, Optional[np.ndarray], dict, pd.Index]:
    b, b_index = _columns_of(baseline, "baseline")
    f, f_index = _columns_of(followup, "followup")
    for side, cols in (("baseline", b), ("followup", f)):
        missing = [c for c in SSC_CORE if c not in cols]
        if missing:
            raise ValueError(f"{side}: missing column(s) {missing}; needed: {list(SSC_CORE)}")
    if b_index is not None and f_index is not None and not b_index.equals(f_index):
        raise ValueError(
            "baseline and followup have different indexes (not the same patients in the same order); "
            "align them first, e.g. followup = followup.loc[baseline.index]"
        )
    named: Dict[str, Any] = {f"baseline['{c}']": b[c] for c in SSC_CORE}
    named.update({f"followup['{c}']": f[c] for c in SSC_CORE})
    named["worsening"] = worsening
    args = rowwise(**named)
    index = b_index if b_index is not None else f_index
    if index is None:
        index = args.index
    if index is None:
        index = pd.RangeIndex(args.n)
    elif len(index) != args.n:
        raise ValueError(f"baseline/followup: index of length {len(index)} but {args.n} rows")
    labels = {k: index for k in named}
    base = [args[f"baseline['{c}']"] for c in SSC_CORE]
    follow = [args[f"followup['{c}']"] for c in SSC_CORE]
    return args, base, follow, args["worsening"], labels, index


def criss(baseline: Any, followup: Any, worsening: Any = None, *, nan_policy: str = "propagate") -> pd.DataFrame:
    """ACR provisional Composite Response Index in SSc (Khanna 2016).

    Step 1: a row with ``worsening=True`` has probability 0 and is not
    improved, whatever its core-set values (they may be missing). Step 2: with
    the 1-year changes ``D = followup - baseline``::

        LP = -5.54 - 0.81*D(mRSS) + 0.21*D(FVC%) - 0.40*D(PtGlobal)
             - 0.44*D(MDGlobal) - 3.41*D(HAQ-DI)
        probability = 1 / (1 + exp(-LP))     (computed without overflow)
        improved = probability >= 0.60      (absolute tolerance 1e-9)

    Parameters
    ----------
    baseline, followup : DataFrame or dict of columns
        Columns ``mrss`` (0-51), ``fvc_pct`` (FVC % predicted, > 0 and
        <= 250), ``patient_global`` and ``physician_global`` (**0-10**; a
        0-100 mm VAS is an error, divide it by 10), ``haq_di`` (0-3). Extra
        columns are ignored. Two DataFrames must have the same index (same
        patients, same order).
    worsening : array-like of bool, optional
        Step-1 event per row (new renal crisis, FVC decline >= 15 % with ILD,
        new left-ventricular failure or new PAH, all attributable to SSc); the
        caller derives it. ``None``: no step-1 event in any row. A missing
        flag gives a missing result.

    Returns
    -------
    DataFrame
        ``probability`` (float 0-1) and ``improved`` (nullable boolean), with
        the index of ``baseline`` (or of ``followup``).

    Examples
    --------
    >>> import pandas as pd, rheumstats as rs
    >>> b = pd.DataFrame({"mrss": [25], "fvc_pct": [80], "patient_global": [6], "physician_global": [6], "haq_di": [1.5]})
    >>> f = pd.DataFrame({"mrss": [15], "fvc_pct": [83], "patient_global": [4], "physician_global": [3], "haq_di": [1.0]})
    >>> rs.ssc.criss(b, f).round(6)
       probability  improved
    0     0.999103      True
    """
    _, base, follow, worse, labels, index = _core_set(baseline, followup, worsening)
    out = call(_native.ssc_criss, base, follow, worse, nan_policy=nan_policy, index=labels)
    return pd.DataFrame({"probability": out["probability"], "improved": bool_array(out["improved"])}, index=index)


RCRISS_COLUMNS: Tuple[str, ...] = tuple(f"{c}_improved" for c in SSC_CORE) + ("n_improved", "responder")


def rcriss(
    baseline: Any,
    followup: Any,
    worsening: Any = None,
    *,
    threshold: float = 0.20,
    min_items: int = 3,
    fvc_threshold: float = 0.05,
    nan_policy: str = "propagate",
) -> pd.DataFrame:
    """Revised CRISS (Khanna 2021): improvement in at least ``min_items`` of 5 core items.

    An item improves when ``(baseline - followup)/baseline >= threshold``
    (mRSS, globals, HAQ-DI) or ``(followup - baseline)/baseline >=
    fvc_threshold`` (FVC % predicted, a relative rise). A baseline of 0
    counts as not improved. ``responder = (not worsening) and n_improved >=
    min_items``; step-1 worsening makes a row a non-responder (its item flags
    are still reported).

    Parameters
    ----------
    baseline, followup, worsening
        As for :func:`criss` (globals on the 0-10 scale).
    threshold : float
        Relative improvement, a fraction in (0, 1] (default 0.20 = 20 %).
    min_items : int
        Items needed, 1-5 (default 3).
    fvc_threshold : float
        Relative FVC rise, a fraction in (0, 1] (default 0.05 = 5 %).

    Returns
    -------
    DataFrame
        ``mrss_improved, fvc_pct_improved, patient_global_improved,
        physician_global_improved, haq_di_improved`` (nullable boolean),
        ``n_improved`` (nullable ``Int64``, 0-5) and ``responder`` (nullable
        boolean). A missing item gives NA for its flag, ``n_improved`` and
        ``responder`` (a worsening row is still ``responder=False``).
    """
    if isinstance(min_items, (bool, np.bool_)) or not isinstance(min_items, (numbers.Integral,)):
        raise TypeError(f"min_items: expected an integer 1-5, got {min_items!r}")
    for name, t in (("threshold", threshold), ("fvc_threshold", fvc_threshold)):
        if isinstance(t, (bool, np.bool_)) or not isinstance(t, numbers.Real):
            raise TypeError(f"{name}: expected a number (a fraction, e.g. 0.20), got {t!r}")
    _, base, follow, worse, labels, index = _core_set(baseline, followup, worsening)
    codes = call(
        _native.ssc_rcriss, base, follow, worse, threshold=float(threshold), min_items=operator.index(min_items),
        fvc_threshold=float(fvc_threshold), nan_policy=nan_policy,
        index=labels,
    )
    cols: Dict[str, Any] = {}
    for j, name in enumerate(RCRISS_COLUMNS):
        c = np.ascontiguousarray(codes[:, j])
        if name == "n_improved":
            cols[name] = pd.arrays.IntegerArray(np.where(c < 0, 0, c).astype(np.int64), c < 0)
        else:
            cols[name] = bool_array(c)
    return pd.DataFrame(cols, index=index)


# ----------------------------------------------------------------------------
# EUSTAR activity index
# ----------------------------------------------------------------------------
def eustar_ai(
    delta_skin: Any,
    mrss: Any,
    digital_ulcers: Any,
    tendon_friction_rubs: Any,
    crp: Any,
    dlco: Any,
    *,
    crp_unit: str = "mg/dL",
    nan_policy: str = "propagate",
) -> Any:
    """Revised EUSTAR disease activity index (Valentini 2017), 0-10.

    ``1.5*delta_skin + 1.5*(mRSS > 18) + 1.5*digital_ulcers +
    2.25*tendon_friction_rubs + 2.25*(CRP > 1 mg/dL) + 1.0*(DLCO < 70 %)``.
    The published index dichotomises mRSS at > 18; the continuous
    ``0.084 x mRSS`` variant of one web calculator is not implemented.

    Parameters
    ----------
    delta_skin : array-like of bool
        Patient-reported worsening of the skin in the previous month.
    mrss : array-like
        Modified Rodnan skin score, 0-51 (18 scores 0, 19 scores 1.5).
    digital_ulcers, tendon_friction_rubs : array-like of bool
        Active digital ulcers / tendon friction rubs at the visit.
    crp : array-like
        C-reactive protein in **mg/dL** (>= 0; 1 mg/dL = 10 mg/L; exactly 1.0 scores 0);
        ``crp_unit='mg/L'`` for values in mg/L (a whole column given as mg/dL
        with a median above 10 mg/dL gives a :class:`~rheumstats.exceptions.UnitWarning`).
    dlco : array-like
        DLCO, % predicted (> 0 and <= 250; exactly 70 scores 0).

    Returns
    -------
    float, ndarray or Series
        Index 0-10 in steps of 0.25; NaN when any item is missing.
    """
    args = rowwise(
        delta_skin=delta_skin, mrss=mrss, digital_ulcers=digital_ulcers,
        tendon_friction_rubs=tendon_friction_rubs, crp=crp, dlco=dlco,
    )
    out = call(
        _native.ssc_eustar_ai, args["delta_skin"], args["mrss"], args["digital_ulcers"], args["tendon_friction_rubs"],
        in_unit(args["crp"], "crp", "crp_unit", crp_unit, CRP_UNITS, "mg/dL"), args["dlco"], nan_policy=nan_policy, index=args.labels,
    )
    return wrap_float(out, args, "eustar_ai")


def eustar_ai_active(index: Any, *, nan_policy: str = "propagate") -> Any:
    """Active disease by the revised EUSTAR index: ``index >= 2.5`` (input 0-10).

    Returns
    -------
    bool, pandas BooleanArray or Series of dtype ``boolean`` (NA when missing)
    """
    args = rowwise(index=index)
    codes = call(_native.ssc_eustar_active, args["index"], nan_policy=nan_policy, index=args.labels)
    return wrap_bool(codes, args, "eustar_ai_active")


# ----------------------------------------------------------------------------
# 2013 ACR/EULAR classification criteria
# ----------------------------------------------------------------------------
def acr_eular_2013(
    items: Any = None,
    *,
    skin_proximal_mcp: Any = None,
    sclerodactyly: Any = None,
    puffy_fingers: Any = None,
    pitting_scars: Any = None,
    digital_tip_ulcers: Any = None,
    telangiectasia: Any = None,
    abnormal_nailfold_capillaries: Any = None,
    pah: Any = None,
    ild: Any = None,
    raynaud: Any = None,
    anti_centromere: Any = None,
    anti_topoisomerase: Any = None,
    anti_rnap3: Any = None,
    nan_policy: str = "propagate",
) -> pd.DataFrame:
    """2013 ACR/EULAR classification criteria for SSc (van den Hoogen 2013).

    Score = highest skin item (proximal-to-MCP thickening 9, sclerodactyly 4,
    puffy fingers 2) + highest fingertip item (pitting scars 3, tip ulcers 2)
    + 2 telangiectasia + 2 abnormal nailfold capillaries + 2 (PAH and/or ILD)
    + 3 Raynaud + 3 (any of anti-centromere, anti-topoisomerase I,
    anti-RNA polymerase III). Range 0-24; classified when >= 9, so skin
    thickening proximal to the MCPs alone classifies. The criteria do not
    apply to patients whose skin thickening spares the fingers or who have a
    scleroderma-like disorder that better explains the findings (not checked).

    Parameters
    ----------
    items : DataFrame or dict of columns, optional
        All 13 :data:`ACR_EULAR_2013_ITEMS` columns (missing columns are an
        error; extra columns are ignored). Give either ``items`` or keywords.
    skin_proximal_mcp, sclerodactyly, ... anti_rnap3 : array-like of bool
        One keyword per item; an item not given counts as absent (False).

    Returns
    -------
    DataFrame
        ``score`` (nullable ``Int64``) and ``classified`` (nullable boolean);
        NA when any item is missing.
    """
    kw = dict(
        skin_proximal_mcp=skin_proximal_mcp, sclerodactyly=sclerodactyly, puffy_fingers=puffy_fingers,
        pitting_scars=pitting_scars, digital_tip_ulcers=digital_tip_ulcers, telangiectasia=telangiectasia,
        abnormal_nailfold_capillaries=abnormal_nailfold_capillaries, pah=pah, ild=ild, raynaud=raynaud,
        anti_centromere=anti_centromere, anti_topoisomerase=anti_topoisomerase, anti_rnap3=anti_rnap3,
    )
    given = {k: v for k, v in kw.items() if v is not None}
    frame_index = None
    if items is not None:
        if given:
            raise ValueError(f"acr_eular_2013: give either items or item keywords, not both (got items and {sorted(given)})")
        cols, frame_index = _columns_of(items, "items")
        missing = [c for c in ACR_EULAR_2013_ITEMS if c not in cols]
        if missing:
            raise ValueError(f"items: missing column(s) {missing}")
        named = {c: cols[c] for c in ACR_EULAR_2013_ITEMS}
    else:
        if not given:
            raise ValueError("acr_eular_2013: no items given; pass a DataFrame of the 13 items or item keywords")
        named = {c: given.get(c, False) for c in ACR_EULAR_2013_ITEMS}
    args = rowwise(**named)
    index = frame_index if frame_index is not None else args.index
    if index is None:
        index = pd.RangeIndex(args.n)
    codes = call(_native.ssc_acr_eular_2013, [args[c] for c in ACR_EULAR_2013_ITEMS], nan_policy=nan_policy,
                 index={c: index for c in ACR_EULAR_2013_ITEMS})
    score = np.ascontiguousarray(codes[:, 0])
    return pd.DataFrame(
        {
            "score": pd.arrays.IntegerArray(np.where(score < 0, 0, score).astype(np.int64), score < 0),
            "classified": bool_array(np.ascontiguousarray(codes[:, 1])),
        },
        index=index,
    )


# ----------------------------------------------------------------------------
# lung function, MCID
# ----------------------------------------------------------------------------
def lung_decline(
    fvc_base: Any,
    fvc_follow: Any,
    dlco_base: Any = None,
    dlco_follow: Any = None,
    *,
    definition: str = "omeract",
    nan_policy: str = "propagate",
) -> Any:
    """Lung-function decline category: ``stable < marginal < significant``.

    ``definition='omeract'`` (default; Khanna 2015 OMERACT CTD-ILD, relative
    declines): significant when the relative FVC decline
    ``(base - follow)/base`` is >= 10 %, or 5-10 % with a relative DLCO
    decline >= 15 %; marginal for 5-10 % otherwise (or when DLCO is not
    supplied); stable below 5 % (including any improvement). DLCO is consulted
    only in the 5-10 % band, where a missing DLCO gives NA.

    ``definition='ppf2022'`` (ATS/ERS/JRS/ALAT 2022 progressive pulmonary
    fibrosis, physiological criterion only; absolute declines): significant
    when FVC falls by >= 5 percentage points or DLCO by >= 10 points;
    otherwise stable ('marginal' is never produced). A missing measure gives
    NA unless the other one already meets its criterion.

    Parameters
    ----------
    fvc_base, fvc_follow : array-like
        FVC, % predicted (> 0 and <= 250).
    dlco_base, dlco_follow : array-like, optional
        DLCO, % predicted; give both or neither.
    definition : {'omeract', 'ppf2022'}

    Returns
    -------
    pandas.Categorical (ordered), Series of category dtype, or str
    """
    if (dlco_base is None) != (dlco_follow is None):
        raise ValueError("dlco_base and dlco_follow: give both or neither")
    if not isinstance(definition, str):
        raise TypeError(f"definition: expected 'omeract' or 'ppf2022', got {definition!r}")
    args = rowwise(fvc_base=fvc_base, fvc_follow=fvc_follow, dlco_base=dlco_base, dlco_follow=dlco_follow)
    codes = call(
        _native.ssc_lung_decline, args["fvc_base"], args["fvc_follow"], args["dlco_base"], args["dlco_follow"],
        definition=definition, nan_policy=nan_policy, index=args.labels,
    )
    return wrap_category(codes, DECLINE_CATEGORIES, True, args, "lung_decline")


def mcid_response(measure: str, baseline: Any, followup: Any, *, threshold: Optional[float] = None,
                  nan_policy: str = "propagate") -> Any:
    """Improvement by at least the minimal clinically important difference.

    ============  ==========================  =========  ===================
    measure       improvement                 default    rule
    ============  ==========================  =========  ===================
    ``mrss``      baseline - follow-up        5 units    >= (Khanna 2006/2019)
    ``haq_di``    baseline - follow-up        0.14       >= (Khanna 2006)
    ``fvc_pct``   follow-up - baseline (pts)  3.0        >= (Kafaja 2018)
    ``das28``     baseline - follow-up        1.2        > strictly (van Gestel 1996)
    ============  ==========================  =========  ===================

    The published MCIDs are ranges; the defaults are a project choice.

    Parameters
    ----------
    measure : {'mrss', 'haq_di', 'fvc_pct', 'das28'}
    baseline, followup : array-like
        Values in the measure's unit (mRSS 0-51, HAQ-DI 0-3, FVC % predicted
        > 0 and <= 250, DAS28 0-10).
    threshold : float, optional
        Override the MCID (same unit, > 0).

    Returns
    -------
    bool, pandas BooleanArray or Series of dtype ``boolean`` (NA when missing)
    """
    if not isinstance(measure, str):
        raise TypeError(f"measure: expected one of {list(MCID_DEFAULTS)}, got {measure!r}")
    if threshold is not None and (isinstance(threshold, (bool, np.bool_)) or not isinstance(threshold, numbers.Real)):
        raise TypeError(f"threshold: expected a number or None, got {threshold!r}")
    args = rowwise(baseline=baseline, followup=followup)
    codes = call(
        _native.ssc_mcid_response, measure, args["baseline"], args["followup"],
        threshold=None if threshold is None else float(threshold), nan_policy=nan_policy, index=args.labels,
    )
    return wrap_bool(codes, args, f"{measure}_mcid")


__all__ = [
    "SSC_CORE",
    "ACR_EULAR_2013_ITEMS",
    "DECLINE_CATEGORIES",
    "MCID_DEFAULTS",
    "RCRISS_COLUMNS",
    "criss",
    "rcriss",
    "eustar_ai",
    "eustar_ai_active",
    "acr_eular_2013",
    "lung_decline",
    "mcid_response",
]
