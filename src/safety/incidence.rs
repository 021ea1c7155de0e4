//! Incidence rates per group from per-patient rows, with `nan_policy`.

use super::poisson::{incidence, Rate};
use crate::common::{check, nan, NanPolicy};
use crate::error::Result;

/// One rate per group from per-patient `events` and `exposure`, `group` the
/// internal group codes `0..n_groups` (float, as they arrive). A row with a
/// missing value is an error ('raise'), is dropped ('omit': a group left
/// with no row is left out) or makes its group's rate NaN ('propagate').
/// Returns the rates of all groups and which of them to report.
pub fn incidence_rates(
    events: &[f64],
    exposure: &[f64],
    group: &[f64],
    n_groups: usize,
    per: f64,
    conf_level: f64,
    policy: NanPolicy,
) -> Result<(Vec<Rate>, Vec<bool>)> {
    let codes = check::group_codes(group, "group", n_groups)?;
    let miss = nan::missing_rows(&[("events", events), ("exposure", exposure)], policy)?;
    if !miss.contains(&true) {
        let out = incidence(events, exposure, &codes, n_groups, per, conf_level)?;
        return Ok((out, vec![true; n_groups]));
    }
    // a missing row counts 0 events over 0 exposure ('omit'; rows keep their
    // positions, so an error names the input row) or is made NaN afterwards
    // ('propagate'); a group with no row left is left out ('omit') or NaN
    let mut left = vec![0usize; n_groups];
    for (i, &g) in codes.iter().enumerate() {
        left[g] += usize::from(!miss[i]);
    }
    let ev: Vec<f64> = (0..events.len())
        .map(|i| if miss[i] { 0.0 } else { events[i] })
        .collect();
    let ex: Vec<f64> = (0..exposure.len())
        .map(|i| match (miss[i], left[codes[i]] == 0) {
            (false, _) => exposure[i],
            (true, true) => 1.0,
            (true, false) => 0.0,
        })
        .collect();
    let mut out = incidence(&ev, &ex, &codes, n_groups, per, conf_level)?;
    let keep: Vec<bool> = left
        .iter()
        .map(|&k| policy == NanPolicy::Propagate || k > 0)
        .collect();
    if policy == NanPolicy::Propagate {
        for (i, _) in miss.iter().enumerate().filter(|(_, m)| **m) {
            let r = &mut out[codes[i]];
            (r.events, r.exposure, r.rate, r.ci_low, r.ci_high) =
                (f64::NAN, f64::NAN, f64::NAN, f64::NAN, f64::NAN);
        }
    }
    Ok((out, keep))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::StatsError;

    const NAN: f64 = f64::NAN;

    #[test]
    fn complete_rows_give_one_rate_per_group() {
        let (r, keep) = incidence_rates(
            &[1.0, 2.0, 0.0],
            &[2.0, 3.0, 4.0],
            &[0.0, 0.0, 1.0],
            2,
            1.0,
            0.95,
            NanPolicy::Raise,
        )
        .unwrap();
        assert_eq!(keep, vec![true, true]);
        assert_eq!((r[0].events, r[0].exposure, r[0].rate), (3.0, 5.0, 0.6));
        assert_eq!((r[1].events, r[1].exposure, r[1].rate), (0.0, 4.0, 0.0));
    }

    #[test]
    fn missing_rows_follow_the_policy() {
        let (e, t, g) = (
            [1.0, NAN, 2.0, 5.0],
            [2.0, 3.0, NAN, 1.0],
            [0.0, 0.0, 1.0, 2.0],
        );
        // omit: row 1 dropped from group 0, group 1 has no row left
        let (r, keep) = incidence_rates(&e, &t, &g, 3, 1.0, 0.95, NanPolicy::Omit).unwrap();
        assert_eq!(keep, vec![true, false, true]);
        assert_eq!((r[0].events, r[0].exposure), (1.0, 2.0));
        assert_eq!((r[2].events, r[2].exposure), (5.0, 1.0));
        // propagate: groups 0 and 1 are NaN, group 2 is untouched
        let (r, keep) = incidence_rates(&e, &t, &g, 3, 1.0, 0.95, NanPolicy::Propagate).unwrap();
        assert_eq!(keep, vec![true, true, true]);
        assert!(r[0].rate.is_nan() && r[1].rate.is_nan() && r[1].ci_high.is_nan());
        assert_eq!(r[2].rate, 5.0);
        // raise: the first missing value, by input row
        match incidence_rates(&e, &t, &g, 3, 1.0, 0.95, NanPolicy::Raise) {
            Err(StatsError::InvalidValue { arg, row, .. }) => {
                assert_eq!((arg.as_ref(), row), ("events", 1))
            }
            other => panic!("expected the missing value, got {other:?}"),
        }
    }

    #[test]
    fn bad_values_and_codes_name_their_input_row() {
        match incidence_rates(
            &[1.0, NAN, -1.0],
            &[1.0, 1.0, 1.0],
            &[0.0; 3],
            1,
            1.0,
            0.95,
            NanPolicy::Omit,
        ) {
            Err(StatsError::InvalidValue { arg, row, .. }) => {
                assert_eq!((arg.as_ref(), row), ("events", 2))
            }
            other => panic!("expected the negative count, got {other:?}"),
        }
        assert!(incidence_rates(&[1.0], &[1.0], &[1.0], 1, 1.0, 0.95, NanPolicy::Omit).is_err());
        assert!(incidence_rates(&[1.0], &[1.0], &[0.5], 2, 1.0, 0.95, NanPolicy::Omit).is_err());
    }
}
