//! Systemic-sclerosis composites (SCORING_SPEC sections 8-11 and 13): CRISS,
//! revised CRISS, the revised EUSTAR activity index, the 2013 ACR/EULAR
//! classification score and MCID responses.

use super::NA;
use crate::common::check::{self, same_length, At};
use crate::common::rows::map_rows;
use crate::common::Choice;
use crate::common::{ge, gt, lt, NanPolicy};
use crate::error::{Arg, Result, StatsError};

/// CRISS / rCRISS core-set columns, in the order the kernels take them.
pub const CORE: [&str; 5] = [
    "mrss",
    "fvc_pct",
    "patient_global",
    "physician_global",
    "haq_di",
];

/// Valid range of each core item: (lo, hi, lo_open, message).
const CORE_RANGE: [(f64, f64, bool, &str); 5] = [
    (0.0, 51.0, false, "allowed mRSS 0-51"),
    (0.0, 250.0, true, "allowed FVC % predicted > 0 and <= 250"),
    (
        0.0,
        10.0,
        false,
        "allowed 0-10 (a 0-100 mm VAS must be divided by 10)",
    ),
    (
        0.0,
        10.0,
        false,
        "allowed 0-10 (a 0-100 mm VAS must be divided by 10)",
    ),
    (0.0, 3.0, false, "allowed HAQ-DI 0-3"),
];

/// CRISS step-2 logistic model (Khanna 2016, Table 4): intercept and the
/// coefficients of the 1-year changes in CORE order.
pub const CRISS_INTERCEPT: f64 = -5.54;
pub const CRISS_COEF: [f64; 5] = [-0.81, 0.21, -0.40, -0.44, -3.41];
/// `improved` when the probability reaches this cut-off.
pub const CRISS_CUTOFF: f64 = 0.60;

