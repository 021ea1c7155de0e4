//! Multiple-testing adjustment of p-values, as R `p.adjust`: NaN entries stay
//! NaN and do not count in the number of tests.

use crate::common::Choice;
use crate::error::{Result, StatsError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adjust {
    Bonferroni,
    Holm,
    Hochberg,
    Hommel,
    /// Benjamini–Hochberg false discovery rate.
    Bh,
    /// Benjamini–Yekutieli.
    By,
    None,
}

impl Choice for Adjust {
    const ARG: &'static str = "method";
    const VALUES: &'static [(&'static str, Self)] = &[
        ("bonferroni", Adjust::Bonferroni),
        ("holm", Adjust::Holm),
        ("hochberg", Adjust::Hochberg),
        ("hommel", Adjust::Hommel),
        ("bh", Adjust::Bh),
        ("by", Adjust::By),
        ("none", Adjust::None),
    ];
    /// R's `p.adjust` and statsmodels' names.
    const ALIASES: &'static [(&'static str, Self)] = &[
        ("fdr", Adjust::Bh),
        ("fdr_bh", Adjust::Bh),
        ("fdr_by", Adjust::By),
    ];
    const IGNORE_CASE: bool = true;
}

/// Stable ascending order of `p`.
fn order(p: &[f64]) -> Vec<usize> {
    let mut o: Vec<usize> = (0..p.len()).collect();
    o.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    o
}

fn adjust_complete(p: &[f64], method: Adjust) -> Vec<f64> {
    let n = p.len();
    let nf = n as f64;
    let mut out = vec![0.0; n];
    if n == 0 {
        return out;
    }
    match method {
        Adjust::None => out.copy_from_slice(p),
        Adjust::Bonferroni => {
            for (o, &v) in out.iter_mut().zip(p) {
                *o = (nf * v).min(1.0);
            }
        }
        Adjust::Holm => {
            let o = order(p);
            let mut run = 0.0f64;
            for (i, &k) in o.iter().enumerate() {
                run = run.max((nf - i as f64) * p[k]);
                out[k] = run.min(1.0);
            }
        }
        Adjust::Hochberg | Adjust::Bh | Adjust::By => {
            // decreasing order (R: order(p, decreasing = TRUE), stable)
            let mut o: Vec<usize> = (0..n).collect();
            o.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
            let q: f64 = if method == Adjust::By {
                (1..=n).map(|i| 1.0 / i as f64).sum()
            } else {
                1.0
            };
            let mut run = f64::INFINITY;
            for (j, &k) in o.iter().enumerate() {
                let i = (n - j) as f64; // R's i = lp:1
                let v = match method {
                    Adjust::Hochberg => (nf + 1.0 - i) * p[k],
                    Adjust::Bh => nf / i * p[k],
                    _ => q * nf / i * p[k],
                };
                run = run.min(v);
                out[k] = run.min(1.0);
            }
        }
        Adjust::Hommel => {
            let o = order(p);
            let s: Vec<f64> = o.iter().map(|&k| p[k]).collect();
            let init = (0..n)
                .map(|i| nf * s[i] / (i + 1) as f64)
                .fold(f64::INFINITY, f64::min);
            let mut q = vec![init; n];
            let mut pa = vec![init; n];
            for m in (2..n).rev() {
                let mf = m as f64;
                // i1 = 1..=n-m+1, i2 = n-m+2..=n (1-based)
                let q1 = ((n - m + 1)..n)
                    .enumerate()
                    .map(|(j, i)| mf * s[i] / (j + 2) as f64)
                    .fold(f64::INFINITY, f64::min);
                for i in 0..=(n - m) {
                    q[i] = (mf * s[i]).min(q1);
                }
                let qv = q[n - m];
                for qi in q.iter_mut().skip(n - m + 1) {
                    *qi = qv;
                }
                for (a, &b) in pa.iter_mut().zip(&q) {
                    *a = a.max(b);
                }
            }
            for (i, &k) in o.iter().enumerate() {
                out[k] = pa[i].max(s[i]);
            }
        }
    }
    out
}

/// Adjusted p-values (NaN in, NaN out; values must lie in [0, 1]).
pub fn adjust(p: &[f64], method: Adjust) -> Result<Vec<f64>> {
    for (i, &v) in p.iter().enumerate() {
        if !v.is_nan() && !(0.0..=1.0).contains(&v) {
            return Err(StatsError::invalid(
                "pvalues",
                i,
                v,
                "out of range",
                "p-values must lie in [0, 1] (NaN = missing)",
            ));
        }
    }
    let keep: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    let sub: Vec<f64> = keep.iter().map(|&i| p[i]).collect();
    let adj = adjust_complete(&sub, method);
    let mut out = vec![f64::NAN; p.len()];
    for (&i, v) in keep.iter().zip(adj) {
        out[i] = v;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: [f64; 5] = [0.01, 0.04, 0.03, 0.005, 0.5];

    #[test]
    fn hand_solved_holm_bh_bonferroni() {
        let h = adjust(&P, Adjust::Holm).unwrap();
        // sorted 0.005*5, 0.01*4, 0.03*3, 0.04*2, 0.5*1 with running max
        assert_eq!(h, vec![0.04, 0.09, 0.09, 0.025, 0.5]);
        let b = adjust(&P, Adjust::Bonferroni).unwrap();
        assert_eq!(b[4], 1.0);
        let bh = adjust(&P, Adjust::Bh).unwrap();
        // 0.04*5/4 = 0.05 ; 0.03*5/3 = 0.05 ; 0.01*5/2 = 0.025 ; 0.005*5 = 0.025
        let want = [0.025, 0.05, 0.05, 0.025, 0.5];
        for (a, w) in bh.iter().zip(want) {
            assert!((a - w).abs() < 1e-15);
        }
    }

    #[test]
    fn nan_stays_and_range_is_checked() {
        let r = adjust(&[0.01, f64::NAN, 0.02], Adjust::Bonferroni).unwrap();
        assert_eq!(r[0], 0.02);
        assert!(r[1].is_nan());
        assert!(adjust(&[1.5], Adjust::Holm).is_err());
        assert!(Adjust::parse("sidak").is_err());
    }

    #[test]
    fn hommel_between_hochberg_and_bonferroni_and_single_value_unchanged() {
        let hm = adjust(&P, Adjust::Hommel).unwrap();
        let hb = adjust(&P, Adjust::Hochberg).unwrap();
        for (a, b) in hm.iter().zip(&hb) {
            assert!(a <= b);
        }
        assert_eq!(adjust(&[0.3], Adjust::Hommel).unwrap(), vec![0.3]);
    }
}
