use super::*;
use ndarray::array;

fn brute_rxc(t: &Array2<f64>) -> f64 {
    // enumerate all 2 x 3 tables with the margins of t
    let rs: Vec<f64> = t.rows().into_iter().map(|r| r.sum()).collect();
    let cs: Vec<f64> = t.columns().into_iter().map(|c| c.sum()).collect();
    let n: f64 = rs.iter().sum();
    let k = rs.iter().chain(&cs).map(|&v| ln_fact(v)).sum::<f64>() - ln_fact(n);
    let p = |a: f64, b: f64| -> f64 {
        let cells = [
            a,
            b,
            rs[0] - a - b,
            cs[0] - a,
            cs[1] - b,
            cs[2] - (rs[0] - a - b),
        ];
        if cells.iter().any(|&v| v < 0.0) {
            return 0.0;
        }
        (k - cells.iter().map(|&v| ln_fact(v)).sum::<f64>()).exp()
    };
    let pobs = p(t[[0, 0]], t[[0, 1]]);
    let mut s = 0.0;
    for a in 0..=(cs[0] as usize) {
        for b in 0..=(cs[1] as usize) {
            let q = p(a as f64, b as f64);
            if q > 0.0 && q <= pobs * (1.0 + 1e-7) {
                s += q;
            }
        }
    }
    s
}

