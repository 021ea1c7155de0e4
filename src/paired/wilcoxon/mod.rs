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
use crate::common::keysort::{shares_a_point, sort_keys, sort_keys_u32, sorted_total_into, Grid30};
use crate::common::Choice;
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

impl Choice for ZeroMethod {
    const ARG: &'static str = "zero_method";
    const VALUES: &'static [(&'static str, Self)] = &[
        ("wilcox", ZeroMethod::Wilcox),
        ("pratt", ZeroMethod::Pratt),
        ("zsplit", ZeroMethod::Zsplit),
    ];
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
    // all differences zero: no error (R: V = 0, p = NA; see `test_from_ranks`)
    let n_zero = ep.d.iter().filter(|&&v| v - o.popmean == 0.0).count();
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
    // every difference zero: under 'wilcox' and 'pratt' the statistic has no
    // spread (R: V = 0, p = NA; the same with method='exact', in 1-D, matrix
    // mode and `compare`); under 'zsplit' V = n(n+1)/4 is the centre, p = 1
    let all_zero = match o.zero_method {
        ZeroMethod::Wilcox => n == 0,
        _ => n_zero == n,
    };
    let pvalue = if all_zero && o.zero_method != ZeroMethod::Zsplit {
        f64::NAN
    } else {
        pvalue
    };
    let (estimate, ci_low, ci_high, ci_exact) = if o.conf_int {
        // ties among the non-zero |d - popmean|: found by the ranking already
        let (e, l, h, ex) = hodges_lehmann_of(ep.d, o, ties_nonzero, n_zero)?;
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
    // (ranking costs ~8 paired-t values per value, the interval ~4 times that)
    let cost = if o.conf_int { 32 } else { 8 };
    fill_chunked(
        p.endpoints(),
        p.endpoints() * p.len() * cost,
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

mod exact;
mod hl;
mod matrix;
mod ranks;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_walsh;
mod walsh;

pub use exact::*;
use hl::*;
use matrix::*;
use ranks::*;
