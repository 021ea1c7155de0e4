//! Distribution helpers over statrs (never hand-rolled): tail probabilities
//! and quantiles with argument checks turned into `StatsError`.

use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor, Normal, StudentsT};

use crate::error::{Result, StatsError};

fn bad(what: &str, e: impl std::fmt::Display) -> StatsError {
    StatsError::argument("df", format!("invalid {what} parameters: {e}"))
}

/// Standard normal.
pub fn norm() -> Normal {
    // mean 0, sd 1 are always valid parameters
    Normal::standard()
}

pub fn norm_cdf(z: f64) -> f64 {
    norm().cdf(z)
}
pub fn norm_sf(z: f64) -> f64 {
    norm().sf(z)
}
pub fn norm_ppf(p: f64) -> f64 {
    norm().inverse_cdf(p)
}

pub fn t(df: f64) -> Result<StudentsT> {
    StudentsT::new(0.0, 1.0, df).map_err(|e| bad("t", e))
}
pub fn t_cdf(x: f64, df: f64) -> Result<f64> {
    Ok(t(df)?.cdf(x))
}
pub fn t_sf(x: f64, df: f64) -> Result<f64> {
    Ok(t(df)?.sf(x))
}
pub fn t_ppf(p: f64, df: f64) -> Result<f64> {
    Ok(t(df)?.inverse_cdf(p))
}

pub fn chi2_sf(x: f64, df: f64) -> Result<f64> {
    Ok(ChiSquared::new(df)
        .map_err(|e| bad("chi-squared", e))?
        .sf(x))
}

pub fn f_sf(x: f64, df1: f64, df2: f64) -> Result<f64> {
    Ok(FisherSnedecor::new(df1, df2)
        .map_err(|e| bad("F", e))?
        .sf(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // qt(0.975, 10) = 2.228138851986274 (R)
        assert!((t_ppf(0.975, 10.0).unwrap() - 2.228138851986274).abs() < 1e-9);
        // pchisq(3.84, 1, lower=FALSE) = 0.05004352124870522 (R)
        assert!((chi2_sf(3.84, 1.0).unwrap() - 0.05004352124870522).abs() < 1e-12);
        assert!((norm_ppf(0.975) - 1.959963984540054).abs() < 1e-12);
        assert!(t(0.0).is_err());
    }
}

// ---- binomial tails (appended for the paired tests) ----
use statrs::distribution::{Binomial, DiscreteCDF};

/// `P(X <= k)` for `X ~ Binomial(n, p)`; k < 0 gives 0.
pub fn binom_cdf(k: i64, n: u64, p: f64) -> Result<f64> {
    if k < 0 {
        return Ok(0.0);
    }
    let b = Binomial::new(p, n).map_err(|e| bad("binomial", e))?;
    Ok(b.cdf(k as u64))
}

/// `(P(X <= k), P(X >= k))` for `X ~ Binomial(n, 1/2)`, each computed from the
/// smaller tail by symmetry so that values near 1 are exact to rounding.
pub fn binom_half_tails(k: i64, n: u64) -> Result<(f64, f64)> {
    let ni = n as i64;
    let le = |k: i64| -> Result<f64> {
        if k < 0 {
            return Ok(0.0);
        }
        if k >= ni {
            return Ok(1.0);
        }
        if 2 * k < ni {
            if n <= 1000 {
                // sum of C(n, i) / 2^n from the recurrence (relative error ~ k eps;
                // statrs' incomplete beta is ~1e-15 off even at n = 1)
                let mut pmf = 0.5f64.powi(n as i32);
                let mut s = pmf;
                for i in 1..=k {
                    pmf *= (ni - i + 1) as f64 / i as f64;
                    s += pmf;
                }
                return Ok(s);
            }
            binom_cdf(k, n, 0.5)
        } else {
            // P(X <= k) = 1 - P(X >= k + 1) = 1 - P(X <= n - k - 1)
            Ok(1.0 - binom_cdf(ni - k - 1, n, 0.5)?)
        }
    };
    Ok((le(k)?, le(ni - k)?))
}

#[cfg(test)]
mod binom_tests {
    use super::*;

    #[test]
    fn half_tails_are_exact_for_small_n_and_agree_with_statrs() {
        assert_eq!(binom_half_tails(1, 1).unwrap(), (1.0, 0.5));
        assert_eq!(binom_half_tails(0, 4).unwrap(), (1.0 / 16.0, 1.0));
        // pbinom(12, 30, 0.5) = 0.18079730402678265 (R)
        assert!((binom_half_tails(12, 30).unwrap().0 - 0.18079730402678265).abs() < 1e-15);
        let (le, _) = binom_half_tails(480, 1001).unwrap();
        assert!((le - binom_cdf(480, 1001, 0.5).unwrap()).abs() < 1e-12);
    }
}