/// Baseline and follow-up core-set columns (CORE order) plus the step-1 flag.
#[derive(Clone, Copy)]
pub struct CoreSet<'a> {
    pub baseline: [&'a [f64]; 5],
    pub followup: [&'a [f64]; 5],
    pub worsening: Option<&'a [f64]>,
}

struct Names {
    b: Vec<Arg>,
    f: Vec<Arg>,
    w: Arg,
}

impl Names {
    fn new() -> Self {
        Names {
            b: CORE
                .iter()
                .map(|c| Arg::from(format!("baseline['{c}']")))
                .collect(),
            f: CORE
                .iter()
                .map(|c| Arg::from(format!("followup['{c}']")))
                .collect(),
            w: "worsening".into(),
        }
    }
}

impl<'a> CoreSet<'a> {
    fn len(&self, names: &Names) -> Result<usize> {
        let mut lens = Vec::with_capacity(11);
        for k in 0..5 {
            lens.push((&names.b[k], self.baseline[k].len()));
            lens.push((&names.f[k], self.followup[k].len()));
        }
        if let Some(w) = self.worsening {
            lens.push((&names.w, w.len()));
        }
        same_length(&lens)
    }

    /// Step-1 flag of row `i`: Some(true/false), or None when missing.
    fn worsening(&self, i: usize, policy: NanPolicy, names: &Names) -> Result<Option<bool>> {
        match self.worsening {
            None => Ok(Some(false)),
            Some(w) => {
                check::flag(w[i], policy, At::new(&names.w, i))?;
                Ok(if w[i].is_nan() {
                    None
                } else {
                    Some(w[i] == 1.0)
                })
            }
        }
    }

    /// `true` when every core value is present and in range and every step-1
    /// flag is 0/1: the kernels then skip the per-row checks (a vectorisable
    /// pre-scan; any other input takes the checked path, which reports errors).
    fn all_clean(&self) -> bool {
        let cols_ok = CORE_RANGE
            .iter()
            .enumerate()
            .all(|(k, &(lo, hi, lo_open, _))| {
                [self.baseline[k], self.followup[k]].iter().all(|c| {
                    if lo_open {
                        c.iter().fold(true, |acc, &v| acc & (v > lo) & (v <= hi))
                    } else {
                        c.iter().fold(true, |acc, &v| acc & (v >= lo) & (v <= hi))
                    }
                })
            });
        cols_ok
            && self.worsening.is_none_or(|w| {
                w.iter()
                    .fold(true, |acc, &v| acc & ((v == 0.0) | (v == 1.0)))
            })
    }

    /// Range checks of the ten core values of row `i`; `true` when all are present.
    fn check_row(&self, i: usize, policy: NanPolicy, names: &Names) -> Result<bool> {
        let mut complete = true;
        for (k, &(lo, hi, lo_open, allowed)) in CORE_RANGE.iter().enumerate() {
            for (v, arg) in [
                (self.baseline[k][i], &names.b[k]),
                (self.followup[k][i], &names.f[k]),
            ] {
                // fast path: a finite value inside the range needs no further look
                let inside = (if lo_open { v > lo } else { v >= lo }) && v <= hi;
                if !inside {
                    check::real(v, lo, hi, lo_open, false, policy, At::new(arg, i), allowed)?;
                    complete &= !v.is_nan();
                }
            }
        }
        Ok(complete)
    }
}

/// Logistic function computed without overflow for any `lp`.
#[inline]
pub fn logistic(lp: f64) -> f64 {
    if lp >= 0.0 {
        1.0 / (1.0 + (-lp).exp())
    } else {
        let e = lp.exp();
        e / (1.0 + e)
    }
}

/// CRISS linear predictor from the five changes (follow-up - baseline, CORE order).
#[inline]
pub fn criss_lp(delta: [f64; 5]) -> f64 {
    CRISS_INTERCEPT
        + CRISS_COEF[0] * delta[0]
        + CRISS_COEF[1] * delta[1]
        + CRISS_COEF[2] * delta[2]
        + CRISS_COEF[3] * delta[3]
        + CRISS_COEF[4] * delta[4]
}

/// CRISS probability per row. Step 1: worsening gives 0.0 whatever the core
/// items (missing ones are then not needed, even under `Raise`). A missing
/// worsening flag or core item gives NaN.
pub fn criss_probability(data: CoreSet<'_>, policy: NanPolicy) -> Result<Vec<f64>> {
    let policy = policy.rowwise()?;
    let names = Names::new();
    let n = data.len(&names)?;
    let step2 = |i: usize| {
        let delta: [f64; 5] = std::array::from_fn(|k| data.followup[k][i] - data.baseline[k][i]);
        logistic(criss_lp(delta))
    };
    if data.all_clean() {
        return map_rows(n, |i| {
            Ok(if data.worsening.is_some_and(|w| w[i] == 1.0) {
                0.0
            } else {
                step2(i)
            })
        });
    }
    map_rows(n, |i| {
        let worse = data.worsening(i, policy, &names)?;
        let p_core = if worse == Some(true) {
            NanPolicy::Propagate
        } else {
            policy
        };
        let complete = data.check_row(i, p_core, &names)?;
        Ok(match worse {
            Some(true) => 0.0,
            Some(false) if complete => step2(i),
            _ => f64::NAN,
        })
    })
}

/// `improved` code of a CRISS probability: 1 when >= 0.60 (with EPS), 0
/// otherwise (so a step-1 probability of 0 is not improved), -1 for NaN.
#[inline]
pub fn criss_improved(probability: f64) -> i8 {
    if probability.is_nan() {
        NA
    } else {
        ge(probability, CRISS_CUTOFF) as i8
    }
}

/// CRISS per row as (probability, improved code); see [`criss_probability`].
pub fn criss(data: CoreSet<'_>, policy: NanPolicy) -> Result<Vec<(f64, i8)>> {
    Ok(criss_probability(data, policy)?
        .into_iter()
        .map(|p| (p, criss_improved(p)))
        .collect())
}

/// Options of the revised CRISS.
#[derive(Clone, Copy, Debug)]
pub struct RcrissOptions {
    /// Relative improvement needed for mRSS, globals and HAQ-DI (fraction).
    pub threshold: f64,
    /// Number of improved items needed (1-5).
    pub min_items: usize,
    /// Relative FVC rise needed (fraction).
    pub fvc_threshold: f64,
}

impl Default for RcrissOptions {
    fn default() -> Self {
        RcrissOptions {
            threshold: 0.20,
            min_items: 3,
            fvc_threshold: 0.05,
        }
    }
}

/// Revised CRISS per row: `[flag mrss, flag fvc, flag ptglobal, flag mdglobal,
/// flag haq, n_improved, responder]`, each -1 when missing. Baseline 0 counts
/// as not improved. Worsening gives responder 0 (the flags are still reported).
pub fn rcriss(data: CoreSet<'_>, opts: RcrissOptions, policy: NanPolicy) -> Result<Vec<[i8; 7]>> {
    let policy = policy.rowwise()?;
    for (name, t) in [
        ("threshold", opts.threshold),
        ("fvc_threshold", opts.fvc_threshold),
    ] {
        if !(t > 0.0 && t <= 1.0) {
            return Err(StatsError::argument(
                name,
                format!("{t} is outside (0, 1]; give a fraction, e.g. 0.20 for 20 %"),
            ));
        }
    }
    if !(1..=5).contains(&opts.min_items) {
        return Err(StatsError::argument(
            "min_items",
            format!("{} is outside 1-5", opts.min_items),
        ));
    }
    let names = Names::new();
    let n = data.len(&names)?;
    if data.all_clean() {
        return map_rows(n, |i| {
            Ok(rcriss_row(
                &data,
                i,
                opts,
                true,
                Some(data.worsening.is_some_and(|w| w[i] == 1.0)),
            ))
        });
    }
    map_rows(n, |i| {
        let worse = data.worsening(i, policy, &names)?;
        let complete = data.check_row(i, policy, &names)?;
        Ok(rcriss_row(&data, i, opts, complete, worse))
    })
}

/// Flags, count and responder of one (checked) row.
#[inline]
fn rcriss_row(
    data: &CoreSet<'_>,
    i: usize,
    opts: RcrissOptions,
    complete: bool,
    worse: Option<bool>,
) -> [i8; 7] {
    let mut out = [NA; 7];
    let mut count = 0i8;
    for (k, flag) in out.iter_mut().take(5).enumerate() {
        let (b, f) = (data.baseline[k][i], data.followup[k][i]);
        if b.is_nan() || f.is_nan() {
            continue;
        }
        let ok = if k == 1 {
            ge((f - b) / b, opts.fvc_threshold)
        } else {
            b != 0.0 && ge((b - f) / b, opts.threshold)
        };
        *flag = ok as i8;
        count += ok as i8;
    }
    if complete {
        out[5] = count;
    }
    out[6] = match worse {
        Some(true) => 0,
        Some(false) if complete => (count as usize >= opts.min_items) as i8,
        _ => NA,
    };
    out
}

/// Revised EUSTAR activity index inputs (Valentini 2017), one slice per item.
#[derive(Clone, Copy)]
pub struct EustarItems<'a> {
    pub delta_skin: &'a [f64],
    pub mrss: &'a [f64],
    pub digital_ulcers: &'a [f64],
    pub tendon_friction_rubs: &'a [f64],
    /// CRP in mg/dL.
    pub crp: &'a [f64],
    /// DLCO in % predicted.
    pub dlco: &'a [f64],
}

