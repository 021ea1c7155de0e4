//! Hand-solvable cases and invariants of the repeated-measures core.

use ndarray::Array2;

use super::helpers::{self, Baseline};
use super::ranktests::{self, Blocks, Test};
use super::*;
use crate::common::{Alternative, NanPolicy};
use crate::error::StatsError;

fn col(v: &[f64]) -> Array2<f64> {
    Array2::from_shape_vec((v.len(), 1), v.to_vec()).unwrap()
}

#[test]
fn groups_unsorted_rows_by_subject_then_time() {
    // subject codes 1,0,1,0,-1(missing),0 ; times shuffled
    let s = [1, 0, 1, 0, -1, 0];
    let t = [2.0, 1.0, 0.0, 0.0, 0.0, f64::NAN];
    let g = group(&s, 0, 2, &t, NanPolicy::Propagate).unwrap();
    assert_eq!(g.rows(0), &[3, 1]);
    assert_eq!(g.rows(1), &[2, 0]);
    assert_eq!(g.n_dropped, 2);
    let e = group(&s, 0, 2, &t, NanPolicy::Raise).unwrap_err();
    assert!(matches!(e, StatsError::InvalidValue { row: 4, .. }), "{e}");
    // a base offset: raw integer ids 100, 101
    let g = group(&[101, 100], 100, 2, &[0.0, 0.0], NanPolicy::Propagate).unwrap();
    assert_eq!(g.rows(0), &[1]);
}

#[test]
fn duplicates_and_infinite_times_are_errors() {
    let e = group(&[0, 1, 0], 0, 2, &[1.0, 1.0, 1.0], NanPolicy::Propagate).unwrap_err();
    match e {
        StatsError::InvalidValue {
            row,
            reason,
            allowed,
            ..
        } => {
            assert_eq!(row, 2);
            assert_eq!(reason, group::DUPLICATE);
            assert!(allowed.contains("row 0"), "{allowed}");
        }
        other => panic!("{other}"),
    }
    let e = group(&[0], 0, 1, &[f64::INFINITY], NanPolicy::Propagate).unwrap_err();
    assert!(e.to_string().contains("finite"));
}

