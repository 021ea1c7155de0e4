use super::*;

fn opts(method: Method, alt: Alternative) -> MwOptions {
    MwOptions {
        alternative: alt,
        method,
        correction: true,
        conf_level: 0.95,
        conf_int: true,
    }
}

#[test]
fn exact_distribution_sums_to_one_and_matches_enumeration() {
    // scores with ties (doubled mid-ranks of 1,1,2,3,3,3)
    let d2 = [3i64, 3, 6, 10, 10, 10];
    let d = subset_sum_dist(&d2, 3);
    let s: f64 = d.probs.iter().sum();
    assert!((s - 1.0).abs() < 1e-14);
    // brute force over the 20 subsets
    let mut counts = std::collections::HashMap::new();
    for a in 0..6 {
        for b in a + 1..6 {
            for c in b + 1..6 {
                *counts.entry(d2[a] + d2[b] + d2[c]).or_insert(0) += 1;
            }
        }
    }
    for (sum, cnt) in counts {
        let p = d.probs[(sum - d.offset) as usize];
        assert!((p - cnt as f64 / 20.0).abs() < 1e-14);
    }
}

#[test]
fn hand_case_complete_separation() {
    // x all below y: W = 0, P(W <= 0) = 1 / C(6, 3) = 0.05 (exact, less)
    let x = [1.0, 2.0, 3.0];
    let y = [4.0, 5.0, 6.0];
    let r = mannwhitney(&x, &y, &opts(Method::Exact, Alternative::Less)).unwrap();
    assert_eq!(r.statistic, 0.0);
    assert!((r.pvalue - 0.05).abs() < 1e-14);
    let r2 = mannwhitney(&x, &y, &opts(Method::Exact, Alternative::TwoSided)).unwrap();
    assert!((r2.pvalue - 0.1).abs() < 1e-14);
    assert_eq!(r2.estimate, -3.0);
}

#[test]
fn swapping_groups_mirrors_w_and_keeps_two_sided_p() {
    let x = [1.0, 2.0, 2.0, 3.0, 5.0, 5.0, 7.0];
    let y = [2.0, 3.0, 3.0, 4.0, 6.0];
    for m in [Method::Exact, Method::Approx] {
        let a = mannwhitney(&x, &y, &opts(m, Alternative::TwoSided)).unwrap();
        let b = mannwhitney(&y, &x, &opts(m, Alternative::TwoSided)).unwrap();
        assert!((a.statistic + b.statistic - 35.0).abs() < 1e-12);
        assert!((a.pvalue - b.pvalue).abs() < 1e-13);
        assert!((a.estimate + b.estimate).abs() < 1e-12);
        let l = mannwhitney(&x, &y, &opts(m, Alternative::Less)).unwrap();
        let g = mannwhitney(&y, &x, &opts(m, Alternative::Greater)).unwrap();
        assert!((l.pvalue - g.pvalue).abs() < 1e-13);
    }
}

#[test]
fn kth_difference_matches_full_sort() {
    let mut xs: Vec<f64> = (0..37).map(|i| ((i * 7919) % 101) as f64 / 3.0).collect();
    let mut ys: Vec<f64> = (0..41).map(|i| ((i * 104729) % 97) as f64 / 2.0).collect();
    xs.sort_by(|a, b| a.total_cmp(b));
    ys.sort_by(|a, b| a.total_cmp(b));
    let mut all: Vec<f64> = xs
        .iter()
        .flat_map(|a| ys.iter().map(move |b| a - b))
        .collect();
    all.sort_by(|a, b| a.total_cmp(b));
    for k in [1, 2, 17, 500, 758, 759, 1200, all.len()] {
        assert_eq!(kth_diff(&xs, &ys, k), all[k - 1], "k = {k}");
        if k < all.len() {
            assert_eq!(
                next_diff(&xs, &ys, all[k - 1], k),
                all[k],
                "next after k = {k}"
            );
        }
    }
}