/// Revised EUSTAR activity index, 0-10 per row (NaN when any item is missing):
/// 1.5 delta-skin + 1.5 (mRSS > 18) + 1.5 digital ulcers + 2.25 tendon
/// friction rubs + 2.25 (CRP > 1 mg/dL) + 1.0 (DLCO < 70 %).
pub fn eustar_ai(items: EustarItems<'_>, policy: NanPolicy) -> Result<Vec<f64>> {
    let policy = policy.rowwise()?;
    let a: [Arg; 6] = [
        "delta_skin",
        "mrss",
        "digital_ulcers",
        "tendon_friction_rubs",
        "crp",
        "dlco",
    ]
    .map(Arg::from);
    let cols = [
        items.delta_skin,
        items.mrss,
        items.digital_ulcers,
        items.tendon_friction_rubs,
        items.crp,
        items.dlco,
    ];
    let lens: Vec<(&Arg, usize)> = a
        .iter()
        .zip(cols.iter())
        .map(|(n, c)| (n, c.len()))
        .collect();
    let n = same_length(&lens)?;
    map_rows(n, |i| {
        let v: [f64; 6] = std::array::from_fn(|k| cols[k][i]);
        check::flag(v[0], policy, At::new(&a[0], i))?;
        check::real(
            v[1],
            0.0,
            51.0,
            false,
            false,
            policy,
            At::new(&a[1], i),
            "allowed mRSS 0-51",
        )?;
        check::flag(v[2], policy, At::new(&a[2], i))?;
        check::flag(v[3], policy, At::new(&a[3], i))?;
        check::real(
            v[4],
            0.0,
            f64::INFINITY,
            false,
            true,
            policy,
            At::new(&a[4], i),
            "CRP must be >= 0 mg/dL",
        )?;
        check::real(
            v[5],
            0.0,
            250.0,
            true,
            false,
            policy,
            At::new(&a[5], i),
            "allowed DLCO % predicted > 0 and <= 250",
        )?;
        if v.iter().any(|x| x.is_nan()) {
            return Ok(f64::NAN);
        }
        let mut s = 0.0;
        if v[0] == 1.0 {
            s += 1.5;
        }
        if gt(v[1], 18.0) {
            s += 1.5;
        }
        if v[2] == 1.0 {
            s += 1.5;
        }
        if v[3] == 1.0 {
            s += 2.25;
        }
        if gt(v[4], 1.0) {
            s += 2.25;
        }
        if lt(v[5], 70.0) {
            s += 1.0;
        }
        Ok(s)
    })
}

