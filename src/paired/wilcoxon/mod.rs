//! Wilcoxon signed-rank test on paired differences, with the exact null
//! distribution also under ties and zeros, and the Hodges–Lehmann
//! pseudo-median with its confidence interval (as R `wilcox.test`).
//!
//! Exact distribution: with mid-ranks `r_i`, the doubled ranks `2 r_i` are
//! integers, and under H0 each non-zero difference carries its rank with a
//! positive sign with probability 1/2 independently. The distribution of
//! `2V = sum(B_i * 2 r_i)` is a subset-sum convolution over at most
//! `n (n + 1) + 1` values, computed with halving steps (exact in binary
//! floating point up to n = 52).

use super::{fill_chunked, general, median, Endpoint, NanRow, Pairs, Sink};
use crate::common::keysort::{shares_a_point, sort_keys, sort_keys_u32, Grid30};
use crate::common::{alternative::check_conf_level, dist, Alternative, NanPolicy};
use crate::error::{Result, StatsError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZeroMethod {
    /// Drop zero differences before ranking (R, scipy default).
    Wilcox,
    /// Rank zeros with the rest, then drop them (Pratt 1959; coin's default).
    Pratt,
    /// Rank zeros with the rest and split their ranks between the signs (scipy).
    Zsplit,
}

impl ZeroMethod {
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "wilcox" => Ok(ZeroMethod::Wilcox),
            "pratt" => Ok(ZeroMethod::Pratt),
            "zsplit" => Ok(ZeroMethod::Zsplit),
            o => Err(StatsError::argument(
                "zero_method",
                format!("{o:?} is not one of 'wilcox', 'pratt', 'zsplit'"),
            )),
        }
    }
}

/// `method='auto'|'exact'|'approx'` (auto: exact up to the size limit of this test).
pub use crate::common::method::Method;

/// `method='auto'` is exact up to this many differences (with or without ties).
pub const AUTO_EXACT_MAX: usize = 50;

