use super::*;
use ndarray::{array, Array2};

fn opts() -> WilcoxonOptions {
    WilcoxonOptions {
        alternative: Alternative::TwoSided,
        method: Method::Auto,
        zero_method: ZeroMethod::Wilcox,
        correction: true,
        conf_level: 0.95,
        popmean: 0.0,
        conf_int: true,
        nan_policy: NanPolicy::Propagate,
        strict: true,
    }
}

fn run(d: &[f64], o: &WilcoxonOptions) -> Result<WilcoxonOutput> {
    let x = Array2::from_shape_vec((1, d.len()), d.to_vec()).unwrap();
    Ok(wilcoxon(&Pairs::new(x.view(), None)?, o)?[0])
}

#[test]
fn distribution_sums_to_one_and_is_symmetric() {
    let p = subset_sum_distribution(&[2, 4, 6, 8, 10]);
    assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-15);
    for s in 0..p.len() {
        assert_eq!(p[s], p[p.len() - 1 - s]);
    }
    // n = 3, no ties: V in 0..=6 with counts 1,1,1,2,1,1,1 (/8)
    let q = subset_sum_distribution(&[1, 2, 3]);
    assert_eq!(q, vec![0.125, 0.125, 0.125, 0.25, 0.125, 0.125, 0.125]);
}

#[test]
fn exact_p_of_all_positive_is_two_over_two_to_the_n() {
    let r = run(&[1.0, 2.0, 3.0, 4.0, 5.0], &opts()).unwrap();
    assert_eq!(r.statistic, 15.0);
    assert_eq!(r.pvalue, 2.0 / 32.0);
    assert_eq!(r.exact, 1.0);
    // HL: median of the 15 Walsh averages of 1..5 = 3
    assert_eq!(r.estimate, 3.0);
}

#[test]
fn ties_use_doubled_midranks() {
    // |d| = 1,1,2: ranks 1.5,1.5,3; V for signs (+,-,+) = 4.5
    let r = run(&[1.0, -1.0, 2.0], &opts()).unwrap();
    assert_eq!(r.statistic, 4.5);
    // 2V in {0,3,3,6,6,9,9,12} over the 8 sign vectors: P(2V >= 9) = 3/8, two-sided 0.75
    assert_eq!(r.pvalue, 0.75);
}

#[test]
fn zero_methods() {
    let d = [0.0, 1.0, -2.0, 3.0, 4.0];
    let mut o = opts();
    let w = run(&d, &o).unwrap();
    assert_eq!((w.statistic, w.n, w.n_zero), (1.0 + 3.0 + 4.0, 4.0, 1.0));
    o.zero_method = ZeroMethod::Pratt;
    let p = run(&d, &o).unwrap();
    assert_eq!((p.statistic, p.n), (2.0 + 4.0 + 5.0, 5.0));
    o.zero_method = ZeroMethod::Zsplit;
    let z = run(&d, &o).unwrap();
    assert_eq!(z.statistic, 11.5);
    // zsplit shifts V by a constant: the exact p equals pratt's
    assert_eq!(z.pvalue, p.pvalue);
}

#[test]
fn empty_is_too_few_and_all_zero_is_v0_p_nan_as_r() {
    assert!(run(&[], &opts()).is_err());
    for method in [Method::Exact, Method::Approx] {
        let o = WilcoxonOptions { method, ..opts() };
        let r = run(&[0.0, 0.0], &o).unwrap();
        assert_eq!(r.statistic, 0.0);
        assert!(r.pvalue.is_nan() && r.estimate.is_nan());
        let z = WilcoxonOptions {
            zero_method: ZeroMethod::Zsplit,
            ..o
        };
        let r = run(&[0.0, 0.0, 0.0], &z).unwrap();
        assert_eq!((r.statistic, r.pvalue), (3.0, 1.0));
    }
}

#[test]
fn swapping_sign_mirrors_v_and_keeps_p() {
    let d = [1.5, -0.5, 2.5, 3.0, -1.0, 4.0, 0.25];
    let neg: Vec<f64> = d.iter().map(|v| -v).collect();
    let a = run(&d, &opts()).unwrap();
    let b = run(&neg, &opts()).unwrap();
    assert_eq!(a.statistic + b.statistic, 28.0);
    assert!((a.pvalue - b.pvalue).abs() < 1e-15);
    assert!((a.estimate + b.estimate).abs() < 1e-15);
}

