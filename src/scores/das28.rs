//! DAS28 (SCORING_SPEC section 2): ESR and CRP forms, categories, EULAR response.

use super::NA;
use crate::common::check::{self, same_length, At};
use crate::common::fastmath::{ln_checked, ln_normal};
use crate::common::rows::{fill_chunks_into, map_rows};
use crate::common::whole::is_small_whole;
use crate::common::{gt, le, lt, Choice, NanPolicy};
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

impl Choice for Reactant {
    const ARG: &'static str = "kind";
    const VALUES: &'static [(&'static str, Self)] =
        &[("esr", Reactant::Esr), ("crp", Reactant::Crp)];
}

/// DAS28 per row. `patient_global = None` selects the 3-variable form.
///
/// Each chunk of rows is first checked with a branch-free pass; a chunk whose
/// values are all valid (the usual case) is computed by a SIMD-friendly loop
/// (AVX2 when the CPU has it), otherwise row by row with full checks, which
/// finds the first bad value or handles NaN per `policy`. Both paths use the
/// same arithmetic, so the result does not depend on which one ran.
pub fn das28(
    kind: Reactant,
    tjc: &[f64],
    sjc: &[f64],
    apr: &[f64],
    patient_global: Option<&[f64]>,
    policy: NanPolicy,
) -> Result<Vec<f64>> {
    let mut out = vec![0.0; tjc.len()];
    das28_into(kind, tjc, sjc, apr, patient_global, policy, &mut out)?;
    Ok(out)
}

/// [`das28`] writing into `out` (length = number of rows).
pub fn das28_into(
    kind: Reactant,
    tjc: &[f64],
    sjc: &[f64],
    apr: &[f64],
    patient_global: Option<&[f64]>,
    policy: NanPolicy,
    out: &mut [f64],
) -> Result<()> {
    let policy = policy.rowwise()?;
    let (a_tjc, a_sjc, a_gh): (Arg, Arg, Arg) =
        ("tjc".into(), "sjc".into(), "patient_global".into());
    let a_apr: Arg = match kind {
        Reactant::Esr => "esr".into(),
        Reactant::Crp => "crp".into(),
    };
    let mut lens = vec![
        (&a_tjc, tjc.len()),
        (&a_sjc, sjc.len()),
        (&a_apr, apr.len()),
    ];
    if let Some(g) = patient_global {
        lens.push((&a_gh, g.len()));
    }
    let n = same_length(&lens)?;
    if out.len() != n {
        return Err(StatsError::length("out", out.len(), "tjc", n));
    }
    let checked_row = |i: usize| -> Result<f64> {
        let (t, s, r) = (tjc[i], sjc[i], apr[i]);
        check::integer(t, 0.0, 28.0, policy, At::new(&a_tjc, i), JOINTS)?;
        check::integer(s, 0.0, 28.0, policy, At::new(&a_sjc, i), JOINTS)?;
        match kind {
            Reactant::Esr => check::real(
                r,
                0.0,
                f64::INFINITY,
                true,
                true,
                policy,
                At::new(&a_apr, i),
                ESR,
            )?,
            Reactant::Crp => check::real(
                r,
                0.0,
                f64::INFINITY,
                false,
                true,
                policy,
                At::new(&a_apr, i),
                CRP,
            )?,
        }
        let g = match patient_global {
            Some(g) => {
                check::real(
                    g[i],
                    0.0,
                    100.0,
                    false,
                    false,
                    policy,
                    At::new(&a_gh, i),
                    GH,
                )?;
                g[i]
            }
            None => 0.0,
        };
        if t.is_nan() || s.is_nan() || r.is_nan() || g.is_nan() {
            return Ok(f64::NAN);
        }
        // r is valid here, so ln_checked takes the same fast path as the SIMD loop
        let lab = match kind {
            Reactant::Esr => ln_checked(r),
            Reactant::Crp => ln_checked(1.0 + r),
        };
        Ok(formula(
            kind,
            patient_global.is_some(),
            joint_term(t, s),
            lab,
            g,
        ))
    };
    fill_chunks_into(out, |base, out: &mut [f64]| {
        // blocks small enough that the validation pass leaves the inputs in
        // L1 for the compute pass: the kernel is memory-bound otherwise
        for (b, block) in out.chunks_mut(BLOCK).enumerate() {
            let start = base + b * BLOCK;
            let end = start + block.len();
            let g = patient_global.map(|g| &g[start..end]);
            if fast_chunk(
                kind,
                &tjc[start..end],
                &sjc[start..end],
                &apr[start..end],
                g,
                block,
            ) {
                continue;
            }
            for (j, o) in block.iter_mut().enumerate() {
                match checked_row(start + j) {
                    Ok(v) => *o = v,
                    Err(e) => return Some(e),
                }
            }
        }
        None
    })
}

