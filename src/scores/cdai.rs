//! CDAI and SDAI (SCORING_SPEC section 3).

use super::NA;
use crate::common::check::{self, same_length, At};
use crate::common::rows::map_rows;
use crate::common::{le, Choice, NanPolicy};
use crate::error::{Arg, Result};

const JOINTS: &str = "allowed integers 0-28";
const GLOBAL: &str = "allowed 0-10 cm";
const CRP: &str = "CRP must be >= 0 mg/dL";

/// CDAI (`crp = None`) or SDAI (`crp` in mg/dL) per row.
pub fn cdai_sdai(
    tjc: &[f64],
    sjc: &[f64],
    patient_global: &[f64],
    evaluator_global: &[f64],
    crp: Option<&[f64]>,
    policy: NanPolicy,
) -> Result<Vec<f64>> {
    let policy = policy.rowwise()?;
    let names: [Arg; 5] = [
        "tjc".into(),
        "sjc".into(),
        "patient_global".into(),
        "evaluator_global".into(),
        "crp".into(),
    ];
    let mut lens = vec![
        (&names[0], tjc.len()),
        (&names[1], sjc.len()),
        (&names[2], patient_global.len()),
        (&names[3], evaluator_global.len()),
    ];
    if let Some(c) = crp {
        lens.push((&names[4], c.len()));
    }
    let n = same_length(&lens)?;
    map_rows(n, |i| {
        check::integer(tjc[i], 0.0, 28.0, policy, At::new(&names[0], i), JOINTS)?;
        check::integer(sjc[i], 0.0, 28.0, policy, At::new(&names[1], i), JOINTS)?;
        check::real(
            patient_global[i],
            0.0,
            10.0,
            false,
            false,
            policy,
            At::new(&names[2], i),
            GLOBAL,
        )?;
        check::real(
            evaluator_global[i],
            0.0,
            10.0,
            false,
            false,
            policy,
            At::new(&names[3], i),
            GLOBAL,
        )?;
        let mut v = tjc[i] + sjc[i] + patient_global[i] + evaluator_global[i];
        if let Some(c) = crp {
            check::real(
                c[i],
                0.0,
                f64::INFINITY,
                false,
                true,
                policy,
                At::new(&names[4], i),
                CRP,
            )?;
            v += c[i];
        }
        Ok(v)
    })
}

/// Which index a category is for (the cut-offs and valid range differ).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Index {
    Cdai,
    Sdai,
}

impl Choice for Index {
    const ARG: &'static str = "index";
    const VALUES: &'static [(&'static str, Self)] = &[("cdai", Index::Cdai), ("sdai", Index::Sdai)];
}

/// 0 remission (`<= c0`) < 1 low (`<= c1`) < 2 moderate (`<= c2`) < 3 high; -1 missing.
pub fn category(values: &[f64], index: Index, policy: NanPolicy) -> Result<Vec<i8>> {
    let policy = policy.rowwise()?;
    let (arg, cuts, hi, allowed): (Arg, [f64; 3], f64, &'static str) = match index {
        Index::Cdai => ("cdai".into(), [2.8, 10.0, 22.0], 76.0, "allowed CDAI 0-76"),
        Index::Sdai => (
            "sdai".into(),
            [3.3, 11.0, 26.0],
            f64::INFINITY,
            "allowed SDAI >= 0",
        ),
    };
    let n = same_length(&[(&arg, values.len())])?;
    map_rows(n, |i| {
        let v = values[i];
        check::real(
            v,
            0.0,
            hi,
            false,
            hi.is_infinite(),
            policy,
            At::new(&arg, i),
            allowed,
        )?;
        Ok(if v.is_nan() {
            NA
        } else if le(v, cuts[0]) {
            0
        } else if le(v, cuts[1]) {
            1
        } else if le(v, cuts[2]) {
            2
        } else {
            3
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples_cdai() {
        // SCORING_SPEC section 3
        let t = [4.0, 1.0, 3.0, 8.0, 8.0, 28.0];
        let s = [3.0, 0.0, 2.0, 6.0, 7.0, 28.0];
        let p = [4.5, 1.0, 3.0, 4.0, 4.0, 10.0];
        let e = [3.0, 0.8, 2.0, 4.0, 3.5, 10.0];
        let v = cdai_sdai(&t, &s, &p, &e, None, NanPolicy::Propagate).unwrap();
        let want = [14.5, 2.8, 10.0, 22.0, 22.5, 76.0];
        for (a, b) in v.iter().zip(want) {
            assert!((a - b).abs() < 1e-12);
        }
        let c = category(&v, Index::Cdai, NanPolicy::Propagate).unwrap();
        assert_eq!(c, vec![2, 0, 1, 2, 3, 3]);
    }

    #[test]
    fn spec_examples_sdai() {
        let t = [4.0, 1.0, 3.0, 10.0, 10.0];
        let s = [3.0, 1.0, 3.0, 8.0, 8.0];
        let p = [4.5, 0.5, 2.5, 4.0, 4.0];
        let e = [3.0, 0.5, 2.0, 3.0, 3.0];
        let c = [1.2, 0.3, 0.5, 1.0, 1.1];
        let v = cdai_sdai(&t, &s, &p, &e, Some(&c), NanPolicy::Propagate).unwrap();
        let want = [15.7, 3.3, 11.0, 26.0, 26.1];
        for (a, b) in v.iter().zip(want) {
            assert!((a - b).abs() < 1e-12);
        }
        let k = category(&v, Index::Sdai, NanPolicy::Propagate).unwrap();
        assert_eq!(k, vec![2, 0, 1, 2, 3]);
    }

    #[test]
    fn global_in_mm_is_an_error() {
        let r = cdai_sdai(&[1.0], &[1.0], &[45.0], &[1.0], None, NanPolicy::Propagate);
        assert!(r.is_err());
        let r = cdai_sdai(&[1.0], &[1.0], &[11.0], &[1.0], None, NanPolicy::Propagate);
        assert!(r.is_err());
    }
}