#[test]
fn change_from_baseline_by_hand() {
    let s = [0, 0, 1, 1, 1];
    let t = [1.0, 0.0, 1.0, 2.0, 0.0];
    let v = col(&[12.0, 10.0, 5.0, f64::NAN, 0.0]);
    let g = group::spans(&s, 0, 2, &t, NanPolicy::Propagate).unwrap();
    let (o, nb) =
        helpers::change_from_baseline(&g, &t, v.view(), &s, 0, Baseline::At(0.0)).unwrap();
    assert_eq!(o[0], vec![10.0, 10.0, 0.0, 0.0, 0.0]);
    assert_eq!(o[1][0], 2.0);
    assert_eq!(o[2][0], 20.0);
    assert!(o[2][2].is_nan(), "pct change NaN where the baseline is 0");
    assert_eq!(nb, vec![0]);
    // 'first' non-missing; subject 1's first (time 0) is 0.0
    let (o, _) = helpers::change_from_baseline(&g, &t, v.view(), &s, 0, Baseline::First).unwrap();
    assert_eq!(o[0], vec![10.0, 10.0, 0.0, 0.0, 0.0]);
    // the same rows sorted by subject and time (no order written): the same per row
    let perm = [1usize, 0, 4, 2, 3];
    let ss: Vec<i64> = perm.iter().map(|&i| s[i] + 7).collect();
    let ts: Vec<f64> = perm.iter().map(|&i| t[i]).collect();
    let vs = col(&perm.iter().map(|&i| v[(i, 0)]).collect::<Vec<_>>());
    let h = group::spans(&ss, 7, 2, &ts, NanPolicy::Propagate).unwrap();
    assert!(h.order.is_none());
    let (p, nb) =
        helpers::change_from_baseline(&h, &ts, vs.view(), &ss, 7, Baseline::At(0.0)).unwrap();
    assert_eq!(nb, vec![0]);
    for (q, &i) in perm.iter().enumerate() {
        assert_eq!(p[0][q], 10.0 * (s[i] == 0) as i32 as f64);
        assert_eq!(p[1][q].to_bits(), (v[(i, 0)] - p[0][q]).to_bits());
    }
    // the one-pass path on sorted rows: the same columns, bit for bit, in
    // chunks of any size relative to the runs; unsorted rows are declined
    let vcol: Vec<f64> = vs.column(0).to_vec();
    for b in [0.0, 1.0, 2.0, 5.0] {
        let (q, nq) = helpers::change_from_baseline_sorted(&ss, 7, 2, &ts, &vcol, b).unwrap();
        let (r, nr) =
            helpers::change_from_baseline(&h, &ts, vs.view(), &ss, 7, Baseline::At(b)).unwrap();
        assert_eq!(nq, nr);
        for (x, y) in q.iter().flatten().zip(r.iter().flatten()) {
            assert_eq!(x.to_bits(), y.to_bits());
        }
    }
    assert!(helpers::change_from_baseline_sorted(&s, 0, 2, &t, &vcol, 0.0).is_none());
    assert!(helpers::change_from_baseline_sorted(&ss, 7, 1, &ts, &vcol, 0.0).is_none());
    // many subjects across many chunks (runs straddling chunk edges), a gap in the codes
    let (mut s2, mut t2, mut v2) = (vec![], vec![], vec![]);
    for subj in 0..20000i64 {
        for j in 0..(subj % 7) {
            s2.push(subj * 2);
            t2.push(j as f64 + 0.5 * (subj % 3 == 0 && j == 0) as i32 as f64);
            v2.push(((subj * 31 + j) % 11) as f64 - 3.0);
        }
    }
    let m2 = Array2::from_shape_vec((v2.len(), 1), v2.clone()).unwrap();
    let g2 = group::spans(&s2, 0, 40000, &t2, NanPolicy::Propagate).unwrap();
    assert!(g2.order.is_none() && s2.len() > 3 << 14);
    let (q, nq) = helpers::change_from_baseline_sorted(&s2, 0, 40000, &t2, &v2, 0.0).unwrap();
    let (r, nr) =
        helpers::change_from_baseline(&g2, &t2, m2.view(), &s2, 0, Baseline::At(0.0)).unwrap();
    assert_eq!(nq, nr);
    assert!(nr[0] > 0);
    for (x, y) in q.iter().flatten().zip(r.iter().flatten()) {
        assert_eq!(x.to_bits(), y.to_bits());
    }
}

#[test]
fn visit_window_ties_go_to_the_earlier_visit() {
    let s = [0, 0, 0, 1];
    let t = [11.0, 13.0, 0.0, 30.0];
    let g = group::spans(&s, 0, 2, &t, NanPolicy::Propagate).unwrap();
    let w = helpers::visit_window(&g, &t, &[0.0, 12.0], 1.0, 0).unwrap();
    assert_eq!(w.ids, vec![0, 0, 1, 1]);
    assert_eq!(w.target, vec![0.0, 12.0, 0.0, 12.0]);
    assert_eq!(w.rows, vec![2, 0, -1, -1]);
    assert_eq!(w.distance[..2], [0.0, 1.0]);
    assert!(w.distance[2].is_nan() && w.distance[3].is_nan());
    assert_eq!(w.n_missing, 2);
    assert!(helpers::visit_window(&g, &t, &[12.0, 0.0], 1.0, 0).is_err());
    assert!(helpers::visit_window(&g, &t, &[0.0], -1.0, 0).is_err());
    // sorted rows (no order written), IDs 5 and 7 (a code gap), a visit serving two targets
    let (s, t) = ([5i64, 5, 5, 7], [0.0, 11.5, 12.5, 30.0]);
    let g = group::spans(&s, 5, 3, &t, NanPolicy::Propagate).unwrap();
    assert!(g.order.is_none());
    let w = helpers::visit_window(&g, &t, &[12.0, 13.0, 29.0], 1.0, 5).unwrap();
    assert_eq!(w.ids, vec![5, 5, 5, 7, 7, 7]);
    assert_eq!(w.rows, vec![1, 2, -1, -1, -1, 3]);
    assert_eq!(w.distance[..2], [0.5, 0.5]);
    assert_eq!(w.distance[5], 1.0);
    let runs = group::sorted_runs(&s, 5, 3, &t).unwrap();
    assert_eq!(runs, vec![0, 3]);
    let v = helpers::visit_window_runs(&runs, &s, &t, &[12.0, 13.0, 29.0], 1.0).unwrap();
    assert_eq!((&v.ids, &v.rows, &v.target), (&w.ids, &w.rows, &w.target));
    assert!(v
        .distance
        .iter()
        .zip(&w.distance)
        .all(|(a, b)| a.to_bits() == b.to_bits()));
    assert_eq!(v.n_missing, w.n_missing);
    assert!(group::sorted_runs(&[5, 5], 5, 3, &[1.0, 1.0]).is_none());
    let c = [10.0, 11.0, 12.0, 13.0];
    let f = helpers::gather_f64(&c, &w.rows);
    assert_eq!(f[..2], [11.0, 12.0]);
    assert!(f[2].is_nan() && f[5] == 13.0);
    let i = helpers::gather_i64_as_f64(&[1, 2, 3, 4], &w.rows);
    assert_eq!((i[0], i[5]), (2.0, 4.0));
    assert!(i[2].is_nan());
    assert_eq!(helpers::gather_i64(&[1, 2, 3, 4], &[3, 0]), vec![4, 1]);
}

