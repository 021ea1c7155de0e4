"""Scores: DAS28-ESR vs the plain numpy formula; HAQ-DI vs a straightforward pandas implementation."""

import numpy as np
import pandas as pd

import rheumstats as rs
from workloads import Workload


def _das28_data(quick: bool):
    n = 100_000 if quick else 10_000_000
    rng = np.random.default_rng(1)
    return (
        rng.integers(0, 29, n).astype(np.float64),
        rng.integers(0, 29, n).astype(np.float64),
        rng.uniform(1, 120, n),
        rng.uniform(0, 100, n),
    )


def _das28_numpy(d):
    tjc, sjc, esr, gh = d
    return 0.56 * np.sqrt(tjc) + 0.28 * np.sqrt(sjc) + 0.70 * np.log(esr) + 0.014 * gh


def _close(a, b):
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-12, atol=1e-12)


HAQ_CATS = [(0, 2), (2, 4), (4, 7), (7, 9), (9, 12), (12, 14), (14, 17), (17, 20)]


def _haq_data(quick: bool):
    n = 20_000 if quick else 1_000_000
    rng = np.random.default_rng(2)
    items = rng.integers(0, 4, (n, 20)).astype(np.float64)
    items[rng.random((n, 20)) < 0.05] = np.nan
    aids = (rng.random((n, 8)) < 0.1).astype(np.float64)
    items_df = pd.DataFrame(items, columns=list(rs.scores.HAQ_ITEMS))
    aids_df = pd.DataFrame(aids, columns=list(rs.scores.HAQ_CATEGORIES))
    return items_df, aids_df


def _haq_pandas(d):
    """What an analyst would write: per-category max, aids raise to 2, mean of answered, >= 6 categories."""
    items, aids = d
    cat = {}
    for c, (a, b) in zip(rs.scores.HAQ_CATEGORIES, HAQ_CATS):
        s = items.iloc[:, a:b].max(axis=1, skipna=True)
        raise_ = aids[c].astype(bool) & s.notna() & (s < 2)
        cat[c] = s.mask(raise_, 2.0)
    cats = pd.DataFrame(cat)
    answered = cats.notna().sum(axis=1)
    return cats.mean(axis=1, skipna=True).where(answered >= 6)


WORKLOADS = [
    Workload(
        name="DAS28-ESR, 10M rows",
        setup=_das28_data,
        ours=lambda d: rs.scores.das28_esr(*d),
        peer=_das28_numpy,
        peer_name="numpy formula",
        goal=3,
        check=_close,
    ),
    Workload(
        name="HAQ-DI with aids, 1M questionnaires",
        setup=_haq_data,
        ours=lambda d: rs.scores.haq_di(d[0], aids=d[1]),
        peer=_haq_pandas,
        peer_name="pandas implementation",
        check=_close,
    ),
]
