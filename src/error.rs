//! The one error type of the core. The binding layer maps it to Python
//! exceptions in a single place (`python/error.rs`).

use std::borrow::Cow;
use std::fmt;

/// Argument name as the Python user sees it (`"tjc"`, `"baseline['mrss']"`).
pub type Arg = Cow<'static, str>;

#[derive(Debug, Clone, PartialEq)]
pub enum StatsError {
    /// A value outside its allowed range/kind. `row` is 0-based; `col` is the
    /// 0-based column for 2-D inputs (the Python layer turns it into a name).
    InvalidValue {
        arg: Arg,
        row: usize,
        col: Option<usize>,
        value: f64,
        reason: &'static str,
        allowed: Cow<'static, str>,
    },
    /// Two inputs that must have the same length do not.
    LengthMismatch {
        arg_a: Arg,
        len_a: usize,
        arg_b: Arg,
        len_b: usize,
    },
    /// Too few (non-missing) observations for the statistic.
    TooFew { arg: Arg, n: usize, min: usize },
    /// An option/argument that is not a data value (`conf_level=1.5`, unknown method).
    InvalidArgument { arg: Arg, message: String },
    /// A singular system (e.g. a constant covariate).
    Singular { what: String },
    /// An iterative fit did not converge.
    NotConverged { what: String, iterations: usize },
}

impl StatsError {
    pub fn invalid(
        arg: impl Into<Arg>,
        row: usize,
        value: f64,
        reason: &'static str,
        allowed: impl Into<Cow<'static, str>>,
    ) -> Self {
        StatsError::InvalidValue {
            arg: arg.into(),
            row,
            col: None,
            value,
            reason,
            allowed: allowed.into(),
        }
    }
    pub fn invalid_at(
        arg: impl Into<Arg>,
        row: usize,
        col: usize,
        value: f64,
        reason: &'static str,
        allowed: impl Into<Cow<'static, str>>,
    ) -> Self {
        StatsError::InvalidValue {
            arg: arg.into(),
            row,
            col: Some(col),
            value,
            reason,
            allowed: allowed.into(),
        }
    }
    pub fn argument(arg: impl Into<Arg>, message: impl Into<String>) -> Self {
        StatsError::InvalidArgument {
            arg: arg.into(),
            message: message.into(),
        }
    }
    pub fn length(
        arg_a: impl Into<Arg>,
        len_a: usize,
        arg_b: impl Into<Arg>,
        len_b: usize,
    ) -> Self {
        StatsError::LengthMismatch {
            arg_a: arg_a.into(),
            len_a,
            arg_b: arg_b.into(),
            len_b,
        }
    }
    pub fn too_few(arg: impl Into<Arg>, n: usize, min: usize) -> Self {
        StatsError::TooFew {
            arg: arg.into(),
            n,
            min,
        }
    }
    /// Row of an `InvalidValue`, used to keep the first offending row when work runs in parallel.
    pub fn row(&self) -> usize {
        match self {
            StatsError::InvalidValue { row, .. } => *row,
            _ => usize::MAX,
        }
    }
}

impl fmt::Display for StatsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatsError::InvalidValue {
                arg,
                row,
                col,
                value,
                reason,
                allowed,
            } => {
                match col {
                    Some(c) => write!(f, "{arg}[{row}, {c}]")?,
                    None => write!(f, "{arg}[{row}]")?,
                }
                write!(f, " = {value}: {reason}; {allowed}")
            }
            StatsError::LengthMismatch {
                arg_a,
                len_a,
                arg_b,
                len_b,
            } => write!(
                f,
                "{arg_a} and {arg_b} must have the same length; got {len_a} and {len_b}"
            ),
            StatsError::TooFew { arg, n, min } => {
                write!(f, "{arg}: {n} non-missing value(s); at least {min} needed")
            }
            StatsError::InvalidArgument { arg, message } => write!(f, "{arg}: {message}"),
            StatsError::Singular { what } => write!(f, "singular system: {what}"),
            StatsError::NotConverged { what, iterations } => {
                write!(f, "{what} did not converge in {iterations} iterations")
            }
        }
    }
}

impl std::error::Error for StatsError {}

pub type Result<T> = std::result::Result<T, StatsError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_argument_row_value_and_range() {
        let e = StatsError::invalid("tjc", 3, 29.0, "out of range", "allowed integers 0-28");
        assert_eq!(
            e.to_string(),
            "tjc[3] = 29: out of range; allowed integers 0-28"
        );
        assert_eq!(e.row(), 3);
    }

    #[test]
    fn length_message_names_both_arguments() {
        let e = StatsError::length("tjc", 3, "esr", 4);
        let s = e.to_string();
        assert!(s.contains("tjc") && s.contains("esr") && s.contains('3') && s.contains('4'));
    }
}
