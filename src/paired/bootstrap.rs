//! Bootstrap confidence intervals for the mean (or median) difference:
//! percentile, basic and BCa (bias-corrected and accelerated, with the
//! jackknife acceleration; Efron & Tibshirani 1993, 14.3 and eq. 15.36, as
//! scipy.stats.bootstrap).
//!
//! Resamples are drawn in tasks of [`TASK`] resamples; task `t` of endpoint
//! `e` uses the RNG stream `(seed, e, t)`, so results are identical whatever
//! the thread count (and whatever chunking a progress bar uses).

use super::permutation::Statistic;
use super::{each_endpoint, NanRow, Pairs};
use crate::common::rng::Rng;
use crate::common::Choice;
use crate::common::{alternative::check_conf_level, dist, NanPolicy};
use crate::error::{Result, StatsError};

pub const TASK: u64 = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Percentile,
    Basic,
    Bca,
}

impl Choice for Method {
    const ARG: &'static str = "method";
    const VALUES: &'static [(&'static str, Self)] = &[
        ("bca", Method::Bca),
        ("percentile", Method::Percentile),
        ("basic", Method::Basic),
    ];
    const IGNORE_CASE: bool = true;
}

#[derive(Debug, Clone, Copy)]
pub struct BootstrapOptions {
    pub statistic: Statistic,
    pub method: Method,
    pub n_resamples: u64,
    pub conf_level: f64,
    pub seed: u64,
    /// Endpoint number of the first row (for RNG streams when rows come in blocks).
    pub endpoint_offset: u64,
    pub nan_policy: NanPolicy,
    pub strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootstrapOutput {
    pub estimate: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub se: f64,
    pub n_resamples: f64,
    pub n: f64,
}

impl NanRow for BootstrapOutput {
    fn nan_row() -> Self {
        let n = f64::NAN;
        BootstrapOutput {
            estimate: n,
            ci_low: n,
            ci_high: n,
            se: n,
            n_resamples: n,
            n,
        }
    }
}

fn check(n_resamples: u64, conf_level: f64) -> Result<()> {
    check_conf_level(conf_level)?;
    if n_resamples == 0 {
        return Err(StatsError::argument(
            "n_resamples",
            "must be a positive integer",
        ));
    }
    check_resamples(n_resamples)
}

/// Resamples beyond which the bootstrap is refused: it keeps every resampled
/// statistic (8 bytes each, 800 MB per endpoint at the limit). Issue 19:
/// `n_resamples=2**52` aborted the process (allocation failure).
pub const MAX_RESAMPLES: u64 = 100_000_000;

/// `n_resamples` (or the last global resample number of a chunk) within
/// [`MAX_RESAMPLES`].
pub fn check_resamples(n_resamples: u64) -> Result<()> {
    if n_resamples > MAX_RESAMPLES {
        return Err(StatsError::argument(
            "n_resamples",
            format!("{n_resamples} is too many (at most {MAX_RESAMPLES}: each resampled statistic is kept)"),
        ));
    }
    Ok(())
}

/// Bootstrap statistics of resamples `lo..hi` (global resample numbers).
pub fn distribution_range(
    d: &[f64],
    stat: Statistic,
    seed: u64,
    endpoint: u64,
    lo: u64,
    hi: u64,
) -> Vec<f64> {
    let n = d.len();
    let mut out = vec![0.0; (hi - lo) as usize];
    if n == 0 {
        out.iter_mut().for_each(|v| *v = f64::NAN);
        return out;
    }
    let n32 = u32::try_from(n).unwrap_or(u32::MAX);
    let first_task = lo / TASK;
    let last_task = hi.div_ceil(TASK);
    // each task writes the part of `out` it owns
    let mut pieces: Vec<(u64, &mut [f64])> = Vec::new();
    let mut rest: &mut [f64] = &mut out;
    for t in first_task..last_task {
        let a = (t * TASK).max(lo);
        let b = ((t + 1) * TASK).min(hi);
        let (head, tail) = rest.split_at_mut((b - a) as usize);
        pieces.push((t, head));
        rest = tail;
    }
    // the calling thread draws tasks too (see `common::par`); parallel from
    // PAR_MIN_CELLS resampled values on
    let parallel = (hi - lo) as usize * n >= super::PAR_MIN_CELLS;
    crate::common::par::map_items(pieces, parallel, |(t, slot)| {
        let mut rng = Rng::stream(seed, endpoint, t);
        // resamples of this task before `lo` are drawn and discarded, so a range
        // reproduces exactly the same resamples as the full run
        let skip = lo.saturating_sub(t * TASK);
        let mut buf = vec![0.0; n];
        for r in 0..(skip + slot.len() as u64) {
            match stat {
                Statistic::Mean => {
                    let (mut s0, mut s1) = (0.0, 0.0);
                    for _ in 0..n / 2 {
                        let (a, b) = rng.below_pair(n32);
                        s0 += d[a as usize];
                        s1 += d[b as usize];
                    }
                    if n % 2 == 1 {
                        s0 += d[rng.below_pair(n32).0 as usize];
                    }
                    if r >= skip {
                        slot[(r - skip) as usize] = (s0 + s1) / n as f64;
                    }
                }
                Statistic::Median => {
                    for b in buf.iter_mut() {
                        *b = d[rng.below(n as u64) as usize];
                    }
                    if r >= skip {
                        slot[(r - skip) as usize] = super::median(&buf);
                    }
                }
            }
        }
    });
    out
}

/// Leave-one-out statistics (jackknife).
fn jackknife(d: &[f64], stat: Statistic) -> Vec<f64> {
    let n = d.len();
    match stat {
        Statistic::Mean => {
            let s: f64 = d.iter().sum();
            d.iter().map(|v| (s - v) / (n - 1) as f64).collect()
        }
        Statistic::Median => {
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| d[a].total_cmp(&d[b]));
            let s: Vec<f64> = order.iter().map(|&i| d[i]).collect();
            let m = n - 1;
            let at = |k: usize, j: usize| if k < j { s[k] } else { s[k + 1] };
            let mut out = vec![0.0; n];
            for (j, &i) in order.iter().enumerate() {
                out[i] = if m % 2 == 1 {
                    at(m / 2, j)
                } else {
                    (at(m / 2 - 1, j) + at(m / 2, j)) / 2.0
                };
            }
            out
        }
    }
}

