//! Wilcoxon–Mann–Whitney two-sample test, as R `wilcox.test(x, y)`, with the
//! exact null distribution also under ties (coin's `wilcox_test(distribution =
//! "exact")`), the Hodges–Lehmann shift estimate and its confidence interval.
//!
//! * Statistic `W = R_x - n_x (n_x + 1) / 2` (R's W, scipy's U of `x`).
//! * Exact distribution: the doubled mid-ranks `2 r` are integers; the
//!   distribution of the doubled rank sum of a random subset of size `m` (the
//!   smaller group) is built by the recursion
//!   `f_i(k, s) = k/i f_{i-1}(k-1, s - a_i) + (i-k)/i f_{i-1}(k, s)`
//!   (probabilities, so nothing overflows). Two-sided p is
//!   `P(|T - E| >= |t - E|)` (coin's definition; without ties it equals R's
//!   twice the smaller tail, the distribution being symmetric).
//! * Normal approximation: R's tie-corrected variance and continuity correction.
//! * Hodges–Lehmann: the median of the `n_x n_y` differences `x_i - y_j`.
//!   Exact CI (no ties, exact p) from the quantiles of W, as R; otherwise R's
//!   asymptotic CI, whose roots are pairwise differences (found exactly here;
//!   R finds them with `uniroot(tol = tol.root)`).
//!   Order statistics of the differences are selected without building all of them.
// NaN-aware comparisons (`!(a > b)` is true for NaN) are intended here.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use ndarray::{ArrayView1, ArrayView2};
use rayon::prelude::*;

use crate::common::alternative::check_conf_level;
use crate::common::keysort::sort_keys;
use crate::common::{dist, Alternative, NanPolicy};
use crate::error::{Result, StatsError};

/// `method='auto'|'exact'|'approx'` (auto: exact up to the size limit of this test).
pub use crate::common::method::Method;