#[test]
fn auc_and_slope_by_hand() {
    let s = [0, 0, 0, 1];
    let t = [0.0, 2.0, 1.0, 0.0];
    let v = col(&[0.0, 4.0, 1.0, 3.0]);
    let g = group(&s, 0, 2, &t, NanPolicy::Propagate).unwrap();
    let (_, a) = helpers::auc(&g, &t, v.view(), false, NanPolicy::Propagate).unwrap();
    assert_eq!(a[0][0], 0.5 + 2.5);
    assert!(a[0][1].is_nan() && a[1][1] == 1.0);
    let (_, a) = helpers::auc(&g, &t, v.view(), true, NanPolicy::Propagate).unwrap();
    assert_eq!(a[0][0], 1.5);
    let (_, f) = helpers::slopes(&g, &t, v.view(), NanPolicy::Propagate).unwrap();
    // y = 0, 1, 4 at t = 0, 1, 2: slope 2, intercept -1/3, rss 2/3, se sqrt(2/3 / 1 / 2)
    assert!((f[0][0] - 2.0).abs() < 1e-12);
    assert!((f[2][0] + 1.0 / 3.0).abs() < 1e-12);
    assert!((f[1][0] - (1.0f64 / 3.0).sqrt()).abs() < 1e-12);
}

fn long(m: &[&[f64]]) -> (Vec<i64>, Vec<f64>, Array2<f64>) {
    let (mut s, mut t, mut v) = (vec![], vec![], vec![]);
    for (i, row) in m.iter().enumerate() {
        for (j, &x) in row.iter().enumerate() {
            s.push(i as i64);
            t.push(j as f64);
            v.push(x);
        }
    }
    let n = v.len();
    (s, t, Array2::from_shape_vec((n, 1), v).unwrap())
}

#[test]
fn skillings_mack_paper_example_and_friedman_equivalence() {
    // Skillings & Mack (1981) Table 1 (9 blocks × 4 assembly methods); the R
    // package Skillings.Mack prints SM = 15.493049, p = 0.001440 (df 3)
    let n = f64::NAN;
    let m: [&[f64]; 9] = [
        &[3.2, 4.1, 3.8, 4.2],
        &[3.1, 3.9, 3.4, 4.0],
        &[4.3, 3.5, 4.6, 4.8],
        &[3.5, 3.6, 3.9, 4.0],
        &[3.6, 4.2, 3.7, 3.9],
        &[4.5, 4.7, 3.7, n],
        &[n, 4.2, 3.4, n],
        &[4.3, 4.6, 4.4, 4.9],
        &[3.5, n, 3.7, 3.9],
    ];
    let (s, t, v) = long(&m);
    let g = group(&s, 0, 9, &t, NanPolicy::Omit).unwrap();
    let b = Blocks::new(&g, &t);
    let o = ranktests::run(&b, v.view(), Test::SkillingsMack, NanPolicy::Omit).unwrap()[0];
    assert!((o.statistic - 15.493049).abs() < 5e-7, "{}", o.statistic);
    assert!((o.pvalue - 0.001440296302).abs() < 1e-9);
    assert_eq!((o.n, o.df), (9, 3.0));
    // propagate: NaN with the count of missing values
    let o = ranktests::run(&b, v.view(), Test::SkillingsMack, NanPolicy::Propagate).unwrap()[0];
    assert!(o.statistic.is_nan() && o.n_missing == 4);
    // complete blocks without ties: SM equals Friedman
    let (s, t, v) = long(&m[..5]);
    let g = group(&s, 0, 5, &t, NanPolicy::Omit).unwrap();
    let b = Blocks::new(&g, &t);
    let sm = ranktests::run(&b, v.view(), Test::SkillingsMack, NanPolicy::Omit).unwrap()[0];
    let fr = ranktests::run(&b, v.view(), Test::Friedman, NanPolicy::Omit).unwrap()[0];
    assert!((sm.statistic - fr.statistic).abs() < 1e-12);
}

