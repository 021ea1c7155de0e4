//! Sign test (R `binom.test(n_pos, n_pos + n_neg)`), with the median of the
//! differences and its distribution-free order-statistic interval.

use super::{each_endpoint, median, NanRow, Pairs};
use crate::common::{alternative::check_conf_level, exact, Alternative, NanPolicy};
use crate::error::{Result, StatsError};

#[derive(Debug, Clone, Copy)]
pub struct SignOptions {
    pub alternative: Alternative,
    pub conf_level: f64,
    pub popmean: f64,
    pub nan_policy: NanPolicy,
    pub strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SignOutput {
    /// Number of positive differences.
    pub statistic: f64,
    pub pvalue: f64,
    pub n_pos: f64,
    pub n_neg: f64,
    pub n_zero: f64,
    /// Median of all differences.
    pub estimate: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Coverage actually achieved by the order-statistic interval.
    pub ci_level: f64,
}

impl NanRow for SignOutput {
    fn nan_row() -> Self {
        let n = f64::NAN;
        SignOutput {
            statistic: n,
            pvalue: n,
            n_pos: n,
            n_neg: n,
            n_zero: n,
            estimate: n,
            ci_low: n,
            ci_high: n,
            ci_level: n,
        }
    }
}

/// `[s_(k), s_(n+1-k)]` with the largest k such that `P(Bin(n, 1/2) <= k - 1) <= tail`.
fn order_stat_k(n: usize, tail: f64) -> Result<(usize, f64)> {
    let mut k = 1usize;
    let mut p_k = exact::binom_half_tails(0, n as u64).0; // P(B <= k-1) for k = 1
    if p_k > tail {
        return Ok((1, p_k));
    }
    while k < n.div_ceil(2) {
        let next = exact::binom_half_tails(k as i64, n as u64).0;
        if next > tail {
            break;
        }
        k += 1;
        p_k = next;
    }
    Ok((k, p_k))
}

pub fn sign_one(d: &[f64], o: &SignOptions) -> Result<SignOutput> {
    let d: Vec<f64> = d.iter().map(|v| v - o.popmean).collect();
    let n_all = d.len();
    if n_all == 0 {
        return Err(StatsError::too_few("x", 0, 1));
    }
    let n_pos = d.iter().filter(|&&v| v > 0.0).count();
    let n_neg = d.iter().filter(|&&v| v < 0.0).count();
    let n_zero = n_all - n_pos - n_neg;
    let n = n_pos + n_neg;
    if n == 0 {
        return Err(StatsError::too_few("x (non-zero differences)", 0, 1));
    }
    let (le, ge) = exact::binom_half_tails(n_pos as i64, n as u64);
    let pvalue = o.alternative.pvalue(le, ge);
    let mut s = d.clone();
    s.sort_unstable_by(|a, b| a.total_cmp(b));
    let alpha = 1.0 - o.conf_level;
    let (ci_low, ci_high, ci_level) = match o.alternative {
        Alternative::TwoSided => {
            let (k, p) = order_stat_k(n_all, alpha / 2.0)?;
            (s[k - 1], s[n_all - k], (1.0 - 2.0 * p).max(0.0))
        }
        Alternative::Greater => {
            let (k, p) = order_stat_k(n_all, alpha)?;
            (s[k - 1], f64::INFINITY, 1.0 - p)
        }
        Alternative::Less => {
            let (k, p) = order_stat_k(n_all, alpha)?;
            (f64::NEG_INFINITY, s[n_all - k], 1.0 - p)
        }
    };
    Ok(SignOutput {
        statistic: n_pos as f64,
        pvalue,
        n_pos: n_pos as f64,
        n_neg: n_neg as f64,
        n_zero: n_zero as f64,
        estimate: median(&d) + o.popmean,
        ci_low: ci_low + o.popmean,
        ci_high: ci_high + o.popmean,
        ci_level,
    })
}

pub fn sign_test(p: &Pairs<'_>, o: &SignOptions) -> Result<Vec<SignOutput>> {
    check_conf_level(o.conf_level)?;
    if !o.popmean.is_finite() {
        return Err(StatsError::argument(
            "popmean",
            format!("{} is not a finite number", o.popmean),
        ));
    }
    each_endpoint(p, o.nan_policy, o.strict, 2, |_, ep| sign_one(ep.d, o))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o() -> SignOptions {
        SignOptions {
            alternative: Alternative::TwoSided,
            conf_level: 0.95,
            popmean: 0.0,
            nan_policy: NanPolicy::Propagate,
            strict: true,
        }
    }

    #[test]
    fn hand_solved_sign_test() {
        // 5 positive of 6 non-zero: P(X >= 5) = 7/64, two-sided 14/64
        let r = sign_one(&[1.0, 2.0, 3.0, -1.0, 4.0, 5.0, 0.0], &o()).unwrap();
        assert_eq!((r.n_pos, r.n_neg, r.n_zero), (5.0, 1.0, 1.0));
        assert!((r.pvalue - 14.0 / 64.0).abs() < 1e-14);
        assert_eq!(r.estimate, 2.0);
        // n = 7: P(B <= 0) = 1/128 <= 0.025, P(B <= 1) = 8/128 > 0.025 -> k = 1 (the range)
        assert_eq!((r.ci_low, r.ci_high), (-1.0, 5.0));
        assert!((r.ci_level - (1.0 - 2.0 / 128.0)).abs() < 1e-14);
    }

    #[test]
    fn all_zero_is_too_few() {
        assert!(sign_one(&[0.0, 0.0], &o()).is_err());
    }
}
