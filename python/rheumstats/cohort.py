"""Cohort description: Table 1 of a paper.

:func:`table_one` summarises baseline characteristics overall and by group,
with the usual between-group P values computed by :mod:`rheumstats.groups`.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import pandas as pd

__all__ = ["table_one"]


def _fmt(x: float, decimals: int) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{decimals}f}"


def _continuous(s: pd.Series, normal: bool, decimals: int) -> str:
    v = s.dropna().astype(float)
    if len(v) == 0:
        return ""
    if normal:
        sd = v.std(ddof=1) if len(v) > 1 else float("nan")
        return f"{_fmt(v.mean(), decimals)} ± {_fmt(sd, decimals)}"
    q1, med, q3 = np.percentile(v.to_numpy(), [25, 50, 75])  # linear interpolation (R type 7)
    return f"{_fmt(med, decimals)} [{_fmt(q1, decimals)}, {_fmt(q3, decimals)}]"


def _levels(s: pd.Series) -> List[Any]:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return list(s.cat.categories)
    return sorted(s.dropna().unique().tolist(), key=lambda x: (str(type(x)), x))


def _p_continuous(values: pd.Series, groups: pd.Series, normal: bool, equal_var: bool) -> tuple:
    from . import groups as g

    ok = values.notna() & groups.notna()
    v, k = values[ok].astype(float), groups[ok]
    levels = [lvl for lvl in _levels(k) if (k == lvl).sum() > 0]
    sizes = [(k == lvl).sum() for lvl in levels]
    if len(levels) < 2 or min(sizes) == 0:
        return float("nan"), "not tested"
    if not normal:
        return float(g.kruskal(v, k).pvalue), "Kruskal-Wallis"
    if len(levels) == 2:
        if min(sizes) < 2:
            return float("nan"), "not tested (a group has < 2 values)"
        x, y = (v[k == lvl] for lvl in levels)
        return float(g.ttest(x, y, equal_var=equal_var).pvalue), ("Student t" if equal_var else "Welch t")
    return float(g.anova_oneway(v, k).pvalue), "one-way ANOVA"


def _p_categorical(values: pd.Series, groups: pd.Series) -> tuple:
    from . import groups as g

    ok = values.notna() & groups.notna()
    table = pd.crosstab(values[ok], groups[ok])
    table = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0]
    if table.shape[0] < 2 or table.shape[1] < 2:
        return float("nan"), "not tested"
    counts = table.to_numpy(dtype=float)
    expected = counts.sum(axis=1, keepdims=True) * counts.sum(axis=0, keepdims=True) / counts.sum()
    if expected.min() < 5:
        try:
            return float(g.fisher_exact(table).pvalue), "Fisher's exact"
        except ValueError as e:
            if "too large for exact enumeration" not in str(e):
                raise
            # named in the table, never silent: the exact test's size guards refused it
            return float(g.fisher_exact(table, n_resamples=10_000, seed=0).pvalue), "Fisher's exact (Monte Carlo, 10,000 tables)"
    return float(g.chisq(table, correction=True).pvalue), "chi-squared" + (" (Yates)" if table.shape == (2, 2) else "")


def table_one(
    data: pd.DataFrame,
    columns: Sequence[str],
    *,
    by: Optional[str] = None,
    categorical: Optional[Sequence[str]] = None,
    nonnormal: Optional[Sequence[str]] = None,
    decimals: int = 1,
    equal_var: bool = False,
    labels: Optional[Dict[str, str]] = None,
    groupby: Optional[str] = None,
) -> pd.DataFrame:
    """Table 1: baseline characteristics, overall and by group, with P values.

    Parameters
    ----------
    data : DataFrame
        One row per patient.
    columns : sequence of str
        Variables to summarise, in order.
    by : str, optional
        Column defining the groups; adds one column per group and ``P-Value``
        and ``Test`` columns. ``groupby=`` is its old name (FutureWarning).
    categorical : sequence of str, optional
        Variables summarised as ``n (%)`` per level (percent of the non-missing
        values in that column). Booleans, strings and categoricals are
        categorical automatically.
    nonnormal : sequence of str, optional
        Continuous variables summarised as ``median [Q1, Q3]`` (quartiles by
        linear interpolation, R's type 7) and tested by Kruskal-Wallis;
        other continuous variables are ``mean ± SD`` (SD with n - 1) tested by
        Welch's t (two groups; ``equal_var=True`` for Student's) or one-way
        ANOVA (more groups).
    decimals : int
        Decimals of means, SDs, medians and quartiles (percentages: 1).
    labels : dict, optional
        Display names for variables.

    Categorical P values: chi-squared (Yates' correction for 2x2) when every
    expected count is >= 5, otherwise Fisher's exact test (2x2 and r x c).

    Returns
    -------
    DataFrame indexed by (variable, level) with columns ``Missing``,
    ``Overall``, one per group, ``P-Value`` (float) and ``Test``; the first
    row ``("n", "")`` gives the number of patients.

    Examples
    --------
    >>> visits, patients = rs.datasets.tocilizumab_ssc()
    >>> rs.cohort.table_one(patients, ["sex", "disease_duration_years"], by="subset")  # doctest: +SKIP
    """
    from ._validation import renamed

    groupby = renamed("groupby", "by", groupby, by)
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data: expected a DataFrame, got {type(data).__name__}")
    columns = list(columns)
    if not columns:
        raise ValueError("columns: name at least one column")
    categorical = list(categorical or [])
    nonnormal = list(nonnormal or [])
    wanted = columns + categorical + nonnormal + ([groupby] if groupby else [])
    missing = [c for c in dict.fromkeys(wanted) if c not in data.columns]
    if missing:
        raise ValueError(f"data: missing column(s) {missing}")
    for c in categorical + nonnormal:
        if c not in columns:
            raise ValueError(f"{c!r} is listed in categorical/nonnormal but not in columns")
    if len(data) == 0:
        raise ValueError("data: no rows")
    labels = dict(labels or {})

    group_levels: List[Any] = []
    grp = None
    if groupby is not None:
        grp = data[groupby]
        group_levels = _levels(grp)
        if len(group_levels) < 2:
            raise ValueError(f"by: {groupby!r} has {len(group_levels)} level(s); at least 2 are needed")
    subsets = [("Overall", data)] + [(str(lvl), data[grp == lvl]) for lvl in group_levels]
    out_cols = ["Missing"] + [name for name, _ in subsets] + (["P-Value", "Test"] if groupby else [])

    rows: List[tuple] = []
    index: List[tuple] = []
    index.append(("n", ""))
    rows.append(tuple([""] + [str(len(d)) for _, d in subsets] + ([float("nan"), ""] if groupby else [])))

    for c in columns:
        s = data[c]
        name = labels.get(c, c)
        is_cat = c in categorical or not (pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype))
        n_missing = str(int(s.isna().sum()))
        if is_cat:
            levels = _levels(s)
            p, test = _p_categorical(s, grp) if groupby else (float("nan"), "")
            for j, lvl in enumerate(levels):
                cells = []
                for _, d in subsets:
                    col = d[c]
                    denom = int(col.notna().sum())
                    k = int((col == lvl).sum())
                    cells.append(f"{k} ({100 * k / denom:.1f})" if denom else "")
                index.append((name, str(lvl)))
                tail = ([p, test] if j == 0 else [float("nan"), ""]) if groupby else []
                rows.append(tuple([n_missing if j == 0 else ""] + cells + tail))
        else:
            normal = c not in nonnormal
            cells = [_continuous(d[c], normal, decimals) for _, d in subsets]
            p, test = _p_continuous(s, grp, normal, equal_var) if groupby else (float("nan"), "")
            index.append((name, "mean ± SD" if normal else "median [Q1, Q3]"))
            rows.append(tuple([n_missing] + cells + ([p, test] if groupby else [])))

    table = pd.DataFrame(rows, columns=out_cols, index=pd.MultiIndex.from_tuples(index, names=["variable", "level"]))
    return table
