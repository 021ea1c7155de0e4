//! Cochin Hand Function Scale (SCORING_SPEC section 7).

use ndarray::{Array2, ArrayView2};

use crate::common::check::{self, At};
use crate::common::rows::map_rows;
use crate::common::NanPolicy;
use crate::error::{Arg, Result, StatsError};

pub const DOMAINS: [&str; 5] = ["kitchen", "dressing", "hygiene", "office", "other"];
/// First item of each domain plus the end: kitchen 1-8, dressing 9-10, hygiene 11-12, office 13-14, other 15-18.
pub const DOMAIN_START: [usize; 6] = [0, 8, 10, 12, 14, 18];

/// Total (column 0) and the five domain sums (columns 1-5) per row; any NaN item -> NaN.
pub fn chfs(items: ArrayView2<f64>, policy: NanPolicy) -> Result<Array2<f64>> {
    let policy = policy.rowwise()?;
    if items.ncols() != 18 {
        return Err(StatsError::argument(
            "items",
            format!(
                "must have 18 columns (chfs_01..chfs_18), got {}",
                items.ncols()
            ),
        ));
    }
    let n = items.nrows();
    if n == 0 {
        return Err(StatsError::too_few("items", 0, 1));
    }
    let arg: Arg = "items".into();
    let rows = map_rows(n, |i| {
        let mut out = [0.0f64; 6];
        let row = items.row(i);
        for d in 0..5 {
            for j in DOMAIN_START[d]..DOMAIN_START[d + 1] {
                check::integer(
                    row[j],
                    0.0,
                    5.0,
                    policy,
                    At::cell(&arg, i, j),
                    "allowed integers 0-5",
                )?;
                out[d + 1] += row[j];
            }
        }
        out[0] = out[1..].iter().sum();
        Ok(out)
    })?;
    Ok(Array2::from_shape_fn((n, 6), |(i, j)| rows[i][j]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples() {
        // SCORING_SPEC section 7
        let x = [
            2., 3., 1., 2., 4., 3., 1., 2., 2., 1., 0., 0., 1., 2., 1., 3., 2., 1.,
        ];
        let mut a = Array2::<f64>::zeros((3, 18));
        a.row_mut(1).fill(5.0);
        a.row_mut(2).assign(&ndarray::ArrayView1::from(&x));
        let r = chfs(a.view(), NanPolicy::Propagate).unwrap();
        assert_eq!(r[[0, 0]], 0.0);
        assert_eq!(r[[1, 0]], 90.0);
        assert_eq!(r.row(2).to_vec(), vec![31.0, 18.0, 3.0, 0.0, 3.0, 7.0]);
        a[[0, 0]] = 6.0;
        assert!(chfs(a.view(), NanPolicy::Propagate).is_err());
        a[[0, 0]] = f64::NAN;
        assert!(chfs(a.view(), NanPolicy::Propagate).unwrap()[[0, 0]].is_nan());
    }
}