/// Quantile with linear interpolation (numpy's default, 'linear'), by
/// selection: reorders `s`, which need not be sorted.
fn quantile_select(s: &mut [f64], q: f64) -> f64 {
    if q.is_nan() || s.is_empty() {
        return f64::NAN;
    }
    let n = s.len();
    let pos = q * (n - 1) as f64;
    let j = pos.floor();
    let g = pos - j;
    let j = (j.max(0.0) as usize).min(n - 1);
    let (_, &mut a, right) = s.select_nth_unstable_by(j, |u, v| u.total_cmp(v));
    let b = right.iter().copied().fold(f64::INFINITY, f64::min);
    let b = if j + 1 < n { b } else { a };
    if g >= 0.5 {
        b - (b - a) * (1.0 - g)
    } else {
        a + (b - a) * g
    }
}

/// The interval from a bootstrap distribution `theta_b`, the estimate and the data.
pub fn interval(
    theta_b: &[f64],
    d: &[f64],
    stat: Statistic,
    method: Method,
    conf_level: f64,
) -> Result<BootstrapOutput> {
    check(theta_b.len() as u64, conf_level)?;
    let n = d.len();
    if n < 2 {
        return Err(StatsError::too_few("x", n, 2));
    }
    let theta = match stat {
        Statistic::Mean => d.iter().sum::<f64>() / n as f64,
        Statistic::Median => super::median(d),
    };
    let b = theta_b.len() as f64;
    let mut s = theta_b.to_vec();
    let mean_b = theta_b.iter().sum::<f64>() / b;
    let se = (theta_b
        .iter()
        .map(|v| (v - mean_b) * (v - mean_b))
        .sum::<f64>()
        / (b - 1.0))
        .sqrt();
    let alpha = (1.0 - conf_level) / 2.0;
    let (q1, q2) = match method {
        Method::Percentile | Method::Basic => (alpha, 1.0 - alpha),
        Method::Bca => {
            let below = s.iter().filter(|&&v| v < theta).count() as f64;
            let at_or_below = s.iter().filter(|&&v| v <= theta).count() as f64;
            let z0 = dist::norm_ppf((below + at_or_below) / (2.0 * b));
            let jk = jackknife(d, stat);
            let nf = n as f64;
            let dot = jk.iter().sum::<f64>() / nf;
            let (mut num, mut den) = (0.0, 0.0);
            for v in &jk {
                let u = (nf - 1.0) * (dot - v);
                num += u * u * u;
                den += u * u;
            }
            let a = (num / nf.powi(3)) / 6.0 / (den / nf.powi(2)).powf(1.5);
            let za = dist::norm_ppf(alpha);
            let n1 = z0 + za;
            let n2 = z0 - za;
            (
                dist::norm_cdf(z0 + n1 / (1.0 - a * n1)),
                dist::norm_cdf(z0 + n2 / (1.0 - a * n2)),
            )
        }
    };
    let (lo, hi) = (quantile_select(&mut s, q1), quantile_select(&mut s, q2));
    let (ci_low, ci_high) = if method == Method::Basic {
        (2.0 * theta - hi, 2.0 * theta - lo)
    } else {
        (lo, hi)
    };
    Ok(BootstrapOutput {
        estimate: theta,
        ci_low,
        ci_high,
        se,
        n_resamples: b,
        n: n as f64,
    })
}