#[test]
fn two_column_bounds_are_exact() {
    let lf: Vec<f64> = (0..=60).map(|v| ln_fact(v as f64)).collect();
    let rows = [3u32, 7, 5, 9];
    let ca = 11u32;
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for a in 0..=3u32 {
        for b in 0..=7u32 {
            for c in 0..=5u32 {
                let s = a + b + c;
                if s > ca || ca - s > 9 {
                    continue;
                }
                let n = [a, b, c, ca - s];
                let v: f64 = n
                    .iter()
                    .zip(&rows)
                    .map(|(&x, &r)| lf[x as usize] + lf[(r - x) as usize])
                    .sum();
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    let (smin, smax) = bounds::two_column_bounds(&rows, ca, &lf);
    assert!(
        (smin - lo).abs() < 1e-12 && (smax - hi).abs() < 1e-12,
        "{smin} {lo} {smax} {hi}"
    );
    let (rmin, rmax) = bounds::Bounder::new(&lf, 16).of(&rows, &[ca, 24 - ca]);
    assert!((rmin - lo).abs() < 1e-8 && (rmax - hi).abs() < 1e-8);
}

#[test]
fn two_line_maximum_of_more_than_eight_rows_matches_every_split() {
    // ten rows: the subset sums no longer fit the stack table
    let lf: Vec<f64> = (0..=60).map(|v| ln_fact(v as f64)).collect();
    let rows = [2u32, 1, 3, 2, 2, 1, 3, 2, 1, 2];
    let ca = 8u32;
    let mut hi = f64::NEG_INFINITY;
    let mut n = [0u32; 10];
    loop {
        if n.iter().sum::<u32>() == ca {
            let v: f64 = n
                .iter()
                .zip(&rows)
                .map(|(&x, &r)| lf[x as usize] + lf[(r - x) as usize])
                .sum();
            hi = hi.max(v);
        }
        // next split, odometer-wise
        let mut i = 0;
        while i < 10 && n[i] == rows[i] {
            n[i] = 0;
            i += 1;
        }
        if i == 10 {
            break;
        }
        n[i] += 1;
    }
    let smax = bounds::two_line_max(&rows, ca, &lf);
    assert!((smax - hi).abs() < 1e-12, "{smax} {hi}");
}

/// Row and column sums of a row-major r x c table.
fn margins(cells: &[u32], r: usize, c: usize) -> (Vec<u32>, Vec<u32>) {
    let rs = (0..r)
        .map(|i| cells[i * c..(i + 1) * c].iter().sum())
        .collect();
    let cs = (0..c)
        .map(|j| (0..r).map(|i| cells[i * c + j]).sum())
        .collect();
    (rs, cs)
}

/// A fixed pseudo-random stream: `next(m)` in `0..m`.
fn xorshift(mut state: u64) -> impl FnMut(u64) -> u64 {
    move |m| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % m
    }
}

/// p by listing every table with the margins of `t` (cell by cell, row-major).
fn brute_any(t: &Array2<f64>) -> f64 {
    let rs: Vec<i64> = t.rows().into_iter().map(|x| x.sum() as i64).collect();
    let cs: Vec<i64> = t.columns().into_iter().map(|x| x.sum() as i64).collect();
    let n: i64 = rs.iter().sum();
    let k = rs
        .iter()
        .chain(&cs)
        .map(|&v| ln_fact(v as f64))
        .sum::<f64>()
        - ln_fact(n as f64);
    let lnp = |cells: &[i64]| k - cells.iter().map(|&v| ln_fact(v as f64)).sum::<f64>();
    let obs: Vec<i64> = t.iter().map(|&v| v as i64).collect();
    let pobs = lnp(&obs).exp();
    let mut probs = Vec::new();
    let margins = |v: &[i64]| v.iter().map(|&x| x as u32).collect::<Vec<u32>>();
    let all: Vec<Vec<i64>> = all_tables(&margins(&rs), &margins(&cs))
        .into_iter()
        .map(|t| t.into_iter().map(i64::from).collect())
        .collect();
    for cells in all {
        probs.push(lnp(&cells).exp());
    }
    // compensated (Neumaier) sum: up to ~1e5 terms
    let (mut sum, mut comp) = (0.0f64, 0.0f64);
    for &q in probs.iter().filter(|&&q| q <= pobs * (1.0 + 1e-7)) {
        let t = sum + q;
        comp += if sum.abs() >= q.abs() {
            (sum - t) + q
        } else {
            (q - t) + sum
        };
        sum = t;
    }
    sum + comp
}

#[test]
fn rxc_matches_full_listing_on_random_tables() {
    // a fixed pseudo-random stream of small tables (2..=4 x 2..=4, cells 0..=5; 0..=3 in 4 x 4)
    let mut next = xorshift(0x2545_f491_4f6c_dd1du64);
    let mut checked = 0;
    while checked < 60 {
        let (r, c) = (2 + next(3) as usize, 2 + next(3) as usize);
        let top = if r * c == 16 { 4 } else { 6 };
        let t = Array2::from_shape_fn((r, c), |_| next(top) as f64);
        if t.rows().into_iter().any(|x| x.sum() == 0.0)
            || t.columns().into_iter().any(|x| x.sum() == 0.0)
        {
            continue;
        }
        let p = fisher_rxc(t.view()).unwrap();
        let b = brute_any(&t);
        assert!(
            (p - b).abs() <= 1e-12 * b.max(1e-300) + 1e-15,
            "{t:?}: {p} vs {b}"
        );
        checked += 1;
    }
}

#[test]
fn rxc_matches_brute_force() {
    let t = array![[3.0, 1.0, 4.0], [2.0, 6.0, 1.0]];
    let p = fisher_rxc(t.view()).unwrap();
    assert!((p - brute_rxc(&t)).abs() < 1e-12, "{p}");
    let tt = t.t().to_owned();
    assert!((fisher_rxc(tt.view()).unwrap() - p).abs() < 1e-12);
}

#[test]
fn two_by_two_hand_case() {
    // [[3, 0], [0, 3]]: only the observed and its mirror are as extreme: p = 2 / C(6, 3) = 0.1
    let t = array![[3.0, 0.0], [0.0, 3.0]];
    let f = fisher_2x2(t.view(), Alternative::TwoSided, 0.95).unwrap();
    assert!((f.pvalue - 0.1).abs() < 1e-14);
    assert_eq!(f.estimate, f64::INFINITY);
    assert_eq!(f.ci_high, f64::INFINITY);
    assert!((fisher_rxc(t.view()).unwrap() - 0.1).abs() < 1e-12);
}

#[test]
fn chisq_hand_case_and_bad_tables() {
    // [[10, 20], [20, 10]]: E = 15 everywhere; Pearson = 4 * 25/15; Yates: 4 * 4.5^2/15
    let t = array![[10.0, 20.0], [20.0, 10.0]];
    assert!((chisq(t.view(), false).unwrap().statistic - 100.0 / 15.0).abs() < 1e-12);
    assert!((chisq(t.view(), true).unwrap().statistic - 81.0 / 15.0).abs() < 1e-12);
    assert!(chisq(array![[1.0, 0.0], [2.0, 0.0]].view(), false).is_err());
    assert!(chisq(array![[1.0, -1.0], [2.0, 3.0]].view(), false).is_err());
    assert!(chisq(array![[1.5, 1.0], [2.0, 3.0]].view(), false).is_err());
}

/// Every table with these margins, as a flat row-major list of cells.
fn all_tables(rs: &[u32], cs: &[u32]) -> Vec<Vec<u32>> {
    let (r, c) = (rs.len(), cs.len());
    fn rec(
        i: usize,
        r: usize,
        c: usize,
        rr: &mut [u32],
        cr: &mut [u32],
        cells: &mut Vec<u32>,
        out: &mut Vec<Vec<u32>>,
    ) {
        if i == r * c {
            out.push(cells.clone());
            return;
        }
        let (a, b) = (i / c, i % c);
        let (lo, hi) = if b == c - 1 {
            (rr[a], rr[a])
        } else if a == r - 1 {
            (cr[b], cr[b])
        } else {
            (0, rr[a].min(cr[b]))
        };
        for v in lo..=hi {
            if v > rr[a] || v > cr[b] {
                continue;
            }
            rr[a] -= v;
            cr[b] -= v;
            cells.push(v);
            rec(i + 1, r, c, rr, cr, cells, out);
            cells.pop();
            rr[a] += v;
            cr[b] += v;
        }
    }
    let mut out = Vec::new();
    rec(
        0,
        r,
        c,
        &mut rs.to_vec(),
        &mut cs.to_vec(),
        &mut Vec::new(),
        &mut out,
    );
    out
}

#[test]
fn exact_min_and_max_of_s_match_a_full_listing() {
    let lf: Vec<f64> = (0..=80).map(|v| ln_fact(v as f64)).collect();
    let mut next = xorshift(0x9e37_79b9_7f4a_7c15u64);
    let mut memo = bounds::MaxMemo::new(1 << 20);
    for case in 0..150 {
        let (r, c) = (2 + next(3) as usize, 2 + next(3) as usize);
        let top = if r * c >= 12 { 4 } else { 8 };
        let cells: Vec<u32> = (0..r * c).map(|_| next(top) as u32).collect();
        let (rs, cs) = margins(&cells, r, c);
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for t in all_tables(&rs, &cs) {
            let s: f64 = t.iter().map(|&v| lf[v as usize]).sum();
            lo = lo.min(s);
            hi = hi.max(s);
        }
        let smin = bounds::min_s(&rs, &cs, &lf);
        let smax = memo.max_s(&rs, &cs, &lf).unwrap();
        assert!(
            (smin - lo).abs() < 1e-10,
            "case {case} {rs:?} {cs:?}: min {smin} vs {lo}"
        );
        assert!(
            (smax - hi).abs() < 1e-10,
            "case {case} {rs:?} {cs:?}: max {smax} vs {hi}"
        );
    }
}

#[test]
fn masked_minimum_matches_a_full_listing() {
    // rows 0..b may not use column 0 (a column split in progress)
    let lf: Vec<f64> = (0..=80).map(|v| ln_fact(v as f64)).collect();
    let mut next = xorshift(0x1234_5678_9abc_def1u64);
    let (mut tight, mut checked) = (0, 0);
    for case in 0..300 {
        let (r, c) = (2 + next(3) as usize, 2 + next(3) as usize);
        let b = 1 + next(r as u64 - 1) as usize;
        let top = if r * c >= 12 { 5 } else { 9 };
        let cells: Vec<u32> = (0..r * c)
            .map(|x| {
                if x % c == 0 && x / c < b {
                    0
                } else {
                    next(top) as u32
                }
            })
            .collect();
        let (rs, cs) = margins(&cells, r, c);
        if rs.iter().chain(&cs).any(|&v| v == 0) {
            continue;
        }
        let mut lo = f64::INFINITY;
        for t in all_tables(&rs, &cs) {
            if (0..b).any(|i| t[i * c] > 0) {
                continue;
            }
            lo = lo.min(t.iter().map(|&v| lf[v as usize]).sum::<f64>());
        }
        let smin = bounds::min_s_masked(&rs, &cs, b, &lf);
        assert!(
            (smin - lo).abs() < 1e-10,
            "case {case} {rs:?} {cs:?} b={b}: {smin} vs {lo}"
        );
        // the start table's S and the dual bound bracket the minimum
        let (feas, dual) = bounds::feasible_s_masked(&rs, &cs, b, &lf);
        assert!(
            dual <= lo && lo <= feas + 1e-10,
            "case {case}: {dual} <= {lo} <= {feas}"
        );
        checked += 1;
        if lo - dual < 1e-6 {
            tight += 1;
        }
    }
    // (a bound that is always far below the minimum would be useless)
    assert!(
        3 * tight > checked,
        "dual bound tight in {tight} of {checked} cases"
    );
}

#[test]
fn rxc_matches_full_listing_on_4x4_tables_of_a_million() {
    // large enough that partial column splits are settled in closed form and
    // windows of pasts are carried across stages; the listing sums every table
    for t in [
        array![
            [3.0, 2.0, 1.0, 2.0],
            [2.0, 3.0, 2.0, 1.0],
            [1.0, 2.0, 4.0, 2.0],
            [2.0, 1.0, 2.0, 3.0]
        ],
        array![
            [5.0, 1.0, 1.0, 0.0],
            [1.0, 4.0, 1.0, 2.0],
            [1.0, 1.0, 5.0, 1.0],
            [0.0, 2.0, 1.0, 5.0]
        ],
    ] {
        let p = fisher_rxc(t.view()).unwrap();
        let b = brute_any(&t);
        assert!((p - b).abs() <= 1e-12 * b, "{t:?}: {p} vs {b}");
    }
}

#[test]
fn rxc_does_not_depend_on_the_number_of_threads() {
    let t = array![
        [6.0, 4.0, 3.0, 4.0, 3.0],
        [3.0, 5.0, 4.0, 2.0, 4.0],
        [4.0, 3.0, 5.0, 4.0, 3.0],
        [2.0, 4.0, 3.0, 6.0, 4.0]
    ];
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| fisher_rxc(t.view()).unwrap())
    };
    let one = run(1);
    assert_eq!(one.to_bits(), run(2).to_bits());
    assert_eq!(one.to_bits(), run(3).to_bits());
}

