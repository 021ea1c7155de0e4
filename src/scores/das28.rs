//! DAS28 (SCORING_SPEC section 2): ESR and CRP forms, categories, EULAR response.

use super::NA;
use crate::common::check::{self, same_length, At};
use crate::common::rows::map_rows;
use crate::common::{gt, le, lt, NanPolicy};
use crate::error::{Arg, Result, StatsError};

const JOINTS: &str = "allowed integers 0-28";
const ESR: &str = "ESR must be > 0 mm/h";
const CRP: &str = "CRP must be >= 0 mg/L";
const GH: &str = "allowed 0-100 mm";
const DAS: &str = "allowed DAS28 0-10";

/// Which acute-phase reactant the score uses.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Reactant {
    /// ESR in mm/h (> 0).
    Esr,
    /// CRP in mg/L (>= 0).
    Crp,
}

/// DAS28 per row. `patient_global = None` selects the 3-variable form.
pub fn das28(
    kind: Reactant,
    tjc: &[f64],
    sjc: &[f64],
    apr: &[f64],
    patient_global: Option<&[f64]>,
    policy: NanPolicy,
) -> Result<Vec<f64>> {
    let policy = policy.rowwise()?;
    let (a_tjc, a_sjc, a_gh): (Arg, Arg, Arg) = ("tjc".into(), "sjc".into(), "patient_global".into());
    let a_apr: Arg = match kind {
        Reactant::Esr => "esr".into(),
        Reactant::Crp => "crp".into(),
    };
    let mut lens = vec![(&a_tjc, tjc.len()), (&a_sjc, sjc.len()), (&a_apr, apr.len())];
    if let Some(g) = patient_global {
        lens.push((&a_gh, g.len()));
    }
    let n = same_length(&lens)?;
    map_rows(n, |i| {
        let (t, s, r) = (tjc[i], sjc[i], apr[i]);
        check::integer(t, 0.0, 28.0, policy, At::new(&a_tjc, i), JOINTS)?;
        check::integer(s, 0.0, 28.0, policy, At::new(&a_sjc, i), JOINTS)?;
        let joints = 0.56 * t.sqrt() + 0.28 * s.sqrt();
        let lab = match kind {
            Reactant::Esr => {
                check::real(r, 0.0, f64::INFINITY, true, false, policy, At::new(&a_apr, i), ESR)?;
                0.70 * r.ln()
            }
            Reactant::Crp => {
                check::real(r, 0.0, f64::INFINITY, false, false, policy, At::new(&a_apr, i), CRP)?;
                0.36 * r.ln_1p()
            }
        };
        Ok(match (patient_global, kind) {
            (Some(g), _) => {
                let g = g[i];
                check::real(g, 0.0, 100.0, false, false, policy, At::new(&a_gh, i), GH)?;
                let v = joints + lab + 0.014 * g;
                if kind == Reactant::Crp {
                    v + 0.96
                } else {
                    v
                }
            }
            (None, Reactant::Esr) => (joints + lab) * 1.08 + 0.16,
            (None, Reactant::Crp) => (joints + lab) * 1.10 + 1.15,
        })
    })
}

/// Disease-activity category: 0 remission < 1 low < 2 moderate < 3 high (-1 missing).
/// remission `< t0`, low `t0 ..= t1`, moderate `(t1, t2]`, high `> t2` (tolerant comparisons).
pub fn category(das: &[f64], thresholds: [f64; 3], policy: NanPolicy) -> Result<Vec<i8>> {
    let policy = policy.rowwise()?;
    if !(thresholds[0] < thresholds[1] && thresholds[1] < thresholds[2]) {
        return Err(StatsError::argument("thresholds", "must be three increasing cut-offs"));
    }
    let arg: Arg = "das28".into();
    let n = same_length(&[(&arg, das.len())])?;
    map_rows(n, |i| {
        let v = das[i];
        check::real(v, 0.0, 10.0, false, false, policy, At::new(&arg, i), DAS)?;
        Ok(if v.is_nan() {
            NA
        } else if lt(v, thresholds[0]) {
            0
        } else if le(v, thresholds[1]) {
            1
        } else if le(v, thresholds[2]) {
            2
        } else {
            3
        })
    })
}

