//! String options (`alternative='less'`, `nan_policy='omit'`, ...): one
//! parser and one error wording for every option enum.
//!
//! An option enum implements [`Choice`] by listing its spellings; the binding
//! layer extracts any `Choice` from a Python string (`python::convert::Wrap`),
//! so an unknown value is always the same `ValueError`:
//! `method: 'fast' is not one of 'auto', 'exact', 'approx' ('asymptotic' is accepted for 'approx')`.

use crate::error::{Result, StatsError};

/// An option with a fixed set of spellings.
pub trait Choice: Copy + PartialEq + 'static {
    /// The argument name the user types (`"alternative"`).
    const ARG: &'static str;
    /// The documented spellings and their values, in the order errors list them.
    const VALUES: &'static [(&'static str, Self)];
    /// Other accepted spellings (documented aliases such as `'asymptotic'`).
    const ALIASES: &'static [(&'static str, Self)] = &[];
    /// Whether spellings match regardless of ASCII case.
    const IGNORE_CASE: bool = false;

    /// The value spelled `s`, or the error naming the argument and the allowed spellings.
    fn parse(s: &str) -> Result<Self> {
        let same = |name: &str| {
            if Self::IGNORE_CASE {
                name.eq_ignore_ascii_case(s)
            } else {
                name == s
            }
        };
        Self::VALUES
            .iter()
            .chain(Self::ALIASES)
            .find(|(name, _)| same(name))
            .map(|&(_, v)| v)
            .ok_or_else(|| {
                StatsError::argument(
                    Self::ARG,
                    format!("{} is not one of {}", quote(s), Self::allowed()),
                )
            })
    }

    /// The documented spelling of a value.
    fn name(self) -> &'static str {
        Self::VALUES
            .iter()
            .find(|&&(_, v)| v == self)
            .map_or("", |&(name, _)| name)
    }

    /// `'a', 'b', 'c'`, followed by the aliases (`('asymptotic' is accepted for 'approx')`).
    fn allowed() -> String {
        let mut s = Self::VALUES
            .iter()
            .map(|(name, _)| quote(name))
            .collect::<Vec<_>>()
            .join(", ");
        if !Self::ALIASES.is_empty() {
            let notes: Vec<String> = Self::ALIASES
                .iter()
                .map(|&(alias, v)| format!("{} is accepted for {}", quote(alias), quote(v.name())))
                .collect();
            s.push_str(&format!(" ({})", notes.join(", ")));
        }
        s
    }
}

/// A string as Python's `repr` writes it (`'omit'`), so that messages read the
/// same whether the Python layer or the core raised them.
pub fn quote(s: &str) -> String {
    if s.contains('\'') && !s.contains('"') {
        return format!("\"{s}\"");
    }
    let mut q = String::with_capacity(s.len() + 2);
    q.push('\'');
    for c in s.chars() {
        match c {
            '\'' => q.push_str("\\'"),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            '\t' => q.push_str("\\t"),
            '\r' => q.push_str("\\r"),
            c => q.push(c),
        }
    }
    q.push('\'');
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Speed {
        Slow,
        Fast,
    }

    impl Choice for Speed {
        const ARG: &'static str = "speed";
        const VALUES: &'static [(&'static str, Self)] =
            &[("slow", Speed::Slow), ("fast", Speed::Fast)];
        const ALIASES: &'static [(&'static str, Self)] = &[("quick", Speed::Fast)];
    }

    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Loud;

    impl Choice for Loud {
        const ARG: &'static str = "volume";
        const VALUES: &'static [(&'static str, Self)] = &[("loud", Loud)];
        const IGNORE_CASE: bool = true;
    }

    #[test]
    fn parses_spellings_and_aliases() {
        assert_eq!(Speed::parse("slow").unwrap(), Speed::Slow);
        assert_eq!(Speed::parse("quick").unwrap(), Speed::Fast);
        assert_eq!(Speed::Fast.name(), "fast");
        assert!(Speed::parse("Slow").is_err());
        assert_eq!(Loud::parse("LOUD").unwrap(), Loud);
    }

    #[test]
    fn an_unknown_value_names_the_argument_and_the_allowed_ones() {
        let e = Speed::parse("warp").unwrap_err();
        assert_eq!(
            e.to_string(),
            "speed: 'warp' is not one of 'slow', 'fast' ('quick' is accepted for 'fast')"
        );
        match e {
            StatsError::InvalidArgument { arg, .. } => assert_eq!(arg, "speed"),
            _ => panic!("expected InvalidArgument"),
        }
        assert_eq!(
            Loud::parse("soft").unwrap_err().to_string(),
            "volume: 'soft' is not one of 'loud'"
        );
    }

    #[test]
    fn quotes_like_python_repr() {
        assert_eq!(quote("omit"), "'omit'");
        assert_eq!(quote("it's"), "\"it's\"");
        assert_eq!(quote("a'\"b"), "'a\\'\"b'");
        assert_eq!(quote("a\\b"), "'a\\\\b'");
    }
}
