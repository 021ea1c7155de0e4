//! Exact or asymptotic: the `method` option shared by the rank tests.

use crate::common::Choice;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Exact for small samples (each test states its size limit), normal approximation above.
    Auto,
    /// The exact permutation distribution (also with ties).
    Exact,
    /// Normal approximation with tie (and optional continuity) corrections.
    Approx,
}

impl Choice for Method {
    const ARG: &'static str = "method";
    const VALUES: &'static [(&'static str, Self)] = &[
        ("auto", Method::Auto),
        ("exact", Method::Exact),
        ("approx", Method::Approx),
    ];
    /// The old spelling (API.md, Conventions).
    const ALIASES: &'static [(&'static str, Self)] = &[("asymptotic", Method::Approx)];
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
