//! Wilcoxon–Mann–Whitney two-sample test, as R `wilcox.test(x, y)`, with the
//! exact null distribution also under ties (coin's `wilcox_test(distribution =
//! "exact")`), the Hodges–Lehmann shift estimate and its confidence interval.
//!
//! * Statistic `W = R_x - n_x (n_x + 1) / 2` (R's W, scipy's U of `x`).
//! * Exact distribution: the doubled mid-ranks `2 r` are integers; the
//!   distribution of the doubled rank sum of a random subset of size `m` (the
//!   smaller group) is built by the recursion
//!   `f_i(k, s) = k/i f_{i-1}(k-1, s - a_i) + (i-k)/i f_{i-1}(k, s)`
//!   (probabilities, so nothing overflows); without ties, the exact integer
//!   counts of U (Gaussian binomial coefficients) instead. Two-sided p is
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

use crate::common::alternative::check_conf_level;
use crate::common::keysort::{shares_a_point, sort_keys, sort_keys_u32, sorted_total_into, Grid30};
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

/// Largest `n` for [`untied_sum_dist`] (its counts and `C(n, m) n` below 2^128).
const UNTIED_COUNTS_UP_TO: usize = 110;

/// [`subset_sum_dist`] of the scores `2, 4, ..., 2n` (no ties), from the
/// exact counts of the Mann–Whitney `U` of a group of `m`: the coefficients
/// of the Gaussian binomial `prod_{i=1..m} (1 - q^(n-m+i)) / (1 - q^i)`,
/// built factor by factor (divide, then multiply: every intermediate
/// coefficient is a count, at most `C(n, m)`), in O(m^2 (n - m)) integer
/// steps instead of the general recursion's O(n m range). Probabilities are
/// `count / C(n, m)`.
pub fn untied_sum_dist(n: usize, m: usize) -> SumDist {
    let k = n - m;
    let top = m * k; // U runs over 0..=m k
    let mut c = vec![0u128; top + 1];
    c[0] = 1;
    let mut total: u128 = 1; // C(k + i, i) after step i
    for i in 1..=m {
        // divide by (1 - q^i): running sums with stride i
        for u in i..=top {
            c[u] += c[u - i];
        }
        // multiply by (1 - q^(k + i))
        let a = k + i;
        for u in (a..=top).rev() {
            c[u] -= c[u - a];
        }
        total = total * (k + i) as u128 / i as u128;
    }
    let t = total as f64;
    // doubled rank sum of the group: 2 (U + m (m + 1) / 2), even
    let offset = (m * (m + 1)) as i64;
    let mut probs = vec![0.0; 2 * top + 1];
    for (u, &cu) in c.iter().enumerate() {
        probs[2 * u] = cu as f64 / t;
    }
    SumDist { offset, probs }
}

/// Exact p-value of the doubled rank sum `t2x` of x.
fn exact_pvalue(d2: &[i64], nx: usize, t2x: i64, alt: Alternative) -> (f64, SumDist, bool) {
    let n = d2.len();
    let ny = n - nx;
    // the distribution of the smaller group's sum
    let (m, g_is_x) = if nx <= ny { (nx, true) } else { (ny, false) };
    // without ties the doubled mid-ranks are 2, 4, ..., 2n; the counts fit
    // in 128 bits up to n = 110 (C(110, 55) n < 2^128)
    let untied = d2.iter().enumerate().all(|(i, &v)| v == 2 * (i as i64 + 1));
    let dist = if untied && n <= UNTIED_COUNTS_UP_TO {
        untied_sum_dist(n, m)
    } else {
        subset_sum_dist(d2, m)
    };
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
    let (fnn, m) = (n as f64, nx.min(ny) as f64);
    if o.method == Method::Exact && fnn * m * (2.0 * fnn * m) > EXACT_WORK_LIMIT {
        return Err(StatsError::argument(
            "method",
            format!("the exact distribution for n_x = {nx}, n_y = {ny} is too large to compute; use method='approx'"),
        ));
    }
    CORE.with(|c| {
        let sc = &mut *c.borrow_mut();
        let Core { keys, xs, ys, xd } = sc;
        let u = sorted_on_grid(x, y, keys, xs, ys);
        if u.is_none() {
            sorted_total_into(x, keys, xs);
            sorted_total_into(y, keys, ys);
        }
        Ok(sorted_test(xs, ys, o, xd, u))
    })
}

/// Both samples sorted by one radix sort of their grid points ([`Grid30`]
/// over the joint range), each key carrying its sample and index; and `U =
/// #{(i, j): y_j < x_i}` from the positions. `None` (nothing sorted) when two
/// values share a grid point (ties, or values closer than the grid), or a
/// sample has more than 256 values: the order is then not settled by the
/// keys. Otherwise the order is the values' own, without ties, so the sorted
/// samples are the `total_cmp` sorts and `U` is the merge's count.
fn sorted_on_grid(
    x: &[f64],
    y: &[f64],
    keys: &mut Vec<u64>,
    xs: &mut Vec<f64>,
    ys: &mut Vec<f64>,
) -> Option<u64> {
    if x.len() > 256 || y.len() > 256 {
        return None;
    }
    let ((lx, hx), (ly, hy)) = (matrix::range(x), matrix::range(y));
    let g = Grid30::new(lx.min(ly), hx.max(hy))?;
    keys.clear();
    // grid point (bits 9..40, its flag bit 0 dropped), sample (bit 8: x), index
    keys.extend((0..x.len()).map(|i| (g.key(x[i]) as u64) << 8 | 1 << 8 | i as u64));
    keys.extend((0..y.len()).map(|j| (g.key(y[j]) as u64) << 8 | j as u64));
    sort_keys(keys);
    let shared = keys
        .windows(2)
        .fold(false, |t, w| t | (w[0] >> 9 == w[1] >> 9));
    if shared {
        return None;
    }
    xs.clear();
    ys.clear();
    let mut u = 0u64;
    for &k in keys.iter() {
        let i = (k & 0xff) as usize;
        if k & 1 << 8 != 0 {
            u += ys.len() as u64;
            xs.push(x[i]);
        } else {
            ys.push(y[i]);
        }
    }
    Some(u)
}

