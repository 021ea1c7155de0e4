//! scipy's `nan_policy`.

use std::borrow::Cow;

use crate::common::check::MISSING;
use crate::common::whole::is_small_whole;
use crate::common::Choice;
use crate::error::{Result, StatsError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NanPolicy {
    /// NaN in, NaN out (the default).
    #[default]
    Propagate,
    /// Drop NaN before computing (statistics only; per-row scores reject it).
    Omit,
    /// The first NaN is an error naming argument and row.
    Raise,
}

impl Choice for NanPolicy {
    const ARG: &'static str = "nan_policy";
    const VALUES: &'static [(&'static str, Self)] = &[
        ("propagate", NanPolicy::Propagate),
        ("omit", NanPolicy::Omit),
        ("raise", NanPolicy::Raise),
    ];
}

impl NanPolicy {
    /// Per-row scores have no meaningful 'omit' (dropping rows would misalign
    /// the output with the input); SCORING_SPEC section 0 makes it an error.
    pub fn rowwise(self) -> Result<Self> {
        if self == NanPolicy::Omit {
            return Err(StatsError::argument(
                "nan_policy",
                "'omit' is not meaningful for per-row scores (the output has one value per input row); use 'propagate' or 'raise'",
            ));
        }
        Ok(self)
    }
}

/// One sample under `policy`: `Ok(None)` when a NaN makes the result NaN
/// ('propagate'); 'omit' drops the NaN; 'raise' names the first NaN's row.
pub fn sample<'a>(
    x: &'a [f64],
    arg: &'static str,
    policy: NanPolicy,
) -> Result<Option<Cow<'a, [f64]>>> {
    finite(x, arg)?;
    let Some(i) = x.iter().position(|v| v.is_nan()) else {
        return Ok(Some(Cow::Borrowed(x)));
    };
    match policy {
        NanPolicy::Propagate => Ok(None),
        NanPolicy::Raise => Err(StatsError::invalid(arg, i, f64::NAN, MISSING, "a number")),
        NanPolicy::Omit => Ok(Some(Cow::Owned(
            x.iter().copied().filter(|v| !v.is_nan()).collect(),
        ))),
    }
}

