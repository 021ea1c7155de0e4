"""Groups: Mann-Whitney on many endpoints vs scipy.stats.mannwhitneyu(axis=...).

* 20,000 endpoints x (100 vs 100), normal approximation (scipy's 'auto' at this
  size), with and without the Hodges-Lehmann estimate + CI on our side (scipy
  computes neither);
* exact test with ties, 1,000 endpoints x (15 vs 15) integer scores: ours is the
  exact permutation distribution (doubled mid-ranks); scipy has no exact test
  under ties: its 'exact' method uses the no-ties distribution (not exact here)
  and its PermutationMethod is a Monte Carlo estimate (9,999 resamples).
"""

import numpy as np

import rheumstats as rs
from workloads import Workload


def _asym_data(quick: bool):
    k = 2_000 if quick else 20_000
    rng = np.random.default_rng(11)
    x = rng.normal(0.0, 1.0, (100, k))
    y = rng.normal(0.2, 1.0, (100, k))
    return x, y


def _exact_data(quick: bool, k_full: int = 1_000):
    k = 100 if quick else k_full
    rng = np.random.default_rng(12)
    x = rng.integers(0, 6, (15, k)).astype(np.float64)
    y = rng.integers(1, 7, (15, k)).astype(np.float64)
    return x, y


def _scipy(method):
    def run(d):
        from scipy.stats import mannwhitneyu

        return mannwhitneyu(d[0], d[1], axis=0, method=method)

    return run


def _same(a, b):
    np.testing.assert_allclose(a.statistic, b.statistic, rtol=1e-12)
    np.testing.assert_allclose(a.pvalue, b.pvalue, rtol=1e-9)


def _close_to_permutation(a, b):
    # Monte Carlo standard error of a p near 0.5 with 9,999 resamples is 0.005
    assert np.max(np.abs(np.asarray(a.pvalue) - np.asarray(b.pvalue))) < 0.03


def _perm(d):
    from scipy.stats import PermutationMethod, mannwhitneyu

    return mannwhitneyu(d[0], d[1], axis=0, method=PermutationMethod(n_resamples=9_999, rng=1))


WORKLOADS = [
    Workload(
        name="Mann-Whitney approx, 20k x (100 vs 100)",
        setup=_asym_data,
        ours=lambda d: rs.groups.mannwhitney(d[0], d[1], conf_int=False),
        peer=_scipy("asymptotic"),
        peer_name="scipy mannwhitneyu(axis=0)",
        goal=10,
        check=_same,
        requires=("scipy",),
    ),
    Workload(
        name="Mann-Whitney approx + HL CI, 20k x (100 vs 100)",
        setup=_asym_data,
        ours=lambda d: rs.groups.mannwhitney(d[0], d[1]),
        peer=_scipy("asymptotic"),
        peer_name="scipy (no HL estimate/CI)",
        check=_same,
        requires=("scipy",),
    ),
    Workload(
        name="Mann-Whitney exact ties, 1k x (15 vs 15)",
        setup=lambda q: _exact_data(q, 1_000),
        ours=lambda d: rs.groups.mannwhitney(d[0], d[1], method="exact", conf_int=False),
        peer=_perm,
        peer_name="scipy permutation (9,999)",
        check=_close_to_permutation,
        requires=("scipy",),
    ),
    Workload(
        name="Mann-Whitney exact ties vs scipy 'exact'",
        setup=lambda q: _exact_data(q, 1_000),
        ours=lambda d: rs.groups.mannwhitney(d[0], d[1], method="exact", conf_int=False),
        peer=_scipy("exact"),
        peer_name="scipy 'exact' (ignores ties)",
        requires=("scipy",),
    ),
]


# Fisher's exact test, r x c: scipy has no r x c Fisher test and R fisher.test is
# too slow to time in the same run (723 s on the 5 x 5 total 195; its seconds on
# each table are stored with its p in tests/reference/groups/): no peer is timed.
# The check compares our p with R's stored value (R's FEXACT merges
# log-probabilities within 3.45e-7, so agreement is to ~1e-7 relative).
def _fisher_rxc_table(file: str, name: str):
    def setup(quick: bool):
        import json
        from pathlib import Path

        ref = Path(__file__).resolve().parents[2] / "tests" / "reference" / "groups" / file
        d = json.loads(ref.read_text())
        d = d["rxc"][name] if "rxc" in d else d[name]
        t = np.array(d["table"], dtype=np.float64)
        if quick:
            t = np.floor(t / 2) + 1  # a smaller table of the same shape: a smoke test
            return t, None
        return t, d.get("fisher_p")  # None where R could not finish

    return setup


def _fisher_rxc_check(ours, data):
    r_p = data[1]
    if r_p is not None:
        assert abs(ours.pvalue - r_p) <= 1e-6 * r_p


def _has_reference(file: str, name: str) -> bool:
    import json
    from pathlib import Path

    ref = Path(__file__).resolve().parents[2] / "tests" / "reference" / "groups" / file
    d = json.loads(ref.read_text())
    return name in d.get("rxc", d)


for _label, _file, _name in [
    ("5x5 total 195, near independence (R: 723 s)", "tables.json", "r5x5_n200"),
    ("5x5 total 200, uneven margins, association (R: 186 s)", "fisher_rxc_cohort.json", "sparse_assoc_n200"),
    ("5x5 total 116, diagonal association", "fisher_rxc_cohort.json", "diagonal_n116"),
]:
    if not _has_reference(_file, _name):
        continue
    WORKLOADS.append(
        Workload(
            name=f"Fisher r x c {_label}",
            setup=_fisher_rxc_table(_file, _name),
            ours=lambda d: rs.groups.fisher_exact(d[0]),
            peer=None,
            peer_name="none (R times in tests/reference)",
            check=_fisher_rxc_check,
            repeats=3,
        )
    )


# Monte Carlo r x c Fisher (n_resamples, as R simulate.p.value = TRUE): 100,000
# tables on the 5 x 5 total 195; no peer in the same run (scipy has none; R's is
# not called from here). The check: within Monte Carlo error of R's exact p.
def _fisher_mc_check(ours, data):
    r_p, b = data[1], 100_000
    if r_p is not None:
        assert abs(ours.pvalue - r_p) < 4.5 * (r_p * (1 - r_p) / b) ** 0.5 + 1 / b


WORKLOADS.append(
    Workload(
        name="Fisher r x c Monte Carlo, 100k tables, 5x5 total 195",
        setup=_fisher_rxc_table("tables.json", "r5x5_n200"),
        ours=lambda d: rs.groups.fisher_exact(d[0], n_resamples=100_000, seed=1),
        peer=None,
        peer_name="none (R simulate.p.value not run here)",
        check=_fisher_mc_check,
        repeats=3,
    )
)
