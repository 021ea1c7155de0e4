//! Modified Rodnan skin score (SCORING_SPEC section 1).

use ndarray::ArrayView2;

use super::NA;
use crate::common::check::{self, At};
use crate::common::rows::map_rows;
use crate::common::NanPolicy;
use crate::error::{Arg, Result, StatsError};

pub const SITES: [&str; 17] = [
    "face",
    "anterior_chest",
    "abdomen",
    "upper_arm_right",
    "upper_arm_left",
    "forearm_right",
    "forearm_left",
    "hand_right",
    "hand_left",
    "fingers_right",
    "fingers_left",
    "thigh_right",
    "thigh_left",
    "lower_leg_right",
    "lower_leg_left",
    "foot_right",
    "foot_left",
];

/// Proximal / truncal sites (chest, abdomen, upper arms, thighs): any > 0 is diffuse.
pub const PROXIMAL: [usize; 6] = [1, 2, 3, 4, 11, 12];

const ALLOWED: &str = "allowed integers 0-3";

fn check_shape(sites: &ArrayView2<f64>) -> Result<()> {
    if sites.ncols() != 17 {
        return Err(StatsError::argument(
            "sites",
            format!("must have 17 columns (MRSS_SITES), got {}", sites.ncols()),
        ));
    }
    if sites.nrows() == 0 {
        return Err(StatsError::too_few("sites", 0, 1));
    }
    Ok(())
}

fn check_row(sites: &ArrayView2<f64>, i: usize, policy: NanPolicy) -> Result<()> {
    let arg: Arg = "sites".into();
    for (j, &v) in sites.row(i).iter().enumerate() {
        check::integer(v, 0.0, 3.0, policy, At::cell(&arg, i, j), ALLOWED)?;
    }
    Ok(())
}

/// Total skin score 0-51 per row; any NaN site gives NaN (no pro-rating).
pub fn total(sites: ArrayView2<f64>, policy: NanPolicy) -> Result<Vec<f64>> {
    check_shape(&sites)?;
    map_rows(sites.nrows(), |i| {
        check_row(&sites, i, policy)?;
        Ok(sites.row(i).sum())
    })
}

/// Cutaneous subset per row: 0 none, 1 limited, 2 diffuse, -1 missing.
pub fn subset(sites: ArrayView2<f64>, policy: NanPolicy) -> Result<Vec<i8>> {
    check_shape(&sites)?;
    map_rows(sites.nrows(), |i| {
        check_row(&sites, i, policy)?;
        let row = sites.row(i);
        if PROXIMAL.iter().any(|&j| row[j] > 0.0) {
            return Ok(2);
        }
        if row.iter().any(|v| v.is_nan()) {
            return Ok(NA);
        }
        Ok(if row.iter().any(|&v| v > 0.0) { 1 } else { 0 })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn row(pairs: &[(&str, f64)]) -> Array2<f64> {
        let mut a = Array2::<f64>::zeros((1, 17));
        for (name, v) in pairs {
            let j = SITES.iter().position(|s| s == name).unwrap();
            a[[0, j]] = *v;
        }
        a
    }

    #[test]
    fn spec_examples() {
        // SCORING_SPEC section 1 examples
        let limited = [
            ("face", 1.0),
            ("fingers_right", 2.0),
            ("fingers_left", 2.0),
            ("hand_right", 1.0),
            ("hand_left", 1.0),
            ("forearm_right", 1.0),
            ("forearm_left", 1.0),
        ];
        let a = row(&limited);
        assert_eq!(total(a.view(), NanPolicy::Propagate).unwrap(), vec![9.0]);
        assert_eq!(subset(a.view(), NanPolicy::Propagate).unwrap(), vec![1]);
        let mut d = limited.to_vec();
        d.push(("upper_arm_right", 1.0));
        let a = row(&d);
        assert_eq!(total(a.view(), NanPolicy::Propagate).unwrap(), vec![10.0]);
        assert_eq!(subset(a.view(), NanPolicy::Propagate).unwrap(), vec![2]);
        let zero = row(&[]);
        assert_eq!(subset(zero.view(), NanPolicy::Propagate).unwrap(), vec![0]);
        let all3 = Array2::<f64>::from_elem((1, 17), 3.0);
        assert_eq!(
            total(all3.view(), NanPolicy::Propagate).unwrap(),
            vec![51.0]
        );
    }

    #[test]
    fn nan_rules() {
        let mut a = row(&[("anterior_chest", 1.0)]);
        a[[0, 0]] = f64::NAN;
        assert!(total(a.view(), NanPolicy::Propagate).unwrap()[0].is_nan());
        assert_eq!(subset(a.view(), NanPolicy::Propagate).unwrap(), vec![2]);
        let mut b = row(&[("face", 1.0)]);
        b[[0, 5]] = f64::NAN;
        assert_eq!(subset(b.view(), NanPolicy::Propagate).unwrap(), vec![NA]);
        assert!(total(b.view(), NanPolicy::Raise).is_err());
    }

    #[test]
    fn invalid_sites_are_errors_with_row_and_column() {
        let mut a = Array2::<f64>::zeros((3, 17));
        a[[2, 4]] = 4.0;
        match total(a.view(), NanPolicy::Propagate).unwrap_err() {
            StatsError::InvalidValue { row, col, .. } => assert_eq!((row, col), (2, Some(4))),
            e => panic!("{e}"),
        }
        a[[2, 4]] = 1.5;
        assert!(subset(a.view(), NanPolicy::Propagate).is_err());
        let wrong = Array2::<f64>::zeros((2, 16));
        assert!(total(wrong.view(), NanPolicy::Propagate).is_err());
    }
}
