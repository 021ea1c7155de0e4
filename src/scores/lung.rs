//! Lung-function decline categories (SCORING_SPEC section 12).
//! Codes: 0 stable < 1 marginal < 2 significant, -1 missing.

use super::NA;
use crate::common::check::{self, same_length, At};
use crate::common::rows::map_rows;
use crate::common::Choice;
use crate::common::{ge, NanPolicy};
use crate::error::{Arg, Result};

pub const STABLE: i8 = 0;
pub const MARGINAL: i8 = 1;
pub const SIGNIFICANT: i8 = 2;

const RANGE: &str = "allowed % predicted > 0 and <= 250";

/// Which definition of a meaningful decline.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Definition {
    /// OMERACT CTD-ILD 2015: relative declines (FVC >= 10 %, or 5-10 % with DLCO >= 15 %);
    /// 5-10 % FVC without the DLCO criterion is "marginal".
    Omeract,
    /// ATS/ERS/JRS/ALAT 2022 progressive pulmonary fibrosis, physiological criterion:
    /// absolute FVC decline >= 5 points or DLCO decline >= 10 points. Never "marginal".
    Ppf2022,
}

impl Choice for Definition {
    const ARG: &'static str = "definition";
    const VALUES: &'static [(&'static str, Self)] = &[
        ("omeract", Definition::Omeract),
        ("ppf2022", Definition::Ppf2022),
    ];
}

/// Decline category per row. `dlco = Some((base, follow))` or None.
pub fn decline(
    fvc_base: &[f64],
    fvc_follow: &[f64],
    dlco: Option<(&[f64], &[f64])>,
    definition: Definition,
    policy: NanPolicy,
) -> Result<Vec<i8>> {
    let policy = policy.rowwise()?;
    let names: [Arg; 4] = ["fvc_base", "fvc_follow", "dlco_base", "dlco_follow"].map(Arg::from);
    let mut lens = vec![(&names[0], fvc_base.len()), (&names[1], fvc_follow.len())];
    if let Some((db, df)) = dlco {
        lens.push((&names[2], db.len()));
        lens.push((&names[3], df.len()));
    }
    let n = same_length(&lens)?;
    // fast path: every value present and in range (a vectorisable pre-scan), so
    // the per-row checks can be skipped; otherwise the checked path reports errors
    let in_range = |c: &[f64]| {
        c.iter()
            .fold(true, |acc, &v| acc & (v > 0.0) & (v <= 250.0))
    };
    if in_range(fvc_base)
        && in_range(fvc_follow)
        && dlco.is_none_or(|(db, df)| in_range(db) && in_range(df))
    {
        return map_rows(n, |i| {
            let d = dlco.map(|(db, df)| (db[i], df[i]));
            Ok(match definition {
                Definition::Omeract => omeract(fvc_base[i], fvc_follow[i], d),
                Definition::Ppf2022 => ppf2022(fvc_base[i], fvc_follow[i], d),
            })
        });
    }
    map_rows(n, |i| {
        let (fb, ff) = (fvc_base[i], fvc_follow[i]);
        check::real(
            fb,
            0.0,
            250.0,
            true,
            false,
            policy,
            At::new(&names[0], i),
            RANGE,
        )?;
        check::real(
            ff,
            0.0,
            250.0,
            true,
            false,
            policy,
            At::new(&names[1], i),
            RANGE,
        )?;
        let d = match dlco {
            Some((db, df)) => {
                check::real(
                    db[i],
                    0.0,
                    250.0,
                    true,
                    false,
                    policy,
                    At::new(&names[2], i),
                    RANGE,
                )?;
                check::real(
                    df[i],
                    0.0,
                    250.0,
                    true,
                    false,
                    policy,
                    At::new(&names[3], i),
                    RANGE,
                )?;
                Some((db[i], df[i]))
            }
            None => None,
        };
        Ok(match definition {
            Definition::Omeract => omeract(fb, ff, d),
            Definition::Ppf2022 => ppf2022(fb, ff, d),
        })
    })
}

fn omeract(fb: f64, ff: f64, dlco: Option<(f64, f64)>) -> i8 {
    if fb.is_nan() || ff.is_nan() {
        return NA;
    }
    let rel_fvc = (fb - ff) / fb;
    if ge(rel_fvc, 0.10) {
        return SIGNIFICANT;
    }
    if !ge(rel_fvc, 0.05) {
        return STABLE;
    }
    match dlco {
        None => MARGINAL,
        Some((db, df)) if db.is_nan() || df.is_nan() => NA,
        Some((db, df)) => {
            if ge((db - df) / db, 0.15) {
                SIGNIFICANT
            } else {
                MARGINAL
            }
        }
    }
}