#[test]
fn friedman_cochran_page_by_hand() {
    // perfectly concordant blocks: Friedman = n (k - 1) = 6, Page L = n sum j^2
    let (s, t, v) = long(&[&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]]);
    let g = group(&s, 0, 3, &t, NanPolicy::Propagate).unwrap();
    let b = Blocks::new(&g, &t);
    let o = ranktests::run(&b, v.view(), Test::Friedman, NanPolicy::Propagate).unwrap()[0];
    assert!((o.statistic - 6.0).abs() < 1e-12);
    let o = ranktests::run(
        &b,
        v.view(),
        Test::Page(Alternative::Greater),
        NanPolicy::Propagate,
    )
    .unwrap()[0];
    assert_eq!(o.statistic, 3.0 * 14.0);
    // Cochran: non-binary is an error naming the row; binary by hand
    assert!(ranktests::run(&b, v.view(), Test::Cochran, NanPolicy::Propagate).is_err());
    let (s, t, v) = long(&[
        &[1.0, 1.0, 0.0],
        &[1.0, 0.0, 0.0],
        &[1.0, 1.0, 1.0],
        &[0.0, 0.0, 0.0],
    ]);
    let g = group(&s, 0, 4, &t, NanPolicy::Propagate).unwrap();
    let b = Blocks::new(&g, &t);
    let o = ranktests::run(&b, v.view(), Test::Cochran, NanPolicy::Propagate).unwrap()[0];
    // C = (3, 2, 1), N = 6, sum R^2 = 4 + 1 + 9 = 14: Q = 2 (3·14 − 36) / (18 − 14) = 3
    assert!((o.statistic - 3.0).abs() < 1e-12);
}

#[test]
fn presorted_rows_group_as_the_general_path() {
    // sorted by subject then time (the fast path), with a subject code gap
    let s = [0i64, 0, 0, 2, 2, 3];
    let t = [0.0, 3.0, 6.0, 0.0, 6.0, 1.0];
    assert!(group::spans(&s, 0, 4, &t, NanPolicy::Propagate)
        .unwrap()
        .order
        .is_none());
    let g = group(&s, 0, 4, &t, NanPolicy::Propagate).unwrap();
    assert_eq!(g.order, vec![0, 1, 2, 3, 4, 5]);
    assert_eq!(g.start, vec![0, 3, 3, 5, 6]);
    // the same rows reversed take the counting sort and give the same groups
    let (sr, tr): (Vec<i64>, Vec<f64>) = s
        .iter()
        .rev()
        .zip(t.iter().rev())
        .map(|(a, b)| (*a, *b))
        .unzip();
    let h = group(&sr, 0, 4, &tr, NanPolicy::Propagate).unwrap();
    assert_eq!(h.start, g.start);
    for c in 0..4 {
        let a: Vec<f64> = g.rows(c).iter().map(|&r| t[r as usize]).collect();
        let b: Vec<f64> = h.rows(c).iter().map(|&r| tr[r as usize]).collect();
        assert_eq!(a, b);
    }
    // equal times within a subject are not "sorted": the duplicate is reported
    assert!(group(&[0, 0], 0, 1, &[1.0, 1.0], NanPolicy::Propagate).is_err());
    // a dropped row leaves the fast path but is still dropped
    let g = group(&[0, -1, 1], 0, 2, &[0.0, 0.0, 0.0], NanPolicy::Propagate).unwrap();
    assert_eq!((g.n_dropped, g.rows(1)), (1, &[2u32][..]));
}
