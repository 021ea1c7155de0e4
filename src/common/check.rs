//! Value checks used by the row kernels. Each returns `Ok(())` for a valid
//! value, and for NaN under `NanPolicy::Propagate` (the caller lets NaN flow
//! through the arithmetic); an error names argument, row, value and range.

use std::borrow::Cow;

use super::NanPolicy;
use crate::error::{Arg, Result, StatsError};

/// Where a value sits: argument name, row and (for 2-D inputs) column.
#[derive(Clone, Copy)]
pub struct At<'a> {
    pub arg: &'a Arg,
    pub row: usize,
    pub col: Option<usize>,
}

impl<'a> At<'a> {
    pub fn new(arg: &'a Arg, row: usize) -> Self {
        At {
            arg,
            row,
            col: None,
        }
    }
    pub fn cell(arg: &'a Arg, row: usize, col: usize) -> Self {
        At {
            arg,
            row,
            col: Some(col),
        }
    }
    pub fn error(
        &self,
        value: f64,
        reason: &'static str,
        allowed: impl Into<Cow<'static, str>>,
    ) -> StatsError {
        StatsError::InvalidValue {
            arg: self.arg.clone(),
            row: self.row,
            col: self.col,
            value,
            reason,
            allowed: allowed.into(),
        }
    }
}

pub const MISSING: &str = "missing value with nan_policy='raise'";

/// NaN handling shared by every check: Ok(true) = value present.
#[inline]
pub fn present(v: f64, policy: NanPolicy, at: At<'_>, allowed: &'static str) -> Result<bool> {
    if v.is_nan() {
        if policy == NanPolicy::Raise {
            return Err(at.error(v, MISSING, allowed));
        }
        return Ok(false);
    }
    Ok(true)
}

/// An integer in `lo..=hi` (3.0 is an integer; 1.5 and inf are not).
#[inline]
pub fn integer(
    v: f64,
    lo: f64,
    hi: f64,
    policy: NanPolicy,
    at: At<'_>,
    allowed: &'static str,
) -> Result<()> {
    if !present(v, policy, at, allowed)? {
        return Ok(());
    }
    if !(v >= lo && v <= hi) {
        return Err(at.error(v, "out of range", allowed));
    }
    if !is_integer(v) {
        return Err(at.error(v, "not an integer", allowed));
    }
    Ok(())
}

pub use super::whole::is_whole as is_integer;

/// A finite real value in a range; `lo_open`/`hi_open` make the bound strict.
#[inline]
#[allow(clippy::too_many_arguments)]
pub fn real(
    v: f64,
    lo: f64,
    hi: f64,
    lo_open: bool,
    hi_open: bool,
    policy: NanPolicy,
    at: At<'_>,
    allowed: &'static str,
) -> Result<()> {
    if !present(v, policy, at, allowed)? {
        return Ok(());
    }
    let lo_ok = if lo_open { v > lo } else { v >= lo };
    let hi_ok = if hi_open { v < hi } else { v <= hi };
    if !(lo_ok && hi_ok && v.is_finite()) {
        return Err(at.error(v, "out of range", allowed));
    }
    Ok(())
}

/// A check box: 0/1 (False/True); NaN counts as not ticked.
#[inline]
pub fn checkbox(v: f64, at: At<'_>) -> Result<bool> {
    if v.is_nan() {
        return Ok(false);
    }
    if v == 0.0 || v == 1.0 {
        return Ok(v == 1.0);
    }
    Err(at.error(v, "not a boolean", "allowed True/False (1/0)"))
}

/// A yes/no flag: 0/1 or NaN (missing, handled by `policy`).
#[inline]
pub fn flag(v: f64, policy: NanPolicy, at: At<'_>) -> Result<()> {
    const ALLOWED: &str = "allowed True/False (1/0)";
    if !present(v, policy, at, ALLOWED)? {
        return Ok(());
    }
    if v == 0.0 || v == 1.0 {
        Ok(())
    } else {
        Err(at.error(v, "not a boolean", ALLOWED))
    }
}

/// All inputs of a row-wise score must have the same length.
pub fn same_length(args: &[(&Arg, usize)]) -> Result<usize> {
    let Some(&(a0, n0)) = args.first() else {
        return Ok(0);
    };
    for &(a, n) in &args[1..] {
        if n != n0 {
            return Err(StatsError::length(a0.clone(), n0, a.clone(), n));
        }
    }
    if n0 == 0 {
        return Err(StatsError::too_few(a0.clone(), 0, 1));
    }
    Ok(n0)
}

/// Group codes from the Python layer (whole numbers in 0..k, as floats) -> indices.
pub fn group_codes(codes: &[f64], arg: &'static str, k: usize) -> Result<Vec<usize>> {
    codes
        .iter()
        .enumerate()
        .map(|(i, &g)| {
            if super::whole::is_small_whole(g) && (g as usize) < k {
                Ok(g as usize)
            } else {
                Err(StatsError::invalid(
                    arg,
                    i,
                    g,
                    "not a group code",
                    "internal group codes",
                ))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_check_accepts_whole_floats_and_rejects_fractions_range_and_inf() {
        let a: Arg = "tjc".into();
        let at = At::new(&a, 2);
        assert!(integer(3.0, 0.0, 28.0, NanPolicy::Propagate, at, "0-28").is_ok());
        assert!(integer(f64::NAN, 0.0, 28.0, NanPolicy::Propagate, at, "0-28").is_ok());
        assert!(integer(f64::NAN, 0.0, 28.0, NanPolicy::Raise, at, "0-28").is_err());
        assert!(integer(1.5, 0.0, 28.0, NanPolicy::Propagate, at, "0-28").is_err());
        assert!(integer(29.0, 0.0, 28.0, NanPolicy::Propagate, at, "0-28").is_err());
        assert!(integer(f64::INFINITY, 0.0, 28.0, NanPolicy::Propagate, at, "0-28").is_err());
        let e = integer(-1.0, 0.0, 28.0, NanPolicy::Propagate, at, "0-28").unwrap_err();
        assert_eq!(e.row(), 2);
    }

    #[test]
    fn integer_test_without_trunc() {
        for v in [0.0, 1.0, -3.0, 28.0, 1e15, 4503599627370497.0, 1e300] {
            assert!(is_integer(v), "{v}");
        }
        for v in [
            0.5,
            -2.5,
            27.999999999,
            1e-300,
            1e15 + 0.5,
            f64::NAN,
            f64::INFINITY,
        ] {
            assert!(!is_integer(v) || v.is_infinite(), "{v}");
        }
    }

    #[test]
    fn real_check_honours_open_bounds() {
        let a: Arg = "esr".into();
        let at = At::new(&a, 0);
        let check = |v: f64| {
            real(
                v,
                0.0,
                f64::INFINITY,
                true,
                false,
                NanPolicy::Propagate,
                at,
                "> 0",
            )
        };
        assert!(check(0.0).is_err());
        assert!(check(1e-9).is_ok());
        assert!(check(f64::INFINITY).is_err());
    }

    #[test]
    fn same_length_reports_both_names() {
        let a: Arg = "tjc".into();
        let b: Arg = "sjc".into();
        let e = same_length(&[(&a, 3), (&b, 4)]).unwrap_err();
        assert!(e.to_string().contains("sjc"));
        assert!(same_length(&[(&a, 0), (&b, 0)]).is_err());
    }
}
