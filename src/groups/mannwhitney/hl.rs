//! Hodges–Lehmann shift: the order statistics of the pairwise differences and R's asymptotic CI.

use super::*;
use crate::common::sumselect::{SumScratch, SumSelect};

/// R's standardized statistic at shift `d`, with all ties at that point
/// (`xs`, `ys` ascending, so `xs - d` stays ascending: a merge walk, no sort).
pub(super) fn w_at(xs: &[f64], ys: &[f64], d: f64, alt: Alternative, correct: bool) -> f64 {
    let xd: Vec<f64> = xs.iter().map(|v| v - d).collect();
    let mr = merge_ranks(&xd, ys);
    let (fx, fy) = (xs.len() as f64, ys.len() as f64);
    let dz = mr.rank_sum_x - fx * (fx + 1.0) / 2.0 - fx * fy / 2.0;
    (dz - alt.continuity(correct, dz)) / tie_sigma(fx, fy, mr.tie_term)
}

/// `sum(t^3 - t)` over the tie groups of an ascending slice.
pub(super) fn sorted_tie_term(v: &[f64]) -> f64 {
    let mut tt = 0.0;
    let mut i = 0;
    while i < v.len() {
        let mut j = i + 1;
        while j < v.len() && v[j] == v[i] {
            j += 1;
        }
        let t = (j - i) as f64;
        tt += t * t * t - t;
        i = j;
    }
    tt
}

/// The `(k+1)`-th smallest difference given the `k`-th, `v` (a check for the tests).
#[cfg(test)]
pub(super) fn next_diff(xs: &[f64], ys: &[f64], v: f64, k: usize) -> f64 {
    if count_below(xs, ys, v, false) > k {
        return v;
    }
    // smallest difference > v: in row i, the last j with xs[i] - ys[j] > v
    let ny = ys.len();
    let mut j = 0usize;
    let mut best = f64::INFINITY;
    for &xi in xs {
        while j < ny && xi - ys[j] > v {
            j += 1;
        }
        if j > 0 {
            best = best.min(xi - ys[j - 1]);
        }
    }
    best
}

/// An interval end: a difference of a given rank, or a value outright.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Limit {
    /// The `k`-th smallest difference (1-based).
    Rank(usize),
    Value(f64),
}

/// R's asymptotic CI: roots of `W(d) = zq`; on each open interval between
/// consecutive pairwise differences `W(d)` depends on `#{D > d}` only, so each
/// root is an order statistic of the differences (returned as its rank).
pub(super) fn asymptotic_ci(
    xs: &[f64],
    ys: &[f64],
    alt: Alternative,
    correct: bool,
    alpha: f64,
) -> (Limit, Limit) {
    let (nx, ny) = (xs.len(), ys.len());
    let k = nx * ny;
    let mumin = xs[0] - ys[ny - 1];
    let mumax = xs[nx - 1] - ys[0];
    let w_min = w_at(xs, ys, mumin, alt, correct);
    let w_max = w_at(xs, ys, mumax, alt, correct);
    // within-sample ties only (no cross ties inside an open interval)
    let sigma = tie_sigma(
        nx as f64,
        ny as f64,
        sorted_tie_term(xs) + sorted_tie_term(ys),
    );
    if !(sigma > 0.0) || !w_min.is_finite() || !w_max.is_finite() {
        return (Limit::Value(f64::NAN), Limit::Value(f64::NAN));
    }
    let g = |c: usize| -> f64 {
        let dz = c as f64 - k as f64 / 2.0;
        (dz - alt.continuity(correct, dz)) / sigma
    };
    let root = |zq: f64| -> Limit {
        if !(w_min - zq > 0.0) {
            return Limit::Value(mumin);
        }
        if !(w_max - zq < 0.0) {
            return Limit::Value(mumax);
        }
        // smallest c with g(c) > zq (g non-decreasing in c)
        let (mut lo, mut hi) = (0usize, k);
        if !(g(hi) > zq) {
            return Limit::Value(mumax);
        }
        while lo < hi {
            let mid = (lo + hi) / 2;
            if g(mid) > zq {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        let c = lo.max(1);
        Limit::Rank(k - c + 1)
    };
    match alt {
        Alternative::TwoSided => (
            root(dist::norm_ppf(1.0 - alpha / 2.0)),
            root(dist::norm_ppf(alpha / 2.0)),
        ),
        Alternative::Greater => (
            root(dist::norm_ppf(1.0 - alpha)),
            Limit::Value(f64::INFINITY),
        ),
        Alternative::Less => (Limit::Value(f64::NEG_INFINITY), root(dist::norm_ppf(alpha))),
    }
}

/// `#{(i, j): xs[i] - ys[j] <= t}` (strict: `< t`) for ascending `xs`, `ys`.
#[cfg(test)]
pub(super) fn count_below(xs: &[f64], ys: &[f64], t: f64, strict: bool) -> usize {
    let ny = ys.len();
    let mut j = 0usize;
    let mut total = 0usize;
    for &xi in xs {
        // first j with xi - ys[j] <= t (or < t); non-decreasing in i
        while j < ny
            && !(if strict {
                xi - ys[j] < t
            } else {
                xi - ys[j] <= t
            })
        {
            j += 1;
        }
        total += ny - j;
    }
    total
}

/// The `k`-th smallest (1-based) of the differences `xs[i] - ys[j]` (both ascending).
#[cfg(test)]
pub fn kth_diff(xs: &[f64], ys: &[f64], k: usize) -> f64 {
    let mut out = [0.0];
    kth_diffs(xs, ys, &[k], &mut out);
    out[0]
}

/// Buffers of the selection (per thread: no allocation per endpoint once grown).
#[derive(Default)]
struct DiffScratch {
    sums: SumScratch,
    neg_ys: Vec<f64>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<DiffScratch> = std::cell::RefCell::new(DiffScratch::default());
}

/// The `ks[r]`-th smallest (1-based, clamped) of the differences
/// `xs[i] - ys[j]` (both ascending, finite) into `out[r]`, without forming
/// them: they are the sums `xs[i] + (-ys)[j]` (`x + (-y)` is `x - y` in IEEE
/// arithmetic, bit for bit), selected by [`SumSelect`].
pub(super) fn kth_diffs(xs: &[f64], ys: &[f64], ks: &[usize], out: &mut [f64]) {
    SCRATCH.with(|c| {
        let sc = &mut *c.borrow_mut();
        let DiffScratch { sums, neg_ys } = sc;
        neg_ys.clear();
        neg_ys.extend(ys.iter().rev().map(|v| -v));
        let ks: Vec<u64> = ks.iter().map(|&k| k as u64).collect();
        SumSelect::pairs(xs, neg_ys, sums).kth_many(&ks, out);
    })
}
