//! Exact discrete-distribution helpers over statrs' special functions:
//! binomial and hypergeometric probabilities, gamma and beta quantiles to full
//! double precision (bisection on statrs' regularised incomplete functions),
//! and a monotone root finder. Used by the exact tests (Fisher, Poisson).

use statrs::function::beta::beta_reg;
use statrs::function::factorial::ln_factorial;
use statrs::function::gamma::{gamma_lr, gamma_ur, ln_gamma};

/// `ln(n!)` for a non-negative integer-valued float.
#[inline]
pub fn ln_fact(n: f64) -> f64 {
    if n < 0.0 {
        return f64::NEG_INFINITY;
    }
    if n <= 170.0 {
        ln_factorial(n as u64)
    } else {
        ln_gamma(n + 1.0)
    }
}

/// `ln C(n, k)`.
#[inline]
pub fn ln_choose(n: f64, k: f64) -> f64 {
    if k < 0.0 || k > n {
        return f64::NEG_INFINITY;
    }
    ln_fact(n) - ln_fact(k) - ln_fact(n - k)
}

/// Binomial probability mass `P(X = k)`, `X ~ Bin(n, p)`.
pub fn binom_pmf(k: f64, n: f64, p: f64) -> f64 {
    if k < 0.0 || k > n {
        return 0.0;
    }
    if p == 0.0 {
        return if k == 0.0 { 1.0 } else { 0.0 };
    }
    if p == 1.0 {
        return if k == n { 1.0 } else { 0.0 };
    }
    (ln_choose(n, k) + k * p.ln() + (n - k) * (-p).ln_1p()).exp()
}

/// `P(X <= k)` for `X ~ Bin(n, p)` (via the regularised incomplete beta).
pub fn binom_cdf(k: f64, n: f64, p: f64) -> f64 {
    if k < 0.0 {
        return 0.0;
    }
    if k >= n {
        return 1.0;
    }
    if p <= 0.0 {
        return 1.0;
    }
    if p >= 1.0 {
        return 0.0;
    }
    // P(X <= k) = I_{1-p}(n - k, k + 1)
    beta_reg(n - k, k + 1.0, 1.0 - p)
}

/// `(P(X <= k), P(X >= k))` for `X ~ Bin(n, 1/2)` (sign and McNemar tests),
/// each computed from the smaller tail by symmetry so that values near 1 are
/// exact to rounding.
pub fn binom_half_tails(k: i64, n: u64) -> (f64, f64) {
    let ni = n as i64;
    let le = |k: i64| -> f64 {
        if k < 0 {
            return 0.0;
        }
        if k >= ni {
            return 1.0;
        }
        if 2 * k < ni {
            if n <= 1000 {
                // sum of C(n, i) / 2^n from the recurrence (relative error ~ k eps;
                // the incomplete beta is ~1e-15 off even at n = 1)
                let mut pmf = 0.5f64.powi(n as i32);
                let mut s = pmf;
                for i in 1..=k {
                    pmf *= (ni - i + 1) as f64 / i as f64;
                    s += pmf;
                }
                return s;
            }
            binom_cdf(k as f64, n as f64, 0.5)
        } else {
            // P(X <= k) = 1 - P(X >= k + 1) = 1 - P(X <= n - k - 1)
            1.0 - binom_cdf((ni - k - 1) as f64, n as f64, 0.5)
        }
    };
    (le(k), le(ni - k))
}

/// `P(X > k)` for `X ~ Bin(n, p)`.
pub fn binom_sf(k: f64, n: f64, p: f64) -> f64 {
    if k < 0.0 {
        return 1.0;
    }
    if k >= n {
        return 0.0;
    }
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    // P(X >= k + 1) = I_p(k + 1, n - k)
    beta_reg(k + 1.0, n - k, p)
}

