//! One-way ANOVA with equal variances, as R `oneway.test(var.equal = TRUE)`.

use super::GroupedSample;
use crate::common::{dist, moments};
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
    // every sum is taken about a shift (the grand mean, corrected two-pass) so
    // that a large common offset costs no precision (NIST StRD SmLs01-09)
    let shift = moments::mean(&s.values);
    let mut sum = vec![0.0; g];
    for (&v, &c) in s.values.iter().zip(&s.codes) {
        sum[c] += v - shift;
    }
    let mut dev: Vec<f64> = sum
        .iter()
        .zip(&s.sizes)
        .map(|(t, &m)| if m > 0 { t / m as f64 } else { 0.0 })
        .collect();
    // correction pass: group means (about the shift) to rounding
    let mut corr = vec![0.0; g];
    for (&v, &c) in s.values.iter().zip(&s.codes) {
        corr[c] += (v - shift) - dev[c];
    }
    for ((d, c), &m) in dev.iter_mut().zip(&corr).zip(&s.sizes) {
        if m > 0 {
            *d += c / m as f64;
        }
    }
    let grand = dev
        .iter()
        .zip(&s.sizes)
        .map(|(d, &m)| d * m as f64)
        .sum::<f64>()
        / n as f64;
    let mut ssw = 0.0;
    for (&v, &c) in s.values.iter().zip(&s.codes) {
        let e = (v - shift) - dev[c];
        ssw += e * e;
    }
    let ssb: f64 = dev
        .iter()
        .zip(&s.sizes)
        .map(|(d, &c)| c as f64 * (d - grand) * (d - grand))
        .sum();
    if !(ssb.is_finite() && ssw.is_finite()) {
        return Err(StatsError::argument(
            "values",
            "the sums of squares overflow (values beyond ~1e154 in magnitude); rescale the data",
        ));
    }
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

    /// NIST StRD one-way ANOVA sets SmLs01-09 (nine groups; group 1 is
    /// `offset + 1.4` then ten pairs `offset + 1.3, offset + 1.5`; even groups
    /// centre on 1.3, odd ones on 1.5, each `first, centre - 0.1, centre + 0.1, ...`),
    /// certified F = 21, 201, 2001 for 21, 201, 2001 values per group.
    fn smls(offset: f64, per_group: usize) -> GroupedSample {
        let (mut v, mut g) = (Vec::new(), Vec::new());
        for grp in 0..9 {
            let c = if grp == 0 {
                1.4
            } else if grp % 2 == 1 {
                1.3
            } else {
                1.5
            };
            let centre = if grp == 0 { 1.4 } else { c };
            let (lo, hi) = if grp == 0 {
                (1.3, 1.5)
            } else {
                (c - 0.1, c + 0.1)
            };
            v.push(offset + centre);
            g.push(grp as f64);
            for _ in 0..(per_group - 1) / 2 {
                v.push(offset + lo);
                v.push(offset + hi);
                g.push(grp as f64);
                g.push(grp as f64);
            }
        }
        GroupedSample::new(&v, &g).unwrap()
    }

    #[test]
    fn nist_strd_smls() {
        for (offset, tol) in [(0.0, 1e-12), (999_999.0, 1e-10), (999_999_999_999.0, 1e-4)] {
            for (per, f) in [(21, 21.0), (201, 201.0), (2001, 2001.0)] {
                let r = anova_oneway(&smls(offset, per)).unwrap();
                let rel = ((r.statistic - f) / f).abs();
                // the remaining error is that of the inputs: 1e12 + 0.3 holds its
                // 0.1 steps to ~6e-5 (one ulp of 1e12 is 1.2e-4); the exact F of
                // the doubles is checked in tests/groups/test_nist_anova.py
                assert!(
                    rel < tol,
                    "offset {offset} n {per}: F {} rel {rel}",
                    r.statistic
                );
            }
        }
    }
}
