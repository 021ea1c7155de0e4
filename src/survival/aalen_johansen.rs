//! Aalen–Johansen cumulative incidence for competing risks, as R multi-state
//! `survfit(Surv(time, factor(cause)) ~ group)`: everyone starts event-free
//! (state 0) and moves at most once, to cause 1..K.
//!
//! At each distinct time t with n at risk and d_k events of cause k:
//! S(t) = S(t−)(1 − d/n) and CIF_k(t) = CIF_k(t−) + S(t−) d_k/n.
//!
//! Standard errors are R's infinitesimal jackknife: the variance of each
//! state probability is Σ_i U_i(t)², with U_i the derivative of the state
//! probabilities p(t) = p(t−) H(t) with respect to subject i's case weight,
//! U_i(t) = U_i(t−) H(t) + S(t−) ∂H(t)/∂w_i. Subjects still at risk share
//! one U vector and subjects that have left evolve linearly through H, so the
//! sum is kept as a (K+1)×(K+1) Gram matrix: O(n log n + T K³), not O(n T).
//! Confidence limits are R's default for `pstate` (conf.type 'log' on the
//! standard error of p: exp(log p ± z se/p), upper ≤ 1; missing when p = 0).

use rayon::prelude::*;

use super::logrank::tabulated;
use super::tabulate::{tabulate, Tabulation};
use super::{check_codes, check_lengths, check_times, split_by, z_value};
use crate::error::{Result, StatsError};

/// Stacked tables per group; per-cause columns are row-major (row r, cause k at `r*K + k`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AjOutput {
    /// Distinct cause codes (the values given, > 0), ascending.
    pub causes: Vec<u32>,
    pub group: Vec<u32>,
    pub time: Vec<f64>,
    pub n_risk: Vec<f64>,
    pub n_event: Vec<f64>,
    pub n_censor: Vec<f64>,
    /// Probability of still being event-free, and its standard error.
    pub survival: Vec<f64>,
    pub survival_se: Vec<f64>,
    pub cif: Vec<f64>,
    pub std_err: Vec<f64>,
    pub ci_low: Vec<f64>,
    pub ci_high: Vec<f64>,
}

/// Confidence limits of R's 'log' type for a probability with plain-scale SE.
pub fn log_limits(p: f64, se: f64, z: f64) -> (f64, f64) {
    if p == 0.0 || p.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    let sl = if se == 0.0 { 0.0 } else { se / p };
    ((p.ln() - z * sl).exp(), (p.ln() + z * sl).exp().min(1.0))
}

/// Validate causes and map them to 0 (censored) / 1..K; returns (mapped, distinct causes).
pub fn map_causes(cause: &[f64]) -> Result<(Vec<u32>, Vec<u32>)> {
    let (c, max) = check_codes(
        cause,
        "cause",
        "causes must be integers >= 0 (0 = censored)",
    )?;
    let mut seen = vec![false; max as usize + 1];
    for &v in &c {
        seen[v as usize] = true;
    }
    let causes: Vec<u32> = (1..=max).filter(|&v| seen[v as usize]).collect();
    let mut map = vec![0u32; max as usize + 1];
    for (j, &v) in causes.iter().enumerate() {
        map[v as usize] = j as u32 + 1;
    }
    Ok((c.iter().map(|&v| map[v as usize]).collect(), causes))
}

