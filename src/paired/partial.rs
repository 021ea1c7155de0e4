//! Exactly mergeable moments for out-of-core (Dask) paired t-tests.
//!
//! Per endpoint and partition: the number of complete pairs, the mean and the
//! sum of squared deviations (M2) of the differences, the means of x and y
//! over those pairs, and the number of pairs with a missing value. Partials
//! merge with Chan, Golub & LeVeque's parallel formula
//! (M2 = M2a + M2b + δ² na nb / n, δ = mean_b − mean_a), and the t-test runs
//! on the merged (n, mean, sd) through the in-memory code
//! ([`super::ttest::from_stats`]).

use ndarray::{Array2, ArrayView2};

use super::ttest::{from_stats, t_pvalue, TtestOptions, TtestOutput};
use crate::error::{Result, StatsError};

/// Columns of a moments row.
pub const N: usize = 0;
pub const MEAN: usize = 1;
pub const M2: usize = 2;
pub const MEAN_X: usize = 3;
pub const MEAN_Y: usize = 4;
pub const MISSING: usize = 5;
pub const WIDTH: usize = 6;

/// Moments of each endpoint (rows of `x`, observations in columns); `y = None`: one-sample.
pub fn moments(x: ArrayView2<'_, f64>, y: Option<ArrayView2<'_, f64>>) -> Result<Array2<f64>> {
    if let Some(y) = y {
        if y.dim() != x.dim() {
            return Err(StatsError::length("x", x.ncols(), "y", y.ncols()));
        }
    }
    let mut out = Array2::<f64>::zeros((x.nrows(), WIDTH));
    for e in 0..x.nrows() {
        let xr = x.row(e);
        let pair = |i: usize| -> Option<(f64, f64)> {
            let a = xr[i];
            let b = y.map_or(0.0, |y| y[(e, i)]);
            if a.is_nan() || b.is_nan() {
                None
            } else {
                Some((a, b))
            }
        };
        let (mut n, mut sd, mut sx, mut sy, mut miss) = (0usize, 0.0, 0.0, 0.0, 0usize);
        for i in 0..xr.len() {
            match pair(i) {
                Some((a, b)) => {
                    n += 1;
                    sd += if y.is_some() { b - a } else { a };
                    sx += a;
                    sy += b;
                }
                None => miss += 1,
            }
        }
        let mean = if n > 0 { sd / n as f64 } else { 0.0 };
        let mut m2 = 0.0;
        for i in 0..xr.len() {
            if let Some((a, b)) = pair(i) {
                let d = if y.is_some() { b - a } else { a } - mean;
                m2 += d * d;
            }
        }
        let nf = n as f64;
        let row = [
            nf,
            mean,
            m2,
            if n > 0 { sx / nf } else { 0.0 },
            if n > 0 && y.is_some() {
                sy / nf
            } else {
                f64::NAN
            },
            miss as f64,
        ];
        out.row_mut(e).iter_mut().zip(row).for_each(|(o, v)| *o = v);
    }
    Ok(out)
}

/// Merge two moments rows (Chan et al.).
pub fn merge_row(a: &[f64], b: &[f64]) -> [f64; WIDTH] {
    let (na, nb) = (a[N], b[N]);
    let n = na + nb;
    let mut out = [0.0; WIDTH];
    out[N] = n;
    out[MISSING] = a[MISSING] + b[MISSING];
    if nb == 0.0 {
        out[MEAN..MISSING].copy_from_slice(&a[MEAN..MISSING]);
    } else if na == 0.0 {
        out[MEAN..MISSING].copy_from_slice(&b[MEAN..MISSING]);
    } else {
        let delta = b[MEAN] - a[MEAN];
        out[MEAN] = a[MEAN] + delta * (nb / n);
        out[M2] = a[M2] + b[M2] + delta * delta * (na * nb / n);
        out[MEAN_X] = (na * a[MEAN_X] + nb * b[MEAN_X]) / n;
        out[MEAN_Y] = (na * a[MEAN_Y] + nb * b[MEAN_Y]) / n;
    }
    out
}

