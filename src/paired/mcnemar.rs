//! Tests of paired categorical data: McNemar (2 x 2, R `mcnemar.test` or the
//! exact binomial form) and Stuart–Maxwell marginal homogeneity (k x k).

use crate::common::whole::is_small_whole;
use crate::common::{dist, exact, NanPolicy};
use crate::error::{Result, StatsError};

/// Below this many discordant pairs, `exact=None` uses the exact binomial test.
pub const AUTO_EXACT_BELOW: usize = 25;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct McnemarOutput {
    pub statistic: f64,
    pub pvalue: f64,
    /// Pairs with x true and y false.
    pub b: f64,
    /// Pairs with x false and y true.
    pub c: f64,
    pub exact: bool,
}

/// Complete pairs of `x`, `y` under `policy`.
fn complete(x: &[f64], y: &[f64], policy: NanPolicy) -> Result<Vec<(f64, f64)>> {
    if x.len() != y.len() {
        return Err(StatsError::length("x", x.len(), "y", y.len()));
    }
    let mut out = Vec::with_capacity(x.len());
    for (i, (&a, &b)) in x.iter().zip(y).enumerate() {
        if a.is_nan() || b.is_nan() {
            match policy {
                NanPolicy::Omit => continue,
                NanPolicy::Raise | NanPolicy::Propagate => {
                    if policy == NanPolicy::Raise {
                        let arg = if a.is_nan() { "x" } else { "y" };
                        return Err(StatsError::invalid(
                            arg,
                            i,
                            f64::NAN,
                            crate::common::check::MISSING,
                            "a value",
                        ));
                    }
                    return Ok(Vec::new());
                }
            }
        }
        out.push((a, b));
    }
    Ok(out)
}

fn has_nan(x: &[f64], y: &[f64]) -> bool {
    x.iter().chain(y).any(|v| v.is_nan())
}

pub fn mcnemar(
    x: &[f64],
    y: &[f64],
    exact: Option<bool>,
    correction: bool,
    policy: NanPolicy,
) -> Result<McnemarOutput> {
    let pairs = complete(x, y, policy)?;
    if policy == NanPolicy::Propagate && has_nan(x, y) {
        return Ok(McnemarOutput {
            statistic: f64::NAN,
            pvalue: f64::NAN,
            b: f64::NAN,
            c: f64::NAN,
            exact: exact.unwrap_or(false),
        });
    }
    if pairs.is_empty() {
        return Err(StatsError::too_few("x", 0, 1));
    }
    let (mut b, mut c) = (0usize, 0usize);
    for (i, &(u, v)) in pairs.iter().enumerate() {
        for (arg, val) in [("x", u), ("y", v)] {
            if val != 0.0 && val != 1.0 {
                return Err(StatsError::invalid(
                    arg,
                    i,
                    val,
                    "not a boolean",
                    "allowed True/False (1/0)",
                ));
            }
        }
        if u == 1.0 && v == 0.0 {
            b += 1;
        } else if u == 0.0 && v == 1.0 {
            c += 1;
        }
    }
    let nd = b + c;
    let exact = exact.unwrap_or(nd < AUTO_EXACT_BELOW);
    let (statistic, pvalue) = if exact {
        let k = b.min(c) as i64;
        let p = if nd == 0 {
            1.0
        } else {
            (2.0 * exact::binom_half_tails(k, nd as u64).0).min(1.0)
        };
        (b as f64, p)
    } else if nd == 0 {
        (f64::NAN, f64::NAN)
    } else {
        let diff = (b as f64 - c as f64).abs();
        // R corrects only when the table is not symmetric (b != c)
        let num = if correction && b != c {
            diff - 1.0
        } else {
            diff
        };
        let s = num * num / nd as f64;
        (s, dist::chi2_sf(s, 1.0)?)
    };
    Ok(McnemarOutput {
        statistic,
        pvalue,
        b: b as f64,
        c: c as f64,
        exact,
    })
}

#[derive(Debug, Clone, PartialEq)]
pub struct StuartMaxwellOutput {
    pub statistic: f64,
    pub df: f64,
    pub pvalue: f64,
    /// k x k counts, row-major: rows = x category, columns = y category.
    pub table: Vec<f64>,
    pub k: usize,
}

/// Solve `a z = b` (a: m x m row-major) by Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<f64>, mut b: Vec<f64>, m: usize) -> Result<Vec<f64>> {
    let scale = a.iter().fold(0.0f64, |s, v| s.max(v.abs()));
    for col in 0..m {
        let piv = (col..m)
            .max_by(|&i, &j| a[i * m + col].abs().total_cmp(&a[j * m + col].abs()))
            .unwrap_or(col);
        if a[piv * m + col].abs() <= 1e-12 * scale.max(1.0) {
            return Err(StatsError::Singular {
                what: "Stuart-Maxwell covariance of the marginal differences".into(),
            });
        }
        if piv != col {
            for k in 0..m {
                a.swap(col * m + k, piv * m + k);
            }
            b.swap(col, piv);
        }
        for r in (col + 1)..m {
            let f = a[r * m + col] / a[col * m + col];
            for k in col..m {
                a[r * m + k] -= f * a[col * m + k];
            }
            b[r] -= f * b[col];
        }
    }
    let mut z = vec![0.0; m];
    for r in (0..m).rev() {
        let s: f64 = ((r + 1)..m).map(|k| a[r * m + k] * z[k]).sum();
        z[r] = (b[r] - s) / a[r * m + r];
    }
    Ok(z)
}

