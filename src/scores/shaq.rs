//! SHAQ visual analogue scales (SCORING_SPEC section 6), scaled to 0-3.

use crate::common::check::{self, At};
use crate::common::rows::map_rows;
use crate::common::{Choice, NanPolicy};
use crate::error::{Arg, Result, StatsError};

pub const SCALES: [&str; 6] = [
    "intestinal",
    "breathing",
    "raynauds",
    "digital_ulcers",
    "overall",
    "pain",
];

/// The unit of a visual analogue scale.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Unit {
    /// 0-100 mm.
    Mm,
    /// 0-15 cm.
    Cm,
}

impl Choice for Unit {
    const ARG: &'static str = "unit";
    const VALUES: &'static [(&'static str, Self)] = &[("mm", Unit::Mm), ("cm", Unit::Cm)];
}

/// Scale one VAS column: mm (0-100, x 0.03) or cm (0-15, x 0.2).
pub fn scale(arg: Arg, values: &[f64], unit: Unit, policy: NanPolicy) -> Result<Vec<f64>> {
    let policy = policy.rowwise()?;
    let (hi, factor, allowed) = match unit {
        Unit::Mm => (100.0, 0.03, "allowed 0-100 mm"),
        Unit::Cm => (15.0, 0.2, "allowed 0-15 cm"),
    };
    if values.is_empty() {
        return Err(StatsError::too_few(arg, 0, 1));
    }
    map_rows(values.len(), |i| {
        check::real(
            values[i],
            0.0,
            hi,
            false,
            false,
            policy,
            At::new(&arg, i),
            allowed,
        )?;
        Ok(values[i] * factor)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples() {
        // SCORING_SPEC section 6
        let mm = scale(
            "vas".into(),
            &[0.0, 50.0, 100.0, 37.0, 12.5, 66.0],
            Unit::Mm,
            NanPolicy::Propagate,
        )
        .unwrap();
        let want = [0.0, 1.5, 3.0, 1.11, 0.375, 1.98];
        for (a, b) in mm.iter().zip(want) {
            assert!((a - b).abs() <= 1e-12);
        }
        let cm = scale(
            "vas".into(),
            &[7.5, 15.0, 3.3],
            Unit::Cm,
            NanPolicy::Propagate,
        )
        .unwrap();
        for (a, b) in cm.iter().zip([1.5, 3.0, 0.66]) {
            assert!((a - b).abs() <= 1e-12);
        }
        assert!(scale("vas".into(), &[101.0], Unit::Mm, NanPolicy::Propagate).is_err());
        assert!(scale("vas".into(), &[15.5], Unit::Cm, NanPolicy::Propagate).is_err());
        assert!(Unit::parse("in").is_err());
    }
}