#[derive(Debug, Clone, Copy)]
pub struct MwOptions {
    pub alternative: Alternative,
    pub method: Method,
    pub correction: bool,
    pub conf_level: f64,
    /// Compute the Hodges–Lehmann estimate and its CI.
    pub conf_int: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MwOutput {
    pub statistic: f64,
    pub pvalue: f64,
    /// p-value from the exact distribution (else the normal approximation).
    pub exact: bool,
    pub estimate: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// The CI is the exact one (no ties and exact p).
    pub ci_exact: bool,
    pub n_x: usize,
    pub n_y: usize,
}

impl MwOutput {
    fn nan(n_x: usize, n_y: usize) -> Self {
        MwOutput {
            statistic: f64::NAN,
            pvalue: f64::NAN,
            exact: false,
            estimate: f64::NAN,
            ci_low: f64::NAN,
            ci_high: f64::NAN,
            ci_exact: false,
            n_x,
            n_y,
        }
    }
}

/// `auto` uses the exact distribution below this size (each group), as R (R only without ties).
pub const AUTO_EXACT_BELOW: usize = 50;
/// Work limit (`N * m * range`) for the exact distribution.
const EXACT_WORK_LIMIT: f64 = 4e9;

/// Null distribution of the sum of `m` scores drawn without replacement from
/// the integer `scores`: `probs[s - offset]`.
pub struct SumDist {
    pub offset: i64,
    pub probs: Vec<f64>,
}

pub fn subset_sum_dist(scores: &[i64], m: usize) -> SumDist {
    let n = scores.len();
    let mut sorted = scores.to_vec();
    sorted.sort_unstable();
    let lo: i64 = sorted[..m].iter().sum();
    let hi: i64 = sorted[n - m..].iter().sum();
    let smax = hi;
    // f[k][s], s in 0..=smax (scores are >= 0 here: doubled ranks are >= 2)
    let width = (smax + 1) as usize;
    let mut f = vec![0.0f64; (m + 1) * width];
    f[0] = 1.0;
    // items in ascending order: after i items, sums of k of them lie in
    // [pre[k], pre[i] - pre[i - k]] (prefix sums of the sorted scores); zero elsewhere
    let mut pre = vec![0i64; n + 1];
    for (i, &v) in sorted.iter().enumerate() {
        pre[i + 1] = pre[i] + v;
    }
    for (i1, &a) in sorted.iter().enumerate() {
        let i = (i1 + 1) as f64;
        let a = a as usize;
        let kmax = m.min(i1 + 1);
        for k in (1..=kmax).rev() {
            let (w_in, w_out) = (k as f64 / i, (i - k as f64) / i);
            let (prev, cur) = f.split_at_mut(k * width);
            let prev = &prev[(k - 1) * width..];
            let cur = &mut cur[..width];
            let lo_s = pre[k] as usize;
            let hi_s = ((pre[i1 + 1] - pre[i1 + 1 - k]) as usize).min(width - 1);
            for s in (lo_s..=hi_s).rev() {
                let inc = if s >= a { prev[s - a] } else { 0.0 };
                cur[s] = w_in * inc + w_out * cur[s];
            }
        }
    }
    let row = &f[m * width..(m + 1) * width];
    SumDist {
        offset: lo,
        probs: row[lo as usize..=hi as usize].to_vec(),
    }
}

/// Exact p-value of the doubled rank sum `t2x` of x.
fn exact_pvalue(d2: &[i64], nx: usize, t2x: i64, alt: Alternative) -> (f64, SumDist, bool) {
    let n = d2.len();
    let ny = n - nx;
    // the distribution of the smaller group's sum
    let (m, g_is_x) = if nx <= ny { (nx, true) } else { (ny, false) };
    let dist = subset_sum_dist(d2, m);
    let total: i64 = d2.iter().sum();
    let e2x = nx as i64 * (n as i64 + 1); // doubled mean of the doubled rank sum of x
    let mut p_le = 0.0; // P(T_x <= t)
    let mut p_ge = 0.0;
    let mut p_two = 0.0;
    let dev = (t2x - e2x).abs();
    for (j, &p) in dist.probs.iter().enumerate() {
        let tg = dist.offset + j as i64;
        let tx = if g_is_x { tg } else { total - tg };
        if tx <= t2x {
            p_le += p;
        }
        if tx >= t2x {
            p_ge += p;
        }
        if (tx - e2x).abs() >= dev {
            p_two += p;
        }
    }
    let pv = match alt {
        Alternative::Less => p_le.min(1.0),
        Alternative::Greater => p_ge.min(1.0),
        Alternative::TwoSided => {
            if dev == 0 {
                1.0
            } else {
                p_two.min(1.0)
            }
        }
    };
    (pv, dist, g_is_x)
}

/// The core test on NaN-free samples.
pub fn mannwhitney(x: &[f64], y: &[f64], o: &MwOptions) -> Result<MwOutput> {
    check_conf_level(o.conf_level)?;
    let (nx, ny) = (x.len(), y.len());
    if nx == 0 {
        return Err(StatsError::too_few("x", 0, 1));
    }
    if ny == 0 {
        return Err(StatsError::too_few("y", 0, 1));
    }
    let n = nx + ny;
    for (arg, v) in [("x", x), ("y", y)] {
        if let Some(i) = v.iter().position(|a| !a.is_finite()) {
            return Err(StatsError::invalid(
                arg,
                i,
                v[i],
                "not finite",
                "values must be finite numbers",
            ));
        }
    }
    let mut xs = x.to_vec();
    let mut ys = y.to_vec();
    xs.sort_unstable_by(|a, b| a.total_cmp(b));
    ys.sort_unstable_by(|a, b| a.total_cmp(b));
    let mr = merge_ranks(&xs, &ys);
    let (rx, tt) = (mr.rank_sum_x, mr.tie_term);
    let has_ties = mr.has_ties;
    let (fx, fy, fnn) = (nx as f64, ny as f64, n as f64);
    let w = rx - fx * (fx + 1.0) / 2.0;
    let m = nx.min(ny) as f64;
    let use_exact = match o.method {
        Method::Exact => true,
        Method::Approx => false,
        Method::Auto => nx < AUTO_EXACT_BELOW && ny < AUTO_EXACT_BELOW,
    };
    if use_exact && o.method == Method::Exact && fnn * m * (2.0 * fnn * m) > EXACT_WORK_LIMIT {
        return Err(StatsError::argument(
            "method",
            format!("the exact distribution for n_x = {nx}, n_y = {ny} is too large to compute; use method='approx'"),
        ));
    }
    let mut exact_dist = None;
    let pvalue = if use_exact {
        let d2 = merge_scores2(&xs, &ys);
        let t2x = (2.0 * rx).round() as i64;
        let (p, dist, g_is_x) = exact_pvalue(&d2, nx, t2x, o.alternative);
        exact_dist = Some((dist, g_is_x, d2.iter().sum::<i64>()));
        p
    } else {
        let sigma = tie_sigma(fx, fy, tt);
        let z0 = w - fx * fy / 2.0;
        let corr = correction(o.correction, o.alternative, z0);
        let z = (z0 - corr) / sigma;
        if sigma > 0.0 {
            o.alternative.pvalue(dist::norm_cdf(z), dist::norm_sf(z))
        } else {
            f64::NAN // all observations tied, as R
        }
    };
    let mut out = MwOutput {
        statistic: w,
        pvalue,
        exact: use_exact,
        estimate: f64::NAN,
        ci_low: f64::NAN,
        ci_high: f64::NAN,
        ci_exact: false,
        n_x: nx,
        n_y: ny,
    };
    if o.conf_int {
        let k = nx * ny;
        out.estimate = if k % 2 == 1 {
            kth_diff(&xs, &ys, k.div_ceil(2))
        } else {
            let lo = kth_diff(&xs, &ys, k / 2);
            0.5 * (lo + next_diff(&xs, &ys, lo, k / 2))
        };
        let alpha = 1.0 - o.conf_level;
        if let (Some((dist, g_is_x, total)), false) = (&exact_dist, has_ties) {
            // W's distribution from the doubled rank sums: W = T_x / 2 - nx(nx+1)/2
            let wcdf = w_cdf(dist, *g_is_x, *total, nx, ny);
            let qw = |p: f64| -> usize {
                let q = wcdf
                    .iter()
                    .position(|&c| c >= p * (1.0 - 64.0 * f64::EPSILON))
                    .unwrap_or(k);
                q.max(1)
            };
            let (l, h) = match o.alternative {
                Alternative::TwoSided => {
                    let qu = qw(alpha / 2.0);
                    (kth_diff(&xs, &ys, qu), kth_diff(&xs, &ys, k - qu + 1))
                }
                Alternative::Greater => (kth_diff(&xs, &ys, qw(alpha)), f64::INFINITY),
                Alternative::Less => (f64::NEG_INFINITY, kth_diff(&xs, &ys, k - qw(alpha) + 1)),
            };
            out.ci_low = l;
            out.ci_high = h;
            out.ci_exact = true;
        } else {
            let (l, h) = asymptotic_ci(&xs, &ys, o.alternative, o.correction, alpha);
            out.ci_low = l;
            out.ci_high = h;
        }
    }
    Ok(out)
}

struct MergeRanks {
    rank_sum_x: f64,
    tie_term: f64,
    has_ties: bool,
}

/// Rank sum of x and the ties term `sum(t^3 - t)` from the two sorted samples (a merge walk).
fn merge_ranks(xs: &[f64], ys: &[f64]) -> MergeRanks {
    let (nx, ny) = (xs.len(), ys.len());
    let (mut i, mut j) = (0usize, 0usize);
    let mut pos = 0usize; // ranks used so far
    let mut rx = 0.0;
    let mut tt = 0.0;
    let mut has_ties = false;
    while i < nx || j < ny {
        let v = if j >= ny || (i < nx && xs[i] <= ys[j]) {
            xs[i]
        } else {
            ys[j]
        };
        let (i0, j0) = (i, j);
        while i < nx && xs[i] == v {
            i += 1;
        }
        while j < ny && ys[j] == v {
            j += 1;
        }
        let (cx, t) = (i - i0, (i - i0) + (j - j0));
        // mid-rank of positions pos+1 ..= pos+t
        let mid = pos as f64 + (t as f64 + 1.0) / 2.0;
        rx += cx as f64 * mid;
        if t > 1 {
            has_ties = true;
            let ft = t as f64;
            tt += ft * ft * ft - ft;
        }
        pos += t;
    }
    MergeRanks {
        rank_sum_x: rx,
        tie_term: tt,
        has_ties,
    }
}

/// Doubled mid-ranks (integers) of the combined sample, in sorted order.
fn merge_scores2(xs: &[f64], ys: &[f64]) -> Vec<i64> {
    let mut all = Vec::with_capacity(xs.len() + ys.len());
    all.extend_from_slice(xs);
    all.extend_from_slice(ys);
    all.sort_unstable_by(|a, b| a.total_cmp(b));
    let n = all.len();
    let mut out = Vec::with_capacity(n);
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && all[j] == all[i] {
            j += 1;
        }
        // positions i+1..=j share the doubled mid-rank i + 1 + j
        for _ in i..j {
            out.push((i + 1 + j) as i64);
        }
        i = j;
    }
    out
}

