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
use crate::common::{alloc, Choice};
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

/// The KM table, groups stacked in code order (`group[i]` is the code of row i;
/// empty for the single curve of an ungrouped call).
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

/// Rows per chunk of the parallel passes over a curve.
const CHUNK: usize = 1 << 14;

/// The columns of one curve (all but `group` and `time`), from its
/// tabulation (label 1 = event, 0 = censored).
struct Columns {
    n_risk: Vec<f64>,
    n_event: Vec<f64>,
    n_censor: Vec<f64>,
    survival: Vec<f64>,
    std_err: Vec<f64>,
    ci_low: Vec<f64>,
    ci_high: Vec<f64>,
}

/// The product-limit pass is sequential (S and the Greenwood sum are running
/// products and sums: their rounding fixes the order) and writes only those
/// two columns. The count columns (exact integer running sums, so the same
/// numbers in any order), the standard errors and the confidence limits
/// (transcendental functions per row) are filled afterwards in parallel chunks.
/// Large columns are huge-page backed ([`alloc::filled`]).
fn columns(tab: &Tabulation, z: f64, ct: ConfType) -> Columns {
    let m = tab.len();
    let col = || alloc::filled(m, 0.0f64);
    let (mut surv, mut var) = (col(), col());
    let n: u64 = tab.counts.par_iter().map(|&c| u64::from(c)).sum();
    // counts are whole numbers below 2^53: the running f64 sums are exact
    let mut at_risk = n as f64;
    let mut s = 1.0f64;
    let mut v = 0.0f64;
    for ((cd, sv), vv) in tab
        .counts
        .chunks_exact(2)
        .zip(surv.iter_mut())
        .zip(var.iter_mut())
    {
        let (cf, df) = (f64::from(cd[0]), f64::from(cd[1]));
        // with no event the factor is exactly 1 and the term exactly 0:
        // no branch, the same numbers
        s *= 1.0 - df / at_risk;
        v += if at_risk > df {
            df / (at_risk * (at_risk - df))
        } else {
            f64::INFINITY
        };
        *sv = s;
        *vv = v;
        at_risk -= cf + df;
    }
    // rows leaving the risk set before each chunk (an exclusive prefix sum)
    let left: Vec<u64> = tab
        .counts
        .par_chunks(2 * CHUNK)
        .map(|c| c.iter().map(|&x| u64::from(x)).sum::<u64>())
        .collect();
    let mut before = Vec::with_capacity(left.len());
    let mut acc = 0u64;
    for l in left {
        before.push(acc);
        acc += l;
    }
    let (mut n_risk, mut n_event, mut n_censor) = (col(), col(), col());
    let (mut lo, mut hi) = (col(), col());
    let se = &mut var; // the Greenwood sum becomes its square root in place
    n_risk
        .par_chunks_mut(CHUNK)
        .zip(n_event.par_chunks_mut(CHUNK))
        .zip(n_censor.par_chunks_mut(CHUNK))
        .zip(se.par_chunks_mut(CHUNK))
        .zip(lo.par_chunks_mut(CHUNK).zip(hi.par_chunks_mut(CHUNK)))
        .zip(surv.par_chunks(CHUNK).zip(tab.counts.par_chunks(2 * CHUNK)))
        .zip(before.par_iter())
        .for_each(|((((((r, e), c), se), (lo, hi)), (s, cd)), &gone)| {
            let mut risk = n - gone;
            for (j, cd) in cd.chunks_exact(2).enumerate() {
                r[j] = risk as f64;
                e[j] = f64::from(cd[1]);
                c[j] = f64::from(cd[0]);
                risk -= u64::from(cd[0]) + u64::from(cd[1]);
                se[j] = se[j].sqrt();
            }
            limits(s, se, lo, hi, z, ct);
        });
    Columns {
        n_risk,
        n_event,
        n_censor,
        survival: surv,
        std_err: var,
        ci_low: lo,
        ci_high: hi,
    }
}

