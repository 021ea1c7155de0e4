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
    let mut state = 12345u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
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
    let mut state = 9u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64 - 0.4
    };
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