/// Merge moments tables (same endpoints × [`WIDTH`]).
pub fn merge(parts: &[ArrayView2<'_, f64>]) -> Result<Array2<f64>> {
    let first = parts
        .first()
        .ok_or_else(|| StatsError::argument("parts", "nothing to merge"))?;
    let mut acc = first.to_owned();
    for p in &parts[1..] {
        if p.dim() != acc.dim() || p.ncols() != WIDTH {
            return Err(StatsError::argument(
                "parts",
                "moments tables must have the same endpoints and 6 columns",
            ));
        }
        for e in 0..acc.nrows() {
            let row = merge_row(&acc.row(e).to_vec(), &p.row(e).to_vec());
            acc.row_mut(e).iter_mut().zip(row).for_each(|(o, v)| *o = v);
        }
    }
    Ok(acc)
}

/// The t-test of one endpoint from its merged moments. `propagate`: missing
/// pairs give a NaN row (else they were omitted). `strict` (the 1-D form):
/// fewer than two pairs is an error, else a NaN row.
pub fn ttest_from_moments(
    m: &[f64],
    o: &TtestOptions,
    propagate: bool,
    strict: bool,
) -> Result<TtestOutput> {
    use super::NanRow;
    if propagate && m[MISSING] > 0.0 {
        return Ok(TtestOutput::nan_row());
    }
    let n = m[N] as usize;
    if n < 2 {
        if strict {
            return Err(StatsError::too_few("x", n, 2));
        }
        return Ok(TtestOutput::nan_row());
    }
    let sd = (m[M2] / (n - 1) as f64).sqrt();
    let mut r = from_stats(n, m[MEAN], sd, o, None)?;
    r.pvalue = if r.statistic.is_nan() {
        f64::NAN
    } else {
        t_pvalue(r.statistic, r.df, o.alternative)?
    };
    if o.means {
        r.mean_x = m[MEAN_X];
        r.mean_y = m[MEAN_Y];
    }
    Ok(r)
}

/// [`ttest_from_moments`] for every endpoint (row) of a merged moments table.
pub fn ttest_table(
    m: ArrayView2<'_, f64>,
    o: &TtestOptions,
    propagate: bool,
    strict: bool,
) -> Result<Vec<TtestOutput>> {
    crate::common::alternative::check_conf_level(o.conf_level)?;
    if !o.popmean.is_finite() {
        return Err(StatsError::argument(
            "popmean",
            format!("{} is not a finite number", o.popmean),
        ));
    }
    if m.ncols() != WIDTH {
        return Err(StatsError::argument("moments", "expected 6 columns"));
    }
    m.rows()
        .into_iter()
        .map(|r| ttest_from_moments(&r.to_vec(), o, propagate, strict))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, s};

    #[test]
    fn merged_moments_equal_whole() {
        let x = array![[1.0, 2.0, f64::NAN, 4.0, 3.0, 7.0, 1.5]];
        let y = array![[2.0, 5.0, 5.0, 4.5, 1.0, 9.0, 2.0]];
        let whole = moments(x.view(), Some(y.view())).unwrap();
        let a = moments(x.slice(s![.., ..3]), Some(y.slice(s![.., ..3]))).unwrap();
        let b = moments(x.slice(s![.., 3..3]), Some(y.slice(s![.., 3..3]))).unwrap();
        let c = moments(x.slice(s![.., 3..]), Some(y.slice(s![.., 3..]))).unwrap();
        let m = merge(&[a.view(), b.view(), c.view()]).unwrap();
        for k in 0..WIDTH {
            assert!((m[(0, k)] - whole[(0, k)]).abs() < 1e-12, "{k}");
        }
        assert_eq!(m[(0, N)], 6.0);
        assert_eq!(m[(0, MISSING)], 1.0);
    }
}
