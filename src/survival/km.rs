//! Kaplan–Meier estimator with Greenwood standard errors, as R
//! `survfit(Surv(time, status) ~ group, conf.type = ...)` reports it.
//!
//! One row per distinct time (event or censoring) in each group. `std_err` is
//! the Greenwood standard error of the cumulative hazard −log S(t),
//! `sqrt(sum d / (n (n − d)))` (infinite once S reaches 0). Confidence limits
//! follow R's `conf.type`: 'plain' (S ± z·se·S, clipped to [0, 1]), 'log'
//! (exp(log S ± z·se), upper ≤ 1; missing when S = 0) and 'log-log'
//! (exp(−exp(log(−log S) ± z·se/log S)); missing when S is 0 or 1).

use rayon::prelude::*;

use super::tabulate::{tabulate, Tabulation};
use super::{check_codes, check_event_values, check_lengths, check_times, split_by, z_value};
use crate::common::Choice;
use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfType {
    Plain,
    Log,
    LogLog,
}

impl Choice for ConfType {
    const ARG: &'static str = "conf_type";
    const VALUES: &'static [(&'static str, Self)] = &[
        ("log-log", ConfType::LogLog),
        ("log", ConfType::Log),
        ("plain", ConfType::Plain),
    ];
}

/// The KM table, groups stacked in code order (`group[i]` is the code of row i).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KmOutput {
    pub group: Vec<u32>,
    pub time: Vec<f64>,
    pub n_risk: Vec<f64>,
    pub n_event: Vec<f64>,
    pub n_censor: Vec<f64>,
    pub survival: Vec<f64>,
    pub std_err: Vec<f64>,
    pub ci_low: Vec<f64>,
    pub ci_high: Vec<f64>,
}

/// Confidence limits for S with standard error `se` of −log S (R's `survfit_confint`, logse = TRUE).
pub fn conf_limits(s: f64, se: f64, z: f64, ct: ConfType) -> (f64, f64) {
    match ct {
        ConfType::Plain => {
            let w = se * s * z;
            if w.is_nan() {
                return (f64::NAN, f64::NAN);
            }
            ((s - w).max(0.0), (s + w).min(1.0))
        }
        ConfType::Log => {
            if s == 0.0 {
                return (f64::NAN, f64::NAN);
            }
            let w = z * se;
            ((s.ln() - w).exp(), (s.ln() + w).exp().min(1.0))
        }
        ConfType::LogLog => {
            if s == 0.0 || s == 1.0 {
                return (f64::NAN, f64::NAN);
            }
            let w = z * se / s.ln();
            let c = (-s.ln()).ln();
            ((-(c - w).exp()).exp(), (-(c + w).exp()).exp())
        }
    }
}

/// One group's curve from its tabulation (label 1 = event, 0 = censored).
/// The product-limit pass is sequential; the confidence limits (transcendental
/// functions per row) are computed in parallel afterwards.
pub fn curve(tab: &Tabulation, code: u32, z: f64, ct: ConfType, out: &mut KmOutput) {
    let m = tab.len();
    let n: u64 = tab.counts.iter().map(|&c| u64::from(c)).sum();
    out.group.extend(std::iter::repeat_n(code, m));
    out.time.extend_from_slice(&tab.times);
    // fresh zeroed columns (untouched pages cost nothing until written)
    let col = || vec![0.0f64; m];
    let (mut n_risk, mut n_event, mut n_censor, mut surv, mut se) =
        (col(), col(), col(), col(), col());
    // counts are whole numbers below 2^53: the running f64 sums are exact
    let mut at_risk = n as f64;
    let mut s = 1.0f64;
    let mut var = 0.0f64;
    let rows = tab
        .counts
        .chunks_exact(2)
        .zip(n_risk.iter_mut().zip(n_event.iter_mut()))
        .zip(n_censor.iter_mut().zip(surv.iter_mut().zip(se.iter_mut())));
    for ((cd, (r, e)), (c, (sv, sev))) in rows {
        let (cf, df) = (f64::from(cd[0]), f64::from(cd[1]));
        // with no event the factor is exactly 1 and the term exactly 0:
        // no branch, the same numbers
        s *= 1.0 - df / at_risk;
        var += if at_risk > df {
            df / (at_risk * (at_risk - df))
        } else {
            f64::INFINITY
        };
        *r = at_risk;
        *e = df;
        *c = cf;
        *sv = s;
        *sev = var.sqrt();
        at_risk -= cf + df;
    }
    let (mut lo, mut hi) = (col(), col());
    fill_limits(&surv, &se, &mut lo, &mut hi, z, ct);
    for (dst, v) in [
        (&mut out.n_risk, n_risk),
        (&mut out.n_event, n_event),
        (&mut out.n_censor, n_censor),
        (&mut out.survival, surv),
        (&mut out.std_err, se),
        (&mut out.ci_low, lo),
        (&mut out.ci_high, hi),
    ] {
        if dst.is_empty() {
            *dst = v;
        } else {
            dst.extend_from_slice(&v);
        }
    }
}