/// Largest `x` in `[lo, hi]` with `f(x) <= target` for a non-decreasing `f`,
/// to the resolution of doubles (bisection until the bracket stops shrinking).
pub fn bisect_increasing(f: impl Fn(f64) -> f64, target: f64, mut lo: f64, mut hi: f64) -> f64 {
    for _ in 0..2000 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if f(mid) <= target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Quantile of Gamma(shape, rate 1): `x` with `P(X <= x) = p` (as R `qgamma(p, shape)`).
/// `shape = 0` is the point mass at 0.
pub fn gamma_quantile(p: f64, shape: f64) -> f64 {
    if shape <= 0.0 || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    if shape >= LARGE_SHAPE {
        return gamma_quantile_large(p, shape);
    }
    let mut hi = shape.max(1.0);
    while gamma_lr(shape, hi) < p {
        hi *= 2.0;
        if !hi.is_finite() {
            return f64::INFINITY;
        }
    }
    // compare in the smaller tail for relative accuracy
    if p <= 0.5 {
        bisect_increasing(|x| gamma_lr(shape, x), p, 0.0, hi)
    } else {
        bisect_increasing(|x| -gamma_ur(shape, x), -(1.0 - p), 0.0, hi)
    }
}

/// Above this shape the incomplete gamma costs O(sqrt(shape)) per evaluation
/// (0.5 s for a quantile at 1e12, unbounded at 1e300), and the Cornish-Fisher
/// expansion below is exact to rounding: against R `qgamma` at shape 1e6 and
/// p in [0.005, 0.995] its relative error is <= 2.4e-16 (the bisection on
/// statrs' incomplete gamma is ~5e-14 off there).
pub const LARGE_SHAPE: f64 = 1e6;

/// Cornish-Fisher expansion of the Gamma(shape, 1) quantile in powers of
/// `shape^(-1/2)` (skewness 2/sqrt(a), excess kurtosis 6/a):
/// `a + sqrt(a) z + (z^2 - 1) / 3 + (z^3 - 7 z) / (36 sqrt(a))
///  - (3 z^4 + 7 z^2 - 16) / (810 a)`, O(1) in `a`.
fn gamma_quantile_large(p: f64, shape: f64) -> f64 {
    let z = crate::common::dist::norm_ppf(p);
    let s = shape.sqrt();
    let z2 = z * z;
    shape + s * z + (z2 - 1.0) / 3.0 + (z2 * z - 7.0 * z) / (36.0 * s)
        - (3.0 * z2 * z2 + 7.0 * z2 - 16.0) / (810.0 * shape)
}

/// Quantile of Beta(a, b) (as R `qbeta(p, a, b)`); `a = 0` is the point mass at 0,
/// `b = 0` the point mass at 1.
pub fn beta_quantile(p: f64, a: f64, b: f64) -> f64 {
    if a <= 0.0 {
        return 0.0;
    }
    if b <= 0.0 {
        return 1.0;
    }
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    if p <= 0.5 {
        bisect_increasing(|x| beta_reg(a, b, x), p, 0.0, 1.0)
    } else {
        // upper tail: 1 - I_x(a, b) = I_{1-x}(b, a)
        bisect_increasing(|x| -beta_reg(b, a, 1.0 - x), -(1.0 - p), 0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    #[test]
    fn quantiles_match_r() {
        // qgamma(0.025, 3) = 0.61867212289560136; qgamma(0.975, 4) = 8.7672730697423233 (R 4.2)
        assert!(rel(gamma_quantile(0.025, 3.0), 0.618_672_122_895_601_4) < 1e-12);
        assert!(rel(gamma_quantile(0.975, 4.0), 8.767_273_069_742_323) < 1e-12);
        assert_eq!(gamma_quantile(0.025, 0.0), 0.0);
        // large shapes (R 4.x qgamma): O(1) path, exact to rounding
        for (a, lo, hi) in [
            (1e6, 998_040.983_340_293_9, 1_001_961.911_945_432_2),
            (1e7, 9_993_802.996_884_268, 10_006_199.897_731_498),
            (1e9, 999_938_021.443_927_9, 1_000_061_981.450_409),
            (1e12, 999_998_040_036.962_6, 1_000_001_959_965.931_6),
            (1e15, 999_999_938_020_497.8, 1_000_000_061_979_505.1),
        ] {
            assert!(rel(gamma_quantile(0.025, a), lo) < 2e-15, "{a}");
            assert!(rel(gamma_quantile(0.975, a + 1.0), hi) < 2e-15, "{a}");
        }
        // just below the switch: the bisection path agrees with the expansion
        let a = LARGE_SHAPE * 0.999;
        let (q1, q2) = (gamma_quantile(0.025, a), gamma_quantile_large(0.025, a));
        assert!(rel(q1, q2) < 2e-13, "{q1} {q2}");
        assert_eq!(gamma_quantile(0.5, 1e300), 1e300);
        // qbeta(0.025, 3, 8) = 0.06021773, checked by the inverse
        let q = beta_quantile(0.025, 3.0, 8.0);
        assert!((beta_reg(3.0, 8.0, q) - 0.025).abs() < 1e-14);
        let q = beta_quantile(0.975, 3.0, 8.0);
        assert!((beta_reg(3.0, 8.0, q) - 0.975).abs() < 1e-14);
    }

    #[test]
    fn half_tails_are_exact_for_small_n_and_agree_with_the_incomplete_beta() {
        assert_eq!(binom_half_tails(1, 1), (1.0, 0.5));
        assert_eq!(binom_half_tails(0, 4), (1.0 / 16.0, 1.0));
        // pbinom(12, 30, 0.5) = 0.18079730402678265 (R)
        assert!((binom_half_tails(12, 30).0 - 0.18079730402678265).abs() < 1e-15);
        let (le, _) = binom_half_tails(480, 1001);
        assert!((le - binom_cdf(480.0, 1001.0, 0.5)).abs() < 1e-12);
        // symmetric: P(X >= k) = P(X <= n - k)
        let (le, ge) = binom_half_tails(7, 20);
        assert_eq!(ge, binom_half_tails(13, 20).0);
        assert!(
            rel(
                le,
                (0..=7).map(|k| binom_pmf(k as f64, 20.0, 0.5)).sum::<f64>()
            ) < 1e-13
        );
    }

    #[test]
    fn binomial_tails_add_up() {
        let (n, p) = (17.0, 0.3);
        let s: f64 = (0..=17).map(|k| binom_pmf(k as f64, n, p)).sum();
        assert!((s - 1.0).abs() < 1e-13);
        let c: f64 = (0..=5).map(|k| binom_pmf(k as f64, n, p)).sum();
        assert!(rel(binom_cdf(5.0, n, p), c) < 1e-12);
        assert!((binom_cdf(5.0, n, p) + binom_sf(5.0, n, p) - 1.0).abs() < 1e-14);
        assert!((ln_choose(10.0, 3.0) - 120f64.ln()).abs() < 1e-12);
    }
}