/// Activity cut-off of the revised EUSTAR index: 1 when index >= 2.5, -1 when missing.
pub fn eustar_active(index: &[f64], policy: NanPolicy) -> Result<Vec<i8>> {
    let policy = policy.rowwise()?;
    let arg: Arg = "index".into();
    let n = same_length(&[(&arg, index.len())])?;
    map_rows(n, |i| {
        let v = index[i];
        check::real(
            v,
            0.0,
            10.0,
            false,
            false,
            policy,
            At::new(&arg, i),
            "allowed EUSTAR-AI 0-10",
        )?;
        Ok(if v.is_nan() { NA } else { ge(v, 2.5) as i8 })
    })
}

/// 2013 ACR/EULAR criteria items, in the order the kernel takes them.
pub const ACR_EULAR_ITEMS: [&str; 13] = [
    "skin_proximal_mcp",
    "sclerodactyly",
    "puffy_fingers",
    "pitting_scars",
    "digital_tip_ulcers",
    "telangiectasia",
    "abnormal_nailfold_capillaries",
    "pah",
    "ild",
    "raynaud",
    "anti_centromere",
    "anti_topoisomerase",
    "anti_rnap3",
];

/// 2013 ACR/EULAR classification per row: `[score, classified]` (score 0-24,
/// classified when >= 9), both -1 when any item is missing.
pub fn acr_eular_2013(items: [&[f64]; 13], policy: NanPolicy) -> Result<Vec<[i8; 2]>> {
    let policy = policy.rowwise()?;
    let a: Vec<Arg> = ACR_EULAR_ITEMS.iter().map(|&s| Arg::from(s)).collect();
    let lens: Vec<(&Arg, usize)> = a
        .iter()
        .zip(items.iter())
        .map(|(n, c)| (n, c.len()))
        .collect();
    let n = same_length(&lens)?;
    map_rows(n, |i| {
        let mut x = [false; 13];
        let mut missing = false;
        for k in 0..13 {
            let v = items[k][i];
            check::flag(v, policy, At::new(&a[k], i))?;
            missing |= v.is_nan();
            x[k] = v == 1.0;
        }
        if missing {
            return Ok([NA, NA]);
        }
        let skin = if x[0] {
            9
        } else if x[1] {
            4
        } else if x[2] {
            2
        } else {
            0
        };
        let tips = if x[3] {
            3
        } else if x[4] {
            2
        } else {
            0
        };
        let score = skin
            + tips
            + 2 * x[5] as i8
            + 2 * x[6] as i8
            + 2 * (x[7] || x[8]) as i8
            + 3 * x[9] as i8
            + 3 * (x[10] || x[11] || x[12]) as i8;
        Ok([score, (score >= 9) as i8])
    })
}

/// Measures with a default minimal clinically important difference.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mcid {
    Mrss,
    HaqDi,
    FvcPct,
    Das28,
}

impl Choice for Mcid {
    const ARG: &'static str = "measure";
    const VALUES: &'static [(&'static str, Self)] = &[
        ("mrss", Mcid::Mrss),
        ("haq_di", Mcid::HaqDi),
        ("fvc_pct", Mcid::FvcPct),
        ("das28", Mcid::Das28),
    ];
}

