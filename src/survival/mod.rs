//! Time-to-event statistics: Kaplan–Meier, G-rho (log-rank) tests,
//! Aalen–Johansen cumulative incidence, Gray's test and the Cox model.
//!
//! Every entry point validates its inputs here (times finite and >= 0,
//! events 0/1, causes integers >= 0, group codes integers >= 0), splits the
//! rows by group/stratum with a counting pass and works on each part in
//! parallel (rayon); the distinct times and their counts come from
//! [`tabulate`] (a histogram for whole-number times, a sort otherwise). Results match R `survival` / `cmprsk` (see the tests
//! under `tests/survival/` and the reference scripts beside them).

// Index loops over small p×p / k×k arrays read closer to the formulas than iterator chains.
#![allow(clippy::needless_range_loop, clippy::neg_cmp_op_on_partial_ord)]

pub mod aalen_johansen;
pub mod cox;
pub mod cox_newton;
pub mod cox_partial;
pub mod gray;
pub mod km;
pub mod logrank;
pub mod partial;
pub mod tabulate;

use crate::common::whole::is_small_whole;
use crate::error::{Result, StatsError};

/// Lowest index where `bad(i)` holds. Each chunk is first tested with a
/// branch-free fold (vectorisable, no early exit), chunks run in parallel for
/// large inputs, and only a chunk with a hit is searched for the index.
pub fn first_bad<F: Fn(usize) -> bool + Sync>(n: usize, bad: F) -> Option<usize> {
    use rayon::prelude::*;
    const CHUNK: usize = 1 << 14;
    let scan = |c: usize| {
        let r = c * CHUNK..((c + 1) * CHUNK).min(n);
        if r.clone().fold(false, |acc, i| acc | bad(i)) {
            r.clone().find(|&i| bad(i))
        } else {
            None
        }
    };
    let chunks = n.div_ceil(CHUNK);
    if n < 4 * CHUNK {
        (0..chunks).find_map(scan)
    } else {
        (0..chunks).into_par_iter().find_map_first(scan)
    }
}

/// What one pass over the times learnt: all whole numbers? the largest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeScan {
    pub integer: bool,
    pub max: f64,
}

/// Check survival times: finite and >= 0 (NaN is an error: there is no
/// omission here). The same branch-free pass notes whether all times are whole
/// numbers and their maximum, for [`tabulate::tabulate`].
pub fn check_times(time: &[f64], arg: &'static str) -> Result<TimeScan> {
    use rayon::prelude::*;
    const CHUNK: usize = 1 << 15;
    let n = time.len();
    // (any bad, all whole, max); `!(t >= 0.0)` also catches NaN
    let part = |c: usize| {
        time[c * CHUNK..((c + 1) * CHUNK).min(n)].iter().fold(
            (false, true, 0.0f64),
            |(bad, int, mx), &t| {
                // branch-free, so this loop vectorises
                let whole = is_small_whole(t);
                (
                    bad | !(t >= 0.0) | !t.is_finite(),
                    int & whole,
                    if t > mx { t } else { mx },
                )
            },
        )
    };
    let join = |a: (bool, bool, f64), b: (bool, bool, f64)| (a.0 | b.0, a.1 & b.1, a.2.max(b.2));
    let chunks = n.div_ceil(CHUNK);
    let (bad, integer, max) = if n < 1 << 16 {
        (0..chunks).map(part).fold((false, true, 0.0), join)
    } else {
        (0..chunks)
            .into_par_iter()
            .map(part)
            .reduce(|| (false, true, 0.0), join)
    };
    if bad {
        if let Some(i) = time.iter().position(|&t| !(t >= 0.0) || !t.is_finite()) {
            let t = time[i];
            let reason = if t.is_nan() {
                "missing value"
            } else {
                "out of range"
            };
            return Err(StatsError::invalid(
                arg,
                i,
                t,
                reason,
                "times must be finite numbers >= 0",
            ));
        }
    }
    Ok(TimeScan { integer, max })
}

/// Check event indicators (0 = censored, 1 = event). Branch-free test: random
/// 0/1 data would defeat the branch predictor.
pub fn check_event_values(event: &[f64], arg: &'static str) -> Result<()> {
    match first_bad(event.len(), |i| (event[i] != 0.0) & (event[i] != 1.0)) {
        None => Ok(()),
        Some(i) => Err(StatsError::invalid(
            arg,
            i,
            event[i],
            "not an event indicator",
            "allowed 0 (censored) or 1 (event)",
        )),
    }
}