/// CDF of W over 0..=nx*ny from the subset-sum distribution (no ties: doubled ranks are even).
fn w_cdf(d: &SumDist, g_is_x: bool, total: i64, nx: usize, ny: usize) -> Vec<f64> {
    let k = nx * ny;
    let mut pmf = vec![0.0; k + 1];
    let base = (nx * (nx + 1)) as i64; // doubled nx(nx+1)/2
    for (j, &p) in d.probs.iter().enumerate() {
        let tg = d.offset + j as i64;
        let tx = if g_is_x { tg } else { total - tg };
        let w2 = tx - base;
        if w2 >= 0 && w2 % 2 == 0 && ((w2 / 2) as usize) <= k {
            pmf[(w2 / 2) as usize] += p;
        }
    }
    let mut acc = 0.0;
    pmf.iter()
        .map(|p| {
            acc += p;
            acc
        })
        .collect()
}

fn tie_sigma(fx: f64, fy: f64, tt: f64) -> f64 {
    let n = fx + fy;
    ((fx * fy / 12.0) * ((n + 1.0) - tt / (n * (n - 1.0)))).sqrt()
}

fn correction(on: bool, alt: Alternative, z: f64) -> f64 {
    if !on {
        return 0.0;
    }
    match alt {
        Alternative::TwoSided => {
            if z > 0.0 {
                0.5
            } else if z < 0.0 {
                -0.5
            } else {
                0.0
            }
        }
        Alternative::Greater => 0.5,
        Alternative::Less => -0.5,
    }
}

/// R's standardized statistic at shift `d`, with all ties at that point
/// (`xs`, `ys` ascending, so `xs - d` stays ascending: a merge walk, no sort).
fn w_at(xs: &[f64], ys: &[f64], d: f64, alt: Alternative, correct: bool) -> f64 {
    let xd: Vec<f64> = xs.iter().map(|v| v - d).collect();
    let mr = merge_ranks(&xd, ys);
    let (fx, fy) = (xs.len() as f64, ys.len() as f64);
    let dz = mr.rank_sum_x - fx * (fx + 1.0) / 2.0 - fx * fy / 2.0;
    (dz - correction(correct, alt, dz)) / tie_sigma(fx, fy, mr.tie_term)
}