impl Mcid {
    /// Default MCID (SCORING_SPEC section 13), in the measure's unit.
    pub fn default_threshold(self) -> f64 {
        match self {
            Mcid::Mrss => 5.0,
            Mcid::HaqDi => 0.14,
            Mcid::FvcPct => 3.0,
            Mcid::Das28 => 1.2,
        }
    }

    fn range(self) -> (f64, f64, bool, &'static str) {
        match self {
            Mcid::Mrss => (0.0, 51.0, false, "allowed mRSS 0-51"),
            Mcid::HaqDi => (0.0, 3.0, false, "allowed HAQ-DI 0-3"),
            Mcid::FvcPct => (0.0, 250.0, true, "allowed FVC % predicted > 0 and <= 250"),
            Mcid::Das28 => (0.0, 10.0, false, "allowed DAS28 0-10"),
        }
    }
}

/// MCID response per row (1 improved by at least the MCID, 0 not, -1 missing).
/// Improvement is baseline - follow-up, except FVC (follow-up - baseline);
/// DAS28 needs a strictly larger improvement (> 1.2), the others >=.
pub fn mcid_response(
    measure: Mcid,
    baseline: &[f64],
    followup: &[f64],
    threshold: Option<f64>,
    policy: NanPolicy,
) -> Result<Vec<i8>> {
    let policy = policy.rowwise()?;
    let t = threshold.unwrap_or(measure.default_threshold());
    if !(t.is_finite() && t > 0.0) {
        return Err(StatsError::argument(
            "threshold",
            format!("{t} must be a finite number > 0 (in the measure's unit)"),
        ));
    }
    let (ab, af): (Arg, Arg) = ("baseline".into(), "followup".into());
    let n = same_length(&[(&ab, baseline.len()), (&af, followup.len())])?;
    let (lo, hi, lo_open, allowed) = measure.range();
    map_rows(n, |i| {
        let (b, f) = (baseline[i], followup[i]);
        check::real(b, lo, hi, lo_open, false, policy, At::new(&ab, i), allowed)?;
        check::real(f, lo, hi, lo_open, false, policy, At::new(&af, i), allowed)?;
        if b.is_nan() || f.is_nan() {
            return Ok(NA);
        }
        Ok(match measure {
            Mcid::FvcPct => ge(f - b, t),
            Mcid::Das28 => gt(b - f, t),
            _ => ge(b - f, t),
        } as i8)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(v: f64) -> Vec<f64> {
        vec![v]
    }

    fn core_run(b: [f64; 5], f: [f64; 5], w: Option<f64>) -> (f64, i8) {
        let bs: Vec<Vec<f64>> = b.iter().map(|&v| col(v)).collect();
        let fs: Vec<Vec<f64>> = f.iter().map(|&v| col(v)).collect();
        let ws = w.map(col);
        let data = CoreSet {
            baseline: std::array::from_fn(|k| &bs[k][..]),
            followup: std::array::from_fn(|k| &fs[k][..]),
            worsening: ws.as_deref(),
        };
        criss(data, NanPolicy::Propagate).unwrap()[0]
    }

    fn rc_run(b: [f64; 5], f: [f64; 5], w: Option<f64>, opts: RcrissOptions) -> [i8; 7] {
        let bs: Vec<Vec<f64>> = b.iter().map(|&v| col(v)).collect();
        let fs: Vec<Vec<f64>> = f.iter().map(|&v| col(v)).collect();
        let ws = w.map(col);
        let data = CoreSet {
            baseline: std::array::from_fn(|k| &bs[k][..]),
            followup: std::array::from_fn(|k| &fs[k][..]),
            worsening: ws.as_deref(),
        };
        rcriss(data, opts, NanPolicy::Propagate).unwrap()[0]
    }

    const B: [f64; 5] = [25.0, 80.0, 6.0, 6.0, 1.5];

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1e-3)
    }

    #[test]
    fn criss_spec_examples() {
        // SCORING_SPEC section 8, examples 1-3, 5, 6
        let (p, i) = core_run(B, [15.0, 83.0, 4.0, 3.0, 1.0], None);
        assert!(close(p, 0.999102500417) && i == 1);
        let (p, i) = core_run(B, B, None);
        assert!(close(p, 0.00391116952619) && i == 0);
        let (p, i) = core_run(B, [21.0, 80.0, 5.0, 5.0, 1.25], None);
        assert!(close(p, 0.352629692418) && i == 0);
        assert_eq!(
            core_run(B, [15.0, 83.0, 4.0, 3.0, 1.0], Some(1.0)),
            (0.0, 0)
        );
        let (p, i) = core_run(B, [30.0, 80.0, 6.0, 6.0, 1.5], None);
        assert!(close(p, 6.84047420801e-05) && i == 0);
    }

    #[test]
    fn criss_boundary_at_0_60() {
        // SCORING_SPEC section 8, example 4
        let b = [20.0, 70.0, 5.0, 5.0, 1.0];
        let (p, i) = core_run(b, [13.0, 71.31173861003887, 5.0, 5.0, 1.0], None);
        assert!((p - 0.6).abs() < 1e-14 && i == 1);
        let (p, i) = core_run(b, [13.0, 71.31173861, 5.0, 5.0, 1.0], None);
        assert!(p < 0.6 && i == 1);
        let (p, i) = core_run(b, [13.0, 71.3, 5.0, 5.0, 1.0], None);
        assert!(close(p, 0.599408228476) && i == 0);
    }

    #[test]
    fn criss_missing_and_step1_override() {
        let mut f = [15.0, f64::NAN, 4.0, 3.0, 1.0];
        let (p, i) = core_run(B, f, None);
        assert!(p.is_nan() && i == NA);
        assert_eq!(core_run(B, f, Some(1.0)), (0.0, 0));
        f[1] = 83.0;
        let (p, i) = core_run(B, f, Some(f64::NAN));
        assert!(p.is_nan() && i == NA);
    }

    #[test]
    fn criss_step1_needs_no_core_values_even_under_raise() {
        let nan = [f64::NAN];
        let w = [1.0];
        let data = CoreSet {
            baseline: [&nan[..]; 5],
            followup: [&nan[..]; 5],
            worsening: Some(&w[..]),
        };
        assert_eq!(criss(data, NanPolicy::Raise).unwrap()[0], (0.0, 0));
        let w0 = [0.0];
        let data = CoreSet {
            worsening: Some(&w0[..]),
            ..data
        };
        let e = criss(data, NanPolicy::Raise).unwrap_err();
        assert!(e.to_string().starts_with("baseline['mrss'][0]"));
    }

    #[test]
    fn logistic_is_stable_and_monotone() {
        assert_eq!(logistic(1000.0), 1.0);
        assert_eq!(logistic(-1000.0), 0.0);
        assert!((logistic(0.0) - 0.5).abs() < 1e-16);
        assert!((logistic(2.0) + logistic(-2.0) - 1.0).abs() < 1e-15);
        // every improvement raises the probability (sign check of the coefficients)
        let base = criss_lp([0.0; 5]);
        for (k, d) in [-1.0, 1.0, -1.0, -1.0, -1.0].iter().enumerate() {
            let mut delta = [0.0; 5];
            delta[k] = *d;
            assert!(criss_lp(delta) > base, "item {k}");
        }
    }

    #[test]
    fn criss_rejects_mm_globals_and_bad_flags() {
        let mut f = B;
        f[2] = 45.0;
        let bs: Vec<Vec<f64>> = B.iter().map(|&v| col(v)).collect();
        let fs: Vec<Vec<f64>> = f.iter().map(|&v| col(v)).collect();
        let data = CoreSet {
            baseline: std::array::from_fn(|k| &bs[k][..]),
            followup: std::array::from_fn(|k| &fs[k][..]),
            worsening: None,
        };
        let e = criss(data, NanPolicy::Propagate).unwrap_err();
        assert!(e
            .to_string()
            .starts_with("followup['patient_global'][0] = 45"));
        let w = [2.0];
        let data = CoreSet {
            followup: data.baseline,
            worsening: Some(&w[..]),
            ..data
        };
        assert!(criss(data, NanPolicy::Propagate)
            .unwrap_err()
            .to_string()
            .starts_with("worsening[0]"));
    }

    const RB: [f64; 5] = [20.0, 80.0, 6.0, 6.0, 1.5];
    const RF: [f64; 5] = [15.0, 84.0, 5.0, 4.0, 1.25];

    #[test]
    fn rcriss_spec_examples() {
        // SCORING_SPEC section 9
        let d = RcrissOptions::default();
        assert_eq!(rc_run(RB, RF, None, d), [1, 1, 0, 1, 0, 3, 1]);
        let t25 = RcrissOptions {
            threshold: 0.25,
            ..d
        };
        assert_eq!(rc_run(RB, RF, None, t25), [1, 1, 0, 1, 0, 3, 1]);
        let t30 = RcrissOptions {
            threshold: 0.30,
            ..d
        };
        assert_eq!(rc_run(RB, RF, None, t30), [0, 1, 0, 1, 0, 2, 0]);
        assert_eq!(rc_run(RB, RF, Some(1.0), d), [1, 1, 0, 1, 0, 3, 0]);
        let mut f = RF;
        f[1] = 83.9;
        assert_eq!(rc_run(RB, f, None, d), [1, 0, 0, 1, 0, 2, 0]);
        let (mut b0, mut f0) = (RB, RF);
        b0[2] = 0.0;
        f0[2] = 0.0;
        assert_eq!(rc_run(b0, f0, None, d), [1, 1, 0, 1, 0, 3, 1]);
    }

    #[test]
    fn rcriss_missing_item() {
        let mut f = RF;
        f[4] = f64::NAN;
        let d = RcrissOptions::default();
        assert_eq!(rc_run(RB, f, None, d), [1, 1, 0, 1, NA, NA, NA]);
        assert_eq!(rc_run(RB, f, Some(1.0), d), [1, 1, 0, 1, NA, NA, 0]);
        let bad = RcrissOptions { min_items: 6, ..d };
        let bs: Vec<Vec<f64>> = RB.iter().map(|&v| col(v)).collect();
        let data = CoreSet {
            baseline: std::array::from_fn(|k| &bs[k][..]),
            followup: std::array::from_fn(|k| &bs[k][..]),
            worsening: None,
        };
        assert!(rcriss(data, bad, NanPolicy::Propagate).is_err());
        assert!(rcriss(
            data,
            RcrissOptions {
                threshold: 20.0,
                ..d
            },
            NanPolicy::Propagate
        )
        .is_err());
    }

    #[test]
    fn clean_fast_path_equals_checked_path() {
        // The same rows, once clean (fast path) and once followed by a row with a
        // missing value (which sends the whole call through the checked path).
        let n = 400;
        let mk = |k: usize, shift: f64| -> Vec<f64> {
            (0..=n)
                .map(|i| {
                    let x = ((i * 37 + k * 11) % 97) as f64 / 97.0;
                    match k {
                        0 => (x * 40.0 + shift * 8.0).round().clamp(0.0, 51.0),
                        1 => 50.0 + x * 60.0 + shift * 3.0,
                        2 | 3 => (x * 10.0 + shift).clamp(0.0, 10.0),
                        _ => ((x * 24.0).round() / 8.0 + shift / 8.0).clamp(0.0, 3.0),
                    }
                })
                .collect()
        };
        let b: Vec<Vec<f64>> = (0..5).map(|k| mk(k, 0.0)).collect();
        let mut f: Vec<Vec<f64>> = (0..5).map(|k| mk(k, -1.0)).collect();
        for (k, col) in f.iter_mut().enumerate() {
            for v in col.iter_mut() {
                *v = v.clamp(CORE_RANGE[k].0 + 0.5, CORE_RANGE[k].1);
            }
        }
        let w: Vec<f64> = (0..=n).map(|i| (i % 9 == 0) as u8 as f64).collect();
        let clean = CoreSet {
            baseline: std::array::from_fn(|k| &b[k][..n]),
            followup: std::array::from_fn(|k| &f[k][..n]),
            worsening: Some(&w[..n]),
        };
        assert!(clean.all_clean());
        let mut g = f.clone();
        g[3][n] = f64::NAN;
        let checked = CoreSet {
            baseline: std::array::from_fn(|k| &b[k][..]),
            followup: std::array::from_fn(|k| &g[k][..]),
            worsening: Some(&w[..]),
        };
        assert!(!checked.all_clean());
        let (c1, c2) = (
            criss(clean, NanPolicy::Propagate).unwrap(),
            criss(checked, NanPolicy::Propagate).unwrap(),
        );
        assert_eq!(c1[..], c2[..n]);
        assert!(c1.iter().any(|r| r.1 == 1) && c1.iter().any(|r| r.1 == 0 && r.0 > 0.0));
        let o = RcrissOptions::default();
        let (r1, r2) = (
            rcriss(clean, o, NanPolicy::Propagate).unwrap(),
            rcriss(checked, o, NanPolicy::Propagate).unwrap(),
        );
        assert_eq!(r1[..], r2[..n]);
        assert!(r1.iter().any(|r| r[6] == 1) && r1.iter().any(|r| r[6] == 0));
    }

    fn eu(row: [f64; 6]) -> f64 {
        let c: Vec<Vec<f64>> = row.iter().map(|&v| col(v)).collect();
        let items = EustarItems {
            delta_skin: &c[0],
            mrss: &c[1],
            digital_ulcers: &c[2],
            tendon_friction_rubs: &c[3],
            crp: &c[4],
            dlco: &c[5],
        };
        eustar_ai(items, NanPolicy::Propagate).unwrap()[0]
    }

    #[test]
    fn eustar_spec_examples() {
        // SCORING_SPEC section 10
        let rows = [
            ([0.0, 10.0, 0.0, 0.0, 0.5, 80.0], 0.0),
            ([1.0, 25.0, 1.0, 0.0, 1.5, 65.0], 7.75),
            ([0.0, 19.0, 0.0, 0.0, 0.3, 65.0], 2.5),
            ([0.0, 18.0, 0.0, 0.0, 0.3, 65.0], 1.0),
            ([0.0, 5.0, 0.0, 1.0, 1.0, 70.0], 2.25),
            ([1.0, 40.0, 1.0, 1.0, 3.0, 40.0], 10.0),
        ];
        let mut idx = Vec::new();
        for (r, want) in rows {
            assert_eq!(eu(r), want);
            idx.push(want);
        }
        assert_eq!(
            eustar_active(&idx, NanPolicy::Propagate).unwrap(),
            vec![0, 1, 1, 0, 0, 1]
        );
        assert!(eu([0.0, 10.0, f64::NAN, 0.0, 0.5, 80.0]).is_nan());
    }

    fn ae(present: &[usize]) -> [i8; 2] {
        let c: Vec<Vec<f64>> = (0..13)
            .map(|k| col(present.contains(&k) as u8 as f64))
            .collect();
        acr_eular_2013(std::array::from_fn(|k| &c[k][..]), NanPolicy::Propagate).unwrap()[0]
    }

    #[test]
    fn acr_eular_spec_examples() {
        // SCORING_SPEC section 11 (item numbers as in ACR_EULAR_ITEMS)
        assert_eq!(ae(&[0]), [9, 1]);
        assert_eq!(ae(&[0, 9, 10]), [15, 1]);
        assert_eq!(ae(&[1, 9, 10]), [10, 1]);
        assert_eq!(ae(&[2, 9, 5, 6]), [9, 1]);
        assert_eq!(ae(&[2, 9, 11]), [8, 0]);
        assert_eq!(ae(&[2, 1, 4, 3, 7, 8, 10, 11]), [12, 1]);
        assert_eq!(ae(&(0..13).collect::<Vec<_>>()), [24, 1]);
        assert_eq!(ae(&[]), [0, 0]);
    }

    fn mc(m: Mcid, b: f64, f: f64) -> i8 {
        mcid_response(m, &[b], &[f], None, NanPolicy::Propagate).unwrap()[0]
    }

    #[test]
    fn mcid_spec_examples() {
        // SCORING_SPEC section 13
        assert_eq!(mc(Mcid::Mrss, 25.0, 20.0), 1);
        assert_eq!(mc(Mcid::Mrss, 25.0, 21.0), 0);
        assert_eq!(mc(Mcid::HaqDi, 1.5, 1.36), 1);
        assert_eq!(mc(Mcid::HaqDi, 1.5, 1.375), 0);
        assert_eq!(mc(Mcid::HaqDi, 1.5, 1.25), 1);
        assert_eq!(mc(Mcid::FvcPct, 70.0, 73.0), 1);
        assert_eq!(mc(Mcid::FvcPct, 70.0, 72.5), 0);
        assert_eq!(mc(Mcid::Das28, 5.0, 3.8), 0);
        assert_eq!(mc(Mcid::Das28, 5.0, 3.7), 1);
        assert_eq!(mc(Mcid::Mrss, f64::NAN, 3.7), NA);
        assert!(
            mcid_response(Mcid::Mrss, &[1.0], &[1.0], Some(0.0), NanPolicy::Propagate).is_err()
        );
        assert!(Mcid::parse("cdai").is_err());
    }
}
