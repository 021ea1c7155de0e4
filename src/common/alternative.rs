//! The alternative hypothesis, shared by every test.

use crate::common::Choice;
use crate::error::{Result, StatsError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Alternative {
    #[default]
    TwoSided,
    /// The location of the differences (or of x - y) is less than the null value.
    Less,
    /// ... greater than the null value.
    Greater,
}

impl Choice for Alternative {
    const ARG: &'static str = "alternative";
    const VALUES: &'static [(&'static str, Self)] = &[
        ("two-sided", Alternative::TwoSided),
        ("less", Alternative::Less),
        ("greater", Alternative::Greater),
    ];
}

impl Alternative {
    /// p-value from the two one-sided tail probabilities `P(T <= t)` and `P(T >= t)`
    /// (two-sided: twice the smaller, capped at 1, as R and scipy do).
    pub fn pvalue(self, p_le: f64, p_ge: f64) -> f64 {
        match self {
            Alternative::Less => p_le.min(1.0),
            Alternative::Greater => p_ge.min(1.0),
            Alternative::TwoSided => (2.0 * p_le.min(p_ge)).min(1.0),
        }
    }

    /// R's continuity correction of the centred statistic `z` (`dz` before
    /// scaling) when `on`: 0.5 towards the null, as `wilcox.test(correct = TRUE)`.
    pub fn continuity(self, on: bool, z: f64) -> f64 {
        if !on {
            return 0.0;
        }
        match self {
            Alternative::TwoSided => {
                if z > 0.0 {
                    0.5
                } else if z < 0.0 {
                    -0.5
                } else {
                    0.0
                }
            }
            Alternative::Greater => 0.5,
            Alternative::Less => -0.5,
        }
    }
}

/// `conf_level` must lie in (0, 1).
pub fn check_conf_level(c: f64) -> Result<f64> {
    if c > 0.0 && c < 1.0 {
        Ok(c)
    } else {
        Err(StatsError::argument(
            "conf_level",
            format!("{c} is outside (0, 1)"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_sided_doubles_the_smaller_tail() {
        assert_eq!(Alternative::TwoSided.pvalue(0.02, 0.99), 0.04);
        assert_eq!(Alternative::TwoSided.pvalue(0.7, 0.6), 1.0);
        assert_eq!(Alternative::Less.pvalue(0.02, 0.99), 0.02);
        assert!(Alternative::parse("two_sided").is_err());
        assert!(check_conf_level(1.0).is_err());
    }
}
