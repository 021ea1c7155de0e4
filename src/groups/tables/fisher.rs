//! Fisher's exact test for any r x c table: the 2 x 2 test (odds ratio, its
//! interval and one-sided alternatives) or the r x c network algorithm.

use ndarray::ArrayView2;

use super::{fisher_2x2, fisher_rxc, FisherOutput};
use crate::common::Alternative;
use crate::error::{Result, StatsError};

/// Fisher's exact test of `t`. A 2 x 2 table gives the conditional MLE of the
/// odds ratio and its interval at `conf_level` (as R `fisher.test`); a larger
/// table only the two-sided p-value (estimate and interval NaN), and a
/// one-sided `alt` is an error there.
pub fn fisher(t: ArrayView2<'_, f64>, alt: Alternative, conf_level: f64) -> Result<FisherOutput> {
    if t.dim() == (2, 2) {
        return fisher_2x2(t, alt, conf_level);
    }
    if alt != Alternative::TwoSided {
        return Err(StatsError::argument(
            "alternative",
            "one-sided alternatives are only defined for 2 x 2 tables",
        ));
    }
    Ok(FisherOutput {
        pvalue: fisher_rxc(t)?,
        estimate: f64::NAN,
        ci_low: f64::NAN,
        ci_high: f64::NAN,
    })
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::*;

    #[test]
    fn dispatches_on_the_shape() {
        let t = array![[3.0, 1.0], [1.0, 3.0]];
        for alt in [
            Alternative::TwoSided,
            Alternative::Less,
            Alternative::Greater,
        ] {
            assert_eq!(
                fisher(t.view(), alt, 0.9).unwrap(),
                fisher_2x2(t.view(), alt, 0.9).unwrap()
            );
        }
        let t = array![[3.0, 1.0, 2.0], [1.0, 3.0, 0.0]];
        let f = fisher(t.view(), Alternative::TwoSided, 0.95).unwrap();
        assert_eq!(f.pvalue, fisher_rxc(t.view()).unwrap());
        assert!(f.estimate.is_nan() && f.ci_low.is_nan() && f.ci_high.is_nan());
        match fisher(t.view(), Alternative::Less, 0.95) {
            Err(StatsError::InvalidArgument { arg, .. }) => assert_eq!(arg, "alternative"),
            other => panic!("expected an alternative error, got {other:?}"),
        }
    }
}