/// Append one group's curve (code `code`) to `out`.
pub fn curve(tab: &Tabulation, code: u32, z: f64, ct: ConfType, out: &mut KmOutput) {
    out.group.extend(std::iter::repeat_n(code, tab.len()));
    out.time.extend_from_slice(&tab.times);
    append(out, columns(tab, z, ct));
}

fn append(out: &mut KmOutput, c: Columns) {
    for (dst, v) in [
        (&mut out.n_risk, c.n_risk),
        (&mut out.n_event, c.n_event),
        (&mut out.n_censor, c.n_censor),
        (&mut out.survival, c.survival),
        (&mut out.std_err, c.std_err),
        (&mut out.ci_low, c.ci_low),
        (&mut out.ci_high, c.ci_high),
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
fn limits(s: &[f64], se: &[f64], lo: &mut [f64], hi: &mut [f64], z: f64, ct: ConfType) {
    for j in 0..s.len() {
        if j > 0 && s[j].to_bits() == s[j - 1].to_bits() && se[j].to_bits() == se[j - 1].to_bits() {
            lo[j] = lo[j - 1];
            hi[j] = hi[j - 1];
        } else {
            (lo[j], hi[j]) = conf_limits(s[j], se[j], z, ct);
        }
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
            // one curve: its columns and the tabulation's times are moved
            // into the output, and `group` stays empty (not read)
            let t = tab(None)?;
            let mut out = KmOutput::default();
            append(&mut out, columns(&t, z, conf_type));
            out.time = t.times;
            return Ok(out);
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

    /// The parallel chunks (counts, standard errors, limits) against one
    /// sequential pass written from the formulas, on a curve of many chunks.
    #[test]
    fn chunked_columns_equal_one_sequential_pass() {
        let mut next = crate::common::rng::lcg(9u64, |s| (s >> 11) as f64 / (1u64 << 53) as f64);
        let n = 5 * CHUNK + 123;
        let t: Vec<f64> = (0..n)
            .map(|_| (next() * 4e4).floor() / 8.0 + next() * 1e-6)
            .collect();
        let e: Vec<f64> = (0..n).map(|_| f64::from(u8::from(next() < 0.6))).collect();
        for ct in [ConfType::LogLog, ConfType::Log, ConfType::Plain] {
            let o = kaplan_meier(&t, &e, None, 0.9, ct).unwrap();
            let z = z_value(0.9).unwrap();
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| t[a].total_cmp(&t[b]));
            let (mut risk, mut s, mut v, mut j) = (n as f64, 1.0f64, 0.0f64, 0);
            let mut i = 0;
            while i < n {
                let (mut d, mut c) = (0.0, 0.0);
                let ti = t[order[i]];
                while i < n && t[order[i]] == ti {
                    if e[order[i]] == 1.0 {
                        d += 1.0
                    } else {
                        c += 1.0
                    }
                    i += 1;
                }
                s *= 1.0 - d / risk;
                v += if risk > d {
                    d / (risk * (risk - d))
                } else {
                    f64::INFINITY
                };
                let (lo, hi) = conf_limits(s, v.sqrt(), z, ct);
                assert_eq!(o.time[j], ti);
                assert_eq!((o.n_risk[j], o.n_event[j], o.n_censor[j]), (risk, d, c));
                assert_eq!(o.survival[j].to_bits(), s.to_bits());
                assert_eq!(o.std_err[j].to_bits(), v.sqrt().to_bits());
                assert!(
                    o.ci_low[j].to_bits() == lo.to_bits() || (lo.is_nan() && o.ci_low[j].is_nan())
                );
                assert!(
                    o.ci_high[j].to_bits() == hi.to_bits()
                        || (hi.is_nan() && o.ci_high[j].is_nan())
                );
                risk -= d + c;
                j += 1;
            }
            assert_eq!(j, o.time.len());
            assert!(o.group.is_empty());
        }
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
