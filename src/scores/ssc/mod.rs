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
mod tests;
