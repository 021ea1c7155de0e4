//! Two-sample t-test: Welch (default) or Student (pooled variance), as R `t.test`.
// NaN-aware comparisons (`!(a > b)` is true for NaN) are intended here.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use crate::common::{dist, Alternative};
use crate::error::{Result, StatsError};

#[derive(Debug, Clone, Copy)]
pub struct TtestOptions {
    pub equal_var: bool,
    pub alternative: Alternative,
    pub conf_level: f64,
    pub mu: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TtestOutput {
    pub statistic: f64,
    pub pvalue: f64,
    pub df: f64,
    pub mean_x: f64,
    pub mean_y: f64,
    pub mean_diff: f64,
    pub se: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub n_x: usize,
    pub n_y: usize,
}

fn mean_var(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let ss: f64 = v.iter().map(|a| (a - m) * (a - m)).sum();
    (
        m,
        if v.len() > 1 {
            ss / (n - 1.0)
        } else {
            f64::NAN
        },
    )
}

/// `x`, `y` hold the non-missing values of the two groups.
pub fn ttest(x: &[f64], y: &[f64], o: &TtestOptions) -> Result<TtestOutput> {
    crate::common::alternative::check_conf_level(o.conf_level)?;
    let (nx, ny) = (x.len(), y.len());
    let min = if o.equal_var { 1 } else { 2 };
    if nx < min {
        return Err(StatsError::too_few("x", nx, min));
    }
    if ny < min {
        return Err(StatsError::too_few("y", ny, min));
    }
    if o.equal_var && nx + ny < 3 {
        return Err(StatsError::too_few("y", ny, 2));
    }
    let (mx, vx) = mean_var(x);
    let (my, vy) = mean_var(y);
    let (fx, fy) = (nx as f64, ny as f64);
    let (df, se) = if o.equal_var {
        let df = fx + fy - 2.0;
        let mut pooled = 0.0;
        if nx > 1 {
            pooled += (fx - 1.0) * vx;
        }
        if ny > 1 {
            pooled += (fy - 1.0) * vy;
        }
        pooled /= df;
        (df, (pooled * (1.0 / fx + 1.0 / fy)).sqrt())
    } else {
        let (ax, ay) = (vx / fx, vy / fy);
        let se2 = ax + ay;
        (
            se2 * se2 / (ax * ax / (fx - 1.0) + ay * ay / (fy - 1.0)),
            se2.sqrt(),
        )
    };
    let scale = mx.abs().max(my.abs());
    if !(se > 10.0 * f64::EPSILON * scale) {
        return Err(StatsError::argument("x", "data are essentially constant (both groups have zero variance); the t statistic is undefined"));
    }
    let diff = mx - my;
    let t = (diff - o.mu) / se;
    let pvalue = o
        .alternative
        .pvalue(dist::t_cdf(t, df)?, dist::t_sf(t, df)?);
    let (ci_low, ci_high) = match o.alternative {
        Alternative::TwoSided => {
            let q = dist::t_ppf(1.0 - (1.0 - o.conf_level) / 2.0, df)?;
            (diff - q * se, diff + q * se)
        }
        Alternative::Less => (
            f64::NEG_INFINITY,
            diff + dist::t_ppf(o.conf_level, df)? * se,
        ),
        Alternative::Greater => (diff - dist::t_ppf(o.conf_level, df)? * se, f64::INFINITY),
    };
    Ok(TtestOutput {
        statistic: t,
        pvalue,
        df,
        mean_x: mx,
        mean_y: my,
        mean_diff: diff,
        se,
        ci_low,
        ci_high,
        n_x: nx,
        n_y: ny,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(equal_var: bool) -> TtestOptions {
        TtestOptions {
            equal_var,
            alternative: Alternative::TwoSided,
            conf_level: 0.95,
            mu: 0.0,
        }
    }

    #[test]
    fn equal_sizes_give_equal_statistics_and_welch_df_by_hand() {
        // x: mean 2, var 1; y: mean 5, var 1; n = 3 each: se = sqrt(2/3), t = -3/sqrt(2/3)
        let x = [1.0, 2.0, 3.0];
        let y = [4.0, 5.0, 6.0];
        let w = ttest(&x, &y, &opts(false)).unwrap();
        let s = ttest(&x, &y, &opts(true)).unwrap();
        let t = -3.0 / (2.0f64 / 3.0).sqrt();
        assert!((w.statistic - t).abs() < 1e-12 && (s.statistic - t).abs() < 1e-12);
        assert!((w.df - 4.0).abs() < 1e-12 && s.df == 4.0);
        assert!((w.pvalue - s.pvalue).abs() < 1e-14);
    }

    #[test]
    fn swapping_groups_flips_sign_and_keeps_p() {
        let x = [1.0, 2.5, 3.0, 7.0];
        let y = [4.0, 5.0, 6.5];
        let a = ttest(&x, &y, &opts(false)).unwrap();
        let b = ttest(&y, &x, &opts(false)).unwrap();
        assert!((a.statistic + b.statistic).abs() < 1e-12);
        assert!((a.pvalue - b.pvalue).abs() < 1e-14);
        assert!((a.ci_low + b.ci_high).abs() < 1e-12);
    }

    #[test]
    fn too_few_and_constant_are_errors() {
        assert!(matches!(
            ttest(&[1.0], &[1.0, 2.0], &opts(false)),
            Err(StatsError::TooFew { .. })
        ));
        assert!(ttest(&[1.0], &[1.0, 2.0], &opts(true)).is_ok());
        assert!(ttest(&[1.0, 1.0], &[1.0, 1.0], &opts(false)).is_err());
    }
}