/// Confidence limits of each row, in place. A row where S and its standard
/// error are those of the row before (a censoring-only time) copies that
/// row's limits: the same numbers, without the transcendental functions.
/// Large curves are cut into chunks computed in parallel.
fn fill_limits(s: &[f64], se: &[f64], lo: &mut [f64], hi: &mut [f64], z: f64, ct: ConfType) {
    const CHUNK: usize = 1 << 14;
    let run = |s: &[f64], se: &[f64], lo: &mut [f64], hi: &mut [f64]| {
        for j in 0..s.len() {
            if j > 0
                && s[j].to_bits() == s[j - 1].to_bits()
                && se[j].to_bits() == se[j - 1].to_bits()
            {
                lo[j] = lo[j - 1];
                hi[j] = hi[j - 1];
            } else {
                (lo[j], hi[j]) = conf_limits(s[j], se[j], z, ct);
            }
        }
    };
    if s.len() > CHUNK {
        s.par_chunks(CHUNK)
            .zip(se.par_chunks(CHUNK))
            .zip(lo.par_chunks_mut(CHUNK).zip(hi.par_chunks_mut(CHUNK)))
            .for_each(|((s, se), (lo, hi))| run(s, se, lo, hi));
    } else {
        run(s, se, lo, hi);
    }
}

/// Kaplan–Meier curves, one per group code (`group = None`: one curve).
/// Groups with no rows are skipped.
pub fn kaplan_meier(
    time: &[f64],
    event: &[f64],
    group: Option<&[f64]>,
    conf_level: f64,
    conf_type: ConfType,
) -> Result<KmOutput> {
    match group {
        Some(g) => check_lengths(&[
            ("time", time.len()),
            ("event", event.len()),
            ("group", g.len()),
        ])?,
        None => check_lengths(&[("time", time.len()), ("event", event.len())])?,
    };
    let z = z_value(conf_level)?;
    let scan = check_times(time, "time")?;
    // 1 = event, 0 = censored, 2 = not an event indicator (reported below)
    let label = |i: usize| {
        let e = event[i];
        usize::from(e == 1.0) + 2 * usize::from((e != 0.0) & (e != 1.0))
    };
    let tab = |rows: Option<&[usize]>| {
        tabulate(time, label, rows, 2, scan)
            .ok_or(())
            .or_else(|_| check_event_values(event, "event").map(|_| Tabulation::default()))
    };
    let curves: Vec<KmOutput> = match group {
        None => {
            let mut out = KmOutput::default();
            curve(&tab(None)?, 0, z, conf_type, &mut out);
            vec![out]
        }
        Some(g) => {
            let (codes, max) = check_codes(g, "group", "group codes must be integers >= 0")?;
            split_by(&codes, max as usize + 1)
                .into_par_iter()
                .enumerate()
                .map(|(code, rows)| {
                    let mut out = KmOutput::default();
                    if !rows.is_empty() {
                        curve(&tab(Some(&rows))?, code as u32, z, conf_type, &mut out);
                    }
                    Ok(out)
                })
                .collect::<Result<Vec<_>>>()?
        }
    };
    if curves.len() == 1 {
        return Ok(curves.into_iter().next().unwrap_or_default());
    }
    let mut all = KmOutput::default();
    for c in curves {
        all.group.extend(c.group);
        all.time.extend(c.time);
        all.n_risk.extend(c.n_risk);
        all.n_event.extend(c.n_event);
        all.n_censor.extend(c.n_censor);
        all.survival.extend(c.survival);
        all.std_err.extend(c.std_err);
        all.ci_low.extend(c.ci_low);
        all.ci_high.extend(c.ci_high);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_worked_curve_with_ties() {
        // times 1,1(c),2,2,3(c): S(1) = 4/5, S(2) = 4/5 * 1/3 = 4/15
        let t = [1.0, 1.0, 2.0, 2.0, 3.0];
        let e = [1.0, 0.0, 1.0, 1.0, 0.0];
        let o = kaplan_meier(&t, &e, None, 0.95, ConfType::LogLog).unwrap();
        assert_eq!(o.time, vec![1.0, 2.0, 3.0]);
        assert_eq!(o.n_risk, vec![5.0, 3.0, 1.0]);
        assert_eq!(o.n_event, vec![1.0, 2.0, 0.0]);
        assert_eq!(o.n_censor, vec![1.0, 0.0, 1.0]);
        assert!((o.survival[1] - 4.0 / 15.0).abs() < 1e-15);
        let v: f64 = 1.0 / (5.0 * 4.0) + 2.0 / (3.0 * 1.0);
        assert!((o.std_err[1] - v.sqrt()).abs() < 1e-15);
        assert!(o.ci_low[1] < o.survival[1] && o.survival[1] < o.ci_high[1]);
    }

    #[test]
    fn survival_zero_gives_infinite_se_and_missing_log_limits() {
        let o = kaplan_meier(&[1.0, 2.0], &[1.0, 1.0], None, 0.95, ConfType::Log).unwrap();
        assert_eq!(o.survival, vec![0.5, 0.0]);
        assert!(o.std_err[1].is_infinite());
        assert!(o.ci_low[1].is_nan() && o.ci_high[1].is_nan());
    }

    #[test]
    fn groups_are_independent_curves() {
        let o = kaplan_meier(
            &[1.0, 2.0, 3.0],
            &[1.0, 0.0, 1.0],
            Some(&[1.0, 0.0, 1.0]),
            0.95,
            ConfType::Plain,
        )
        .unwrap();
        assert_eq!(o.group, vec![0, 1, 1]);
        assert_eq!(o.survival, vec![1.0, 0.5, 0.0]);
    }

    #[test]
    fn bad_inputs() {
        assert!(kaplan_meier(&[1.0], &[2.0], None, 0.95, ConfType::Log).is_err());
        assert!(kaplan_meier(&[-1.0], &[1.0], None, 0.95, ConfType::Log).is_err());
        assert!(kaplan_meier(&[1.0, 2.0], &[1.0], None, 0.95, ConfType::Log).is_err());
        assert!(kaplan_meier(&[1.0], &[1.0], None, 1.5, ConfType::Log).is_err());
        assert!(ConfType::parse("logit").is_err());
    }
}