/// Buffers of [`mannwhitney`] (per thread: no allocation per call once grown).
#[derive(Default)]
struct Core {
    keys: Vec<u64>,
    xs: Vec<f64>,
    ys: Vec<f64>,
    xd: Vec<f64>,
}

thread_local! {
    static CORE: std::cell::RefCell<Core> = std::cell::RefCell::new(Core::default());
}

/// [`mannwhitney`] on the sorted samples (`total_cmp` order), after its checks.
/// `u`: `U` when known to be without ties.
fn sorted_test(
    xs: &[f64],
    ys: &[f64],
    o: &MwOptions,
    xd: &mut Vec<f64>,
    u: Option<u64>,
) -> MwOutput {
    let (nx, ny) = (xs.len(), ys.len());
    let (rx, tt) = match u {
        Some(u) => (untied_rank_sum(u, nx), 0.0),
        None => rank_sum(xs, ys),
    };
    let has_ties = tt > 0.0;
    let (fx, fy) = (nx as f64, ny as f64);
    let w = rx - fx * (fx + 1.0) / 2.0;
    let use_exact = match o.method {
        Method::Exact => true,
        Method::Approx => false,
        Method::Auto => nx < AUTO_EXACT_BELOW && ny < AUTO_EXACT_BELOW,
    };
    let mut exact_dist = None;
    let pvalue = if use_exact {
        let d2 = merge_scores2(xs, ys);
        let t2x = (2.0 * rx).round() as i64;
        let (p, dist, g_is_x) = exact_pvalue(&d2, nx, t2x, o.alternative);
        exact_dist = Some((dist, g_is_x, d2.iter().sum::<i64>()));
        p
    } else {
        let sigma = tie_sigma(fx, fy, tt);
        let z0 = w - fx * fy / 2.0;
        let corr = o.alternative.continuity(o.correction, z0);
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
        let alpha = 1.0 - o.conf_level;
        let (lim_lo, lim_hi) = if let (Some((dist, g_is_x, total)), false) = (&exact_dist, has_ties)
        {
            // W's distribution from the doubled rank sums: W = T_x / 2 - nx(nx+1)/2
            let wcdf = w_cdf(dist, *g_is_x, *total, nx, ny);
            let qw = |p: f64| -> usize {
                let q = wcdf
                    .iter()
                    .position(|&c| c >= p * (1.0 - 64.0 * f64::EPSILON))
                    .unwrap_or(k);
                q.max(1)
            };
            out.ci_exact = true;
            match o.alternative {
                Alternative::TwoSided => {
                    let qu = qw(alpha / 2.0);
                    (Limit::Rank(qu), Limit::Rank(k - qu + 1))
                }
                Alternative::Greater => (Limit::Rank(qw(alpha)), Limit::Value(f64::INFINITY)),
                Alternative::Less => (
                    Limit::Value(f64::NEG_INFINITY),
                    Limit::Rank(k - qw(alpha) + 1),
                ),
            }
        } else {
            asymptotic_ci(xs, ys, o.alternative, o.correction, alpha, !has_ties, xd)
        };
        // every order statistic in one selection (its counting walks serve
        // all); an end given as a value asks for the median again, at no cost
        let rank = |l: Limit| match l {
            Limit::Rank(r) => r,
            Limit::Value(_) => k.div_ceil(2),
        };
        let ks = [k.div_ceil(2), k / 2 + 1, rank(lim_lo), rank(lim_hi)];
        let mut v = [0.0; 4];
        kth_diffs(xs, ys, &ks, &mut v);
        out.estimate = if k % 2 == 1 {
            v[0]
        } else {
            0.5 * (v[0] + v[1])
        };
        let value = |l: Limit, got: f64| match l {
            Limit::Rank(_) => got,
            Limit::Value(x) => x,
        };
        out.ci_low = value(lim_lo, v[2]);
        out.ci_high = value(lim_hi, v[3]);
    }
    out
}

struct MergeRanks {
    rank_sum_x: f64,
    /// `sum(t^3 - t)` over tie groups; > 0 exactly when there are ties.
    tie_term: f64,
}

/// Rank sum of x and the ties term `sum(t^3 - t)` from the two ascending
/// samples (a merge walk); for the f64 values and for the matrix mode's
/// integer sort keys alike.
fn merge_ranks<T: PartialOrd + Copy>(xs: &[T], ys: &[T]) -> MergeRanks {
    let (nx, ny) = (xs.len(), ys.len());
    let (mut i, mut j) = (0usize, 0usize);
    let mut pos = 0usize; // ranks used so far
    let mut rx = 0.0;
    let mut tt = 0.0;
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
            let ft = t as f64;
            tt += ft * ft * ft - ft;
        }
        pos += t;
    }
    MergeRanks {
        rank_sum_x: rx,
        tie_term: tt,
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

mod hl;
mod matrix;
#[cfg(test)]
mod tests;

use hl::*;
pub use matrix::*;
