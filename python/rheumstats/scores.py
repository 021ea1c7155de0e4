"""Per-patient outcome measures, vectorised over rows (Rust core).

Definitions, units and boundary rules follow ``SCORING_SPEC.md``. Every
function accepts scalars, lists, numpy arrays and pandas Series/DataFrames; a
pandas input gives a pandas output with the same index; scalars give a scalar.
Invalid values raise :class:`~rheumstats.exceptions.InvalidInputError` (a
``ValueError``) naming the argument, the row (and pandas index label) and the
allowed range; non-numeric input raises ``TypeError``. Missing values: with
``nan_policy='propagate'`` (default) a row with a missing required input gives
a missing output; ``'raise'`` raises on the first missing value; ``'omit'`` is
not meaningful for per-row scores and raises ``ValueError``.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from . import _rheumstats as _native
from ._validation import CRP_UNITS, VAS_UNITS, as_float, as_matrix, call, in_unit, rowwise, wrap_bool, wrap_category, wrap_float

MRSS_SITES: Tuple[str, ...] = tuple(_native.MRSS_SITES)
"""The 17 mRSS sites in canonical order (SCORING_SPEC section 1)."""

HAQ_ITEMS: Tuple[str, ...] = tuple(_native.HAQ_ITEMS)
"""The 20 HAQ-DI items in questionnaire order."""

HAQ_CATEGORIES: Tuple[str, ...] = tuple(_native.HAQ_CATEGORIES)
"""The 8 HAQ-DI categories in order."""

HAQ_DEVICES: Mapping[str, str] = {
    "dressing_devices": "dressing",
    "special_chair": "arising",
    "built_up_utensils": "eating",
    "cane": "walking",
    "walker": "walking",
    "crutches": "walking",
    "wheelchair": "walking",
    "raised_toilet_seat": "hygiene",
    "bathtub_bar": "hygiene",
    "long_handled_bathroom": "hygiene",
    "bathtub_seat": "hygiene",
    "long_handled_reach": "reach",
    "jar_opener": "grip",
}
"""Aid/device check-box columns and the HAQ category each one counts for."""

SHAQ_SCALES: Tuple[str, ...] = tuple(_native.SHAQ_SCALES)
CHFS_ITEMS: Tuple[str, ...] = tuple(f"chfs_{i:02d}" for i in range(1, 19))
CHFS_DOMAINS: Tuple[str, ...] = tuple(_native.CHFS_DOMAINS)
ACR_CORE: Tuple[str, ...] = tuple(_native.ACR_CORE)

ACTIVITY_CATEGORIES = ("remission", "low", "moderate", "high")
EULAR_CATEGORIES = ("none", "moderate", "good")
SKIN_SUBSETS = ("none", "limited", "diffuse")


def _idx(args: Any) -> dict:
    return args.labels


# ----------------------------------------------------------------------------
# mRSS
# ----------------------------------------------------------------------------
def mrss(sites: Any, *, nan_policy: str = "propagate") -> Any:
    """Modified Rodnan skin score: the sum of 17 site scores.

    Parameters
    ----------
    sites : DataFrame or array of shape (n, 17)
        A DataFrame with exactly the 17 :data:`MRSS_SITES` columns (any order),
        or an array in canonical site order. Each value an integer 0 (normal)
        to 3 (severe thickening); NaN = not assessed.
    nan_policy : {'propagate', 'raise'}
        A row with any NaN site gives NaN (no pro-rating).

    Returns
    -------
    float, ndarray or Series
        Total skin score, 0-51, one per row.

    Examples
    --------
    >>> import rheumstats as rs
    >>> rs.scores.mrss([[1, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 0, 0, 0, 0, 0, 0]])
    array([9.])
    """
    m = as_matrix(sites, "sites", MRSS_SITES)
    out = call(_native.scores_mrss, m.values, nan_policy=nan_policy, index={"sites": m.index}, columns={"sites": m.columns})
    return pd.Series(out, index=m.index, name="mrss") if m.index is not None else out


def skin_subset(sites: Any, *, nan_policy: str = "propagate") -> Any:
    """Cutaneous subset from one visit's mRSS site scores.

    ``'diffuse'`` when any proximal/truncal site (anterior chest, abdomen,
    upper arms, thighs) is > 0; otherwise ``'limited'`` when any other site is
    > 0; otherwise ``'none'`` (no skin thickening; a project convention). A
    row with NaN sites is missing unless a proximal site already shows
    diffuse disease.

    The published LeRoy subsets use the maximum extent ever recorded; applied
    to a single visit (e.g. regressed diffuse disease) the answer can differ.

    Parameters
    ----------
    sites : DataFrame or array of shape (n, 17)
        As for :func:`mrss`.

    Returns
    -------
    pandas.Categorical or Series of category dtype
        Categories ``('none', 'limited', 'diffuse')``, unordered.
    """
    m = as_matrix(sites, "sites", MRSS_SITES)
    codes = call(_native.scores_skin_subset, m.values, nan_policy=nan_policy, index={"sites": m.index}, columns={"sites": m.columns})
    cat = pd.Categorical.from_codes(codes.astype(np.int64), categories=list(SKIN_SUBSETS), ordered=False)
    return pd.Series(cat, index=m.index, name="skin_subset") if m.index is not None else cat


# ----------------------------------------------------------------------------
# DAS28
# ----------------------------------------------------------------------------
def _das28(kind: str, tjc: Any, sjc: Any, apr: Any, patient_global: Any, nan_policy: str, global_unit: str, crp_unit: str = "mg/L") -> Any:
    args = rowwise(tjc=tjc, sjc=sjc, **{kind: apr}, patient_global=patient_global)
    a = args[kind] if kind == "esr" else in_unit(args[kind], "crp", "crp_unit", crp_unit, CRP_UNITS, "mg/L")
    g = in_unit(args["patient_global"], "patient_global", "global_unit", global_unit, VAS_UNITS, "mm")
    out = call(
        _native.scores_das28, kind=kind, tjc=args["tjc"], sjc=args["sjc"], apr=a, patient_global=g, nan_policy=nan_policy,
        index=_idx(args),
    )
    return wrap_float(out, args, f"das28_{kind}")


def das28_esr(
    tjc: Any, sjc: Any, esr: Any, patient_global: Any = None, *, global_unit: str = "mm", nan_policy: str = "propagate",
) -> Any:
    """DAS28 with ESR (Prevoo 1995).

    ``0.56*sqrt(TJC) + 0.28*sqrt(SJC) + 0.70*ln(ESR) + 0.014*GH``; with
    ``patient_global=None`` the 3-variable form
    ``[0.56*sqrt(TJC) + 0.28*sqrt(SJC) + 0.70*ln(ESR)]*1.08 + 0.16``.

    Parameters
    ----------
    tjc, sjc : array-like
        Tender / swollen joint counts (28 joints), integers 0-28.
    esr : array-like
        Erythrocyte sedimentation rate in mm/h, > 0.
    patient_global : array-like or None
        Patient global health VAS in mm, 0-100. ``None`` selects the
        3-variable form (a NaN row stays NaN; there is no silent switch).
    global_unit : {'mm', 'cm'}
        Unit of ``patient_global`` (a 0-10 cm VAS is converted to mm). A
        :class:`~rheumstats.exceptions.UnitWarning` flags a column given as mm
        whose values all lie in 0-10.

    Returns
    -------
    float, ndarray or Series
        DAS28-ESR, practical range about 0-9.4.

    Examples
    --------
    >>> rs.scores.das28_esr(4, 3, 20, 40)
    4.261986817...
    """
    return _das28("esr", tjc, sjc, esr, patient_global, nan_policy, global_unit)


def das28_crp(
    tjc: Any,
    sjc: Any,
    crp: Any,
    patient_global: Any = None,
    *,
    crp_unit: str = "mg/L",
    global_unit: str = "mm",
    nan_policy: str = "propagate",
) -> Any:
    """DAS28 with CRP.

    ``0.56*sqrt(TJC) + 0.28*sqrt(SJC) + 0.36*ln(CRP+1) + 0.014*GH + 0.96``;
    3-variable form ``[...]*1.10 + 1.15`` when ``patient_global=None``.

    Parameters
    ----------
    tjc, sjc : array-like
        Joint counts (28 joints), integers 0-28.
    crp : array-like
        C-reactive protein in **mg/L** (``crp_unit='mg/L'``, the default) or
        mg/dL (``crp_unit='mg/dL'``), >= 0.
    patient_global : array-like or None
        Patient global health VAS in mm, 0-100 (``global_unit='cm'``: 0-10 cm).
    crp_unit, global_unit : str
        Units of ``crp`` and ``patient_global``. A
        :class:`~rheumstats.exceptions.UnitWarning` flags a whole column that
        looks like the other unit (CRP all below 1 mg/L; a VAS all within 0-10 mm).

    Returns
    -------
    float, ndarray or Series
        DAS28-CRP, practical range about 0.96-8.5.
    """
    return _das28("crp", tjc, sjc, crp, patient_global, nan_policy, global_unit, crp_unit)


def das28_category(das28: Any, *, thresholds: Sequence[float] = (2.6, 3.2, 5.1), nan_policy: str = "propagate") -> Any:
    """DAS28 disease-activity category.

    remission ``< 2.6``; low ``2.6-3.2`` (3.2 is low); moderate ``> 3.2`` and
    ``<= 5.1``; high ``> 5.1``, with the boundary tolerance of 1e-9. The same
    cut-offs serve DAS28-ESR and DAS28-CRP.

    Parameters
    ----------
    das28 : array-like
        DAS28 values, 0-10.
    thresholds : 3 increasing floats
        Override the cut-offs; the comparison directions stay as above.

    Returns
    -------
    pandas.Categorical (ordered ``remission < low < moderate < high``), Series or str
    """
    if len(thresholds) != 3:
        raise ValueError(f"thresholds: expected 3 cut-offs, got {len(thresholds)}")
    args = rowwise(das28=das28)
    codes = call(_native.scores_das28_category, args["das28"], tuple(float(t) for t in thresholds), nan_policy=nan_policy, index=_idx(args))
    return wrap_category(codes, ACTIVITY_CATEGORIES, True, args, "das28_category")


def eular_response(baseline: Any, followup: Any, *, nan_policy: str = "propagate") -> Any:
    """EULAR response from baseline and follow-up DAS28 (van Gestel 1996).

    Improvement ``I = baseline - followup``. Follow-up <= 3.2: good if
    I > 1.2, moderate if 0.6 < I <= 1.2. Follow-up in (3.2, 5.1]: moderate if
    I > 0.6. Follow-up > 5.1: moderate if I > 1.2. Otherwise none.

    Parameters
    ----------
    baseline, followup : array-like
        DAS28 values, 0-10.

    Returns
    -------
    pandas.Categorical (ordered ``none < moderate < good``), Series or str
    """
    args = rowwise(baseline=baseline, followup=followup)
    codes = call(_native.scores_eular_response, args["baseline"], args["followup"], nan_policy=nan_policy, index=_idx(args))
    return wrap_category(codes, EULAR_CATEGORIES, True, args, "eular_response")


# ----------------------------------------------------------------------------
# CDAI / SDAI
# ----------------------------------------------------------------------------
def cdai(
    tjc: Any, sjc: Any, patient_global: Any, evaluator_global: Any, *, global_unit: str = "cm", nan_policy: str = "propagate",
) -> Any:
    """Clinical Disease Activity Index: ``TJC28 + SJC28 + PtGA + EGA`` (0-76).

    Parameters
    ----------
    tjc, sjc : array-like
        Joint counts (28 joints), integers 0-28.
    patient_global, evaluator_global : array-like
        Global assessments on a **0-10 cm** VAS (a value above 10 is an error).
    global_unit : {'cm', 'mm'}
        Unit of both global assessments (``'mm'``: a 0-100 mm VAS, converted to cm).
    """
    args = rowwise(tjc=tjc, sjc=sjc, patient_global=patient_global, evaluator_global=evaluator_global)
    pg = in_unit(args["patient_global"], "patient_global", "global_unit", global_unit, VAS_UNITS, "cm")
    eg = in_unit(args["evaluator_global"], "evaluator_global", "global_unit", global_unit, VAS_UNITS, "cm")
    out = call(
        _native.scores_cdai, args["tjc"], args["sjc"], pg, eg, None, nan_policy=nan_policy,
        index=_idx(args),
    )
    return wrap_float(out, args, "cdai")


def sdai(
    tjc: Any,
    sjc: Any,
    patient_global: Any,
    evaluator_global: Any,
    crp: Any,
    *,
    crp_unit: str = "mg/dL",
    global_unit: str = "cm",
    nan_policy: str = "propagate",
) -> Any:
    """Simplified Disease Activity Index: ``TJC28 + SJC28 + PtGA + EGA + CRP``.

    Parameters
    ----------
    tjc, sjc : array-like
        Joint counts (28 joints), integers 0-28.
    patient_global, evaluator_global : array-like
        Global assessments on a 0-10 cm VAS.
    crp : array-like
        C-reactive protein in **mg/dL** (>= 0; 1 mg/dL = 10 mg/L).
    crp_unit : {'mg/dL', 'mg/L'}
        Unit of ``crp`` (mg/L is converted to mg/dL). A
        :class:`~rheumstats.exceptions.UnitWarning` flags a column given as
        mg/dL whose median is above 10 mg/dL (it looks like mg/L).
    global_unit : {'cm', 'mm'}
        Unit of both global assessments.
    """
    args = rowwise(tjc=tjc, sjc=sjc, patient_global=patient_global, evaluator_global=evaluator_global, crp=crp)
    pg = in_unit(args["patient_global"], "patient_global", "global_unit", global_unit, VAS_UNITS, "cm")
    eg = in_unit(args["evaluator_global"], "evaluator_global", "global_unit", global_unit, VAS_UNITS, "cm")
    c = in_unit(args["crp"], "crp", "crp_unit", crp_unit, CRP_UNITS, "mg/dL")
    out = call(
        _native.scores_cdai, args["tjc"], args["sjc"], pg, eg, c, nan_policy=nan_policy,
        index=_idx(args),
    )
    return wrap_float(out, args, "sdai")


def cdai_category(cdai: Any, *, nan_policy: str = "propagate") -> Any:
    """CDAI category: remission <= 2.8 < low <= 10 < moderate <= 22 < high (input 0-76)."""
    args = rowwise(cdai=cdai)
    codes = call(_native.scores_activity_category, args["cdai"], "cdai", nan_policy=nan_policy, index=_idx(args))
    return wrap_category(codes, ACTIVITY_CATEGORIES, True, args, "cdai_category")


def sdai_category(sdai: Any, *, nan_policy: str = "propagate") -> Any:
    """SDAI category: remission <= 3.3 < low <= 11 < moderate <= 26 < high (input >= 0)."""
    args = rowwise(sdai=sdai)
    codes = call(_native.scores_activity_category, args["sdai"], "sdai", nan_policy=nan_policy, index=_idx(args))
    return wrap_category(codes, ACTIVITY_CATEGORIES, True, args, "sdai_category")


# ----------------------------------------------------------------------------
# ACR response
# ----------------------------------------------------------------------------
def _columns_of(frame: Any, name: str) -> Tuple[dict, Optional[pd.Index]]:
    if isinstance(frame, pd.DataFrame):
        return {str(c): frame[c] for c in frame.columns}, frame.index
    if isinstance(frame, Mapping):
        return dict(frame), None
    raise TypeError(f"{name}: expected a DataFrame or a dict of columns, got {type(frame).__name__}")


def acr_response(baseline: Any, followup: Any, *, level: float = 20, apr: Optional[str] = None, nan_policy: str = "propagate") -> Any:
    """ACR20/50/70 response (Felson 1995/1998).

    Responder when TJC and SJC each improve by at least ``level`` % and at
    least 3 of pain, patient global, physician global, HAQ-DI and the
    acute-phase reactant do. A measure with baseline 0 counts as not improved.

    Parameters
    ----------
    baseline, followup : DataFrame or dict of columns
        Columns ``tjc`` (integers 0-68), ``sjc`` (0-66), ``pain``,
        ``patient_global``, ``physician_global`` (VAS 0-100), ``haq_di``
        (0-3) and exactly one of ``esr``/``crp`` (>= 0). Same joint set and
        VAS scale at both visits.
    level : float
        20 (default), 50 or 70; any value in (0, 100].
    apr : {'esr', 'crp'}, optional
        Which acute-phase reactant to use when both columns are present.

    Returns
    -------
    bool, pandas BooleanArray or Series of dtype ``boolean`` (NA when any measure is missing)
    """
    b, b_index = _columns_of(baseline, "baseline")
    f, f_index = _columns_of(followup, "followup")
    if apr is None:
        present = [c for c in ("esr", "crp") if c in b]
        if len(present) != 1:
            raise ValueError(
                f"baseline: needs exactly one of the columns 'esr' or 'crp' (found {present or 'neither'}); pass apr='esr' or apr='crp'"
            )
        apr = present[0]
    if apr not in ("esr", "crp"):
        raise ValueError(f"apr: {apr!r} is not 'esr' or 'crp'")
    needed = list(ACR_CORE) + [apr]
    for side, cols in (("baseline", b), ("followup", f)):
        missing = [c for c in needed if c not in cols]
        if missing:
            raise ValueError(f"{side}: missing column(s) {missing}")
    if b_index is not None and f_index is not None and not b_index.equals(f_index):
        raise ValueError("baseline and followup DataFrames have different indexes; align them (same patients, same order)")
    named = {f"baseline['{c}']": b[c] for c in needed}
    named.update({f"followup['{c}']": f[c] for c in needed})
    args = rowwise(**named)
    index = b_index if b_index is not None else f_index
    if index is not None and args.index is None and not args.scalar:
        args.index = index
    labels = {k: args.index for k in named} if args.index is not None else {}
    codes = call(
        _native.scores_acr_response,
        [args[f"baseline['{c}']"] for c in needed],
        [args[f"followup['{c}']"] for c in needed],
        apr=apr,
        level=float(level),
        nan_policy=nan_policy,
        index=labels,
    )
    return wrap_bool(codes, args, f"acr{level:g}")


# ----------------------------------------------------------------------------
# HAQ-DI, SHAQ, CHFS
# ----------------------------------------------------------------------------
def _ticks(x: Any, name: str, n: int, allow_devices: bool) -> Tuple[Optional[np.ndarray], list, Optional[tuple], Optional[pd.Index]]:
    if x is None:
        return None, [], None, None
    if isinstance(x, pd.DataFrame):
        cats, columns = [], []
        for c in x.columns:
            c = str(c)
            if c in HAQ_CATEGORIES:
                cats.append(HAQ_CATEGORIES.index(c))
            elif allow_devices and c in HAQ_DEVICES:
                cats.append(HAQ_CATEGORIES.index(HAQ_DEVICES[c]))
            else:
                allowed = list(HAQ_CATEGORIES) + (list(HAQ_DEVICES) if allow_devices else [])
                raise ValueError(f"{name}: unknown column {c!r}; allowed columns: {allowed}")
            columns.append(c)
        m = as_matrix(x, name, columns)
        return m.values, cats, m.columns, m.index
    m = as_matrix(x, name, HAQ_CATEGORIES)
    return m.values, list(range(8)), m.columns, None


def haq_di(items: Any, aids: Any = None, help: Any = None, *, method: str = "aids", nan_policy: str = "propagate") -> Any:
    """HAQ Disability Index (Stanford scoring).

    Category score = highest answered item; with ``method='aids'`` an aid or
    device, or help from another person, raises a category score of 0 or 1 to
    2 (never creating a score for an unanswered category). HAQ-DI = mean of
    the answered category scores; NaN when fewer than 6 of the 8 categories
    are answered.

    Parameters
    ----------
    items : DataFrame or array of shape (n, 20)
        The 20 :data:`HAQ_ITEMS` (any column order), each an integer 0 (no
        difficulty) to 3 (unable to do); NaN = unanswered.
    aids : DataFrame or array of shape (n, 8), optional
        Check boxes per category (:data:`HAQ_CATEGORIES` columns) and/or device
        columns (:data:`HAQ_DEVICES`); True/False/1/0, NaN = not ticked.
    help : DataFrame or array of shape (n, 8), optional
        Help from another person per category (category columns).
    method : {'aids', 'no_aids'}
        ``'no_aids'`` skips the aids/help adjustment (alternative index).

    Returns
    -------
    float, ndarray or Series
        HAQ-DI, 0-3.
    """
    m = as_matrix(items, "items", HAQ_ITEMS)
    n = m.values.shape[0]
    a_vals, a_cats, a_cols, a_idx = _ticks(aids, "aids", n, True)
    h_vals, h_cats, h_cols, h_idx = _ticks(help, "help", n, False)
    for other, idx in (("aids", a_idx), ("help", h_idx)):
        if m.index is not None and idx is not None and not m.index.equals(idx):
            raise ValueError(f"items and {other} have different indexes; align them first")
    out = call(
        _native.scores_haq_di, m.values, a_vals, a_cats, h_vals, h_cats, method=method, nan_policy=nan_policy,
        index={"items": m.index, "aids": m.index if m.index is not None else a_idx, "help": m.index if m.index is not None else h_idx},
        columns={"items": m.columns, "aids": a_cols, "help": h_cols},
    )
    index = m.index if m.index is not None else (a_idx if a_idx is not None else h_idx)
    return pd.Series(out, index=index, name="haq_di") if index is not None else out


def shaq(vas: Any, *, unit: str = "mm", nan_policy: str = "propagate") -> pd.DataFrame:
    """Scleroderma HAQ visual analogue scales scaled to 0-3.

    Parameters
    ----------
    vas : DataFrame (or dict of columns)
        Any of the columns ``intestinal, breathing, raynauds, digital_ulcers,
        overall, pain`` (unknown columns are an error).
    unit : {'mm', 'cm'}
        ``'mm'``: a 0-100 mm line, score = mm x 0.03. ``'cm'``: the original
        15 cm line, score = cm x 0.2.

    Returns
    -------
    DataFrame
        The same columns, 0-3 (0 = no limitation, 3 = very severe).
    """
    cols, index = _columns_of(vas, "vas")
    unknown = [c for c in cols if c not in SHAQ_SCALES]
    if unknown:
        raise ValueError(f"vas: unknown column(s) {unknown}; allowed: {list(SHAQ_SCALES)}")
    if not cols:
        raise ValueError("vas: no SHAQ columns given")
    out = {}
    for c, values in cols.items():
        arr = as_float(values, f"vas['{c}']")
        arg = f"vas['{c}']"
        out[c] = call(_native.scores_shaq_scale, arg, arr, unit=unit, nan_policy=nan_policy, index={arg: index})
    return pd.DataFrame(out, index=index)


def chfs(items: Any, *, by_domain: bool = False, nan_policy: str = "propagate") -> Any:
    """Cochin Hand Function Scale (Duruoz Hand Index): sum of 18 items, 0-90.

    Parameters
    ----------
    items : DataFrame or array of shape (n, 18)
        Columns ``chfs_01`` ... ``chfs_18``, each an integer 0 (no difficulty)
        to 5 (impossible). Any NaN item gives NaN (project convention).
    by_domain : bool
        Also return the domain sums (kitchen 1-8, dressing 9-10, hygiene
        11-12, office 13-14, other 15-18).

    Returns
    -------
    ndarray/Series of totals, or a DataFrame ``chfs, kitchen, dressing, hygiene, office, other``.
    """
    m = as_matrix(items, "items", CHFS_ITEMS)
    out = call(_native.scores_chfs, m.values, nan_policy=nan_policy, index={"items": m.index}, columns={"items": m.columns})
    if by_domain:
        return pd.DataFrame(out, index=m.index, columns=["chfs", *CHFS_DOMAINS])
    total = np.ascontiguousarray(out[:, 0])
    return pd.Series(total, index=m.index, name="chfs") if m.index is not None else total


__all__ = [
    "MRSS_SITES",
    "HAQ_ITEMS",
    "HAQ_CATEGORIES",
    "HAQ_DEVICES",
    "SHAQ_SCALES",
    "CHFS_ITEMS",
    "CHFS_DOMAINS",
    "mrss",
    "skin_subset",
    "das28_esr",
    "das28_crp",
    "das28_category",
    "eular_response",
    "cdai",
    "sdai",
    "cdai_category",
    "sdai_category",
    "acr_response",
    "haq_di",
    "shaq",
    "chfs",
]