#[derive(Debug, Clone, Copy)]
pub struct WilcoxonOptions {
    pub alternative: Alternative,
    pub method: Method,
    pub zero_method: ZeroMethod,
    pub correction: bool,
    pub conf_level: f64,
    pub popmean: f64,
    /// Compute the Hodges–Lehmann estimate and its interval.
    pub conf_int: bool,
    pub nan_policy: NanPolicy,
    pub strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WilcoxonOutput {
    /// V: the sum of the ranks of the positive differences (plus half the zero ranks under zsplit).
    pub statistic: f64,
    pub pvalue: f64,
    /// Differences in the test (non-zero ones under 'wilcox'; all under 'pratt'/'zsplit').
    pub n: f64,
    pub n_zero: f64,
    /// 1.0 exact, 0.0 normal approximation.
    pub exact: f64,
    /// Standardised statistic of the normal approximation (NaN when exact).
    pub zstatistic: f64,
    pub estimate: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// 1.0 when the interval inverts the exact distribution (R's rule: no ties, no zeros, n < 50).
    pub ci_exact: f64,
}

impl NanRow for WilcoxonOutput {
    fn nan_row() -> Self {
        let n = f64::NAN;
        WilcoxonOutput {
            statistic: n,
            pvalue: n,
            n,
            n_zero: n,
            exact: n,
            zstatistic: n,
            estimate: n,
            ci_low: n,
            ci_high: n,
            ci_exact: n,
        }
    }
}

/// Null distribution of `sum(B_i * w_i)`, `B_i` fair coins: `p[s] = P(S = s)`.
pub fn subset_sum_distribution(weights: &[u32]) -> Vec<f64> {
    let total: usize = weights.iter().map(|&w| w as usize).sum();
    let mut p = vec![0.0; total + 1];
    p[0] = 1.0;
    let mut top = 0usize;
    for &w in weights {
        let w = w as usize;
        top += w;
        // p_new[s] = (p[s] + p[s - w]) / 2, descending so p[s - w] is still old
        for s in (w..=top).rev() {
            p[s] = 0.5 * (p[s] + p[s - w]);
        }
        for v in p.iter_mut().take(w.min(top + 1)) {
            *v *= 0.5;
        }
    }
    p
}

/// `(P(S <= s), P(S >= s))` from a distribution vector.
fn tails(p: &[f64], s: i64) -> (f64, f64) {
    let top = p.len() as i64 - 1;
    let le: f64 = if s < 0 {
        0.0
    } else {
        p[..=(s.min(top) as usize)].iter().sum()
    };
    let ge: f64 = if s > top {
        0.0
    } else {
        p[(s.max(0) as usize)..].iter().sum()
    };
    (le, ge)
}

/// R's `qsignrank(x, n)` over a no-tie distribution `p` (index = V).
fn qsignrank(p: &[f64], x: f64) -> usize {
    let nn = p.len() - 1;
    let mut acc = 0.0;
    if x <= 0.5 {
        let x = x - 10.0 * f64::EPSILON;
        for (q, &v) in p.iter().enumerate() {
            acc += v;
            if acc >= x {
                return q;
            }
        }
        nn
    } else {
        let x = 1.0 - x + 10.0 * f64::EPSILON;
        for (q, &v) in p.iter().enumerate() {
            acc += v;
            if acc > x {
                return nn - q;
            }
        }
        0
    }
}

fn walsh(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut w = Vec::with_capacity(n * (n + 1) / 2);
    for i in 0..n {
        for j in i..n {
            w.push((x[i] + x[j]) / 2.0);
        }
    }
    w
}

/// R's standardised signed-rank statistic at shift `mu` (its `W` inside
/// `wilcox.test`): zeros of `x - mu` dropped, mid-ranks of `|x - mu|`,
/// tie-corrected variance, optional continuity correction.
fn w_at(x: &[f64], mu: f64, correct: bool, alt: Alternative) -> f64 {
    // R: xd <- x - mu; xd <- xd[xd != 0]; ranks of |xd| (exact ties); V+ and tie term
    let (v_pos, tie, n_ranked) = signed_ranks_sorted(x, mu);
    let nx = n_ranked as f64;
    let zd = v_pos - nx * (nx + 1.0) / 4.0;
    let sigma = (nx * (nx + 1.0) * (2.0 * nx + 1.0) / 24.0 - tie / 48.0).sqrt();
    (zd - alt.continuity(correct, zd)) / sigma
}

/// `(V+, sum(t^3 - t), n ranked)` of `x - mu` with zeros dropped, for `x`
/// sorted ascending: the same numbers as ranking the keys of `x - mu`
/// ([`rank_signed`] with 'wilcox'), in O(n). `x - mu` is monotone in `x`
/// (rounding included), so the magnitudes of the negative part read
/// backwards and of the positive part read forwards are both ascending: a
/// merge of the two runs visits |x - mu| in sorted order, and equal
/// magnitudes (from either run) form the tie groups.
fn signed_ranks_sorted(x: &[f64], mu: f64) -> (f64, f64, usize) {
    let k = x.partition_point(|&v| v - mu < 0.0);
    let z = k + x[k..].partition_point(|&v| v - mu == 0.0);
    let n = x.len();
    let neg = |i: usize| (x[i] - mu).abs(); // i < k, magnitudes ascending as i falls
    let pos = |j: usize| x[j] - mu; // j >= z, ascending as j rises
    if let Some(v) = MERGE.with(|c| {
        let (av, bv) = &mut *c.borrow_mut();
        v_pos_no_ties(x, mu, k, z, av, bv)
    }) {
        return (v as f64, 0.0, n - (z - k));
    }
    let (mut i, mut j) = (k, z); // next negative is i - 1, next positive j
    let (mut r0, mut v2, mut tie) = (0u64, 0u64, 0u64);
    while i > 0 || j < n {
        let a = match (i > 0, j < n) {
            (true, true) => neg(i - 1).min(pos(j)),
            (true, false) => neg(i - 1),
            _ => pos(j),
        };
        let (mut t, mut np) = (0u64, 0u64);
        while i > 0 && neg(i - 1) == a {
            i -= 1;
            t += 1;
        }
        while j < n && pos(j) == a {
            j += 1;
            t += 1;
            np += 1;
        }
        // ranks r0 + 1 ..= r0 + t share (2 r0 + t + 1) / 2; doubled to stay integer
        v2 += (2 * r0 + t + 1) * np;
        if t > 1 {
            tie += t * t * t - t;
        }
        r0 += t;
    }
    (v2 as f64 / 2.0, tie as f64, n - (z - k))
}

thread_local! {
    static MERGE: std::cell::RefCell<(Vec<f64>, Vec<f64>)> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// V+ of `x - mu` (`x` sorted; negatives `..k`, zeros `k..z`, positives
/// `z..`) when no two magnitudes are equal, else `None`. The merge of the
/// two ascending magnitude runs is cut into four stretches (merge path), run
/// side by side without branches: four independent dependency chains.
fn v_pos_no_ties(
    x: &[f64],
    mu: f64,
    k: usize,
    z: usize,
    av: &mut Vec<f64>,
    bv: &mut Vec<f64>,
) -> Option<u64> {
    const S: usize = 4;
    let n = x.len();
    let (na, nb) = (k, n - z);
    let total = na + nb;
    av.clear();
    av.extend(x[..k].iter().rev().map(|&v| (v - mu).abs()));
    av.push(f64::INFINITY);
    bv.clear();
    bv.extend(x[z..].iter().map(|&v| v - mu));
    bv.push(f64::INFINITY);
    let (a, b) = (&av[..], &bv[..]);
    // elements taken from `a` among the first h of the merge (a first on equality)
    let split = |h: usize| -> usize {
        let (mut lo, mut hi) = (h.saturating_sub(nb), h.min(na));
        while lo < hi {
            let m = (lo + hi) / 2;
            if a[m] <= b[h - m - 1] {
                lo = m + 1;
            } else {
                hi = m;
            }
        }
        lo
    };
    let mut i = [0usize; S];
    let mut j = [0usize; S];
    let mut r = [0u64; S];
    let mut len = [0usize; S];
    let mut prev = [-1.0f64; S];
    for c in 0..S {
        let h = c * total / S;
        let h1 = (c + 1) * total / S;
        i[c] = split(h);
        j[c] = h - i[c];
        r[c] = h as u64;
        len[c] = h1 - h;
        // the element just before the stretch, so a tie across the cut is seen
        let before_a = if i[c] > 0 { a[i[c] - 1] } else { -1.0 };
        let before_b = if j[c] > 0 { b[j[c] - 1] } else { -1.0 };
        prev[c] = before_a.max(before_b);
    }
    let (mut v, mut tie) = (0u64, false);
    let mut step = |c: usize, i: &mut [usize; S], j: &mut [usize; S]| {
        let (p, q) = (a[i[c]], b[j[c]]);
        let take_b = q < p;
        let m = if take_b { q } else { p };
        tie |= m == prev[c] || p == q;
        prev[c] = m;
        r[c] += 1;
        v += r[c] * take_b as u64;
        j[c] += take_b as usize;
        i[c] += (!take_b) as usize;
    };
    let common = len.iter().copied().min().unwrap_or(0);
    for _ in 0..common {
        for c in 0..S {
            step(c, &mut i, &mut j);
        }
    }
    for (c, &l) in len.iter().enumerate() {
        for _ in common..l {
            step(c, &mut i, &mut j);
        }
    }
    if tie {
        None
    } else {
        Some(v)
    }
}

/// R's `uniroot` tolerance default for the Wilcoxon interval (`tol.root`).
pub const TOL_ROOT: f64 = 1e-4;

/// Brent's root finder (Brent 1973, ch. 4: bisection safeguarded inverse
/// quadratic / secant steps), in the form R's `uniroot` uses, so that roots of
/// the step function `W` land where R's do. `fa`, `fb` are `f(a)`, `f(b)`.
fn brent<F: FnMut(f64) -> f64>(
    mut a: f64,
    mut b: f64,
    mut fa: f64,
    mut fb: f64,
    tol: f64,
    max_iter: usize,
    mut f: F,
) -> f64 {
    if fa == 0.0 {
        return a;
    }
    if fb == 0.0 {
        return b;
    }
    let (mut c, mut fc) = (a, fa);
    for _ in 0..=max_iter {
        let prev = b - a;
        if fc.abs() < fb.abs() {
            // make b the best approximation, c the other end of the bracket
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol_act = 2.0 * f64::EPSILON * b.abs() + tol / 2.0;
        let mut step = (c - b) / 2.0;
        if step.abs() <= tol_act || fb == 0.0 {
            return b;
        }
        if prev.abs() >= tol_act && fa.abs() > fb.abs() {
            let cb = c - b;
            let (mut p, mut q);
            if a == c {
                let t1 = fb / fa;
                p = cb * t1;
                q = 1.0 - t1;
            } else {
                let qa = fa / fc;
                let t1 = fb / fc;
                let t2 = fb / fa;
                p = t2 * (cb * qa * (qa - t1) - (b - a) * (t1 - 1.0));
                q = (qa - 1.0) * (t1 - 1.0) * (t2 - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if p < 0.75 * cb * q - (tol_act * q).abs() / 2.0 && p < (prev * q / 2.0).abs() {
                step = p / q;
            }
        }
        if step.abs() < tol_act {
            step = if step > 0.0 { tol_act } else { -tol_act };
        }
        a = b;
        fa = fb;
        b += step;
        fb = f(b);
        if (fb > 0.0 && fc > 0.0) || (fb < 0.0 && fc < 0.0) {
            c = a;
            fc = fa;
        }
    }
    b
}

/// Hodges–Lehmann estimate and interval as R `wilcox.test(conf.int = TRUE)`:
/// `x` are the non-zero differences on the original scale. Returns
/// (estimate, low, high, exact interval?).
fn hodges_lehmann(x: &[f64], o: &WilcoxonOptions, exact: bool) -> Result<(f64, f64, f64, bool)> {
    let n = x.len();
    if n == 0 {
        return Ok((f64::NAN, f64::NAN, f64::NAN, false));
    }
    let nw = n * (n + 1) / 2;
    let alpha = 1.0 - o.conf_level;
    if exact {
        let ranks: Vec<u32> = (1..=n as u32).collect();
        let p = subset_sum_distribution(&ranks);
        let mut w = walsh(x);
        w.sort_unstable_by(|a, b| a.total_cmp(b));
        let est = median(&w);
        let (lo, hi) = match o.alternative {
            Alternative::TwoSided => {
                let qu = qsignrank(&p, alpha / 2.0).max(1);
                let ql = nw - qu;
                (w[qu - 1], w[ql.min(nw - 1)])
            }
            Alternative::Greater => {
                let qu = qsignrank(&p, alpha).max(1);
                (w[qu - 1], f64::INFINITY)
            }
            Alternative::Less => {
                let qu = qsignrank(&p, alpha).max(1);
                let ql = nw - qu;
                (f64::NEG_INFINITY, w[ql.min(nw - 1)])
            }
        };
        return Ok((est, lo, hi, true));
    }
    // Asymptotic, as R: roots in mu of the standardised statistic W(mu) over
    // [min(x), max(x)] by uniroot(tol = 1e-4); alpha doubles while the
    // requested level cannot be bracketed.
    let sorted = sorted_total(x);
    let x = &sorted[..];
    let (mumin, mumax) = x
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let corr = o.correction;
    let alt = o.alternative;
    let w_min = w_at(x, mumin, corr, alt);
    let w_max = w_at(x, mumax, corr, alt);
    if !w_min.is_finite() || !w_max.is_finite() {
        return Ok(((mumin + mumax) / 2.0, f64::NAN, f64::NAN, false));
    }
    let root = |zq: f64| -> f64 {
        brent(mumin, mumax, w_min - zq, w_max - zq, TOL_ROOT, 1000, |mu| {
            w_at(x, mu, corr, alt) - zq
        })
    };
    let nx = x.len(); // x is sorted: its median directly (= median(x))
    let med = if nx % 2 == 1 {
        x[nx / 2]
    } else {
        (x[nx / 2 - 1] + x[nx / 2]) / 2.0
    };
    let mut a = alpha;
    let (lo, hi) = match alt {
        Alternative::TwoSided => {
            while w_min - dist::norm_ppf(1.0 - a / 2.0) < 0.0
                || w_max - dist::norm_ppf(a / 2.0) > 0.0
            {
                a *= 2.0;
                if a >= 2.0 {
                    break;
                }
            }
            if a < 1.0 {
                (
                    root(dist::norm_ppf(1.0 - a / 2.0)),
                    root(dist::norm_ppf(a / 2.0)),
                )
            } else {
                (med, med)
            }
        }
        Alternative::Greater => {
            while w_min - dist::norm_ppf(1.0 - a) < 0.0 {
                a *= 2.0;
                if a >= 2.0 {
                    break;
                }
            }
            (
                if a < 1.0 {
                    root(dist::norm_ppf(1.0 - a))
                } else {
                    med
                },
                f64::INFINITY,
            )
        }
        Alternative::Less => {
            // (R checks the bracket at alpha / 2 here and roots at alpha)
            while w_max - dist::norm_ppf(a / 2.0) > 0.0 {
                a *= 2.0;
                if a >= 2.0 {
                    break;
                }
            }
            (
                f64::NEG_INFINITY,
                if a < 1.0 {
                    root(dist::norm_ppf(a))
                } else {
                    med
                },
            )
        }
    };
    let e_min = w_at(x, mumin, false, alt);
    let e_max = w_at(x, mumax, false, alt);
    let est = if e_min * e_max > 0.0 {
        f64::NAN
    } else {
        brent(mumin, mumax, e_min, e_max, TOL_ROOT, 1000, |mu| {
            w_at(x, mu, false, alt)
        })
    };
    Ok((est, lo, hi, false))
}

/// The tie-free null distribution of V for one `n`, as cumulative
/// probabilities `cum[v] = P(V <= v)`, shared by the endpoints of a call.
pub struct NoTieCache {
    n: usize,
    cum: Vec<f64>,
}

impl NoTieCache {
    pub fn new(n: usize) -> Self {
        let ranks: Vec<u32> = (1..=n as u32).collect();
        let p = subset_sum_distribution(&ranks);
        let mut acc = 0.0;
        let cum = p
            .iter()
            .map(|v| {
                acc += v;
                acc
            })
            .collect();
        NoTieCache { n, cum }
    }
    /// `(P(V <= v), P(V >= v))` by symmetry from the lower tail.
    fn tails(&self, v: usize) -> (f64, f64) {
        let top = self.cum.len() - 1;
        let le = self.cum[v.min(top)];
        let ge = if v == 0 {
            1.0
        } else {
            self.cum[top - v.min(top)]
        };
        (le, ge)
    }
}

thread_local! {
    static KEYS: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `x` sorted in `total_cmp` order, through the radix sort of [`sort_keys`]
/// (the IEEE bits made order-preserving as unsigned integers).
fn sorted_total(x: &[f64]) -> Vec<f64> {
    const SIGN: u64 = 1 << 63;
    let mut k: Vec<u64> = x
        .iter()
        .map(|v| v.to_bits())
        .map(|b| if b & SIGN != 0 { !b } else { b | SIGN })
        .collect();
    sort_keys(&mut k);
    k.into_iter()
        .map(|b| f64::from_bits(if b & SIGN != 0 { b & !SIGN } else { !b }))
        .collect()
}

/// Sort key of a difference: |d| as ordered integer bits, shifted, with the
/// sign in the lowest bit (|d| >= 0 uses 63 bits, so the key is exact).
#[inline]
fn key(v: f64) -> u64 {
    ((v.abs().to_bits()) << 1) | (v < 0.0) as u64
}

/// Ranking summary of one endpoint.
struct Ranked {
    v_pos: f64,
    v_zero: f64,
    /// sum(t^3 - t) over tie groups of |d| (the zero group excluded under Pratt).
    tie: f64,
    /// Doubled ranks of the non-zero differences (only when `want_weights`).
    weights: Vec<u32>,
    ties_nonzero: bool,
    n_ranked: usize,
}

fn rank_signed(d: &[f64], shift: f64, zm: ZeroMethod, want_weights: bool) -> Ranked {
    KEYS.with(|cell| {
        let mut keys = cell.borrow_mut();
        keys.clear();
        for &v in d {
            let x = v - shift;
            if zm == ZeroMethod::Wilcox && x == 0.0 {
                continue;
            }
            keys.push(key(x));
        }
        rank_keys(&mut keys, zm, want_weights)
    })
}

/// Sort the keys and sum the signed ranks.
fn rank_keys(keys: &mut [u64], zm: ZeroMethod, want_weights: bool) -> Ranked {
    {
        sort_keys(keys);
        let n = keys.len();
        let mut out = Ranked {
            v_pos: 0.0,
            v_zero: 0.0,
            tie: 0.0,
            weights: Vec::new(),
            ties_nonzero: false,
            n_ranked: n,
        };
        // common case, no ties and no zeros: rank i + 1 at position i, integer sums
        // (the same numbers as the general loop: its sums of half-integers are exact)
        if !want_weights && n > 0 && keys[0] >> 1 != 0 {
            // (branch-free folds, so both loops vectorise)
            let ties = keys[..n - 1]
                .iter()
                .zip(&keys[1..])
                .fold(0u64, |t, (&a, &b)| t | ((a >> 1 == b >> 1) as u64));
            let v: u64 = keys
                .iter()
                .enumerate()
                .map(|(i, &k)| (i as u64 + 1) & (k & 1).wrapping_sub(1))
                .sum();
            if ties == 0 {
                out.v_pos = v as f64;
                return out;
            }
        }
        if want_weights {
            out.weights.reserve(n);
        }
        let mut i = 0;
        while i < n {
            let a = keys[i] >> 1;
            let mut j = i + 1;
            let mut neg = (keys[i] & 1) as usize;
            while j < n && keys[j] >> 1 == a {
                neg += (keys[j] & 1) as usize;
                j += 1;
            }
            let t = j - i;
            let r = (i + 1 + j) as f64 / 2.0;
            if a == 0 {
                out.v_zero += r * t as f64;
                if zm != ZeroMethod::Pratt && t > 1 {
                    out.tie += (t * t * t - t) as f64;
                }
            } else {
                out.v_pos += r * (t - neg) as f64;
                if t > 1 {
                    out.tie += (t * t * t - t) as f64;
                    out.ties_nonzero = true;
                }
                if want_weights {
                    let w = (i + 1 + j) as u32;
                    out.weights.extend(std::iter::repeat_n(w, t));
                }
            }
            i = j;
        }
        out
    }
}

/// Differences of endpoint `e` straight from its rows (`y - x - shift`,
/// the same numbers as the differences path) into `d`: `Some(n_zero)` when
/// every `y - x` is finite, else `None`.
fn diffs_from_rows(p: &Pairs<'_>, e: usize, shift: f64, d: &mut Vec<f64>) -> Option<usize> {
    let xr = p.x.row(e);
    let yr = p.y.as_ref().map(|y| y.row(e));
    let n = xr.len();
    d.resize(n, 0.0); // every slot is written below: no clearing
                      // one branch-free pass (vectorises)
    let (mut zeros, mut bad) = (0u64, false);
    let mut put = |k: &mut f64, v: f64| {
        let x = v - shift;
        bad |= !v.is_finite();
        zeros += (x == 0.0) as u64;
        *k = x;
    };
    match (xr.as_slice(), yr.as_ref().map(|y| y.as_slice())) {
        (Some(xs), Some(Some(ys))) => d
            .iter_mut()
            .zip(xs)
            .zip(ys)
            .for_each(|((k, &a), &b)| put(k, b - a)),
        (Some(xs), None) => d.iter_mut().zip(xs).for_each(|(k, &a)| put(k, a)),
        // strided rows (axis = 0 input read in place)
        (_, Some(_)) => {
            if let Some(y) = &yr {
                d.iter_mut()
                    .zip(xr.iter())
                    .zip(y.iter())
                    .for_each(|((k, &a), &b)| put(k, b - a));
            }
        }
        (None, None) => d.iter_mut().zip(xr.iter()).for_each(|(k, &a)| put(k, a)),
    }
    (!bad).then_some(zeros as usize)
}

/// Smallest and largest `|v|` (four lanes, so it vectorises).
#[inline(always)]
fn abs_range(v: &[f64]) -> (f64, f64) {
    let (mut lo, mut hi) = ([f64::INFINITY; 4], [f64::NEG_INFINITY; 4]);
    let mut put = |k: usize, a: f64| {
        let a = a.abs();
        lo[k] = if a < lo[k] { a } else { lo[k] };
        hi[k] = if a > hi[k] { a } else { hi[k] };
    };
    let chunks = v.chunks_exact(4);
    for &a in chunks.remainder() {
        put(0, a);
    }
    for c in chunks {
        for (k, &a) in c.iter().enumerate() {
            put(k, a);
        }
    }
    (
        lo[0].min(lo[1]).min(lo[2].min(lo[3])),
        hi[0].max(hi[1]).max(hi[2].max(hi[3])),
    )
}

/// Key buffers of one worker of the matrix mode.
#[derive(Default)]
struct Scratch {
    d: Vec<f64>,
    keys: Vec<u64>,
    grid: Vec<u32>,
    tmp: Vec<u32>,
    /// The last endpoint ranked on exact keys had ties.
    ties_last: bool,
}

/// The ranking of non-zero differences `d` through
/// one radix sort of 32-bit keys: `|d|` mapped monotonically onto a 30-bit
/// grid over its range ([`Grid30`]), the sign in the lowest bit. `None` when
/// two differences share a grid point (tied magnitudes, or magnitudes closer
/// than the grid): the exact keys settle those. Otherwise no ties, and V+ is
/// the sum of the 1-based positions of the positive differences, the same
/// integer as ranking the exact keys.
fn rank_grid(d: &[f64], keys: &mut Vec<u32>, tmp: &mut Vec<u32>) -> Option<Ranked> {
    let (lo, hi) = abs_range(d);
    let g = Grid30::new(lo, hi)?;
    keys.clear();
    keys.extend(d.iter().map(|&v| g.key(v.abs()) | (v < 0.0) as u32));
    sort_keys_u32(keys, tmp);
    if shares_a_point(keys) {
        return None;
    }
    let v: u64 = keys
        .iter()
        .enumerate()
        .map(|(i, &k)| (i as u64 + 1) & ((k & 1) as u64).wrapping_sub(1))
        .sum();
    Some(Ranked {
        v_pos: v as f64,
        v_zero: 0.0,
        tie: 0.0,
        weights: Vec::new(),
        ties_nonzero: false,
        n_ranked: d.len(),
    })
}

/// The ranking of endpoint differences `d` (`n_zero` of them zero) in the
/// matrix mode: on the grid when it can settle it (normal approximation, no
/// zeros), else on the exact keys.
fn rank_matrix(sc: &mut Scratch, n_zero: usize, zm: ZeroMethod, want_weights: bool) -> Ranked {
    // after an endpoint with ties (integer scores, say), the grid would most
    // likely fail again: straight to the exact keys (same numbers either way)
    if !want_weights && n_zero == 0 && !sc.ties_last {
        if let Some(rk) = rank_grid(&sc.d, &mut sc.grid, &mut sc.tmp) {
            return rk;
        }
    }
    sc.keys.clear();
    sc.keys.extend(
        sc.d.iter()
            .filter(|&&x| !(zm == ZeroMethod::Wilcox && x == 0.0))
            .map(|&x| key(x)),
    );
    let rk = rank_keys(&mut sc.keys, zm, want_weights);
    sc.ties_last = rk.tie > 0.0;
    rk
}

/// The signed-rank test on one endpoint.
pub fn signed_rank(
    ep: &Endpoint<'_>,
    o: &WilcoxonOptions,
    cache: Option<&NoTieCache>,
) -> Result<WilcoxonOutput> {
    let n_all = ep.d.len();
    if n_all == 0 {
        return Err(StatsError::too_few("x", 0, 1));
    }
    let n_zero = ep.d.iter().filter(|&&v| v - o.popmean == 0.0).count();
    if n_zero == n_all {
        return Err(StatsError::too_few("x (non-zero differences)", 0, 1));
    }
    let n = if o.zero_method == ZeroMethod::Wilcox {
        n_all - n_zero
    } else {
        n_all
    };
    let exact = is_exact(o, n);
    let rk = rank_signed(ep.d, o.popmean, o.zero_method, exact);
    test_from_ranks(ep, o, cache, rk, n, n_zero, exact)
}

fn is_exact(o: &WilcoxonOptions, n: usize) -> bool {
    match o.method {
        Method::Exact => true,
        Method::Approx => false,
        Method::Auto => n <= AUTO_EXACT_MAX,
    }
}

/// The test from the ranking of one endpoint (`ep` is used only for the interval).
fn test_from_ranks(
    ep: &Endpoint<'_>,
    o: &WilcoxonOptions,
    cache: Option<&NoTieCache>,
    rk: Ranked,
    n: usize,
    n_zero: usize,
    exact: bool,
) -> Result<WilcoxonOutput> {
    debug_assert_eq!(rk.n_ranked, n);
    let ties_nonzero = rk.ties_nonzero;
    let v_pos = rk.v_pos;
    let statistic = if o.zero_method == ZeroMethod::Zsplit {
        v_pos + rk.v_zero / 2.0
    } else {
        v_pos
    };
    let (pvalue, zstatistic) = if exact {
        let s = (2.0 * v_pos).round() as i64;
        let (le, ge) = match cache {
            Some(c) if c.n == n && n_zero == 0 && !rk.ties_nonzero => {
                c.tails(v_pos.round() as usize)
            }
            _ => tails(&subset_sum_distribution(&rk.weights), s),
        };
        (o.alternative.pvalue(le, ge), f64::NAN)
    } else {
        // normal approximation with tie (and zero) corrections, as scipy (= R for 'wilcox')
        let nf = n as f64;
        let mut mn = nf * (nf + 1.0) / 4.0;
        let mut var = nf * (nf + 1.0) * (2.0 * nf + 1.0);
        if o.zero_method == ZeroMethod::Pratt {
            let z0 = n_zero as f64;
            mn -= z0 * (z0 + 1.0) / 4.0;
            var -= z0 * (z0 + 1.0) * (2.0 * z0 + 1.0);
        }
        let se = ((var - rk.tie / 2.0) / 24.0).sqrt();
        let dz = statistic - mn;
        let z = (dz - o.alternative.continuity(o.correction, dz)) / se;
        let p = match o.alternative {
            Alternative::TwoSided => (2.0 * dist::norm_sf(z.abs())).min(1.0),
            Alternative::Less => dist::norm_cdf(z),
            Alternative::Greater => dist::norm_sf(z),
        };
        (p, z)
    };
    let (estimate, ci_low, ci_high, ci_exact) = if o.conf_int {
        // R: zeros dropped, back on the original scale; exact interval when the
        // exact p-value is R's (exact requested, or n < 50) and no ties or zeros
        let nonzero: Vec<f64> =
            ep.d.iter()
                .map(|v| v - o.popmean)
                .filter(|&v| v != 0.0)
                .collect();
        let x: Vec<f64> = nonzero.iter().map(|v| v + o.popmean).collect();
        // ties among the non-zero |d - popmean|: found by the ranking already
        let ties = ties_nonzero;
        let r_exact = match o.method {
            Method::Exact => true,
            Method::Approx => false,
            Method::Auto => nonzero.len() < 50,
        };
        let (e, l, h, ex) = hodges_lehmann(&x, o, r_exact && !ties && n_zero == 0)?;
        (e, l, h, if ex { 1.0 } else { 0.0 })
    } else {
        (f64::NAN, f64::NAN, f64::NAN, f64::NAN)
    };
    Ok(WilcoxonOutput {
        statistic,
        pvalue,
        n: n as f64,
        n_zero: n_zero as f64,
        exact: if exact { 1.0 } else { 0.0 },
        zstatistic,
        estimate,
        ci_low,
        ci_high,
        ci_exact,
    })
}

pub fn wilcoxon(p: &Pairs<'_>, o: &WilcoxonOptions) -> Result<Vec<WilcoxonOutput>> {
    let mut out = Vec::new();
    wilcoxon_into(p, o, Sink::Rows(&mut out))?;
    Ok(out)
}

/// Field names for [`Sink::Columns`] output, in [`wilcoxon_fields`] order.
pub const WILCOXON_FIELDS: [&str; 10] = [
    "statistic",
    "pvalue",
    "n",
    "n_zero",
    "exact",
    "zstatistic",
    "estimate",
    "ci_low",
    "ci_high",
    "ci_exact",
];

pub fn wilcoxon_fields(r: &WilcoxonOutput) -> [f64; 10] {
    [
        r.statistic,
        r.pvalue,
        r.n,
        r.n_zero,
        r.exact,
        r.zstatistic,
        r.estimate,
        r.ci_low,
        r.ci_high,
        r.ci_exact,
    ]
}

/// As [`wilcoxon`], into a [`Sink`].
pub fn wilcoxon_into(
    p: &Pairs<'_>,
    o: &WilcoxonOptions,
    sink: Sink<'_, WilcoxonOutput, 10>,
) -> Result<()> {
    check_conf_level(o.conf_level)?;
    if !o.popmean.is_finite() {
        return Err(StatsError::argument(
            "popmean",
            format!("{} is not a finite number", o.popmean),
        ));
    }
    // the tie-free exact distribution for complete endpoints, computed once
    let m = p.len();
    let cache = match o.method {
        Method::Exact if m <= 1000 => Some(NoTieCache::new(m)),
        Method::Auto if m <= AUTO_EXACT_MAX => Some(NoTieCache::new(m)),
        _ => None,
    };
    let cache = if p.endpoints() > 1 { cache } else { None };
    let one = |_: usize, ep: &Endpoint<'_>| signed_rank(ep, o, cache.as_ref());
    // matrix mode without the interval: endpoints with contiguous, finite rows
    // are ranked straight from x and y (no difference buffer); the others (and
    // the 1-D form, and the interval) take the general path (NaN policy, errors)
    let direct = p.endpoints() > 1 && !o.conf_int;
    fill_chunked(
        p.endpoints(),
        sink,
        |first, chunk: &mut [WilcoxonOutput]| -> Result<()> {
            let mut buf = Vec::with_capacity(p.len());
            let mut sc = Scratch::default();
            for (j, slot) in chunk.iter_mut().enumerate() {
                let e = first + j;
                let fast = if direct {
                    diffs_from_rows(p, e, o.popmean, &mut sc.d)
                } else {
                    None
                };
                let n_all = p.len();
                *slot = match fast {
                    Some(n_zero) if n_zero < n_all => {
                        let n = if o.zero_method == ZeroMethod::Wilcox {
                            n_all - n_zero
                        } else {
                            n_all
                        };
                        let exact = is_exact(o, n);
                        let rk = rank_matrix(&mut sc, n_zero, o.zero_method, exact);
                        let ep = Endpoint {
                            d: &[],
                            x: p.x.row(e),
                            y: p.y.as_ref().map(|y| y.row(e)),
                        };
                        test_from_ranks(&ep, o, cache.as_ref(), rk, n, n_zero, exact)?
                    }
                    _ => general(p, e, o.nan_policy, o.strict, &mut buf, &one)?,
                };
            }
            Ok(())
        },
    )
}

#[cfg(test)]
mod tests;
