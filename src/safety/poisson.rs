//! Exact Poisson inference, as R `poisson.test`:
//! * incidence rate `x / T` with the Garwood CI `[qgamma(a/2, x), qgamma(1 - a/2, x + 1)] / T`;
//! * rate ratio of two groups, conditional on the total: `x1 ~ Bin(x1 + x2, T1 / (T1 + T2))`
//!   under equal rates; exact binomial p-value (R `binom.test`: probabilities
//!   <= observed x (1 + 1e-7)) and Clopper–Pearson CI mapped to the ratio scale.
// NaN-aware comparisons (`!(a > b)` is true for NaN) are intended here.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use crate::common::alternative::check_conf_level;
use crate::common::exact::{beta_quantile, binom_cdf, binom_pmf, binom_sf, gamma_quantile};
use crate::common::Alternative;
use crate::error::{Result, StatsError};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub events: f64,
    pub exposure: f64,
    pub rate: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

fn check_events(v: f64, arg: &'static str, row: usize) -> Result<()> {
    if v.is_nan() {
        return Err(StatsError::invalid(
            arg,
            row,
            v,
            "missing",
            "event counts are integers >= 0",
        ));
    }
    if !(v >= 0.0) || !v.is_finite() {
        return Err(StatsError::invalid(
            arg,
            row,
            v,
            "negative count",
            "event counts are integers >= 0",
        ));
    }
    if v.fract() != 0.0 {
        return Err(StatsError::invalid(
            arg,
            row,
            v,
            "not an integer count",
            "event counts are integers >= 0",
        ));
    }
    Ok(())
}

fn check_exposure(v: f64, arg: &'static str, row: usize) -> Result<()> {
    if v.is_nan() {
        return Err(StatsError::invalid(
            arg,
            row,
            v,
            "missing",
            "exposure is a time >= 0",
        ));
    }
    if !(v >= 0.0) || !v.is_finite() {
        return Err(StatsError::invalid(
            arg,
            row,
            v,
            "out of range",
            "exposure is a time >= 0",
        ));
    }
    Ok(())
}

/// Rate and exact CI for `x` events in exposure `t` (> 0), times `per`.
pub fn rate(x: f64, t: f64, per: f64, conf_level: f64) -> Rate {
    let a = (1.0 - conf_level) / 2.0;
    let lo = if x == 0.0 { 0.0 } else { gamma_quantile(a, x) };
    let hi = gamma_quantile(1.0 - a, x + 1.0);
    Rate {
        events: x,
        exposure: t,
        rate: x / t * per,
        ci_low: lo / t * per,
        ci_high: hi / t * per,
    }
}

