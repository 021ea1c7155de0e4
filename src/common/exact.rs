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
        // qbeta(0.025, 3, 8) = 0.06021773, checked by the inverse
        let q = beta_quantile(0.025, 3.0, 8.0);
        assert!((beta_reg(3.0, 8.0, q) - 0.025).abs() < 1e-14);
        let q = beta_quantile(0.975, 3.0, 8.0);
        assert!((beta_reg(3.0, 8.0, q) - 0.975).abs() < 1e-14);
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