/// Check event indicators and return them as bytes.
pub fn check_events(event: &[f64], arg: &'static str) -> Result<Vec<u8>> {
    check_event_values(event, arg)?;
    Ok(event.iter().map(|&e| e as u8).collect())
}

/// Check integer codes >= 0 (groups, strata, causes) and return them with their maximum.
pub fn check_codes(
    codes: &[f64],
    arg: &'static str,
    allowed: &'static str,
) -> Result<(Vec<u32>, u32)> {
    let max = check_code_values(codes, arg, allowed)?;
    Ok((codes.iter().map(|&c| c as i64 as u32).collect(), max))
}

/// Check integer codes >= 0 below `u32::MAX` and return their maximum: one
/// branch-free pass (in parallel chunks for large inputs); the row of the
/// first bad code is looked for only when there is one. The codes can then be
/// read as `c as usize` where they are used, without a converted copy.
pub fn check_code_values(codes: &[f64], arg: &'static str, allowed: &'static str) -> Result<u32> {
    use rayon::prelude::*;
    const CHUNK: usize = 1 << 15;
    // NaN is not a small whole number
    let bad = |c: f64| !is_small_whole(c) | (c >= u32::MAX as f64);
    let part = |ch: &[f64]| {
        ch.iter().fold((false, 0.0f64), |(b, m), &c| {
            (b | bad(c), if c > m { c } else { m })
        })
    };
    let join = |a: (bool, f64), b: (bool, f64)| (a.0 | b.0, a.1.max(b.1));
    let (any_bad, max) = if codes.len() < 1 << 16 {
        part(codes)
    } else {
        codes
            .par_chunks(CHUNK)
            .map(part)
            .reduce(|| (false, 0.0), join)
    };
    if any_bad {
        if let Some(i) = codes.iter().position(|&c| bad(c)) {
            let c = codes[i];
            let reason = if c.is_nan() {
                "missing value"
            } else {
                "not an integer >= 0"
            };
            return Err(StatsError::invalid(arg, i, c, reason, allowed));
        }
    }
    Ok(max as u32)
}

/// Lengths of every (name, length) pair must agree; at least one row.
pub fn check_lengths(args: &[(&'static str, usize)]) -> Result<usize> {
    let (a0, n0) = args[0];
    for &(a, n) in &args[1..] {
        if n != n0 {
            return Err(StatsError::length(a0, n0, a, n));
        }
    }
    if n0 == 0 {
        return Err(StatsError::too_few(a0, 0, 1));
    }
    Ok(n0)
}

/// Rows of each group, in input order: a counting sort on the codes.
pub fn split_by(codes: &[u32], ngroups: usize) -> Vec<Vec<usize>> {
    let mut counts = vec![0usize; ngroups];
    for &c in codes {
        counts[c as usize] += 1;
    }
    let mut out: Vec<Vec<usize>> = counts.iter().map(|&n| Vec::with_capacity(n)).collect();
    for (i, &c) in codes.iter().enumerate() {
        out[c as usize].push(i);
    }
    out
}

/// Two-sided normal quantile for a confidence level, checked.
pub fn z_value(conf_level: f64) -> Result<f64> {
    if !(conf_level > 0.0 && conf_level < 1.0) {
        return Err(StatsError::argument(
            "conf_level",
            format!("{conf_level} is outside (0, 1)"),
        ));
    }
    Ok(crate::common::dist::norm_ppf(
        1.0 - (1.0 - conf_level) / 2.0,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_name_argument_and_row() {
        assert_eq!(check_times(&[1.0, -1.0], "time").unwrap_err().row(), 1);
        assert!(check_times(&[1.0, f64::NAN], "time").is_err());
        assert!(check_times(&[f64::INFINITY], "time").is_err());
        assert_eq!(
            check_events(&[0.0, 1.0, 2.0], "event").unwrap_err().row(),
            2
        );
        assert!(check_codes(&[0.0, 1.5], "cause", "integers >= 0").is_err());
        assert_eq!(check_codes(&[0.0, 3.0, 1.0], "cause", "").unwrap().1, 3);
        assert!(check_lengths(&[("time", 2), ("event", 3)]).is_err());
        assert!(check_lengths(&[("time", 0), ("event", 0)]).is_err());
    }

    #[test]
    fn split_keeps_input_order() {
        assert_eq!(
            split_by(&[1, 0, 1, 2], 3),
            vec![vec![1], vec![0, 2], vec![3]]
        );
    }
}
