//! Kruskal–Wallis rank test with the ties correction, as R `kruskal.test`.

use super::GroupedSample;
use crate::common::dist;
use crate::common::ranks::{midranks, tie_term};
use crate::error::{Result, StatsError};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KruskalOutput {
    pub statistic: f64,
    pub df: f64,
    pub pvalue: f64,
    pub n: usize,
}

/// `H = [12 / (N (N + 1)) sum R_g^2 / n_g - 3 (N + 1)] / [1 - sum(t^3 - t) / (N^3 - N)]`, chi-squared on `k - 1` df.
pub fn kruskal(s: &GroupedSample) -> Result<KruskalOutput> {
    let k = s.require_two_groups()?;
    let n = s.values.len();
    let (ranks, ties) = midranks(&s.values);
    let mut rsum = vec![0.0; s.sizes.len()];
    for (r, &g) in ranks.iter().zip(&s.codes) {
        rsum[g] += r;
    }
    let fnn = n as f64;
    let mut h = 0.0;
    for (g, &ng) in s.sizes.iter().enumerate() {
        if ng > 0 {
            h += rsum[g] * rsum[g] / ng as f64;
        }
    }
    h = 12.0 * h / (fnn * (fnn + 1.0)) - 3.0 * (fnn + 1.0);
    let denom = 1.0 - tie_term(&ties) / (fnn * fnn * fnn - fnn);
    if denom <= 0.0 {
        return Err(StatsError::argument(
            "values",
            "all observations are identical; the Kruskal-Wallis statistic is undefined",
        ));
    }
    h /= denom;
    let df = (k - 1) as f64;
    Ok(KruskalOutput {
        statistic: h,
        df,
        pvalue: dist::chi2_sf(h, df)?,
        n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separated_groups_by_hand() {
        // ranks 1,2 | 3,4 | 5,6: sum R^2/n = (9 + 49 + 121) / 2 = 89.5; H = 12*89.5/42 - 21 = 4.571428...
        let s = GroupedSample::new(
            &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            &[0.0, 0.0, 1.0, 1.0, 2.0, 2.0],
        )
        .unwrap();
        let r = kruskal(&s).unwrap();
        assert!((r.statistic - 32.0 / 7.0).abs() < 1e-12);
        assert_eq!(r.df, 2.0);
        assert!((r.pvalue - (-16.0f64 / 7.0).exp()).abs() < 1e-12); // chi2(2) sf = exp(-x/2)
    }

    #[test]
    fn one_group_or_all_tied_is_an_error() {
        let s = GroupedSample::new(&[1.0, 2.0], &[0.0, 0.0]).unwrap();
        assert!(kruskal(&s).is_err());
        let s = GroupedSample::new(&[1.0, 1.0, 1.0], &[0.0, 1.0, 1.0]).unwrap();
        assert!(kruskal(&s).is_err());
    }
}