#[test]
fn simulated_p_is_within_monte_carlo_error_of_the_exact_p() {
    let t = array![
        [5.0, 2.0, 1.0, 0.0],
        [1.0, 6.0, 2.0, 1.0],
        [2.0, 1.0, 5.0, 3.0],
        [0.0, 2.0, 3.0, 6.0]
    ];
    let exact = fisher_rxc(t.view()).unwrap();
    let b = 20_000u64;
    let (p, count) = fisher_rxc_simulated(t.view(), b, 42).unwrap();
    assert_eq!(p, (1 + count) as f64 / (b + 1) as f64);
    let se = (exact * (1.0 - exact) / b as f64).sqrt();
    assert!(
        (p - exact).abs() < 4.5 * se + 1.0 / b as f64,
        "{p} vs {exact}"
    );
    // a different seed gives another draw; the same seed the same one
    assert_eq!(fisher_rxc_simulated(t.view(), b, 42).unwrap(), (p, count));
    assert_ne!(fisher_rxc_simulated(t.view(), b, 43).unwrap().1, count);
}

#[test]
fn simulated_p_does_not_depend_on_the_number_of_threads() {
    let t = array![[3.0, 1.0, 4.0], [2.0, 6.0, 1.0], [5.0, 2.0, 2.0]];
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| fisher_rxc_simulated(t.view(), 5_000, 7).unwrap())
    };
    assert_eq!(run(1), run(2));
    assert_eq!(run(1), run(3));
}

