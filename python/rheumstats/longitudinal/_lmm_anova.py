"""Type III hypotheses of lmerTest (``anova(m, type = 3)``): for every term,
the rows of a contrast matrix on the treatment-coded coefficients.

As lmerTest's ``extract_contrasts_type3``: with X the (full-rank,
treatment-coded) design and X̃ the design with every factor level (no
contrasts), L = zapsmall((X⁺X̃)ᵀ); the columns of a term are made orthogonal
to those of every term that contains it (higher-order terms first); the rows
of L for X's columns are kept, and each term's hypothesis is the transpose of
its columns without zero rows. Factor main effects are so averaged over the
levels of the other factors (SAS-style marginal hypotheses).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._design import r_column_name

__all__ = ["type3_contrasts", "zapsmall"]


def zapsmall(x: np.ndarray, digits: int = 7) -> np.ndarray:
    """R's ``zapsmall``: round to ``digits`` significant digits of the largest entry."""
    mx = np.nanmax(np.abs(x)) if x.size else 0.0
    d = max(0, digits - int(np.ceil(np.log10(mx)))) if mx > 0 else digits
    return np.round(x, d)


def _factors(term: object) -> set:
    return {str(f) for f in getattr(term, "factors", [])} - {"1"}


def type3_contrasts(rhs: str, sub: pd.DataFrame, design) -> dict[str, np.ndarray]:
    """{term label: L (rows × p)} for the fixed part ``rhs`` fitted on ``sub``."""
    from formulaic import model_matrix

    X = design.X
    names = design.names
    labels = [t for t in design.terms if t != "(Intercept)"]
    if X.shape[1] <= 1 or len(labels) <= 1:  # lmerTest: Type I contrasts then
        return _type1(X, names, design.terms, labels)
    # X̃ = X·C exactly (both codings span one space), so C is fixed by any
    # rows on which X has full rank: the distinct rows of the used variables
    # (a handful, where the data may have 100,000s of rows)
    rows = np.flatnonzero(~sub.duplicated().to_numpy())
    full = model_matrix(rhs, sub.iloc[rows], ensure_full_rank=False, na_action="ignore")
    rdX = np.asarray(full, dtype=float)
    rd_names = [r_column_name(str(c)) for c in full.columns]
    coef, *_ = np.linalg.lstsq(X[rows], rdX, rcond=None)  # X⁺ X̃ (p × P)
    L = zapsmall(coef.T)  # P × p
    terms = {str(t): t for t in design.spec.term_slices}
    order = sorted(labels, key=lambda lab: -len(_factors(terms.get(lab, lab))))
    facs = {lab: _factors(terms[lab]) for lab in labels}
    for lab in order:
        contains = [o for o in labels if o != lab and facs[lab] < facs[o]]
        if contains:
            A = L[:, sorted(c for o in contains for c in design.terms[o])]
            B = L[:, design.terms[lab]]
            beta, *_ = np.linalg.lstsq(A, B, rcond=None)
            L[:, design.terms[lab]] = zapsmall(B - A @ beta)
    pos = {n: i for i, n in enumerate(rd_names)}
    missing = [n for n in names if n not in pos]
    if missing:
        raise NotImplementedError(f"anova: cannot map coefficient(s) {missing} to the full dummy coding")
    L = L[[pos[n] for n in names], :]
    out = {}
    for lab in labels:
        Lt = L[:, design.terms[lab]].T
        out[lab] = Lt[np.abs(Lt).sum(axis=1) > 1e-8]
    return out


def _type1(X, names, terms, labels):
    out = {}
    p = X.shape[1]
    for lab in labels:
        Lt = np.zeros((len(terms[lab]), p))
        for r, c in enumerate(terms[lab]):
            Lt[r, c] = 1.0
        out[lab] = Lt
    return out
