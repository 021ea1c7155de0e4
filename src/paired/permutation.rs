//! Sign-flip permutation test of the mean (or median) difference.
//!
//! Exact: all `2^n` sign vectors. For the mean, the null distribution is
//! symmetric, so half of them are enumerated (the last sign fixed) and each
//! sum `S` also counts as `-S`. The free signs run in Gray-code order, so each
//! step is one addition; the top bits are fixed per task (parallel over
//! prefixes). Sums are exact: the differences are written as integers in
//! units of their smallest binary exponent (an `i128` fixed point), so ties
//! with the observed sum (common with integer scores) are counted exactly; a
//! relative tolerance of `100 * eps` (as scipy) covers the rest.
//! Monte Carlo: `n_resamples` random sign vectors from per-task RNG streams,
//! p = (count + 1) / (n_resamples + 1), as scipy.

use rayon::prelude::*;

use super::{each_endpoint, median, NanRow, Pairs};
use crate::common::cancel;
use crate::common::rng::Rng;
use crate::common::Choice;
use crate::common::{Alternative, NanPolicy};
use crate::error::{Result, StatsError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    Mean,
    Median,
}

impl Choice for Statistic {
    const ARG: &'static str = "statistic";
    const VALUES: &'static [(&'static str, Self)] =
        &[("mean", Statistic::Mean), ("median", Statistic::Median)];
}

