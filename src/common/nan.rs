//! scipy's `nan_policy`.

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

impl NanPolicy {
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "propagate" => Ok(NanPolicy::Propagate),
            "omit" => Ok(NanPolicy::Omit),
            "raise" => Ok(NanPolicy::Raise),
            other => Err(StatsError::argument(
                "nan_policy",
                format!("{other:?} is not one of 'propagate', 'omit', 'raise'"),
            )),
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_policies_and_rejects_others() {
        assert_eq!(NanPolicy::parse("omit").unwrap(), NanPolicy::Omit);
        assert_eq!(NanPolicy::parse("raise").unwrap(), NanPolicy::Raise);
        assert_eq!(NanPolicy::parse("propagate").unwrap(), NanPolicy::Propagate);
        assert!(NanPolicy::parse("drop").is_err());
        assert!(NanPolicy::Omit.rowwise().is_err());
    }
}
