//! Gray's (1988) k-sample test for cumulative incidence functions, as
//! `cmprsk::cuminc(ftime, fstatus, group)$Tests` (rho = 0 by default).
//!
//! For the cause of interest, the score for group g is the weighted sum over
//! event times of d1_g − d1 · R_g / Σ R, with R_g = n_g (1 − F_g(t−)) / S_g(t−)
//! (n_g at risk, F_g the group's cumulative incidence and S_g its event-free
//! Kaplan–Meier, both left-continuous) and weight (1 − F(t−))^rho, F the
//! pooled-type estimate F(t) = F(t−) + d1 / Σ n_g / S_g(t−). The variance is
//! Gray's asymptotic estimate: contributions of cause-of-interest and
//! competing events through the per-group terms a_g (current), c_g
//! (accumulated) and the (1 − F)/S_g factors, with small-sample corrections
//! for tied events. The statistic s' V⁻¹ s over the first k−1 groups is
//! chi-squared with k−1 degrees of freedom.

use rayon::prelude::*;

use super::tabulate::{tabulate, Tabulation};
use crate::common::dist::chi2_sf;
use crate::common::linalg::quad_inv;
use crate::error::Result;

#[derive(Debug, Clone, PartialEq)]
pub struct GrayOutput {
    pub statistic: f64,
    pub df: f64,
    pub pvalue: f64,
}

/// Score (k−1) and variance ((k−1)², row-major) for one stratum, for cause `kc`.
/// `tab` labels are `group * (K + 1) + cause` (cause 0 = censored); groups 0..k−1 all non-empty.
fn score_variance(
    tab: &Tabulation,
    kc: usize,
    ncauses: usize,
    k: usize,
    rho: f64,
) -> (Vec<f64>, Vec<f64>) {
    let w = ncauses + 1;
    let k1 = k - 1;
    let mut rs = vec![0.0f64; k];
    for j in 0..tab.len() {
        let row = tab.row(j);
        for g in 0..k {
            rs[g] += row[g * w..(g + 1) * w]
                .iter()
                .map(|&c| f64::from(c))
                .sum::<f64>();
        }
    }
    let mut f1m = vec![0.0; k];
    let mut f1 = vec![0.0; k];
    let mut skmm = vec![1.0; k];
    let mut skm = vec![1.0; k];
    let mut v3 = vec![0.0; k];
    let mut v2 = vec![0.0; k1 * k];
    let mut c = vec![0.0; k * k];
    let mut a = vec![0.0; k * k];
    let mut s = vec![0.0; k1];
    let mut v = vec![0.0; k1 * k1];
    let mut fm = 0.0f64;
    let mut d = vec![[0.0f64; 3]; k];
    for jt in 0..tab.len() {
        let row = tab.row(jt);
        for g in 0..k {
            let cell = &row[g * w..(g + 1) * w];
            let all: f64 = cell.iter().map(|&c| f64::from(c)).sum();
            let d1 = f64::from(cell[kc]);
            let d0 = f64::from(cell[0]);
            d[g] = [d0, d1, all - d0 - d1];
        }
        let nd1: f64 = d.iter().map(|x| x[1]).sum();
        let nd2: f64 = d.iter().map(|x| x[2]).sum();
        if nd1 > 0.0 || nd2 > 0.0 {
            let mut tr = 0.0;
            let mut tq = 0.0;
            for g in 0..k {
                if rs[g] <= 0.0 {
                    continue;
                }
                skm[g] = skmm[g] * (rs[g] - d[g][1] - d[g][2]) / rs[g];
                f1[g] = f1m[g] + skmm[g] * d[g][1] / rs[g];
                tr += rs[g] / skmm[g];
                tq += rs[g] * (1.0 - f1m[g]) / skmm[g];
            }
            let f = fm + nd1 / tr;
            let fb = (1.0 - fm).powf(rho);
            a.iter_mut().for_each(|x| *x = 0.0);
            for g in 0..k {
                if rs[g] <= 0.0 {
                    continue;
                }
                let t1 = rs[g] / skmm[g];
                a[g * k + g] = fb * t1 * (1.0 - t1 / tr);
                c[g * k + g] += a[g * k + g] * nd1 / (tr * (1.0 - fm));
                for h in g + 1..k {
                    if rs[h] <= 0.0 {
                        continue;
                    }
                    a[g * k + h] = -fb * t1 * rs[h] / (skmm[h] * tr);
                    a[h * k + g] = a[g * k + h];
                    c[g * k + h] += a[g * k + h] * nd1 / (tr * (1.0 - fm));
                    c[h * k + g] = c[g * k + h];
                }
            }
            for g in 0..k1 {
                if rs[g] > 0.0 {
                    s[g] += fb * (d[g][1] - nd1 * rs[g] * (1.0 - f1m[g]) / (skmm[g] * tq));
                }
            }
            if nd1 > 0.0 {
                for h in 0..k {
                    if rs[h] <= 0.0 {
                        continue;
                    }
                    let t4 = if skm[h] > 0.0 {
                        1.0 - (1.0 - f) / skm[h]
                    } else {
                        1.0
                    };
                    let t5 = if nd1 > 1.0 {
                        1.0 - (nd1 - 1.0) / (tr * skmm[h] - 1.0)
                    } else {
                        1.0
                    };
                    let t3 = t5 * skmm[h] * nd1 / (tr * rs[h]);
                    v3[h] += t4 * t4 * t3;
                    for g in 0..k1 {
                        let t1 = a[g * k + h] - t4 * c[g * k + h];
                        v2[g * k + h] += t1 * t4 * t3;
                        for j in 0..=g {
                            let t2 = a[j * k + h] - t4 * c[j * k + h];
                            v[g * k1 + j] += t1 * t2 * t3;
                        }
                    }
                }
            }
            if nd2 > 0.0 {
                for h in 0..k {
                    if skm[h] <= 0.0 || d[h][2] <= 0.0 {
                        continue;
                    }
                    let t4 = (1.0 - f) / skm[h];
                    let t5 = if d[h][2] > 1.0 {
                        1.0 - (d[h][2] - 1.0) / (rs[h] - 1.0)
                    } else {
                        1.0
                    };
                    let t3 = t5 * skmm[h] * skmm[h] * d[h][2] / (rs[h] * rs[h]);
                    v3[h] += t4 * t4 * t3;
                    for g in 0..k1 {
                        let t1 = t4 * c[g * k + h];
                        v2[g * k + h] -= t1 * t4 * t3;
                        for j in 0..=g {
                            let t2 = t4 * c[j * k + h];
                            v[g * k1 + j] += t1 * t2 * t3;
                        }
                    }
                }
            }
            fm = f;
            f1m.copy_from_slice(&f1);
            skmm.copy_from_slice(&skm);
        }
        for g in 0..k {
            rs[g] -= d[g][0] + d[g][1] + d[g][2];
        }
    }
    for g in 0..k1 {
        for j in 0..=g {
            let mut add = 0.0;
            for h in 0..k {
                add += c[g * k + h] * c[j * k + h] * v3[h]
                    + c[g * k + h] * v2[j * k + h]
                    + c[j * k + h] * v2[g * k + h];
            }
            v[g * k1 + j] += add;
            v[j * k1 + g] = v[g * k1 + j];
        }
    }
    (s, v)
}