pub fn group_table(tab: &Tabulation, code: u32, k: usize, z: f64, out: &mut AjOutput) {
    let s1 = k + 1;
    let n: u64 = tab.counts.iter().map(|&c| u64::from(c)).sum();
    let mut gone = 0u64;
    let mut p = vec![0.0f64; s1];
    p[0] = 1.0;
    let mut a = vec![0.0f64; s1]; // common U of subjects at risk
    let mut gram = vec![0.0f64; s1 * s1]; // Σ U U' of subjects that left
    let mut tmp = vec![0.0f64; s1 * s1];
    let mut dk = vec![0.0f64; k];
    let mut ucen = vec![0.0f64; s1];
    let mut uev = vec![0.0f64; s1];
    for jt in 0..tab.len() {
        let t = tab.times[jt];
        let row = tab.row(jt);
        let ncen = f64::from(row[0]);
        for c in 0..k {
            dk[c] = f64::from(row[c + 1]);
        }
        let nr = (n - gone) as f64;
        gone += row.iter().map(|&c| u64::from(c)).sum::<u64>();
        let d: f64 = dk.iter().sum();
        let p0 = p[0];
        if d > 0.0 {
            // Gram <- H' Gram H, with H = I except row 0 = (1 - d/n, d_1/n, ..., d_K/n)
            let h0: Vec<f64> = std::iter::once(1.0 - d / nr)
                .chain(dk.iter().map(|&x| x / nr))
                .collect();
            // tmp = Gram H: column j of H is e_j (j>0) plus h0[j] e_0; column 0 is h0[0] e_0
            for r in 0..s1 {
                let g0 = gram[r * s1];
                tmp[r * s1] = g0 * h0[0];
                for j in 1..s1 {
                    tmp[r * s1 + j] = gram[r * s1 + j] + g0 * h0[j];
                }
            }
            // gram = H' tmp: row 0 of result = h0[0] tmp row 0; row j = tmp row j + h0[j] tmp row 0
            for c in 0..s1 {
                let t0 = tmp[c];
                gram[c] = h0[0] * t0;
                for j in 1..s1 {
                    gram[j * s1 + c] = tmp[j * s1 + c] + h0[j] * t0;
                }
            }
            // B = A H
            let a0 = a[0];
            a[0] = a0 * h0[0];
            for j in 1..s1 {
                a[j] += a0 * h0[j];
            }
            // probabilities
            for j in 1..s1 {
                p[j] += p0 * h0[j];
            }
            p[0] = p0 * h0[0];
            // influence of subject i on row 0 of H: (-(δ_i − d/n)/n, (δ_ik − d_k/n)/n)
            ucen[0] = a[0] + p0 * (d / nr) / nr;
            for j in 1..s1 {
                ucen[j] = a[j] - p0 * (dk[j - 1] / nr) / nr;
            }
            // subjects leaving with an event of cause j
            for c in 1..s1 {
                if dk[c - 1] == 0.0 {
                    continue;
                }
                uev.copy_from_slice(&ucen);
                uev[0] -= p0 / nr;
                uev[c] += p0 / nr;
                let w = dk[c - 1];
                for r in 0..s1 {
                    for q in 0..s1 {
                        gram[r * s1 + q] += w * uev[r] * uev[q];
                    }
                }
            }
            a.copy_from_slice(&ucen);
        }
        if ncen > 0.0 {
            for r in 0..s1 {
                for q in 0..s1 {
                    gram[r * s1 + q] += ncen * a[r] * a[q];
                }
            }
        }
        let remain = (n - gone) as f64;
        out.group.push(code);
        out.time.push(t);
        out.n_risk.push(nr);
        out.n_event.push(d);
        out.n_censor.push(ncen);
        let var0 = gram[0] + remain * a[0] * a[0];
        out.survival.push(p[0]);
        out.survival_se.push(var0.max(0.0).sqrt());
        for j in 1..s1 {
            let v = gram[j * s1 + j] + remain * a[j] * a[j];
            let se = v.max(0.0).sqrt();
            let (lo, hi) = log_limits(p[j], se, z);
            out.cif.push(p[j]);
            out.std_err.push(se);
            out.ci_low.push(lo);
            out.ci_high.push(hi);
        }
    }
}