#[test]
fn simulated_p_rejects_bad_arguments() {
    let t = array![[3.0, 1.0, 4.0], [2.0, 6.0, 1.0]];
    let e = fisher_rxc_simulated(t.view(), 0, 1).unwrap_err();
    assert!(format!("{e:?}").contains("n_resamples"));
    assert!(fisher_rxc_simulated(array![[1.0, -1.0], [2.0, 3.0]].view(), 10, 1).is_err());
}

#[test]
fn empty_margins_in_2x2_are_the_degenerate_table_as_r() {
    // R 4.x fisher.test(matrix(c(0, 0, 3, 5), 2)) (and the transposed, all-zero
    // tables, every alternative): p = 1, odds ratio 0, CI [0, Inf]
    for t in [
        array![[0.0, 3.0], [0.0, 5.0]],
        array![[0.0, 0.0], [3.0, 5.0]],
        array![[0.0, 0.0], [0.0, 0.0]],
        array![[4.0, 0.0], [2.0, 0.0]],
    ] {
        for alt in [
            Alternative::TwoSided,
            Alternative::Less,
            Alternative::Greater,
        ] {
            let r = fisher_2x2(t.view(), alt, 0.95).unwrap();
            assert_eq!(r.pvalue, 1.0);
            assert_eq!((r.ci_low, r.ci_high), (0.0, f64::INFINITY));
            assert_eq!(r.estimate, 0.0);
        }
    }
    // r x c and chisq keep refusing a zero margin
    assert!(chisq(array![[0.0, 3.0], [0.0, 5.0]].view(), true).is_err());
    // absurd counts are refused, not enumerated
    assert!(fisher_2x2(
        array![[1e12, 1e12], [1e12, 1e12]].view(),
        Alternative::TwoSided,
        0.95
    )
    .is_err());
}