/// EULAR response: 0 none < 1 moderate < 2 good (-1 missing).
pub fn eular_response(baseline: &[f64], followup: &[f64], policy: NanPolicy) -> Result<Vec<i8>> {
    let policy = policy.rowwise()?;
    let (a_b, a_f): (Arg, Arg) = ("baseline".into(), "followup".into());
    let n = same_length(&[(&a_b, baseline.len()), (&a_f, followup.len())])?;
    map_rows(n, |i| {
        let (b, f) = (baseline[i], followup[i]);
        check::real(b, 0.0, 10.0, false, false, policy, At::new(&a_b, i), DAS)?;
        check::real(f, 0.0, 10.0, false, false, policy, At::new(&a_f, i), DAS)?;
        if b.is_nan() || f.is_nan() {
            return Ok(NA);
        }
        let imp = b - f;
        let large = gt(imp, 1.2);
        let mid = gt(imp, 0.6);
        Ok(if le(f, 3.2) {
            if large {
                2
            } else if mid {
                1
            } else {
                0
            }
        } else if le(f, 5.1) {
            if mid {
                1
            } else {
                0
            }
        } else if large {
            1
        } else {
            0
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1e-3)
    }

    fn esr(t: f64, s: f64, e: f64, g: Option<f64>) -> f64 {
        let gv = g.map(|g| vec![g]);
        das28(Reactant::Esr, &[t], &[s], &[e], gv.as_deref(), NanPolicy::Propagate).unwrap()[0]
    }
    fn crp(t: f64, s: f64, c: f64, g: Option<f64>) -> f64 {
        let gv = g.map(|g| vec![g]);
        das28(Reactant::Crp, &[t], &[s], &[c], gv.as_deref(), NanPolicy::Propagate).unwrap()[0]
    }

    #[test]
    fn spec_examples() {
        // SCORING_SPEC section 2 worked examples
        assert!(close(esr(4.0, 3.0, 20.0, Some(40.0)), 4.26198681761));
        assert!(close(esr(4.0, 3.0, 20.0, None), 4.15814576302));
        assert_eq!(esr(0.0, 0.0, 1.0, Some(0.0)), 0.0);
        assert!(close(esr(0.0, 0.0, 1.0, None), 0.16));
        assert!(close(esr(10.0, 8.0, 45.0, Some(70.0)), 6.20749882746));
        assert!(close(esr(28.0, 28.0, 100.0, Some(100.0)), 9.06848133278));
        assert!(close(crp(4.0, 3.0, 10.0, Some(40.0)), 3.98821652433));
        assert!(close(crp(4.0, 3.0, 10.0, None), 3.86503817676));
        assert!(close(crp(0.0, 0.0, 0.0, Some(0.0)), 0.96));
        assert!(close(crp(0.0, 0.0, 0.0, None), 1.15));
        assert!(close(crp(10.0, 8.0, 25.5, Some(70.0)), 5.68260718850));
    }

    #[test]
    fn invalid_inputs() {
        let p = NanPolicy::Propagate;
        assert!(das28(Reactant::Esr, &[4.0], &[3.0], &[0.0], Some(&[40.0]), p).is_err());
        assert!(das28(Reactant::Esr, &[29.0], &[3.0], &[20.0], Some(&[40.0]), p).is_err());
        assert!(das28(Reactant::Crp, &[4.0], &[3.0], &[10.0], Some(&[101.0]), p).is_err());
        assert!(das28(Reactant::Crp, &[4.0], &[3.0, 1.0], &[10.0], None, p).is_err());
        assert!(das28(Reactant::Crp, &[4.0], &[3.0], &[10.0], None, NanPolicy::Omit).is_err());
        let nan = das28(Reactant::Esr, &[f64::NAN], &[3.0], &[20.0], Some(&[40.0]), p).unwrap();
        assert!(nan[0].is_nan());
    }

    #[test]
    fn categories_at_the_boundaries() {
        let v = [2.59, 2.6, 3.2, 3.21, 5.1, 5.11, 2.5999999999999996, f64::NAN];
        let c = category(&v, [2.6, 3.2, 5.1], NanPolicy::Propagate).unwrap();
        assert_eq!(c, vec![0, 1, 1, 2, 2, 3, 1, NA]);
    }

    #[test]
    fn eular_table() {
        let b = [4.5, 5.0, 6.5, 6.0, 5.0, 6.3, 3.0, 5.8, 6.0, 4.0, 4.0];
        let f = [3.2, 3.7, 5.2, 4.8, 3.8, 5.1, 2.0, 5.1, 5.2, 3.4, 4.5];
        let r = eular_response(&b, &f, NanPolicy::Propagate).unwrap();
        assert_eq!(r, vec![2, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
    }
}
