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

/// P(Z <= z) = erfc(-z / sqrt 2) / 2, with libm's erfc (FreeBSD's, < 1 ulp):
/// statrs 0.19's erfc carries ~1e-10 relative error (erfc(1/sqrt 2) is off by
/// 8.6e-11; issue 19). The rounding of z / sqrt 2 adds ~z^2 eps / 2 relative
/// (3e-15 at z = 5). Tested against R `pnorm` (tests/reference/common/pnorm.txt).
pub fn norm_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z * std::f64::consts::FRAC_1_SQRT_2)
}
/// P(Z > z), as [`norm_cdf`].
pub fn norm_sf(z: f64) -> f64 {
    0.5 * libm::erfc(z * std::f64::consts::FRAC_1_SQRT_2)
}
/// The standard normal quantile; NaN for a NaN `p`, -inf / inf at 0 / 1
/// (statrs panics outside [0, 1], NaN included).
pub fn norm_ppf(p: f64) -> f64 {
    if p.is_nan() {
        f64::NAN
    } else if p <= 0.0 {
        f64::NEG_INFINITY
    } else if p >= 1.0 {
        f64::INFINITY
    } else {
        norm().inverse_cdf(p)
    }
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
/// The t quantile, for every `p` and `df > 0` (issue 19). statrs 0.19's
/// `inverse_cdf` panics for a NaN `p`, for `p < ~1e-150` (its inverse incomplete
/// beta leaves [0, 1]) and for `df = inf`, and does not return for `df >= ~1e8`;
/// those cases are answered here: `df > 1e6` by Hill's (1970) expansion of the
/// t quantile about the normal one (A&S 26.7.5, four terms: relative error
/// ~ z^11 / df^5 < 1e-20 there), a far tail by bisection on the t CDF.
pub fn t_ppf(p: f64, df: f64) -> Result<f64> {
    let d = t(df)?;
    if p.is_nan() {
        return Ok(f64::NAN);
    }
    if p <= 0.0 {
        return Ok(f64::NEG_INFINITY);
    }
    if p >= 1.0 {
        return Ok(f64::INFINITY);
    }
    if df > T_PPF_NORMAL_DF {
        return Ok(hill_t_quantile(norm_ppf(p), df));
    }
    if p.min(1.0 - p) < 1e-100 {
        // the quantile is far out: bracket it by doubling, then bisect on the CDF
        let (upper, q) = (p > 0.5, p.min(1.0 - p));
        let mut hi = 1.0f64;
        while d.cdf(-hi) > q && hi < f64::MAX / 2.0 {
            hi *= 2.0;
        }
        let mut lo = hi / 2.0;
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if d.cdf(-mid) > q {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let x = 0.5 * (lo + hi);
        return Ok(if upper { x } else { -x });
    }
    Ok(d.inverse_cdf(p))
}

/// Above this many degrees of freedom `t_ppf` uses Hill's expansion.
const T_PPF_NORMAL_DF: f64 = 1e6;

/// Hill's expansion of the t quantile with `df` degrees of freedom from the
/// normal quantile `z` (Abramowitz & Stegun 26.7.5); `df = inf` gives `z`.
fn hill_t_quantile(z: f64, df: f64) -> f64 {
    if df.is_infinite() || !z.is_finite() {
        return z;
    }
    let z2 = z * z;
    let g1 = (z2 + 1.0) * z / 4.0;
    let g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
    let g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
    let g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;
    z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df
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
    fn normal_tails_match_r_pnorm_to_a_few_ulp() {
        // R pnorm (Cody), tests/reference/common/pnorm.R; statrs 0.19 was off by
        // up to ~1e-10 relative (erfc(1/sqrt 2): 8.6e-11). Allowed: 4 eps plus
        // the argument rounding z^2 eps / 2.
        let text = include_str!("../../tests/reference/common/pnorm.txt");
        let mut n = 0;
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let v: Vec<f64> = line
                .split_whitespace()
                .map(|x| x.parse().unwrap())
                .collect();
            let (z, lo, up) = (v[0], v[1], v[2]);
            let tol = (4.0 + z * z / 2.0) * f64::EPSILON;
            for (got, want) in [(norm_cdf(z), lo), (norm_sf(z), up)] {
                let rel = if want == 0.0 {
                    got
                } else {
                    (got - want).abs() / want
                };
                assert!(rel <= tol, "z = {z}: {got} vs R {want} (rel {rel:e})");
            }
            n += 1;
        }
        assert_eq!(n, 43);
        // 2 pnorm(-1) = erfc(1/sqrt 2) = 0.31731050786291410 (R: 2 * pnorm(-1))
        assert!((2.0 * norm_sf(1.0) - 0.3173105078629141).abs() <= 2e-16);
    }

    #[test]
    fn known_values() {
        // qt(0.975, 10) = 2.228138851986274 (R)
        assert!((t_ppf(0.975, 10.0).unwrap() - 2.228138851986274).abs() < 1e-9);
        // pchisq(3.84, 1, lower=FALSE) = 0.05004352124870522 (R)
        assert!((chi2_sf(3.84, 1.0).unwrap() - 0.05004352124870522).abs() < 1e-12);
        assert!((norm_ppf(0.975) - 1.959963984540054).abs() < 1e-12);
        assert!(t(0.0).is_err());
    }

    #[test]
    fn quantiles_answer_every_p_and_df() {
        // issue 19: statrs panicked (NaN p, p < 1e-150, df = inf) or did not
        // return (df >= 1e8); one-sided CIs at a tiny conf_level reach these
        assert!(norm_ppf(f64::NAN).is_nan());
        assert_eq!(norm_ppf(0.0), f64::NEG_INFINITY);
        assert!(t_ppf(f64::NAN, 5.0).unwrap().is_nan());
        assert_eq!(t_ppf(1.0, 5.0).unwrap(), f64::INFINITY);
        // R 4.x: qt(1e-300, 5) = -1.5683925619292198e+60, qt(1e-200, 30) =
        // -2.3290831507991228e+07 (statrs' far-tail CDF holds ~1e-8 relative)
        let q = t_ppf(1e-300, 5.0).unwrap();
        assert!((q / -1.5683925619292198e60 - 1.0).abs() < 1e-8, "{q}");
        let q = t_ppf(1e-200, 30.0).unwrap();
        assert!((q / -2.329_083_150_799_123e7 - 1.0).abs() < 1e-8, "{q}");
        // beyond f64 (R: qt(1e-250, 0.5) = -Inf): a huge negative number, no panic
        assert!(t_ppf(1e-250, 0.5).unwrap() < -1e150);
        for (p, df) in [(1e-200, 30.0), (1e-300, 1000.0), (1e-120, 3.0)] {
            let q = t_ppf(p, df).unwrap();
            assert!(
                (t_cdf(q, df).unwrap() / p - 1.0).abs() < 1e-9,
                "{p} {df} {q}"
            );
            assert!((t_ppf(1.0 - 0.5, df).unwrap()).abs() < 1e-12);
        }
        // df = inf is the normal quantile; df = 1e12 within 1e-12 of it
        assert_eq!(t_ppf(0.975, f64::INFINITY).unwrap(), norm_ppf(0.975));
        // Hill's expansion against R: qt(0.975, 1e6) = 1.9599663568141066,
        // qt(1e-10, 2e6) = -6.3613738754939835, qt(0.975, 1e12) = 1.9599639845424257
        assert!((hill_t_quantile(norm_ppf(0.975), 1e6) - 1.9599663568141066).abs() < 1e-12);
        assert!((t_ppf(1e-10, 2e6).unwrap() + 6.3613738754939835).abs() < 1e-10);
        assert!((t_ppf(0.975, 1e12).unwrap() - 1.9599639845424257).abs() < 1e-12);
    }
}
