//! Hodges–Lehmann shift: the order statistics of the pairwise differences and R's asymptotic CI.

use super::*;
use crate::common::sumselect::{SumScratch, SumSelect};

/// R's standardized statistic at shift `d`, with all ties at that point
/// (`xs`, `ys` ascending, so `xs - d` stays ascending: a merge walk, no sort);
/// `xd` is scratch.
pub(super) fn w_at(
    xs: &[f64],
    ys: &[f64],
    d: f64,
    alt: Alternative,
    correct: bool,
    xd: &mut Vec<f64>,
) -> f64 {
    xd.clear();
    xd.extend(xs.iter().map(|v| v - d));
    let (rx, tt) = rank_sum(xd, ys);
    let (fx, fy) = (xs.len() as f64, ys.len() as f64);
    let dz = rx - fx * (fx + 1.0) / 2.0 - fx * fy / 2.0;
    (dz - alt.continuity(correct, dz)) / tie_sigma(fx, fy, tt)
}

/// A bound `B > 0` with `W(mumin) >= B` and `W(mumax) <= -B` (both finite),
/// from where the first shifted `x` falls among the `y` at `mumin` (all the
/// shifted `x` are at least that one) and the last one at `mumax`: R's
/// statistic `#{y < x} + #{y = x} / 2` is then at least `n_x c`, continuity
/// correction at most 1/2, tie-corrected sigma at most the untied one.
/// `None` when that proves nothing (small samples).
pub(super) fn ends_bound(xs: &[f64], ys: &[f64], mumin: f64, mumax: f64) -> Option<f64> {
    let (nx, ny) = (xs.len(), ys.len());
    let lo = xs[0] - mumin; // R's xs - d at d = mumin, the smallest
    let hi = xs[nx - 1] - mumax;
    let below = ys.partition_point(|&v| v < lo);
    let above = ny - ys.partition_point(|&v| v <= hi);
    let (fx, fy) = (nx as f64, ny as f64);
    let sigma_max = (fx * fy * (fx + fy + 1.0) / 12.0).sqrt();
    let dz = fx * below.min(above) as f64 - fx * fy / 2.0;
    // (a little below, so that the rounding of R's own arithmetic cannot
    // put the exact value under it)
    let b = (dz - 0.5) / sigma_max * (1.0 - 1e-9);
    (b > 0.0 && b.is_finite()).then_some(b)
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
    no_ties: bool,
    xd: &mut Vec<f64>,
) -> (Limit, Limit) {
    let (nx, ny) = (xs.len(), ys.len());
    let k = nx * ny;
    let mumin = xs[0] - ys[ny - 1];
    let mumax = xs[nx - 1] - ys[0];
    // the normal quantiles of the lower and upper limit (None: an open end)
    let (q_lo, q_hi) = match alt {
        Alternative::TwoSided => (
            Some(dist::norm_ppf(1.0 - alpha / 2.0)),
            Some(dist::norm_ppf(alpha / 2.0)),
        ),
        Alternative::Greater => (Some(dist::norm_ppf(1.0 - alpha)), None),
        Alternative::Less => (None, Some(dist::norm_ppf(alpha))),
    };
    let zq = q_lo
        .into_iter()
        .chain(q_hi)
        .fold(0.0f64, |m, q| m.max(q.abs()));
    let (w_min, w_max) = match ends_bound(xs, ys, mumin, mumax) {
        // both ends beyond every quantile asked for: the roots are inside,
        // as the exact values would say (they are only compared with those)
        Some(b) if b > zq => (b, -b),
        _ => (
            w_at(xs, ys, mumin, alt, correct, xd),
            w_at(xs, ys, mumax, alt, correct, xd),
        ),
    };
    // within-sample ties only (no cross ties inside an open interval)
    let tt = if no_ties {
        0.0
    } else {
        sorted_tie_term(xs) + sorted_tie_term(ys)
    };
    let sigma = tie_sigma(nx as f64, ny as f64, tt);
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
    (
        q_lo.map_or(Limit::Value(f64::NEG_INFINITY), root),
        q_hi.map_or(Limit::Value(f64::INFINITY), root),
    )
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