/// Cumulative incidence of each cause, per group code.
pub fn aalen_johansen(
    time: &[f64],
    cause: &[f64],
    group: Option<&[f64]>,
    conf_level: f64,
) -> Result<AjOutput> {
    match group {
        Some(g) => check_lengths(&[
            ("time", time.len()),
            ("cause", cause.len()),
            ("group", g.len()),
        ])?,
        None => check_lengths(&[("time", time.len()), ("cause", cause.len())])?,
    };
    let z = z_value(conf_level)?;
    let scan = check_times(time, "time")?;
    let (c, causes) = map_causes(cause)?;
    if causes.is_empty() {
        return Err(StatsError::argument(
            "cause",
            "no events (every cause is 0 = censored)",
        ));
    }
    let k = causes.len();
    let tables: Vec<AjOutput> = match group {
        None => {
            let mut out = AjOutput::default();
            group_table(
                &tabulated(
                    tabulate(time, |i| c[i] as usize, None, k + 1, scan),
                    "cause",
                )?,
                0,
                k,
                z,
                &mut out,
            );
            vec![out]
        }
        Some(g) => {
            let (codes, max) = check_codes(g, "group", "group codes must be integers >= 0")?;
            split_by(&codes, max as usize + 1)
                .into_par_iter()
                .enumerate()
                .map(|(code, rows)| {
                    let mut out = AjOutput::default();
                    if !rows.is_empty() {
                        group_table(
                            &tabulated(
                                tabulate(time, |i| c[i] as usize, Some(&rows), k + 1, scan),
                                "cause",
                            )?,
                            code as u32,
                            k,
                            z,
                            &mut out,
                        );
                    }
                    Ok(out)
                })
                .collect::<Result<Vec<AjOutput>>>()?
        }
    };
    let mut all = AjOutput {
        causes,
        ..Default::default()
    };
    for t in tables {
        all.group.extend(t.group);
        all.time.extend(t.time);
        all.n_risk.extend(t.n_risk);
        all.n_event.extend(t.n_event);
        all.n_censor.extend(t.n_censor);
        all.survival.extend(t.survival);
        all.survival_se.extend(t.survival_se);
        all.cif.extend(t.cif);
        all.std_err.extend(t.std_err);
        all.ci_low.extend(t.ci_low);
        all.ci_high.extend(t.ci_high);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_cause_is_one_minus_km() {
        let t = [1.0, 2.0, 2.0, 3.0, 4.0, 5.0];
        let c = [1.0, 1.0, 0.0, 1.0, 0.0, 1.0];
        let o = aalen_johansen(&t, &c, None, 0.95).unwrap();
        let km =
            super::super::km::kaplan_meier(&t, &c, None, 0.95, super::super::km::ConfType::Log)
                .unwrap();
        for r in 0..o.time.len() {
            assert!((o.cif[r] - (1.0 - km.survival[r])).abs() < 1e-15);
            assert!((o.survival[r] + o.cif[r] - 1.0).abs() < 1e-15);
        }
    }

    #[test]
    fn two_causes_by_hand() {
        // 4 subjects: t=1 cause 1, t=2 cause 2, t=3 censored, t=4 cause 1
        let o = aalen_johansen(&[1.0, 2.0, 3.0, 4.0], &[1.0, 2.0, 0.0, 1.0], None, 0.95).unwrap();
        assert_eq!(o.causes, vec![1, 2]);
        // CIF1: 1/4 at t=1, stays, at t=4 S(4-) = 1/2, n=1 -> 1/4 + 1/2
        assert!((o.cif[0] - 0.25).abs() < 1e-15);
        assert!((o.cif[3 * 2] - 0.75).abs() < 1e-15);
        assert!((o.cif[3 * 2 + 1] - 0.25).abs() < 1e-15);
        // no censoring before t=1: IJ variance of CIF1(1) is the binomial p(1-p)/n
        assert!((o.std_err[0] - (0.25f64 * 0.75 / 4.0).sqrt()).abs() < 1e-15);
    }

    #[test]
    fn cause_codes_are_checked() {
        assert!(aalen_johansen(&[1.0], &[-1.0], None, 0.95).is_err());
        assert!(aalen_johansen(&[1.0], &[1.5], None, 0.95).is_err());
        assert!(aalen_johansen(&[1.0], &[0.0], None, 0.95).is_err());
        let (m, c) = map_causes(&[0.0, 3.0, 5.0, 3.0]).unwrap();
        assert_eq!(c, vec![3, 5]);
        assert_eq!(m, vec![0, 1, 2, 1]);
    }
}