/// Per-patient `events` and `exposure`, summed within group `codes` (integers
/// `0..n_groups`; all zero when there is no grouping), one rate per group.
pub fn incidence(
    events: &[f64],
    exposure: &[f64],
    codes: &[usize],
    n_groups: usize,
    per: f64,
    conf_level: f64,
) -> Result<Vec<Rate>> {
    check_conf_level(conf_level)?;
    if !(per > 0.0 && per.is_finite()) {
        return Err(StatsError::argument(
            "per",
            format!("{per} must be a positive number"),
        ));
    }
    if events.len() != exposure.len() {
        return Err(StatsError::length(
            "events",
            events.len(),
            "exposure",
            exposure.len(),
        ));
    }
    if events.is_empty() {
        return Err(StatsError::too_few("events", 0, 1));
    }
    let mut ev = vec![0.0; n_groups];
    let mut ex = vec![0.0; n_groups];
    for (i, ((&e, &t), &g)) in events.iter().zip(exposure).zip(codes).enumerate() {
        check_events(e, "events", i)?;
        check_exposure(t, "exposure", i)?;
        ev[g] += e;
        ex[g] += t;
    }
    let mut out = Vec::with_capacity(n_groups);
    for g in 0..n_groups {
        if !ev[g].is_finite() || !ex[g].is_finite() {
            let what = if ev[g].is_finite() {
                "exposure"
            } else {
                "events"
            };
            return Err(StatsError::argument(
                what,
                format!("the {what} of group {g} sum beyond the largest double (overflow)"),
            ));
        }
        if !(ex[g] > 0.0) {
            return Err(StatsError::argument(
                "exposure",
                format!("total exposure of group {g} is 0; a rate needs a positive exposure"),
            ));
        }
        out.push(rate(ev[g], ex[g], per, conf_level));
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateRatio {
    pub estimate: f64,
    pub pvalue: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// Exact two-sided/one-sided binomial test p-value, as R `binom.test(x, n, p)`.
pub fn binom_test_pvalue(x: f64, n: f64, p: f64, alt: Alternative) -> f64 {
    let pv = match alt {
        Alternative::Less => binom_cdf(x, n, p),
        Alternative::Greater => binom_sf(x - 1.0, n, p),
        Alternative::TwoSided => {
            if p == 0.0 {
                (x == 0.0) as u8 as f64
            } else if p == 1.0 {
                (x == n) as u8 as f64
            } else {
                let d = binom_pmf(x, n, p) * (1.0 + 1e-7);
                let m = n * p;
                if x == m {
                    1.0
                } else if x < m {
                    // the pmf does not increase on [ceil(m), n] (the mode is
                    // floor((n + 1) p) <= ceil(m)): the points with pmf <= d are
                    // a suffix [j, n], found by bisection (R counts them one by
                    // one, which is O(n) and hangs for large counts)
                    let j = first_at_or_below(m.ceil(), n, |i| binom_pmf(i, n, p) <= d);
                    let y = n - j + 1.0;
                    binom_cdf(x, n, p) + binom_sf(n - y, n, p)
                } else {
                    // the pmf does not decrease on [0, floor(m)]: the points with
                    // pmf <= d are a prefix [0, y)
                    let y = first_at_or_below(0.0, m.floor(), |i| binom_pmf(i, n, p) > d);
                    binom_cdf(y - 1.0, n, p) + binom_sf(x - 1.0, n, p)
                }
            }
        }
    };
    pv.min(1.0)
}

/// Smallest integer `i` in `[lo, hi]` with `pred(i)` for a predicate that is
/// false then true along the range; `hi + 1` when it never holds. O(log(hi - lo)).
fn first_at_or_below(lo: f64, hi: f64, pred: impl Fn(f64) -> bool) -> f64 {
    let (mut a, mut b) = (lo, hi + 1.0);
    // at most ~1100 halvings of a double range; the cap also stops the loop
    // where integers run out of precision (> 2^53)
    for _ in 0..2000 {
        if a >= b {
            break;
        }
        let mid = (0.5 * (a + b)).floor().max(a);
        if pred(mid) {
            b = mid;
        } else {
            a = mid + 1.0;
        }
    }
    a
}

/// Ratio of the rate of group 1 to that of group 2 (`x1/t1 / (x2/t2)`), exact
/// conditional test of a ratio of 1 and CI, as R `poisson.test(c(x1, x2), c(t1, t2))`.
/// Largest total event count of [`rate_ratio`] (its exact interval's limit).
pub const RATE_RATIO_MAX_EVENTS: f64 = 1e7;

pub fn rate_ratio(
    x: [f64; 2],
    t: [f64; 2],
    alt: Alternative,
    conf_level: f64,
) -> Result<RateRatio> {
    check_conf_level(conf_level)?;
    for i in 0..2 {
        check_events(x[i], "events", i)?;
        check_exposure(t[i], "exposure", i)?;
        if t[i] == 0.0 {
            return Err(StatsError::invalid(
                "exposure",
                i,
                0.0,
                "out of range",
                "group exposure must be > 0",
            ));
        }
    }
    let n = x[0] + x[1];
    if n == 0.0 {
        return Err(StatsError::argument(
            "events",
            "no events in either group; the rate ratio is undefined",
        ));
    }
    if n > RATE_RATIO_MAX_EVENTS {
        // statrs' regularised incomplete beta (the exact interval's quantile)
        // loses its accuracy at shapes ~1e8: the interval came out inverted
        // (issue 19); R poisson.test agrees to 3e-12 at 1e7
        return Err(StatsError::argument(
            "events",
            format!("{n} events in all is beyond the exact interval's range (at most {RATE_RATIO_MAX_EVENTS:e}); compare the incidence rates' CIs instead"),
        ));
    }
    let p = t[0] / (t[0] + t[1]);
    let pvalue = binom_test_pvalue(x[0], n, p, alt);
    let p_lower = |a: f64| {
        if x[0] == 0.0 {
            0.0
        } else {
            beta_quantile(a, x[0], n - x[0] + 1.0)
        }
    };
    let p_upper = |a: f64| {
        if x[0] == n {
            1.0
        } else {
            beta_quantile(1.0 - a, x[0] + 1.0, n - x[0])
        }
    };
    let (pl, pu) = match alt {
        Alternative::Less => (0.0, p_upper(1.0 - conf_level)),
        Alternative::Greater => (p_lower(1.0 - conf_level), 1.0),
        Alternative::TwoSided => {
            let a = (1.0 - conf_level) / 2.0;
            (p_lower(a), p_upper(a))
        }
    };
    let to_ratio = |q: f64| {
        if q >= 1.0 {
            f64::INFINITY
        } else {
            q / (1.0 - q) * t[1] / t[0]
        }
    };
    Ok(RateRatio {
        estimate: (x[0] / t[0]) / (x[1] / t[1]),
        pvalue,
        ci_low: to_ratio(pl),
        ci_high: to_ratio(pu),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_events_has_zero_rate_and_an_upper_limit() {
        // upper limit for x = 0: qgamma(0.975, 1) = -ln(0.025)
        let r = rate(0.0, 50.0, 100.0, 0.95);
        assert_eq!((r.rate, r.ci_low), (0.0, 0.0));
        assert!((r.ci_high - (-(0.025f64).ln()) / 50.0 * 100.0).abs() < 1e-12);
    }

    #[test]
    fn equal_rates_give_ratio_one_and_p_one() {
        let rr = rate_ratio([10.0, 10.0], [5.0, 5.0], Alternative::TwoSided, 0.95).unwrap();
        assert_eq!(rr.estimate, 1.0);
        assert!((rr.pvalue - 1.0).abs() < 1e-12);
        assert!(rr.ci_low < 1.0 && rr.ci_high > 1.0);
        // symmetric table: CI of the swapped ratio is the reciprocal
        let a = rate_ratio([3.0, 9.0], [10.0, 12.0], Alternative::TwoSided, 0.9).unwrap();
        let b = rate_ratio([9.0, 3.0], [12.0, 10.0], Alternative::TwoSided, 0.9).unwrap();
        assert!((a.ci_low * b.ci_high - 1.0).abs() < 1e-10);
        assert!((a.pvalue - b.pvalue).abs() < 1e-12);
    }

    /// R's binom.test two-sided rule, counting point by point (O(n)).
    fn binom_two_sided_naive(x: f64, n: f64, p: f64) -> f64 {
        let d = binom_pmf(x, n, p) * (1.0 + 1e-7);
        let m = n * p;
        if x == m {
            return 1.0;
        }
        let (mut lo, mut hi) = (0.0, 0.0);
        let mut i = 0.0;
        while i <= n {
            if binom_pmf(i, n, p) <= d {
                if i < m {
                    lo += 1.0;
                } else {
                    hi += 1.0;
                }
            }
            i += 1.0;
        }
        if x < m {
            (binom_cdf(x, n, p) + binom_sf(n - hi, n, p)).min(1.0)
        } else {
            (binom_cdf(lo - 1.0, n, p) + binom_sf(x - 1.0, n, p)).min(1.0)
        }
    }

    #[test]
    fn two_sided_binomial_bisection_equals_the_count() {
        for n in 1..60 {
            for &p in &[0.01, 0.1, 0.3, 0.5, 0.5 + 1e-9, 0.77, 0.95] {
                for x in 0..=n {
                    let (x, n) = (x as f64, n as f64);
                    let a = binom_test_pvalue(x, n, p, Alternative::TwoSided);
                    let b = binom_two_sided_naive(x, n, p);
                    assert!((a - b).abs() <= 1e-15, "x {x} n {n} p {p}: {a} vs {b}");
                }
            }
        }
    }

    #[test]
    fn huge_counts_are_fast_and_match_r() {
        // R: poisson.test(1e12, 1)$conf.int = 999998040036.96265 1000001959965.93164
        let r = rate(1e12, 1.0, 1.0, 0.95);
        assert!(((r.ci_low - 999_998_040_036.962_6) / 1e12).abs() < 1e-15);
        assert!(((r.ci_high - 1_000_001_959_965.931_6) / 1e12).abs() < 1e-15);
        // the reported hang: a count of 1e300 (R gives [1e300, 1e300])
        let r = rate(1e300, 1.0, 1.0, 0.95);
        assert_eq!((r.ci_low, r.ci_high), (1e300, 1e300));
        // sums that overflow are refused
        assert!(incidence(&[1e308, 1e308], &[1.0, 1.0], &[0, 0], 1, 1.0, 0.95).is_err());
        assert!(incidence(&[1.0, 1.0], &[1e308, 1e308], &[0, 0], 1, 1.0, 0.95).is_err());
        // two-sided binomial p-value over 1e15 trials: O(log n)
        let p = binom_test_pvalue(5e14 + 3e7, 1e15, 0.5, Alternative::TwoSided);
        assert!((0.0..=1.0).contains(&p));
    }

    #[test]
    fn bad_counts() {
        assert!(incidence(&[1.5], &[1.0], &[0], 1, 100.0, 0.95).is_err());
        assert!(incidence(&[-1.0], &[1.0], &[0], 1, 100.0, 0.95).is_err());
        assert!(incidence(&[1.0], &[-1.0], &[0], 1, 100.0, 0.95).is_err());
        assert!(incidence(&[1.0], &[0.0], &[0], 1, 100.0, 0.95).is_err());
        assert!(rate_ratio([0.0, 0.0], [1.0, 1.0], Alternative::TwoSided, 0.95).is_err());
    }
}