/// `sum(t^3 - t)` over the tie groups of an ascending slice.
fn sorted_tie_term(v: &[f64]) -> f64 {
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

/// The `(k+1)`-th smallest difference given the `k`-th, `v`.
fn next_diff(xs: &[f64], ys: &[f64], v: f64, k: usize) -> f64 {
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

/// R's asymptotic CI: roots of `W(d) = zq`; on each open interval between
/// consecutive pairwise differences `W(d)` depends on `#{D > d}` only, so each
/// root is an order statistic of the differences.
fn asymptotic_ci(
    xs: &[f64],
    ys: &[f64],
    alt: Alternative,
    correct: bool,
    alpha: f64,
) -> (f64, f64) {
    let (nx, ny) = (xs.len(), ys.len());
    let k = nx * ny;
    let mumin = xs[0] - ys[ny - 1];
    let mumax = xs[nx - 1] - ys[0];
    let w_min = w_at(xs, ys, mumin, alt, correct);
    let w_max = w_at(xs, ys, mumax, alt, correct);
    // within-sample ties only (no cross ties inside an open interval)
    let sigma = tie_sigma(nx as f64, ny as f64, sorted_tie_term(xs) + sorted_tie_term(ys));
    if !(sigma > 0.0) || !w_min.is_finite() || !w_max.is_finite() {
        return (f64::NAN, f64::NAN);
    }
    let g = |c: usize| -> f64 {
        let dz = c as f64 - k as f64 / 2.0;
        (dz - correction(correct, alt, dz)) / sigma
    };
    let root = |zq: f64| -> f64 {
        if !(w_min - zq > 0.0) {
            return mumin;
        }
        if !(w_max - zq < 0.0) {
            return mumax;
        }
        // smallest c with g(c) > zq (g non-decreasing in c)
        let (mut lo, mut hi) = (0usize, k);
        if !(g(hi) > zq) {
            return mumax;
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
        kth_diff(xs, ys, k - c + 1)
    };
    match alt {
        Alternative::TwoSided => (
            root(dist::norm_ppf(1.0 - alpha / 2.0)),
            root(dist::norm_ppf(alpha / 2.0)),
        ),
        Alternative::Greater => (root(dist::norm_ppf(1.0 - alpha)), f64::INFINITY),
        Alternative::Less => (f64::NEG_INFINITY, root(dist::norm_ppf(alpha))),
    }
}

/// `#{(i, j): xs[i] - ys[j] <= t}` (strict: `< t`) for ascending `xs`, `ys`.
fn count_below(xs: &[f64], ys: &[f64], t: f64, strict: bool) -> usize {
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

/// The `k`-th smallest (1-based) of the differences `xs[i] - ys[j]` (both ascending),
/// by random-pivot bracketing on the sorted difference matrix (expected O((n_x + n_y) log(n_x n_y))).
pub fn kth_diff(xs: &[f64], ys: &[f64], k: usize) -> f64 {
    let (nx, ny) = (xs.len(), ys.len());
    let kk = nx * ny;
    let k = k.clamp(1, kk);
    // candidates are the differences in the open interval (lo, hi);
    // clo = #{D <= lo} < k <= chi = #{D < hi}
    let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
    let (mut clo, mut chi) = (0usize, kk);
    let mut rng: u64 = 0x9E37_79B9_7F4A_7C15 ^ (k as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let limit = nx + ny + 32;
    // row ranges [a_i, max(b_i, a_i)): lo < D_ij < hi; a_i = first j with
    // D_ij < hi, b_i = first j with D_ij <= lo (both non-decreasing in i)
    let mut a = vec![0usize; nx];
    let mut b = vec![0usize; nx];
    let (mut ja, mut jb) = (0usize, 0usize);
    for (i, &xi) in xs.iter().enumerate() {
        while ja < ny && !(xi - ys[ja] < hi) {
            ja += 1;
        }
        while jb < ny && !(xi - ys[jb] <= lo) {
            jb += 1;
        }
        a[i] = ja;
        b[i] = jb;
    }
    // the same pointers at a pivot: they become a (pivot = new hi) or b (new lo)
    let mut pa = vec![0usize; nx];
    let mut pb = vec![0usize; nx];
    loop {
        let cand = chi - clo;
        if cand <= limit {
            let mut v: Vec<f64> = Vec::with_capacity(cand);
            for i in 0..nx {
                for &yj in &ys[a[i]..b[i].max(a[i])] {
                    v.push(xs[i] - yj);
                }
            }
            let r = k - clo - 1;
            if v.is_empty() || r >= v.len() {
                // only reachable through inconsistent float comparisons
                return if lo.is_finite() { lo } else { hi };
            }
            let (_, x, _) = v.select_nth_unstable_by(r, |p, q| p.total_cmp(q));
            return *x;
        }
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let mut r = (rng % cand as u64) as usize;
        let mut pivot = f64::NAN;
        for i in 0..nx {
            let len = b[i].max(a[i]) - a[i];
            if r < len {
                pivot = xs[i] - ys[a[i] + r];
                break;
            }
            r -= len;
        }
        if pivot.is_nan() {
            return if lo.is_finite() { lo } else { hi };
        }
        // #{D < pivot} and #{D <= pivot} in one walk (as two `count_below`)
        let (mut c_lt, mut c_le) = (0usize, 0usize);
        let (mut ja, mut jb) = (0usize, 0usize);
        for (i, &xi) in xs.iter().enumerate() {
            while ja < ny && !(xi - ys[ja] < pivot) {
                ja += 1;
            }
            while jb < ny && !(xi - ys[jb] <= pivot) {
                jb += 1;
            }
            pa[i] = ja;
            pb[i] = jb;
            c_lt += ny - ja;
            c_le += ny - jb;
        }
        if c_lt < k && k <= c_le {
            return pivot;
        }
        if k <= c_lt {
            hi = pivot;
            chi = c_lt;
            std::mem::swap(&mut a, &mut pa);
        } else {
            lo = pivot;
            clo = c_le;
            std::mem::swap(&mut b, &mut pb);
        }
    }
}

#[inline]
fn ordered_key(v: f64) -> u64 {
    let b = (v + 0.0).to_bits(); // -0.0 -> 0.0 so that they tie
    b ^ ((((b as i64) >> 63) as u64) | 0x8000_0000_0000_0000)
}

/// Merge walk over sorted integer keys (same as `merge_ranks`).
fn merge_ranks_keys(xs: &[u64], ys: &[u64]) -> (f64, f64) {
    let (nx, ny) = (xs.len(), ys.len());
    let (mut i, mut j, mut pos) = (0usize, 0usize, 0usize);
    let (mut rx, mut tt) = (0.0, 0.0);
    while i < nx || j < ny {
        let v = if j >= ny || (i < nx && xs[i] <= ys[j]) {
            xs[i]
        } else {
            ys[j]
        };
        let (i0, j0) = (i, j);
        while i < nx && xs[i] == v {
            i += 1;
        }
        while j < ny && ys[j] == v {
            j += 1;
        }
        let (cx, t) = (i - i0, (i - i0) + (j - j0));
        rx += cx as f64 * (pos as f64 + (t as f64 + 1.0) / 2.0);
        if t > 1 {
            let ft = t as f64;
            tt += ft * ft * ft - ft;
        }
        pos += t;
    }
    (rx, tt)
}

/// `Some(U)`, `U = #{(i, j): y_j < x_i}`, for ascending keys without any tie
/// (within or across the samples); `None` when there is one. A branch-free
/// merge: when the first copy of a value shared by both samples is reached,
/// both heads hold it, so cross ties are seen by the `==` test.
fn count_below_no_ties(xs: &[u64], ys: &[u64]) -> Option<u64> {
    let within = |v: &[u64]| v.windows(2).fold(false, |t, w| t | (w[0] == w[1]));
    if within(xs) || within(ys) {
        return None;
    }
    let (nx, ny) = (xs.len(), ys.len());
    let (mut i, mut j, mut u, mut tie) = (0usize, 0usize, 0u64, false);
    while i < nx && j < ny {
        let (a, b) = (xs[i], ys[j]);
        tie |= a == b;
        let take = (a < b) as usize;
        u += (j as u64) & 0u64.wrapping_sub(take as u64);
        i += take;
        j += 1 - take;
    }
    u += ((nx - i) * ny) as u64;
    (!tie).then_some(u)
}

/// The normal-approximation test without estimate/CI on NaN-free integer keys
/// (the many-endpoint fast path; same formulas, and the same numbers, as [`mannwhitney`]).
/// Also whether there were ties.
fn approx_from_keys(xk: &mut [u64], yk: &mut [u64], o: &MwOptions) -> (MwOutput, bool) {
    xk.sort_unstable();
    yk.sort_unstable();
    match count_below_no_ties(xk, yk) {
        Some(u) => (approx_out(u, xk.len(), yk.len(), o), false),
        None => {
            let (rx, tt) = merge_ranks_keys(xk, yk);
            (approx_result(rx, tt, xk.len(), yk.len(), o), true)
        }
    }
}

/// [`approx_result`] without ties, from `U = #{(i, j): y_j < x_i}` (the
/// rank sum `U + n_x (n_x + 1) / 2` is an integer, as the merge walk's sum).
fn approx_out(u: u64, nx: usize, ny: usize, o: &MwOptions) -> MwOutput {
    approx_result((u + (nx * (nx + 1) / 2) as u64) as f64, 0.0, nx, ny, o)
}

/// The normal approximation from the rank sum of x and the ties term.
fn approx_result(rx: f64, tt: f64, nx: usize, ny: usize, o: &MwOptions) -> MwOutput {
    let (fx, fy) = (nx as f64, ny as f64);
    let w = rx - fx * (fx + 1.0) / 2.0;
    let sigma = tie_sigma(fx, fy, tt);
    let z0 = w - fx * fy / 2.0;
    let z = (z0 - correction(o.correction, o.alternative, z0)) / sigma;
    let pvalue = if sigma > 0.0 {
        o.alternative.pvalue(dist::norm_cdf(z), dist::norm_sf(z))
    } else {
        f64::NAN
    };
    MwOutput {
        statistic: w,
        pvalue,
        exact: false,
        n_x: nx,
        n_y: ny,
        ..MwOutput::nan(0, 0)
    }
}

/// Values from a row/column into `dst`; `false` if one is not finite.
fn finite_into(src: ArrayView1<'_, f64>, dst: &mut Vec<f64>) -> bool {
    dst.clear();
    match src.as_slice() {
        Some(s) => dst.extend_from_slice(s),
        None => dst.extend(src.iter().copied()),
    }
    dst.iter().all(|v| v.is_finite())
}

/// The normal-approximation test without estimate/CI on finite samples.
/// Usually one radix sort of both samples together: the values mapped
/// monotonically onto a 32-bit grid over their range, the group in the lowest
/// bit. If two values share a grid point (ties among them, or values closer
/// than the grid) the order is not settled there, and the exact ordered keys
/// of each sample are sorted and merged instead. Same numbers either way:
/// without ties the rank sum is an integer.
fn approx_values(xs: &[f64], ys: &[f64], sc: &mut Scratch, o: &MwOptions) -> MwOutput {
    // after an endpoint with ties (integer scores, say), the grid would most
    // likely fail again: straight to the exact keys (same numbers either way)
    if !sc.ties_last {
        if let Some(out) = approx_grid(xs, ys, &mut sc.keys, o) {
            return out;
        }
    }
    let (xk, yk) = (&mut sc.xk, &mut sc.yk);
    xk.clear();
    yk.clear();
    xk.extend(xs.iter().map(|&v| ordered_key(v)));
    yk.extend(ys.iter().map(|&v| ordered_key(v)));
    let (out, ties) = approx_from_keys(xk, yk, o);
    sc.ties_last = ties;
    out
}

/// Key buffers of one worker.
#[derive(Default)]
struct Scratch {
    keys: Vec<u64>,
    xk: Vec<u64>,
    yk: Vec<u64>,
    /// The last endpoint through [`approx_from_keys`] had ties.
    ties_last: bool,
}

/// Smallest and largest of finite values (four lanes, so it vectorises).
fn range(v: &[f64]) -> (f64, f64) {
    let (mut lo, mut hi) = ([f64::INFINITY; 4], [f64::NEG_INFINITY; 4]);
    let chunks = v.chunks_exact(4);
    for &a in chunks.remainder() {
        lo[0] = if a < lo[0] { a } else { lo[0] };
        hi[0] = if a > hi[0] { a } else { hi[0] };
    }
    for c in chunks {
        for k in 0..4 {
            lo[k] = if c[k] < lo[k] { c[k] } else { lo[k] };
            hi[k] = if c[k] > hi[k] { c[k] } else { hi[k] };
        }
    }
    (
        lo[0].min(lo[1]).min(lo[2].min(lo[3])),
        hi[0].max(hi[1]).max(hi[2].max(hi[3])),
    )
}

fn approx_grid(xs: &[f64], ys: &[f64], keys: &mut Vec<u64>, o: &MwOptions) -> Option<MwOutput> {
    let ((lx, hx), (ly, hy)) = (range(xs), range(ys));
    let (lo, hi) = (lx.min(ly), hx.max(hy));
    let scale = 4_294_967_295.0 / (hi - lo);
    if !(scale.is_finite() && scale > 0.0) {
        return None;
    }
    // non-decreasing in v (rounding and the saturating cast are monotone), so
    // distinct grid points are in the order of the values
    let grid = |v: f64| (((v - lo) * scale) as u64).min(u32::MAX as u64) << 1;
    keys.clear();
    keys.extend(xs.iter().map(|&v| grid(v) | 1));
    keys.extend(ys.iter().map(|&v| grid(v)));
    sort_keys(keys);
    let shared = keys
        .iter()
        .zip(&keys[1..])
        .fold(false, |t, (&a, &b)| t | (a >> 1 == b >> 1));
    if shared {
        return None;
    }
    // U = #{(i, j): y_j < x_i}: for each x, the ys before it
    let (mut u, mut before) = (0u64, 0u64);
    for &k in keys.iter() {
        let is_x = k & 1;
        u += before & 0u64.wrapping_sub(is_x);
        before += 1 - is_x;
    }
    Some(approx_out(u, xs.len(), ys.len(), o))
}

/// Endpoints per task in [`mannwhitney_rows`] (two cache lines of f64 columns).
const TILE: usize = 16;

type Bufs = (Vec<f64>, Vec<f64>, Scratch);

/// Columns `e0..e1` (at most [`TILE`]) of `a`, column `t` at `dst[t * nrows..]`,
/// read row by row; per column whether all values are finite.
fn tile_values(a: ArrayView2<'_, f64>, e0: usize, e1: usize, dst: &mut Vec<f64>) -> [bool; TILE] {
    let n = a.nrows();
    dst.clear();
    dst.resize((e1 - e0) * n, 0.0);
    let mut bad = [false; TILE];
    let mut put = |r: usize, t: usize, v: f64| {
        bad[t] |= !v.is_finite();
        dst[t * n + r] = v;
    };
    match a.as_slice() {
        Some(s) => {
            // C order: row r is s[r * ncols..]
            let m = a.ncols();
            for r in 0..n {
                for (t, &v) in s[r * m + e0..r * m + e1].iter().enumerate() {
                    put(r, t, v);
                }
            }
        }
        None => {
            for r in 0..n {
                for t in 0..e1 - e0 {
                    put(r, t, a[[r, e0 + t]]);
                }
            }
        }
    }
    bad.map(|b| !b)
}

/// Many endpoints. With `by_column`, endpoint `e` is column `e` of `x` (n_x x endpoints)
/// and of `y`; otherwise row `e`. NaN: `Propagate` gives a NaN result for that endpoint,
/// `Omit` drops them, `Raise` errors naming (row, column) of the input. An endpoint
/// left with an empty group gives NaN.
pub fn mannwhitney_rows(
    x: ArrayView2<'_, f64>,
    y: ArrayView2<'_, f64>,
    by_column: bool,
    o: &MwOptions,
    policy: NanPolicy,
) -> Result<Vec<MwOutput>> {
    check_conf_level(o.conf_level)?;
    let (kx, ky) = if by_column {
        (x.ncols(), y.ncols())
    } else {
        (x.nrows(), y.nrows())
    };
    if kx != ky {
        return Err(StatsError::length("x", kx, "y", ky));
    }
    // the normal approximation without the interval, when both groups are non-empty
    let (nx, ny) = if by_column { (x.nrows(), y.nrows()) } else { (x.ncols(), y.ncols()) };
    let fast_approx = !o.conf_int
        && nx > 0
        && ny > 0
        && match o.method {
            Method::Approx => true,
            Method::Exact => false,
            Method::Auto => !(nx < AUTO_EXACT_BELOW && ny < AUTO_EXACT_BELOW),
        };
    let one = |(xv, yv, sc): &mut Bufs, e: usize| -> Result<MwOutput> {
        let (xr, yr) = if by_column {
            (x.column(e), y.column(e))
        } else {
            (x.row(e), y.row(e))
        };
        // every value finite (then every NaN policy gives the same): keys
        // straight from the input, no copies
        if fast_approx && finite_into(xr, xv) && finite_into(yr, yv) {
            return Ok(approx_values(xv, yv, sc, o));
        }
        xv.clear();
        yv.clear();
        for (arg, src, dst) in [("x", &xr, &mut *xv), ("y", &yr, &mut *yv)] {
            for (i, &v) in src.iter().enumerate() {
                if v.is_nan() {
                    match policy {
                        NanPolicy::Raise => {
                            let (r, c) = if by_column { (i, e) } else { (e, i) };
                            return Err(StatsError::invalid_at(
                                arg,
                                r,
                                c,
                                v,
                                crate::common::check::MISSING,
                                "values must be numbers",
                            ));
                        }
                        NanPolicy::Propagate => {
                            return Ok(MwOutput::nan(xr.len(), yr.len()))
                        }
                        NanPolicy::Omit => continue,
                    }
                }
                if v.is_infinite() {
                    let (r, c) = if by_column { (i, e) } else { (e, i) };
                    return Err(StatsError::invalid_at(
                        arg,
                        r,
                        c,
                        v,
                        "not finite",
                        "values must be finite numbers",
                    ));
                }
                dst.push(v);
            }
        }
        let approx = match o.method {
            Method::Approx => true,
            Method::Exact => false,
            Method::Auto => !(xv.len() < AUTO_EXACT_BELOW && yv.len() < AUTO_EXACT_BELOW),
        };
        if approx && !o.conf_int && !xv.is_empty() && !yv.is_empty() {
            return Ok(approx_values(xv, yv, sc, o));
        }
        let (xv, yv) = (&*xv, &*yv);
        if xv.is_empty() || yv.is_empty() {
            return Ok(MwOutput::nan(xv.len(), yv.len()));
        }
        match mannwhitney(xv, yv, o) {
            Ok(r) => Ok(r),
            Err(StatsError::InvalidValue {
                arg,
                row,
                value,
                reason,
                allowed,
                ..
            }) => {
                let (r, c) = if by_column { (row, e) } else { (e, row) };
                Err(StatsError::InvalidValue {
                    arg,
                    row: r,
                    col: Some(c),
                    value,
                    reason,
                    allowed,
                })
            }
            Err(e) => Err(e),
        }
    };
    // endpoints in the columns: read TILE of them per row (whole cache lines)
    let tiled = fast_approx && by_column;
    let res: Vec<Result<MwOutput>> = (0..kx.div_ceil(TILE))
        .into_par_iter()
        .map_init(
            || (Bufs::default(), Vec::<f64>::new(), Vec::<f64>::new()),
            |(bufs, xt, yt), c| {
                let (e0, e1) = (c * TILE, ((c + 1) * TILE).min(kx));
                let mut out = Vec::with_capacity(e1 - e0);
                if tiled {
                    let okx = tile_values(x, e0, e1, xt);
                    let oky = tile_values(y, e0, e1, yt);
                    for t in 0..e1 - e0 {
                        out.push(if okx[t] && oky[t] {
                            let xs = &xt[t * nx..(t + 1) * nx];
                            Ok(approx_values(xs, &yt[t * ny..(t + 1) * ny], &mut bufs.2, o))
                        } else {
                            one(bufs, e0 + t)
                        });
                    }
                } else {
                    for e in e0..e1 {
                        out.push(one(bufs, e));
                    }
                }
                out
            },
        )
        .flatten_iter()
        .collect();
    let mut out = Vec::with_capacity(res.len());
    let mut first_err: Option<StatsError> = None;
    for r in res {
        match r {
            Ok(v) => out.push(v),
            Err(e) => {
                if first_err.is_none() {
                    first_err = Some(e);
                }
            }
        }
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(method: Method, alt: Alternative) -> MwOptions {
        MwOptions {
            alternative: alt,
            method,
            correction: true,
            conf_level: 0.95,
            conf_int: true,
        }
    }

    #[test]
    fn exact_distribution_sums_to_one_and_matches_enumeration() {
        // scores with ties (doubled mid-ranks of 1,1,2,3,3,3)
        let d2 = [3i64, 3, 6, 10, 10, 10];
        let d = subset_sum_dist(&d2, 3);
        let s: f64 = d.probs.iter().sum();
        assert!((s - 1.0).abs() < 1e-14);
        // brute force over the 20 subsets
        let mut counts = std::collections::HashMap::new();
        for a in 0..6 {
            for b in a + 1..6 {
                for c in b + 1..6 {
                    *counts.entry(d2[a] + d2[b] + d2[c]).or_insert(0) += 1;
                }
            }
        }
        for (sum, cnt) in counts {
            let p = d.probs[(sum - d.offset) as usize];
            assert!((p - cnt as f64 / 20.0).abs() < 1e-14);
        }
    }

    #[test]
    fn hand_case_complete_separation() {
        // x all below y: W = 0, P(W <= 0) = 1 / C(6, 3) = 0.05 (exact, less)
        let x = [1.0, 2.0, 3.0];
        let y = [4.0, 5.0, 6.0];
        let r = mannwhitney(&x, &y, &opts(Method::Exact, Alternative::Less)).unwrap();
        assert_eq!(r.statistic, 0.0);
        assert!((r.pvalue - 0.05).abs() < 1e-14);
        let r2 = mannwhitney(&x, &y, &opts(Method::Exact, Alternative::TwoSided)).unwrap();
        assert!((r2.pvalue - 0.1).abs() < 1e-14);
        assert_eq!(r2.estimate, -3.0);
    }

    #[test]
    fn swapping_groups_mirrors_w_and_keeps_two_sided_p() {
        let x = [1.0, 2.0, 2.0, 3.0, 5.0, 5.0, 7.0];
        let y = [2.0, 3.0, 3.0, 4.0, 6.0];
        for m in [Method::Exact, Method::Approx] {
            let a = mannwhitney(&x, &y, &opts(m, Alternative::TwoSided)).unwrap();
            let b = mannwhitney(&y, &x, &opts(m, Alternative::TwoSided)).unwrap();
            assert!((a.statistic + b.statistic - 35.0).abs() < 1e-12);
            assert!((a.pvalue - b.pvalue).abs() < 1e-13);
            assert!((a.estimate + b.estimate).abs() < 1e-12);
            let l = mannwhitney(&x, &y, &opts(m, Alternative::Less)).unwrap();
            let g = mannwhitney(&y, &x, &opts(m, Alternative::Greater)).unwrap();
            assert!((l.pvalue - g.pvalue).abs() < 1e-13);
        }
    }

    #[test]
    fn kth_difference_matches_full_sort() {
        let mut xs: Vec<f64> = (0..37).map(|i| ((i * 7919) % 101) as f64 / 3.0).collect();
        let mut ys: Vec<f64> = (0..41).map(|i| ((i * 104729) % 97) as f64 / 2.0).collect();
        xs.sort_by(|a, b| a.total_cmp(b));
        ys.sort_by(|a, b| a.total_cmp(b));
        let mut all: Vec<f64> = xs
            .iter()
            .flat_map(|a| ys.iter().map(move |b| a - b))
            .collect();
        all.sort_by(|a, b| a.total_cmp(b));
        for k in [1, 2, 17, 500, 758, 759, 1200, all.len()] {
            assert_eq!(kth_diff(&xs, &ys, k), all[k - 1], "k = {k}");
            if k < all.len() {
                assert_eq!(next_diff(&xs, &ys, all[k - 1], k), all[k], "next after k = {k}");
            }
        }
    }

    #[test]
    fn matrix_fast_paths_equal_the_one_sample_form() {
        // grid path (distinct values), grid collisions (close values, -0 vs 0),
        // ties (exact keys + merge), by column and by row
        let mut state = 3u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        let (nx, ny, k) = (60, 55, 37);
        let col = |e: usize, v: f64| match e % 4 {
            0 => v,
            1 => (v * 6.0).round(),
            2 => 1.0 + v * 1e-12,
            _ => if v < 0.0 { -0.0 } else { v },
        };
        let x = ndarray::Array2::from_shape_fn((nx, k), |(_, e)| col(e, next()));
        let y = ndarray::Array2::from_shape_fn((ny, k), |(_, e)| col(e, next() + 0.1));
        let o = MwOptions { conf_int: false, ..opts(Method::Approx, Alternative::TwoSided) };
        let by_col = mannwhitney_rows(x.view(), y.view(), true, &o, NanPolicy::Propagate).unwrap();
        let (xt, yt) = (x.t().as_standard_layout().to_owned(), y.t().as_standard_layout().to_owned());
        let by_row = mannwhitney_rows(xt.view(), yt.view(), false, &o, NanPolicy::Propagate).unwrap();
        for e in 0..k {
            let xe: Vec<f64> = x.column(e).to_vec();
            let ye: Vec<f64> = y.column(e).to_vec();
            let want = mannwhitney(&xe, &ye, &o).unwrap();
            for got in [by_col[e], by_row[e]] {
                assert_eq!(got.statistic.to_bits(), want.statistic.to_bits(), "endpoint {e}");
                assert_eq!(got.pvalue.to_bits(), want.pvalue.to_bits(), "endpoint {e}");
            }
        }
    }

    #[test]
    fn all_tied_and_empty() {
        let r = mannwhitney(
            &[1.0, 1.0],
            &[1.0, 1.0, 1.0],
            &opts(Method::Exact, Alternative::TwoSided),
        )
        .unwrap();
        assert_eq!(r.pvalue, 1.0);
        let a = mannwhitney(
            &[1.0, 1.0],
            &[1.0, 1.0, 1.0],
            &opts(Method::Approx, Alternative::TwoSided),
        )
        .unwrap();
        assert!(a.pvalue.is_nan());
        assert!(mannwhitney(&[], &[1.0], &opts(Method::Auto, Alternative::TwoSided)).is_err());
    }
}