/// Either criterion met -> significant (even if the other measure is missing);
/// otherwise missing when a supplied measure is missing, else stable.
fn ppf2022(fb: f64, ff: f64, dlco: Option<(f64, f64)>) -> i8 {
    let fvc_known = !(fb.is_nan() || ff.is_nan());
    if fvc_known && ge(fb - ff, 5.0) {
        return SIGNIFICANT;
    }
    let dlco_known = match dlco {
        None => true,
        Some((db, df)) => {
            if !(db.is_nan() || df.is_nan()) && ge(db - df, 10.0) {
                return SIGNIFICANT;
            }
            !(db.is_nan() || df.is_nan())
        }
    };
    if fvc_known && dlco_known {
        STABLE
    } else {
        NA
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(def: Definition, fb: f64, ff: f64, dlco: Option<(f64, f64)>) -> i8 {
        let (db, df) = (dlco.map(|d| vec![d.0]), dlco.map(|d| vec![d.1]));
        let d = match (&db, &df) {
            (Some(b), Some(f)) => Some((&b[..], &f[..])),
            _ => None,
        };
        decline(&[fb], &[ff], d, def, NanPolicy::Propagate).unwrap()[0]
    }

    #[test]
    fn omeract_spec_examples() {
        // SCORING_SPEC section 12
        use Definition::Omeract as O;
        assert_eq!(run(O, 80.0, 72.0, None), SIGNIFICANT);
        assert_eq!(run(O, 80.0, 75.0, Some((60.0, 50.0))), SIGNIFICANT);
        assert_eq!(run(O, 80.0, 75.0, Some((60.0, 55.0))), MARGINAL);
        assert_eq!(run(O, 80.0, 76.0, None), MARGINAL);
        assert_eq!(run(O, 70.0, 66.5, Some((60.0, 51.0))), SIGNIFICANT);
        assert_eq!(run(O, 70.0, 66.5, Some((60.0, 51.5))), MARGINAL);
        assert_eq!(run(O, 80.0, 77.0, Some((60.0, 48.0))), STABLE);
        assert_eq!(run(O, 80.0, 85.0, Some((60.0, 60.0))), STABLE);
    }

    #[test]
    fn ppf_spec_examples() {
        use Definition::Ppf2022 as P;
        assert_eq!(run(P, 80.0, 75.0, None), SIGNIFICANT);
        assert_eq!(run(P, 80.0, 76.0, Some((60.0, 50.0))), SIGNIFICANT);
        assert_eq!(run(P, 80.0, 76.0, Some((60.0, 52.0))), STABLE);
        assert_eq!(run(P, 80.0, 75.5, Some((60.0, 52.0))), STABLE);
    }

    #[test]
    fn missing_values() {
        use Definition::{Omeract as O, Ppf2022 as P};
        let nan = f64::NAN;
        assert_eq!(run(O, nan, 70.0, None), NA);
        // DLCO consulted only in the 5-10 % band
        assert_eq!(run(O, 80.0, 75.0, Some((nan, 50.0))), NA);
        assert_eq!(run(O, 80.0, 79.0, Some((nan, 50.0))), STABLE);
        assert_eq!(run(O, 80.0, 70.0, Some((nan, 50.0))), SIGNIFICANT);
        assert_eq!(run(P, 80.0, 74.0, Some((nan, 50.0))), SIGNIFICANT);
        assert_eq!(run(P, 80.0, 79.0, Some((nan, 50.0))), NA);
        assert_eq!(run(P, nan, 79.0, Some((60.0, 50.0))), SIGNIFICANT);
        assert_eq!(run(P, nan, 79.0, None), NA);
    }

    #[test]
    fn clean_fast_path_equals_checked_path() {
        // the same rows alone (fast path) and followed by a missing value (checked path)
        let n = 500;
        let fb: Vec<f64> = (0..=n).map(|i| 50.0 + (i % 61) as f64).collect();
        let ff: Vec<f64> = (0..=n)
            .map(|i| fb[i] * (0.85 + ((i * 7) % 23) as f64 / 100.0))
            .collect();
        let db: Vec<f64> = (0..=n).map(|i| 40.0 + (i % 43) as f64).collect();
        let mut df: Vec<f64> = (0..=n)
            .map(|i| db[i] * (0.75 + ((i * 11) % 31) as f64 / 100.0))
            .collect();
        for def in [Definition::Omeract, Definition::Ppf2022] {
            let fast = decline(
                &fb[..n],
                &ff[..n],
                Some((&db[..n], &df[..n])),
                def,
                NanPolicy::Propagate,
            )
            .unwrap();
            df[n] = f64::NAN;
            let checked = decline(&fb, &ff, Some((&db, &df)), def, NanPolicy::Propagate).unwrap();
            df[n] = 1.0;
            assert_eq!(fast[..], checked[..n]);
            assert!(fast.contains(&SIGNIFICANT) && fast.contains(&STABLE));
        }
    }

    #[test]
    fn rejects_out_of_range_and_bad_definition() {
        let e = decline(
            &[80.0, 0.0],
            &[70.0, 70.0],
            None,
            Definition::Omeract,
            NanPolicy::Propagate,
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("fvc_base[1] = 0"));
        assert!(decline(
            &[80.0],
            &[70.0, 1.0],
            None,
            Definition::Omeract,
            NanPolicy::Propagate
        )
        .is_err());
        assert!(Definition::parse("zappala").is_err());
    }
}