/// `0.56*sqrt(TJC) + 0.28*sqrt(SJC)`.
#[inline(always)]
fn joint_term(t: f64, s: f64) -> f64 {
    0.56 * t.sqrt() + 0.28 * s.sqrt()
}

/// The four published formulae; `joints` is `0.56*sqrt(TJC) + 0.28*sqrt(SJC)`,
/// `lab` is ln(ESR) or ln(CRP + 1).
#[inline(always)]
fn formula(kind: Reactant, with_global: bool, joints: f64, lab: f64, g: f64) -> f64 {
    match (kind, with_global) {
        (Reactant::Esr, true) => joints + 0.70 * lab + 0.014 * g,
        (Reactant::Esr, false) => (joints + 0.70 * lab) * 1.08 + 0.16,
        (Reactant::Crp, true) => joints + 0.36 * lab + 0.014 * g + 0.96,
        (Reactant::Crp, false) => (joints + 0.36 * lab) * 1.10 + 1.15,
    }
}

/// Rows validated and computed together (4 inputs x 512 x 8 B = 16 KiB, within L1).
const BLOCK: usize = 4096;

#[inline(always)]
fn joint_ok(v: f64) -> bool {
    is_small_whole(v) & (v <= 28.0)
}

/// Validate and compute one chunk without branches; `false` (nothing
/// trustworthy written) when any value needs the checked path (NaN included).
fn fast_chunk(
    kind: Reactant,
    t: &[f64],
    s: &[f64],
    a: &[f64],
    g: Option<&[f64]>,
    out: &mut [f64],
) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            return unsafe { fast_chunk_avx2(kind, t, s, a, g, out) };
        }
    }
    fast_chunk_body(kind, t, s, a, g, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn fast_chunk_avx2(
    kind: Reactant,
    t: &[f64],
    s: &[f64],
    a: &[f64],
    g: Option<&[f64]>,
    out: &mut [f64],
) -> bool {
    fast_chunk_body(kind, t, s, a, g, out)
}

#[inline(always)]
fn fast_chunk_body(
    kind: Reactant,
    t: &[f64],
    s: &[f64],
    a: &[f64],
    g: Option<&[f64]>,
    out: &mut [f64],
) -> bool {
    let n = out.len();
    let (t, s, a) = (&t[..n], &s[..n], &a[..n]);
    let mut ok = true;
    for i in 0..n {
        ok &= joint_ok(t[i]) & joint_ok(s[i]);
    }
    let lo = if kind == Reactant::Esr {
        f64::MIN_POSITIVE
    } else {
        0.0
    };
    for &v in a {
        ok &= (v >= lo) & (v < f64::INFINITY);
    }
    if let Some(g) = g {
        for &v in &g[..n] {
            ok &= (v >= 0.0) & (v <= 100.0);
        }
    }
    if !ok {
        return false;
    }
    let shift = if kind == Reactant::Crp { 1.0 } else { 0.0 };
    match g {
        Some(g) => {
            let g = &g[..n];
            for i in 0..n {
                out[i] = formula(
                    kind,
                    true,
                    joint_term(t[i], s[i]),
                    ln_normal(a[i] + shift),
                    g[i],
                );
            }
        }
        None => {
            for i in 0..n {
                out[i] = formula(
                    kind,
                    false,
                    joint_term(t[i], s[i]),
                    ln_normal(a[i] + shift),
                    0.0,
                );
            }
        }
    }
    true
}

/// Disease-activity category: 0 remission < 1 low < 2 moderate < 3 high (-1 missing).
/// remission `< t0`, low `t0 ..= t1`, moderate `(t1, t2]`, high `> t2` (tolerant comparisons).
pub fn category(das: &[f64], thresholds: [f64; 3], policy: NanPolicy) -> Result<Vec<i8>> {
    let policy = policy.rowwise()?;
    if !(thresholds[0] < thresholds[1] && thresholds[1] < thresholds[2]) {
        return Err(StatsError::argument(
            "thresholds",
            "must be three increasing cut-offs",
        ));
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
        das28(
            Reactant::Esr,
            &[t],
            &[s],
            &[e],
            gv.as_deref(),
            NanPolicy::Propagate,
        )
        .unwrap()[0]
    }
    fn crp(t: f64, s: f64, c: f64, g: Option<f64>) -> f64 {
        let gv = g.map(|g| vec![g]);
        das28(
            Reactant::Crp,
            &[t],
            &[s],
            &[c],
            gv.as_deref(),
            NanPolicy::Propagate,
        )
        .unwrap()[0]
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
        assert!(das28(
            Reactant::Crp,
            &[4.0],
            &[3.0],
            &[10.0],
            None,
            NanPolicy::Omit
        )
        .is_err());
        let nan = das28(
            Reactant::Esr,
            &[f64::NAN],
            &[3.0],
            &[20.0],
            Some(&[40.0]),
            p,
        )
        .unwrap();
        assert!(nan[0].is_nan());
    }

    #[test]
    fn fast_and_checked_paths_agree_and_find_the_first_bad_row() {
        // 3 chunks' worth of rows; a NaN in the middle chunk sends it down the checked path
        let n = 3 * crate::common::rows::CHUNK;
        let t: Vec<f64> = (0..n).map(|i| (i % 29) as f64).collect();
        let s: Vec<f64> = (0..n).map(|i| (i % 7) as f64).collect();
        let e: Vec<f64> = (0..n).map(|i| 1.0 + (i % 97) as f64 * 1.3).collect();
        let g: Vec<f64> = (0..n).map(|i| (i % 101) as f64).collect();
        let clean = das28(Reactant::Esr, &t, &s, &e, Some(&g), NanPolicy::Propagate).unwrap();
        let mut e2 = e.clone();
        e2[n / 2] = f64::NAN;
        let mixed = das28(Reactant::Esr, &t, &s, &e2, Some(&g), NanPolicy::Propagate).unwrap();
        for i in 0..n {
            if i == n / 2 {
                assert!(mixed[i].is_nan());
            } else {
                assert_eq!(mixed[i].to_bits(), clean[i].to_bits());
            }
            let want = 0.56 * t[i].sqrt() + 0.28 * s[i].sqrt() + 0.70 * e[i].ln() + 0.014 * g[i];
            assert!((clean[i] - want).abs() <= 1e-13 * want.abs().max(1.0));
        }
        let mut t2 = t.clone();
        t2[n - 5] = 29.0;
        t2[n / 3 + 7] = 2.5;
        let err = das28(Reactant::Esr, &t2, &s, &e, Some(&g), NanPolicy::Propagate).unwrap_err();
        assert_eq!(err.row(), n / 3 + 7);
    }

    #[test]
    fn categories_at_the_boundaries() {
        let v = [
            2.59,
            2.6,
            3.2,
            3.21,
            5.1,
            5.11,
            2.5999999999999996,
            f64::NAN,
        ];
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