#[test]
fn bucket_sort_equals_a_comparison_sort() {
    let mut next =
        crate::common::rng::lcg(12345u64, |s| (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5);
    for n in [31, 32, 63, 64, 65, 200, 1000, 5000] {
        for kind in 0..4 {
            let mut keys: Vec<u64> = (0..n)
                .map(|i| {
                    let v = next();
                    key(match kind {
                        0 => v,
                        1 => (v * 8.0).round(), // heavy ties
                        2 => {
                            if i == 0 {
                                1e300
                            } else {
                                v
                            }
                        } // an outlier
                        _ => v * v * v * 1e-3,  // skewed
                    })
                })
                .collect();
            let mut want = keys.clone();
            want.sort_unstable();
            sort_keys(&mut keys);
            assert_eq!(keys, want, "n {n} kind {kind}");
        }
    }
}

#[test]
fn sorted_merge_ranks_equal_the_key_ranking() {
    let x = [-3.0, -1.0, -1.0, 0.5, 1.0, 1.0, 2.0, 3.0, 4.5, 7.0];
    let y = [-2.5, -1.25, 0.5, 1.0, 3.75, 4.0, 9.0]; // no ties for most mu
    let w: Vec<f64> = (0..57)
        .map(|i| ((i * 37 % 57) as f64 * 0.731).sin() * 3.0)
        .collect();
    let mut w = w;
    w.sort_unstable_by(|a, b| a.total_cmp(b));
    for mu in [
        -5.0,
        -1.0,
        0.0,
        0.25,
        0.75,
        1.0,
        1.5,
        2.0,
        2.75,
        3.0,
        8.0,
        0.1 + 0.2,
        1.1,
        -0.3,
        w[20],
        (w[3] + w[40]) / 2.0,
    ] {
        for v in [&x[..], &y[..], &w[..]] {
            let rk = rank_signed(v, mu, ZeroMethod::Wilcox, false);
            let (vp, t, n) = signed_ranks_sorted(v, mu);
            assert_eq!((vp, t, n), (rk.v_pos, rk.tie, rk.n_ranked), "mu {mu}");
        }
    }
    // one sign only (the interval's bracket ends, and beyond), with ties made
    // by rounding x - mu
    let e = f64::EPSILON;
    let r = [1.0, 1.0 + e, 1.0 + 2.0 * e, 2.0, 2.0, 3.0];
    for v in [&x[..], &y[..], &w[..], &r[..]] {
        let last = v[v.len() - 1];
        for mu in [
            v[0],
            last,
            v[0] - 1.0,
            last + 1.0,
            -1e20,
            1e20,
            v[0] - 1e-300,
        ] {
            let rk = rank_signed(v, mu, ZeroMethod::Wilcox, false);
            let (vp, t, n) = signed_ranks_sorted(v, mu);
            assert_eq!((vp, t, n), (rk.v_pos, rk.tie, rk.n_ranked), "mu {mu}");
        }
    }
}

#[test]
fn sorted_total_is_total_cmp_order() {
    let x: Vec<f64> = (0..300)
        .map(|i| ((i * 7919 % 300) as f64 - 150.0) * 0.37)
        .chain([-0.0, 0.0, 1e300, -1e-300])
        .collect();
    let mut want = x.clone();
    want.sort_unstable_by(|a, b| a.total_cmp(b));
    let got = sorted_total(&x);
    assert!(got
        .iter()
        .zip(&want)
        .all(|(a, b)| a.to_bits() == b.to_bits()));
}

#[test]
fn qsignrank_small() {
    // n = 3: P(V <= 0) = 0.125
    let p = subset_sum_distribution(&[1, 2, 3]);
    assert_eq!(qsignrank(&p, 0.125), 0);
    assert_eq!(qsignrank(&p, 0.2), 1);
    let _ = array![[0.0]];
}

#[test]
fn matrix_grid_path_equals_the_one_endpoint_form() {
    // endpoints of several kinds: distinct values (grid), ties (exact keys),
    // magnitudes closer than the grid, zeros, an outlier, +-0 pairs
    let mut next = crate::common::rng::lcg(9u64, |s| (s >> 11) as f64 / (1u64 << 53) as f64 - 0.4);
    let (k, n) = (42, 120);
    let d = ndarray::Array2::from_shape_fn((k, n), |(e, i)| {
        let v = next();
        match e % 7 {
            0 | 1 => v,
            2 => (v * 10.0).round(),
            3 => 1.0 + v * 1e-13,
            4 => {
                if i % 17 == 0 {
                    0.0
                } else {
                    v
                }
            }
            5 => {
                if i == 3 {
                    1e250
                } else {
                    v * 1e-200
                }
            }
            _ => {
                if i % 2 == 0 {
                    -v
                } else {
                    v
                }
            }
        }
    });
    for zm in [ZeroMethod::Wilcox, ZeroMethod::Pratt, ZeroMethod::Zsplit] {
        for method in [Method::Approx, Method::Auto] {
            let o = WilcoxonOptions {
                conf_int: false,
                zero_method: zm,
                method,
                ..opts()
            };
            let all = wilcoxon(&Pairs::new(d.view(), None).unwrap(), &o).unwrap();
            assert_eq!(all.len(), k);
            for (e, got) in all.iter().enumerate() {
                let one = run(&d.row(e).to_vec(), &o).unwrap();
                let bits = |r: &WilcoxonOutput| wilcoxon_fields(r).map(f64::to_bits);
                assert_eq!(bits(got), bits(&one), "endpoint {e} {zm:?} {method:?}");
            }
        }
    }
    // the grid ranking itself, against the exact keys, on distinct magnitudes
    let v: Vec<f64> = (0..300).map(|_| next() * 7.0).collect();
    let (mut keys, mut tmp) = (Vec::new(), Vec::new());
    let g = rank_grid(&v, &mut keys, &mut tmp).expect("distinct magnitudes");
    let x = rank_signed(&v, 0.0, ZeroMethod::Wilcox, false);
    assert_eq!((g.v_pos, g.tie, g.n_ranked), (x.v_pos, x.tie, x.n_ranked));
    // tied magnitudes share a grid point: no grid ranking
    assert!(rank_grid(&[1.0, -1.0, 2.0], &mut keys, &mut tmp).is_none());
}

#[test]
fn hl_limits_stay_ordered_where_r_uniroot_stops_unconverged() {
    // issue 19: data spread from -f64::MAX to 1e18 (and from -1e300): R's
    // uniroot stops at 1000 iterations with a warning and the limits came out
    // inverted ([8.2e26, -8.2e26], [-4.99, -4.3e8]); the root is now finished
    // by bisection
    let d1 = [
        7.970224392299999,
        5.216720032032445,
        7.876916669537353,
        2.986012356421529,
        -0.7102864301950138,
        3.4585656205366577,
        -1000000.0,
        2.2570749430961135,
        6.368689624429867,
        3.886266989984845,
        2.554508503738468,
        9.131357357251296,
        3.1188244437916506,
        9.70073173041121,
        6.544473846257498,
        -5e-324,
        -0.0,
        5.169172583045901,
        5.040932346290861,
        6.793798276457288,
        4.2884832187843775,
        1e+18,
        4.708035023474592,
        4.686658210121095,
        7.267603142466759,
        4.571901567516748,
        f64::MAX,
        -f64::MAX,
        100.0,
        0.8292739640980162,
    ];
    let d2 = [
        -1.0,
        -0.09611571152101561,
        -1.0,
        1.313907006860759,
        -1.0,
        2.3162309330699102,
        4.216456022360912,
        -2.1453022812166225,
        7.418296618823234,
        -1.0,
        5.361705633179387,
        0.04629268916652185,
        6.451531407178711,
        6.004658285172918,
        6.2414499007396795,
        6.47294555433567,
        2.5658167434528343,
        3.9177519268621266,
        0.8061608286532111,
        3.1227152875088606,
        9.675647913081125,
        -1e+300,
        -1.621111643016377,
        7.783456306317685,
        4.399233515395187,
        1.611222137701576,
        9.078161491817962,
        8.824205499648212,
        -0.99999999,
        4.663365382559918,
        0.3013017014990105,
        -f64::MAX,
        999999999999.5,
        -4.310531529557521,
        6.519714900994318,
        0.4017497959392333,
        9.130191712640675,
        0.6191329660582969,
        5.658313113614996,
        -0.9852058807788708,
        0.673401458113668,
        6.083603134491392,
        2.6241801048865456,
        2.1107314952112013,
        2.1460652901612987,
        6.525902723433113,
        5.38537164277314,
        3.2229899033556,
        4.7488419516757725,
        2.419723363857303,
        6.87432923576591,
        1.1011561799551925,
        4.271293955366063,
        8.230621362541582,
        1e+18,
        -9.223372036854776e+18,
        9007199254740991.0,
        4.042061758445435,
        6.481659622425285,
        6.058778252701784,
    ];
    let mut o = opts();
    o.method = Method::Approx;
    for (d, mu) in [(&d1[..], 0.0), (&d2[..], 1.0)] {
        o.popmean = mu;
        let r = run(d, &o).unwrap();
        // the bulk of the data lies in [-5, 10]: so do the limits once converged
        assert!(r.ci_low <= r.estimate && r.estimate <= r.ci_high, "{r:?}");
        assert!(r.ci_low > -5.0 && r.ci_high < 10.0, "{r:?}");
    }
}

#[test]
fn bisection_finishes_a_step_root_over_the_whole_float_range() {
    // a step at 3 bracketed by [-f64::MAX, f64::MAX]: found to R's tolerance
    let r = brent(-f64::MAX, f64::MAX, 1.0, -1.0, TOL_ROOT, 1000, |m| {
        if m < 3.0 {
            1.0
        } else {
            -1.0
        }
    });
    assert!((r - 3.0).abs() <= TOL_ROOT, "{r}");
}

#[test]
fn hl_limits_on_one_jump_are_ordered() {
    // issue 19 (hostile run seed 1 call 156427): y - x = -2 (30), -1 (124),
    // 0 (123), 1 (95), mu = 1. W jumps over both normal quantiles at the Walsh
    // average -0.5: R's uniroot stops within its 1e-4 tolerance in the wrong
    // order (R 4.2: -0.50003950581263856, -0.50005690474251940); the limits
    // are now refined to the jump itself
    let mut d = Vec::new();
    for (v, k) in [(-2.0, 30), (-1.0, 124), (0.0, 123), (1.0, 95)] {
        d.extend(std::iter::repeat_n(v, k));
    }
    let mut o = opts();
    o.method = Method::Approx;
    o.popmean = 1.0;
    let r = run(&d, &o).unwrap();
    assert!(r.ci_low <= r.ci_high, "{r:?}");
    assert!(
        (r.ci_low + 0.5).abs() < 1e-12 && (r.ci_high + 0.5).abs() < 1e-12,
        "{r:?}"
    );
}