#[test]
fn matrix_fast_paths_equal_the_one_sample_form() {
    // grid path (distinct values), grid collisions (close values, -0 vs 0),
    // ties (exact keys + merge), by column and by row
    let mut next = crate::common::rng::lcg(3u64, |s| (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5);
    let (nx, ny, k) = (60, 55, 37);
    let col = |e: usize, v: f64| match e % 4 {
        0 => v,
        1 => (v * 6.0).round(),
        2 => 1.0 + v * 1e-12,
        _ => {
            if v < 0.0 {
                -0.0
            } else {
                v
            }
        }
    };
    let x = ndarray::Array2::from_shape_fn((nx, k), |(_, e)| col(e, next()));
    let y = ndarray::Array2::from_shape_fn((ny, k), |(_, e)| col(e, next() + 0.1));
    let o = MwOptions {
        conf_int: false,
        ..opts(Method::Approx, Alternative::TwoSided)
    };
    let by_col = mannwhitney_rows(x.view(), y.view(), true, &o, NanPolicy::Propagate).unwrap();
    let (xt, yt) = (
        x.t().as_standard_layout().to_owned(),
        y.t().as_standard_layout().to_owned(),
    );
    let by_row = mannwhitney_rows(xt.view(), yt.view(), false, &o, NanPolicy::Propagate).unwrap();
    // Fortran order: contiguous columns, read in place rather than in tiles
    let (xf, yf) = (xt.t(), yt.t());
    assert!(xf.column(0).as_slice().is_some());
    let by_col_f = mannwhitney_rows(xf, yf, true, &o, NanPolicy::Propagate).unwrap();
    for e in 0..k {
        let xe: Vec<f64> = x.column(e).to_vec();
        let ye: Vec<f64> = y.column(e).to_vec();
        let want = mannwhitney(&xe, &ye, &o).unwrap();
        for got in [by_col[e], by_row[e], by_col_f[e]] {
            assert_eq!(
                got.statistic.to_bits(),
                want.statistic.to_bits(),
                "endpoint {e}"
            );
            assert_eq!(got.pvalue.to_bits(), want.pvalue.to_bits(), "endpoint {e}");
        }
    }
}

#[test]
fn all_tied_and_empty() {
    let r = mannwhitney(
        &[1.0, 1.0],
        &[1.0, 1.0, 1.0],
        &opts(Method::Exact, Alternative::TwoSided),
    )
    .unwrap();
    assert_eq!(r.pvalue, 1.0);
    let a = mannwhitney(
        &[1.0, 1.0],
        &[1.0, 1.0, 1.0],
        &opts(Method::Approx, Alternative::TwoSided),
    )
    .unwrap();
    assert!(a.pvalue.is_nan());
    assert!(mannwhitney(&[], &[1.0], &opts(Method::Auto, Alternative::TwoSided)).is_err());
}

#[test]
fn two_sided_normal_p_from_one_tail_is_bit_identical() {
    // the matrix fast path computes 2 sf(|z|) where the 1-D form takes 2 min(cdf(z), sf(z))
    let mut zs = vec![
        0.0,
        -0.0,
        1e-300,
        -1e-300,
        1e-17,
        -1e-17,
        40.0,
        -40.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    zs.extend((-4000..=4000).map(|i| i as f64 * 0.00173));
    for z in zs {
        let want = Alternative::TwoSided.pvalue(dist::norm_cdf(z), dist::norm_sf(z));
        let got = (2.0 * dist::norm_sf(z.abs())).min(1.0);
        assert_eq!(got.to_bits(), want.to_bits(), "z = {z}");
    }
}

/// One selector for several order statistics (shared pivot counts) gives the
/// full sort's values, with ties and without.
#[test]
fn diff_select_many_ranks_matches_full_sort() {
    let mut s = 0x2545_F491_4F6C_DD1Du64;
    let mut u = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    for case in 0..40 {
        let (nx, ny) = (3 + case * 2, 4 + case * 3);
        let g = |v: f64| if case % 2 == 0 { (v * 4.0).round() } else { v };
        let mut xs: Vec<f64> = (0..nx).map(|_| g(u() + u())).collect();
        let mut ys: Vec<f64> = (0..ny).map(|_| g(u() + u())).collect();
        xs.sort_by(|a, b| a.total_cmp(b));
        ys.sort_by(|a, b| a.total_cmp(b));
        let mut all: Vec<f64> = xs
            .iter()
            .flat_map(|x| ys.iter().map(move |y| x - y))
            .collect();
        all.sort_by(|a, b| a.total_cmp(b));
        let kk = nx * ny;
        let ks = [
            kk / 2,
            kk / 2 + 1,
            1,
            kk,
            kk / 5 + 1,
            kk - kk / 5,
            kk / 3 + 1,
        ];
        let mut got = [0.0; 7];
        kth_diffs(&xs, &ys, &ks, &mut got);
        for (r, &k) in ks.iter().enumerate() {
            assert_eq!(got[r], all[k.clamp(1, kk) - 1], "case {case} k {k}");
        }
    }
}

/// The bound that spares the two exact end statistics never claims more
/// than they are: `W(mumin) >= B >= -W(mumax)` for every alternative and
/// correction, on spread data, tied scores and shifted samples.
#[test]
fn ends_bound_is_below_the_exact_end_statistics() {
    let mut u = crate::common::rng::lcg(5u64, |s| (s >> 11) as f64 / (1u64 << 53) as f64);
    let mut xd = Vec::new();
    let mut bounded = 0;
    for case in 0..400usize {
        let (nx, ny) = (1 + case % 23, 1 + (case * 7) % 29);
        let shift = (case % 5) as f64 - 2.0;
        let draw = |u: &mut dyn FnMut() -> f64, k: usize, sh: f64| -> Vec<f64> {
            let mut v: Vec<f64> = (0..k)
                .map(|_| match case % 3 {
                    0 => u() + sh,
                    1 => (u() * 4.0).round() + sh, // ties
                    _ => 1e8 + (u() + sh) * 1e-7,  // rounding at the shifts
                })
                .collect();
            v.sort_by(|p, q| p.total_cmp(q));
            v
        };
        let xs = draw(&mut u, nx, shift);
        let ys = draw(&mut u, ny, 0.0);
        let (mumin, mumax) = (xs[0] - ys[ny - 1], xs[nx - 1] - ys[0]);
        let Some(b) = ends_bound(&xs, &ys, mumin, mumax) else {
            continue;
        };
        bounded += 1;
        for alt in [
            Alternative::TwoSided,
            Alternative::Less,
            Alternative::Greater,
        ] {
            for correct in [true, false] {
                let lo = w_at(&xs, &ys, mumin, alt, correct, &mut xd);
                let hi = w_at(&xs, &ys, mumax, alt, correct, &mut xd);
                assert!(lo.is_finite() && hi.is_finite(), "case {case}");
                assert!(lo >= b && hi <= -b, "case {case}: {lo} {hi} bound {b}");
            }
        }
    }
    assert!(bounded > 100, "{bounded}");
}

/// The one-sort grid path gives the two `total_cmp` sorts and the merge's
/// `U`, or declines (ties, values closer than the grid, over 256 values).
#[test]
fn grid_sort_equals_the_two_sorts_and_the_merge() {
    let mut u = crate::common::rng::lcg(8u64, |s| (s >> 11) as f64 / (1u64 << 53) as f64);
    let (mut keys, mut xs, mut ys) = (Vec::new(), Vec::new(), Vec::new());
    let (mut answered, mut declined) = (0, 0);
    for case in 0..300usize {
        let (nx, ny) = (1 + case % 60, 1 + (case * 13) % 300);
        let x: Vec<f64> = (0..nx)
            .map(|_| match case % 3 {
                0 => u() - 0.5,
                1 => (u() * 6.0).round(),
                _ => 1e-300 * (u() - 0.5),
            })
            .collect();
        let y: Vec<f64> = (0..ny).map(|_| u() - 0.3).collect();
        match sorted_on_grid(&x, &y, &mut keys, &mut xs, &mut ys) {
            Some(got) => {
                answered += 1;
                let (mut sx, mut sy) = (x.clone(), y.clone());
                sx.sort_by(|p, q| p.total_cmp(q));
                sy.sort_by(|p, q| p.total_cmp(q));
                assert_eq!(xs, sx, "case {case}");
                assert_eq!(ys, sy, "case {case}");
                assert_eq!(Some(got), count_below_no_ties(&sx, &sy), "case {case}");
            }
            None => declined += 1,
        }
    }
    assert!(answered > 50 && declined > 50, "{answered} {declined}");
}

/// The Gaussian-binomial counts give the general recursion's distribution
/// for untied scores (to rounding), at every size the exact test uses.
#[test]
fn untied_distribution_equals_the_general_recursion() {
    for n in 1..=98usize {
        for m in [1, n / 3, n / 2].into_iter().filter(|&m| m >= 1 && m <= 49) {
            let scores: Vec<i64> = (1..=n as i64).map(|r| 2 * r).collect();
            let (a, b) = (untied_sum_dist(n, m), subset_sum_dist(&scores, m));
            assert_eq!(
                (a.offset, a.probs.len()),
                (b.offset, b.probs.len()),
                "n {n} m {m}"
            );
            for (s, (p, q)) in a.probs.iter().zip(&b.probs).enumerate() {
                let tol = 1e-12 * q.max(1e-300);
                assert!((p - q).abs() <= tol, "n {n} m {m} s {s}: {p} {q}");
            }
        }
    }
}