impl Statistic {
    fn of(self, v: &[f64]) -> f64 {
        match self {
            Statistic::Mean => v.iter().sum::<f64>() / v.len() as f64,
            Statistic::Median => median(v),
        }
    }
    /// Largest n enumerated exactly by default.
    pub fn exact_max(self) -> usize {
        match self {
            Statistic::Mean => 30,
            Statistic::Median => 20,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct PermutationOptions {
    pub statistic: Statistic,
    pub alternative: Alternative,
    /// None: exact when feasible, else 9,999 Monte Carlo resamples.
    pub n_resamples: Option<u64>,
    pub seed: u64,
    pub popmean: f64,
    pub nan_policy: NanPolicy,
    pub strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PermutationOutput {
    pub statistic: f64,
    pub pvalue: f64,
    pub n_resamples: f64,
    pub exact: f64,
    pub n: f64,
}

impl NanRow for PermutationOutput {
    fn nan_row() -> Self {
        let n = f64::NAN;
        PermutationOutput {
            statistic: n,
            pvalue: n,
            n_resamples: n,
            exact: n,
            n,
        }
    }
}

const TOL: f64 = 100.0 * f64::EPSILON;
const MC_TASK: u64 = 1024;
pub const DEFAULT_RESAMPLES: u64 = 9_999;

/// Differences as exact integers in units of `2^e_min`, if the sum fits in i128.
fn fixed_point(d: &[f64]) -> Option<Vec<i128>> {
    let mut parts = Vec::with_capacity(d.len());
    let mut emin = i32::MAX;
    for &v in d {
        if v == 0.0 {
            parts.push((0i64, 0i32));
            continue;
        }
        let bits = v.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as i32;
        let mut m = (bits & ((1u64 << 52) - 1)) as i64;
        let mut e = if exp == 0 {
            -1074
        } else {
            m |= 1 << 52;
            exp - 1075
        };
        let tz = m.trailing_zeros() as i32;
        m >>= tz;
        e += tz;
        if v < 0.0 {
            m = -m;
        }
        emin = emin.min(e);
        parts.push((m, e));
    }
    if emin == i32::MAX {
        return Some(vec![0; d.len()]);
    }
    let headroom = 126 - (64 - (d.len() as u64).leading_zeros() as i32) - 1;
    let mut out = Vec::with_capacity(d.len());
    for (m, e) in parts {
        if m == 0 {
            out.push(0);
            continue;
        }
        let shift = e - emin;
        if shift + 54 > headroom {
            return None;
        }
        out.push((m as i128) << shift);
    }
    Some(out)
}

/// Counts of null sums `<= hi_le` and `>= lo_ge` over all sign vectors, by
/// Gray-code enumeration with the last sign fixed and mirroring.
fn gray_counts<T>(v: &[T], hi_le: T, lo_ge: T) -> Result<(u64, u64)>
where
    T: Copy
        + Send
        + Sync
        + PartialOrd
        + std::ops::Add<Output = T>
        + std::ops::Sub<Output = T>
        + std::ops::Neg<Output = T>
        + Default,
{
    let n = v.len();
    // signs of v[0..n-1] vary; v[n-1] stays +; total sum with all + is the start
    let free = n - 1;
    let pbits = free.min(8);
    let rbits = free - pbits; // low bits enumerated inside a task
    let tasks = 1u64 << pbits;
    let total: T = v.iter().fold(T::default(), |a, &b| a + b);
    let twice: Vec<T> = v.iter().map(|&x| x + x).collect();
    let count = |s: T, le: &mut u64, ge: &mut u64| {
        // s and its mirror -s
        if s <= hi_le {
            *le += 1;
        }
        if s >= lo_ge {
            *ge += 1;
        }
        let m = -s;
        if m <= hi_le {
            *le += 1;
        }
        if m >= lo_ge {
            *ge += 1;
        }
    };
    (0..tasks)
        .into_par_iter()
        .map(|t| -> Result<(u64, u64)> {
            cancel::check()?;
            // prefix: element rbits + j is negative when bit j of t is set
            let mut s = total;
            for j in 0..pbits {
                if (t >> j) & 1 == 1 {
                    s = s - twice[rbits + j];
                }
            }
            let (mut le, mut ge) = (0u64, 0u64);
            count(s, &mut le, &mut ge);
            let mut neg: u64 = 0;
            for k in 1u64..(1u64 << rbits) {
                let b = k.trailing_zeros() as usize;
                let mask = 1u64 << b;
                if neg & mask == 0 {
                    s = s - twice[b];
                } else {
                    s = s + twice[b];
                }
                neg ^= mask;
                count(s, &mut le, &mut ge);
            }
            Ok((le, ge))
        })
        .try_reduce(|| (0, 0), |a, b| Ok((a.0 + b.0, a.1 + b.1)))
}

fn exact_mean(d: &[f64]) -> Result<(u64, u64, u64)> {
    let n = d.len();
    let total = 1u64 << n;
    if let Some(fx) = fixed_point(d) {
        let s: i128 = fx.iter().sum();
        let gamma = (TOL * (s as f64).abs()) as i128;
        let (le, ge) = gray_counts(&fx, s + gamma, s - gamma)?;
        return Ok((le, ge, total));
    }
    let s: f64 = d.iter().sum();
    let gamma = TOL * s.abs();
    let (le, ge) = gray_counts(d, s + gamma, s - gamma)?;
    Ok((le, ge, total))
}

fn exact_median(d: &[f64], obs: f64) -> Result<(u64, u64, u64)> {
    let n = d.len();
    let total = 1u64 << n;
    let gamma = TOL * obs.abs();
    let chunk = 1u64 << n.saturating_sub(8).min(n);
    let tasks = total.div_ceil(chunk);
    let (le, ge) = (0..tasks)
        .into_par_iter()
        .map(|t| -> Result<(u64, u64)> {
            cancel::check()?;
            let mut buf = vec![0.0; n];
            let (mut le, mut ge) = (0u64, 0u64);
            for k in (t * chunk)..((t + 1) * chunk).min(total) {
                for (i, b) in buf.iter_mut().enumerate() {
                    *b = if (k >> i) & 1 == 1 { -d[i] } else { d[i] };
                }
                let m = median(&buf);
                le += (m <= obs + gamma) as u64;
                ge += (m >= obs - gamma) as u64;
            }
            Ok((le, ge))
        })
        .try_reduce(|| (0, 0), |a, b| Ok((a.0 + b.0, a.1 + b.1)))?;
    Ok((le, ge, total))
}

fn monte_carlo(
    d: &[f64],
    stat: Statistic,
    obs: f64,
    resamples: u64,
    seed: u64,
    endpoint: u64,
) -> Result<(u64, u64)> {
    let n = d.len();
    let gamma = TOL * obs.abs();
    let tasks = resamples.div_ceil(MC_TASK);
    (0..tasks)
        .into_par_iter()
        .map(|t| -> Result<(u64, u64)> {
            cancel::check()?;
            let mut rng = Rng::stream(seed, endpoint, t);
            let mut buf = vec![0.0; n];
            let (mut le, mut ge) = (0u64, 0u64);
            let count = ((t + 1) * MC_TASK).min(resamples) - t * MC_TASK;
            for _ in 0..count {
                let mut bits = 0u64;
                for (i, b) in buf.iter_mut().enumerate() {
                    if i % 64 == 0 {
                        bits = rng.next_u64();
                    }
                    *b = if bits & 1 == 1 { -d[i] } else { d[i] };
                    bits >>= 1;
                }
                let m = stat.of(&buf);
                le += (m <= obs + gamma) as u64;
                ge += (m >= obs - gamma) as u64;
            }
            Ok((le, ge))
        })
        .try_reduce(|| (0, 0), |a, b| Ok((a.0 + b.0, a.1 + b.1)))
}

pub fn permutation_one(
    d: &[f64],
    endpoint: usize,
    o: &PermutationOptions,
) -> Result<PermutationOutput> {
    let d: Vec<f64> = d.iter().map(|v| v - o.popmean).collect();
    let n = d.len();
    if n == 0 {
        return Err(StatsError::too_few("x", 0, 1));
    }
    let obs = o.statistic.of(&d);
    let feasible = n < 63
        && match o.n_resamples {
            None => n <= o.statistic.exact_max(),
            Some(r) => (1u64 << n) <= r,
        };
    let p_of = |le: f64, ge: f64| match o.alternative {
        Alternative::Less => le,
        Alternative::Greater => ge,
        Alternative::TwoSided => (2.0 * le.min(ge)).min(1.0),
    };
    if feasible {
        let (le, ge, total) = match o.statistic {
            Statistic::Mean => exact_mean(&d)?,
            Statistic::Median => exact_median(&d, obs)?,
        };
        let t = total as f64;
        return Ok(PermutationOutput {
            statistic: obs,
            pvalue: p_of(le as f64 / t, ge as f64 / t),
            n_resamples: t,
            exact: 1.0,
            n: n as f64,
        });
    }
    let r = o.n_resamples.unwrap_or(DEFAULT_RESAMPLES);
    let (le, ge) = monte_carlo(&d, o.statistic, obs, r, o.seed, endpoint as u64)?;
    let rf = r as f64 + 1.0;
    Ok(PermutationOutput {
        statistic: obs,
        pvalue: p_of((le as f64 + 1.0) / rf, (ge as f64 + 1.0) / rf),
        n_resamples: r as f64,
        exact: 0.0,
        n: n as f64,
    })
}

/// Monte Carlo resamples beyond which the test is refused (issue 19: 2^53
/// resamples would run for years; 1e9 of n = 20 take about a minute).
pub const MAX_RESAMPLES: u64 = 1_000_000_000;

pub fn permutation_test(p: &Pairs<'_>, o: &PermutationOptions) -> Result<Vec<PermutationOutput>> {
    if o.n_resamples == Some(0) {
        return Err(StatsError::argument(
            "n_resamples",
            "must be a positive integer",
        ));
    }
    if let Some(r) = o.n_resamples.filter(|&r| r > MAX_RESAMPLES) {
        return Err(StatsError::argument(
            "n_resamples",
            format!("{r} is too many (at most {MAX_RESAMPLES})"),
        ));
    }
    if !o.popmean.is_finite() {
        return Err(StatsError::argument(
            "popmean",
            format!("{} is not a finite number", o.popmean),
        ));
    }
    // (exact: up to 2^n sign vectors; Monte Carlo: n_resamples)
    let cost = o.n_resamples.unwrap_or(1 << 16) as usize;
    each_endpoint(p, o.nan_policy, o.strict, cost, |e, ep| {
        permutation_one(ep.d, e, o)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o() -> PermutationOptions {
        PermutationOptions {
            statistic: Statistic::Mean,
            alternative: Alternative::TwoSided,
            n_resamples: None,
            seed: 1,
            popmean: 0.0,
            nan_policy: NanPolicy::Propagate,
            strict: true,
        }
    }

    /// Brute force over all sign vectors, for comparison.
    fn brute(d: &[f64]) -> (u64, u64) {
        let n = d.len();
        let obs: f64 = d.iter().sum();
        let (mut le, mut ge) = (0, 0);
        for k in 0..(1u64 << n) {
            let s: f64 = d
                .iter()
                .enumerate()
                .map(|(i, &v)| if (k >> i) & 1 == 1 { -v } else { v })
                .sum();
            le += (s <= obs + 1e-9) as u64;
            ge += (s >= obs - 1e-9) as u64;
        }
        (le, ge)
    }

    #[test]
    fn gray_code_matches_brute_force_with_ties() {
        let d = [1.0, 2.0, -1.0, 3.0, 2.0, 0.0, -2.0, 1.0, 4.0, 1.0, 2.0, 5.0];
        let (le, ge, total) = exact_mean(&d).unwrap();
        assert_eq!((le, ge), brute(&d));
        assert_eq!(total, 4096);
        let d2 = [0.1, 0.2, -0.3, 0.7, 0.25, -0.05, 1.5];
        let (le, ge, _) = exact_mean(&d2).unwrap();
        assert_eq!((le, ge), brute(&d2));
    }

    #[test]
    fn all_positive_gives_two_over_two_to_the_n() {
        let r = permutation_one(&[1.0, 2.0, 3.0, 4.0], 0, &o()).unwrap();
        assert_eq!(r.pvalue, 2.0 / 16.0);
        assert_eq!(r.n_resamples, 16.0);
        let mut m = o();
        m.statistic = Statistic::Median;
        // medians >= 2.5: all signs + and only -1 flipped -> two-sided 2 * 2/16
        let r = permutation_one(&[1.0, 2.0, 3.0, 4.0], 0, &m).unwrap();
        assert_eq!(r.pvalue, 4.0 / 16.0);
    }

    #[test]
    fn monte_carlo_is_seeded_and_close_to_exact() {
        let d: Vec<f64> = (0..40).map(|i| ((i * 7919) % 13) as f64 - 5.5).collect();
        let mut m = o();
        m.n_resamples = Some(20_000);
        let a = permutation_one(&d, 0, &m).unwrap();
        let b = permutation_one(&d, 0, &m).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.exact, 0.0);
        let d20 = &d[..20];
        let exact = permutation_one(d20, 0, &o()).unwrap();
        let mc = permutation_one(d20, 0, &m).unwrap();
        assert!((exact.pvalue - mc.pvalue).abs() < 0.02);
    }

    #[test]
    fn fixed_point_is_exact() {
        let fx = fixed_point(&[0.5, 1.25, -3.0]).unwrap();
        assert_eq!(fx, vec![2, 5, -12]);
        assert!(fixed_point(&[1e-300, 1e300]).is_none());
    }
}