#[test]
fn simulated_p_refuses_absurd_sizes() {
    // issue 19: a 4 x 2 table of 1.3e8 individuals with 9 resamples ran for
    // minutes (and allocated gigabytes); it is refused, naming the table
    let t = array![[1e7, 0.0], [3.7e7, 1.8e7], [3.5e7, 1.5e7], [1.4e7, 4e6]];
    let e = fisher_rxc_simulated(t.view(), 9, 0).unwrap_err();
    assert!(e.to_string().contains("chisq"), "{e}");
    // the work guard names n_resamples
    let t = array![[1000.0, 2000.0], [3000.0, 4000.0], [10.0, 20.0]];
    let e = fisher_rxc_simulated(t.view(), 10_000_000, 0).unwrap_err();
    assert!(e.to_string().contains("n_resamples"), "{e}");
}

#[test]
fn fisher_2x2_refuses_counts_beyond_exact_integers() {
    // issue 19: [[1e300, 1e300], [0, 0]] never returned (x += 1.0 at 1e300)
    let t = array![[1e300, 1e300], [0.0, 0.0]];
    let e = fisher_2x2(t.view(), Alternative::TwoSided, 0.95).unwrap_err();
    assert!(e.to_string().contains("2^53"), "{e}");
}

#[test]
fn huge_count_rxc_tables_are_refused_before_any_work() {
    // issue 19 (hostile run seed 1 call 366611): 4 x 3, total 29,000, ran past
    // the 60 s watchdog inside the work guards; now refused up front
    let t = array![
        [4000.0, 1000.0, 3000.0],
        [2000.0, 4000.0, 1000.0],
        [1000.0, 1000.0, 4000.0],
        [4000.0, 4000.0, 4000.0]
    ];
    let e = fisher_rxc(t.view()).unwrap_err().to_string();
    assert!(e.contains("ways to split its first column"), "{e}");
    // a table of the same shape and tens per cell is still exact
    assert!(fisher_rxc((t / 200.0).view()).is_ok());
}

#[test]
fn rxc_tables_with_a_long_shorter_side_are_refused() {
    // issue 19 (hostile run seed 1 call 446301): a 38 x 38 table passed the 60 s watchdog
    let t = Array2::from_diag(&ndarray::Array1::from_elem(10, 3.0));
    let e = fisher_rxc(t.view()).unwrap_err().to_string();
    assert!(e.contains("shorter side has 10 categories"), "{e}");
}