pub fn bootstrap(p: &Pairs<'_>, o: &BootstrapOptions) -> Result<Vec<BootstrapOutput>> {
    check(o.n_resamples, o.conf_level)?;
    each_endpoint(
        p,
        o.nan_policy,
        o.strict,
        o.n_resamples as usize,
        |e, ep| {
            if ep.d.len() < 2 {
                return Err(StatsError::too_few("x", ep.d.len(), 2));
            }
            let tb = distribution_range(
                ep.d,
                o.statistic,
                o.seed,
                o.endpoint_offset + e as u64,
                0,
                o.n_resamples,
            );
            interval(&tb, ep.d, o.statistic, o.method, o.conf_level)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_reproduce_the_full_run() {
        let d: Vec<f64> = (0..30).map(|i| (i as f64 * 0.37).sin()).collect();
        let full = distribution_range(&d, Statistic::Mean, 5, 0, 0, 1000);
        let a = distribution_range(&d, Statistic::Mean, 5, 0, 0, 300);
        let b = distribution_range(&d, Statistic::Mean, 5, 0, 300, 1000);
        assert_eq!([a, b].concat(), full);
    }

    #[test]
    fn jackknife_median_matches_brute_force() {
        let d = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        let jk = jackknife(&d, Statistic::Median);
        for (i, &v) in jk.iter().enumerate() {
            let rest: Vec<f64> = d
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, &v)| v)
                .collect();
            assert_eq!(v, super::super::median(&rest));
        }
    }

    #[test]
    fn interval_brackets_the_mean_and_quantiles_interpolate() {
        assert_eq!(quantile_select(&mut [10.0, 0.0], 0.25), 2.5);
        assert_eq!(quantile_select(&mut [3.0, 1.0, 2.0], 1.0), 3.0);
        let d: Vec<f64> = (0..50).map(|i| i as f64).collect();
        let tb = distribution_range(&d, Statistic::Mean, 1, 0, 0, 2000);
        for m in [Method::Percentile, Method::Basic, Method::Bca] {
            let r = interval(&tb, &d, Statistic::Mean, m, 0.95).unwrap();
            assert!(r.ci_low < 24.5 && r.ci_high > 24.5, "{m:?} {r:?}");
            assert!((r.se - (d.len() as f64).sqrt() * 14.43 / 50.0).abs() < 0.3);
        }
        assert!(interval(&tb, &d, Statistic::Mean, Method::Bca, 1.5).is_err());
    }
}
