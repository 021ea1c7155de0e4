//! One-way ANOVA with equal variances, as R `oneway.test(var.equal = TRUE)`.

use super::GroupedSample;
use crate::common::dist;
use crate::error::{Result, StatsError};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnovaOutput {
    pub statistic: f64,
    pub df_between: f64,
    pub df_within: f64,
    pub pvalue: f64,
    pub n: usize,
}

/// `F = [SS_between / (k - 1)] / [SS_within / (N - k)]`.
pub fn anova_oneway(s: &GroupedSample) -> Result<AnovaOutput> {
    let k = s.require_two_groups()?;
    let n = s.values.len();
    if n <= k {
        return Err(StatsError::too_few("values", n, k + 1));
    }
    let g = s.sizes.len();
    let mut sum = vec![0.0; g];
    for (&v, &c) in s.values.iter().zip(&s.codes) {
        sum[c] += v;
    }
    let mean: Vec<f64> = sum
        .iter()
        .zip(&s.sizes)
        .map(|(t, &m)| if m > 0 { t / m as f64 } else { 0.0 })
        .collect();
    let grand = s.values.iter().sum::<f64>() / n as f64;
    let mut ssw = 0.0;
    for (&v, &c) in s.values.iter().zip(&s.codes) {
        ssw += (v - mean[c]) * (v - mean[c]);
    }
    let ssb: f64 = mean
        .iter()
        .zip(&s.sizes)
        .map(|(m, &c)| c as f64 * (m - grand) * (m - grand))
        .sum();
    let (d1, d2) = ((k - 1) as f64, (n - k) as f64);
    if ssw <= 0.0 {
        return Err(StatsError::argument(
            "values",
            "no variation within groups; the F statistic is undefined",
        ));
    }
    let f = (ssb / d1) / (ssw / d2);
    Ok(AnovaOutput {
        statistic: f,
        df_between: d1,
        df_within: d2,
        pvalue: dist::f_sf(f, d1, d2)?,
        n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_case() {
        // groups {1,2,3}, {4,5,6}: SSB = 2*3*1.5^2 = 13.5, SSW = 4, F = 13.5 / (4/4) = 13.5
        let s = GroupedSample::new(
            &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            &[0.0, 0.0, 0.0, 1.0, 1.0, 1.0],
        )
        .unwrap();
        let r = anova_oneway(&s).unwrap();
        assert!((r.statistic - 13.5).abs() < 1e-12);
        assert_eq!((r.df_between, r.df_within), (1.0, 4.0));
    }
}