/// The rows where any of `cols` is NaN; under 'raise' the first is an error
/// naming its argument and row. The caller drops them ('omit') or makes what
/// they feed NaN ('propagate').
pub fn missing_rows(cols: &[(&'static str, &[f64])], policy: NanPolicy) -> Result<Vec<bool>> {
    let n = cols.first().map_or(0, |c| c.1.len());
    let mut miss = vec![false; n];
    for (i, m) in miss.iter_mut().enumerate() {
        for (arg, c) in cols {
            if c.get(i).is_some_and(|v| v.is_nan()) {
                if policy == NanPolicy::Raise {
                    return Err(StatsError::invalid(*arg, i, f64::NAN, MISSING, "a number"));
                }
                *m = true;
            }
        }
    }
    Ok(miss)
}

/// An infinite value is an error naming its input row (checked before any
/// dropping, so the row is the user's).
pub fn finite(x: &[f64], arg: &'static str) -> Result<()> {
    match x.iter().position(|v| v.is_infinite()) {
        Some(i) => Err(StatsError::invalid(
            arg,
            i,
            x[i],
            "not finite",
            "finite numbers (NaN = missing)",
        )),
        None => Ok(()),
    }
}

/// The rows that remain after 'omit' drops every row with a NaN in one of the
/// columns (for calls whose result cannot 'propagate', e.g. a survival curve).
pub struct Kept {
    pub rows: Vec<usize>,
}

impl Kept {
    pub fn take(&self, x: &[f64]) -> Vec<f64> {
        self.rows.iter().map(|&i| x[i]).collect()
    }

    /// An error about row `r` of the kept rows, re-pointed at the input row.
    pub fn remap(&self, e: StatsError) -> StatsError {
        match e {
            StatsError::InvalidValue {
                arg,
                row,
                col,
                value,
                reason,
                allowed,
            } => StatsError::InvalidValue {
                arg,
                row: self.rows.get(row).copied().unwrap_or(row),
                col,
                value,
                reason,
                allowed,
            },
            other => other,
        }
    }
}

/// Whether `c` holds a NaN: a branch-free fold (vectorised), over parallel
/// chunks from 2^16 values.
fn any_nan(c: &[f64]) -> bool {
    use rayon::prelude::*;
    let scan = |c: &[f64]| c.iter().fold(false, |a, v| a | v.is_nan());
    if c.len() < 1 << 16 {
        scan(c)
    } else {
        c.par_chunks(1 << 15).any(scan)
    }
}

/// `policy` for a call with only 'raise' and 'omit' (`what` names the call in the
/// error for 'propagate'). `Ok(None)`: nothing to drop.
pub fn omit_rows(
    cols: &[(&'static str, Option<&[f64]>)],
    policy: NanPolicy,
    what: &str,
) -> Result<Option<Kept>> {
    if policy == NanPolicy::Propagate {
        return Err(StatsError::argument(
            "nan_policy",
            format!(
                "'propagate' is not meaningful for {what}; use 'raise' (the default) or 'omit'"
            ),
        ));
    }
    let present: Vec<(&'static str, &[f64])> = cols
        .iter()
        .filter_map(|(a, c)| c.map(|c| (*a, c)))
        .collect();
    // the columns are rows of one table: a length mismatch is the caller's
    // error to name (dropping rows by the first column's length would index
    // past the end of a shorter one)
    if let Some((a0, c0)) = present.first() {
        if let Some((a, c)) = present.iter().find(|(_, c)| c.len() != c0.len()) {
            return Err(StatsError::length(*a0, c0.len(), *a, c.len()));
        }
    }
    // the usual case first: no NaN anywhere (a branch-free pass per column,
    // in parallel chunks for long columns)
    if !present.iter().any(|(_, c)| any_nan(c)) {
        return Ok(None);
    }
    let miss = missing_rows(&present, policy)?;
    if !miss.contains(&true) {
        return Ok(None);
    }
    Ok(Some(Kept {
        rows: (0..miss.len()).filter(|&i| !miss[i]).collect(),
    }))
}

/// Values and their group codes after `policy` (a NaN value or code is missing).
pub struct Grouped<'a> {
    pub values: Cow<'a, [f64]>,
    /// dense codes 0..levels.len()
    pub codes: Cow<'a, [f64]>,
    /// the input code of each dense code (all input codes when nothing was dropped)
    pub levels: Vec<usize>,
}

/// `values` with group `codes` (whole numbers >= 0, as floats) under `policy`:
/// `Ok(None)` for a missing value or code under 'propagate'; 'omit' drops those
/// rows and renumbers the codes that remain densely (so a group emptied by the
/// dropping disappears); 'raise' names the first missing row.
pub fn grouped<'a>(
    values: &'a [f64],
    codes: &'a [f64],
    policy: NanPolicy,
) -> Result<Option<Grouped<'a>>> {
    if values.len() != codes.len() {
        return Err(StatsError::length(
            "values",
            values.len(),
            "group",
            codes.len(),
        ));
    }
    finite(values, "values")?;
    let missing = |i: usize| values[i].is_nan() || codes[i].is_nan();
    let first = (0..values.len()).find(|&i| missing(i));
    let top = codes
        .iter()
        .filter(|c| c.is_finite() && **c >= 0.0)
        .fold(0.0f64, |a, &c| a.max(c)) as usize;
    let Some(i) = first else {
        return Ok(Some(Grouped {
            values: Cow::Borrowed(values),
            codes: Cow::Borrowed(codes),
            levels: (0..=top).collect(),
        }));
    };
    match policy {
        NanPolicy::Propagate => Ok(None),
        NanPolicy::Raise => {
            let arg = if values[i].is_nan() {
                "values"
            } else {
                "group"
            };
            Err(StatsError::invalid(
                arg,
                i,
                f64::NAN,
                MISSING,
                "a number / a group label",
            ))
        }
        NanPolicy::Omit => {
            let keep: Vec<usize> = (0..values.len()).filter(|&i| !missing(i)).collect();
            let mut used = vec![false; top + 1];
            for &i in &keep {
                let c = codes[i];
                if is_small_whole(c) && (c as usize) <= top {
                    used[c as usize] = true;
                }
            }
            let levels: Vec<usize> = (0..=top).filter(|&c| used[c]).collect();
            let mut dense = vec![usize::MAX; top + 1];
            for (j, &c) in levels.iter().enumerate() {
                dense[c] = j;
            }
            // a code that is not a whole number >= 0 is kept as is: the test's own check names it
            let recode = |c: f64| {
                if is_small_whole(c) && (c as usize) <= top {
                    dense[c as usize] as f64
                } else {
                    c
                }
            };
            Ok(Some(Grouped {
                values: Cow::Owned(keep.iter().map(|&i| values[i]).collect()),
                codes: Cow::Owned(keep.iter().map(|&i| recode(codes[i])).collect()),
                levels,
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn omit_rows_refuses_columns_of_different_lengths() {
        // issue 19: a time of 3 rows with an event of 1 row and a NaN panicked
        // (index out of bounds) in Kept::take; it is a length error now
        let t = [1.0, f64::NAN, 3.0];
        let e = [1.0];
        let cols = [("time", Some(&t[..])), ("event", Some(&e[..]))];
        match omit_rows(&cols, NanPolicy::Omit, "a curve") {
            Err(StatsError::LengthMismatch { arg_b, len_b, .. }) => {
                assert_eq!(arg_b.to_string(), "event");
                assert_eq!(len_b, 1);
            }
            _ => panic!("expected a length mismatch"),
        }
    }

    #[test]
    fn sample_and_grouped_apply_the_policy() {
        let x = [1.0, f64::NAN, 3.0];
        assert!(sample(&x, "x", NanPolicy::Propagate).unwrap().is_none());
        assert_eq!(
            &*sample(&x, "x", NanPolicy::Omit).unwrap().unwrap(),
            &[1.0, 3.0]
        );
        match sample(&x, "x", NanPolicy::Raise) {
            Err(StatsError::InvalidValue { row, .. }) => assert_eq!(row, 1),
            _ => panic!("expected the row of the NaN"),
        }
        // group 1 loses its only member under 'omit': codes renumbered 0, 1
        let v = [1.0, f64::NAN, 2.0, 3.0];
        let c = [0.0, 1.0, 2.0, 2.0];
        let g = grouped(&v, &c, NanPolicy::Omit).unwrap().unwrap();
        assert_eq!(&*g.codes, &[0.0, 1.0, 1.0]);
        assert_eq!(g.levels, vec![0, 2]);
        assert!(grouped(&v, &c, NanPolicy::Propagate).unwrap().is_none());
        match grouped(&[1.0, 2.0], &[0.0, f64::NAN], NanPolicy::Raise) {
            Err(StatsError::InvalidValue { arg, row, .. }) => {
                assert_eq!(row, 1);
                assert_eq!(format!("{arg}"), "group");
            }
            _ => panic!("expected the group's row"),
        }
    }

    #[test]
    fn parses_the_three_policies_and_rejects_others() {
        assert_eq!(NanPolicy::parse("omit").unwrap(), NanPolicy::Omit);
        assert_eq!(NanPolicy::parse("raise").unwrap(), NanPolicy::Raise);
        assert_eq!(NanPolicy::parse("propagate").unwrap(), NanPolicy::Propagate);
        assert!(NanPolicy::parse("drop").is_err());
        assert!(NanPolicy::Omit.rowwise().is_err());
    }
}