/// Gray's test per cause from the user's codes: `cause` (0 = censored, causes
/// at least 1) and `group` (whole numbers, 0 or more; codes with no rows are left
/// out, the others compacted to 0..k). Returns the causes and one test per cause.
pub fn gray(
    time: &[f64],
    cause: &[f64],
    group: &[f64],
    rho: f64,
) -> Result<(Vec<u32>, Vec<GrayOutput>)> {
    super::check_lengths(&[
        ("time", time.len()),
        ("cause", cause.len()),
        ("group", group.len()),
    ])?;
    let (cm, causes) = super::aalen_johansen::map_causes(cause)?;
    let (gc, gmax) = super::check_codes(group, "group", "group codes must be integers >= 0")?;
    let mut present = vec![false; gmax as usize + 1];
    for &v in &gc {
        present[v as usize] = true;
    }
    let mut dense = vec![0u32; present.len()];
    let mut k = 0usize;
    for (slot, &p) in dense.iter_mut().zip(&present) {
        if p {
            *slot = k as u32;
            k += 1;
        }
    }
    let gm: Vec<u32> = gc.iter().map(|&v| dense[v as usize]).collect();
    let tests = gray_tests(time, &cm, &gm, causes.len(), k, rho)?;
    Ok((causes, tests))
}

/// Gray's test for each cause 1..=ncauses (`cause` already mapped to 0..=K,
/// `group` to 0..k−1 with every group present). Causes run in parallel.
pub fn gray_tests(
    time: &[f64],
    cause: &[u32],
    group: &[u32],
    ncauses: usize,
    ngroups: usize,
    rho: f64,
) -> Result<Vec<GrayOutput>> {
    if ngroups < 2 {
        return Ok(vec![
            GrayOutput {
                statistic: f64::NAN,
                df: 0.0,
                pvalue: f64::NAN
            };
            ncauses
        ]);
    }
    let w = ncauses as u32 + 1;
    let scan = super::check_times(time, "time")?;
    let tab = super::logrank::tabulated(
        tabulate(
            time,
            |i| (group[i] * w + cause[i]) as usize,
            None,
            ngroups * (ncauses + 1),
            scan,
        ),
        "group",
    )?;
    (1..=ncauses)
        .into_par_iter()
        .map(|kc| {
            let (s, v) = score_variance(&tab, kc, ncauses, ngroups, rho);
            let m = ngroups - 1;
            let statistic = quad_inv(&v, &s, m).unwrap_or(f64::NAN);
            let df = m as f64;
            let pvalue = if statistic.is_nan() {
                f64::NAN
            } else {
                chi2_sf(statistic, df)?
            };
            Ok(GrayOutput {
                statistic,
                df,
                pvalue,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_groups_give_zero_statistic() {
        // the same data twice, once per group: every score term is zero
        let t = [1.0, 2.0, 3.0, 4.0, 5.0, 1.0, 2.0, 3.0, 4.0, 5.0];
        let c = [1, 2, 0, 1, 2, 1, 2, 0, 1, 2];
        let g = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
        let out = gray_tests(&t, &c, &g, 2, 2, 0.0).unwrap();
        for o in out {
            assert!(o.statistic.abs() < 1e-12);
            assert!((o.pvalue - 1.0).abs() < 1e-9);
            assert_eq!(o.df, 1.0);
        }
    }

    #[test]
    fn separated_groups_give_large_statistic() {
        let mut t = vec![];
        let mut c = vec![];
        let mut g = vec![];
        for i in 0..20 {
            t.push(i as f64 + 1.0);
            c.push(if i < 10 { 1 } else { 2 });
            g.push(if i < 10 { 0 } else { 1 });
        }
        let out = gray_tests(&t, &c, &g, 2, 2, 0.0).unwrap();
        assert!(out[0].statistic > 5.0);
    }
}
