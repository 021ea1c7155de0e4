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
    Ok(ChiSquared::new(df).map_err(|e| bad("chi-squared", e))?.sf(x))
}

pub fn f_sf(x: f64, df1: f64, df2: f64) -> Result<f64> {
    Ok(FisherSnedecor::new(df1, df2).map_err(|e| bad("F", e))?.sf(x))
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

/// `P(X >= k)` for `X ~ Binomial(n, p)`.
pub fn binom_sf_ge(k: i64, n: u64, p: f64) -> Result<f64> {
    if k <= 0 {
        return Ok(1.0);
    }
    let b = Binomial::new(p, n).map_err(|e| bad("binomial", e))?;
    Ok(b.sf((k - 1) as u64))
}
