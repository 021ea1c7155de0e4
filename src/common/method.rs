//! Exact or asymptotic: the `method` option shared by the rank tests.

use crate::error::{Result, StatsError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Exact for small samples (each test states its size limit), normal approximation above.
    Auto,
    /// The exact permutation distribution (also with ties).
    Exact,
    /// Normal approximation with tie (and optional continuity) corrections.
    Approx,
}

impl Method {
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "auto" => Ok(Method::Auto),
            "exact" => Ok(Method::Exact),
            "approx" | "asymptotic" => Ok(Method::Approx),
            o => Err(StatsError::argument(
                "method",
                format!("{o:?} is not one of 'auto', 'exact', 'approx'"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_methods() {
        assert_eq!(Method::parse("asymptotic").unwrap(), Method::Approx);
        assert_eq!(Method::parse("exact").unwrap(), Method::Exact);
        assert!(Method::parse("monte-carlo").is_err());
    }
}
