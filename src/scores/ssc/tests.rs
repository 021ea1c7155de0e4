//! Unit tests of the SSc composites (values from SCORING_SPEC and the published examples).

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
    assert!(mcid_response(Mcid::Mrss, &[1.0], &[1.0], Some(0.0), NanPolicy::Propagate).is_err());
    assert!(Mcid::parse("cdai").is_err());
}