/// Stuart–Maxwell test; `x`, `y` are category codes `0..k` (NaN = missing).
pub fn stuart_maxwell(
    x: &[f64],
    y: &[f64],
    k: usize,
    policy: NanPolicy,
) -> Result<StuartMaxwellOutput> {
    let pairs = complete(x, y, policy)?;
    if policy == NanPolicy::Propagate && has_nan(x, y) {
        return Ok(StuartMaxwellOutput {
            statistic: f64::NAN,
            df: f64::NAN,
            pvalue: f64::NAN,
            table: vec![f64::NAN; k * k],
            k,
        });
    }
    if pairs.is_empty() {
        return Err(StatsError::too_few("x", 0, 1));
    }
    let mut t = vec![0.0; k * k];
    for (i, &(u, v)) in pairs.iter().enumerate() {
        for (arg, val) in [("x", u), ("y", v)] {
            if !(is_small_whole(val) && val < k as f64) {
                return Err(StatsError::invalid(
                    arg,
                    i,
                    val,
                    "not a category code",
                    format!("codes 0..{k}"),
                ));
            }
        }
        t[u as usize * k + v as usize] += 1.0;
    }
    // categories observed in either margin
    let used: Vec<usize> = (0..k)
        .filter(|&i| (0..k).any(|j| t[i * k + j] > 0.0 || t[j * k + i] > 0.0))
        .collect();
    let kk = used.len();
    if kk < 2 {
        return Err(StatsError::too_few("x (categories observed)", kk, 2));
    }
    let m = kk - 1;
    let at = |i: usize, j: usize| t[used[i] * k + used[j]];
    let mut dvec = vec![0.0; m];
    let mut s = vec![0.0; m * m];
    for i in 0..m {
        let row: f64 = (0..kk).map(|j| at(i, j)).sum();
        let colsum: f64 = (0..kk).map(|j| at(j, i)).sum();
        dvec[i] = row - colsum;
        for j in 0..m {
            s[i * m + j] = if i == j {
                row + colsum - 2.0 * at(i, i)
            } else {
                -(at(i, j) + at(j, i))
            };
        }
    }
    let z = solve(s, dvec.clone(), m)?;
    let statistic: f64 = dvec.iter().zip(&z).map(|(a, b)| a * b).sum();
    let df = m as f64;
    Ok(StuartMaxwellOutput {
        statistic,
        df,
        pvalue: dist::chi2_sf(statistic, df)?,
        table: t,
        k,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mcnemar_hand_solved() {
        // b = 3, c = 1: corrected (|3-1|-1)^2/4 = 0.25
        let x = [1.0, 1.0, 1.0, 0.0, 1.0, 0.0];
        let y = [0.0, 0.0, 0.0, 1.0, 1.0, 0.0];
        let r = mcnemar(&x, &y, Some(false), true, NanPolicy::Propagate).unwrap();
        assert_eq!((r.b, r.c, r.statistic), (3.0, 1.0, 0.25));
        let e = mcnemar(&x, &y, None, true, NanPolicy::Propagate).unwrap();
        assert!(e.exact);
        // 2 * P(Bin(4, .5) <= 1) = 2 * 5/16
        assert!((e.pvalue - 0.625).abs() < 1e-14);
        assert!(mcnemar(&[2.0], &[0.0], None, true, NanPolicy::Propagate).is_err());
    }

    #[test]
    fn stuart_maxwell_two_categories_is_uncorrected_mcnemar() {
        let x = [1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0];
        let y = [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0];
        let s = stuart_maxwell(&x, &y, 2, NanPolicy::Propagate).unwrap();
        let m = mcnemar(&x, &y, Some(false), false, NanPolicy::Propagate).unwrap();
        assert!((s.statistic - m.statistic).abs() < 1e-12);
        assert_eq!(s.df, 1.0);
    }

    #[test]
    fn symmetric_table_gives_zero_and_singular_is_reported() {
        let x = [0.0, 1.0, 2.0, 1.0, 2.0, 0.0];
        let y = [1.0, 2.0, 0.0, 0.0, 1.0, 2.0];
        let s = stuart_maxwell(&x, &y, 3, NanPolicy::Propagate).unwrap();
        assert!(s.statistic.abs() < 1e-12);
        assert!(stuart_maxwell(&[0.0, 1.0], &[0.0, 1.0], 2, NanPolicy::Propagate).is_err());
    }
}
