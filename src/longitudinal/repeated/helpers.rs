//! Long-format helpers on grouped rows: change from baseline, visit windows,
//! last observation carried forward, area under the curve and per-subject
//! OLS slopes. Every helper takes the [`Groups`] of one grouping pass and a
//! (rows × columns) view of value columns, so many columns cost one pass.

use std::mem::MaybeUninit;

use ndarray::ArrayView2;
use rayon::prelude::*;

use super::group::{Groups, Spans};
use crate::common::check::MISSING;
use crate::common::{alloc, NanPolicy};
use crate::error::{Result, StatsError};

/// Which visit is the baseline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Baseline {
    /// The row at this time.
    At(f64),
    /// The first non-missing value in time order (per column).
    First,
}

/// `baseline`, `change` and `pct_change` (100 · change / baseline; NaN where
/// the baseline is 0) per row and column: `3 * m` vectors of `n` rows, in the
/// order baseline, change, pct_change for column 0, then column 1, ...
/// Rows without a subject or time get NaN. Also the number of subjects
/// without a baseline (per column).
pub fn change_from_baseline(
    g: &Spans,
    time: &[f64],
    values: ArrayView2<'_, f64>,
    subject_of_row: &[i64],
    base: i64,
    baseline: Baseline,
) -> Result<(Vec<Vec<f64>>, Vec<usize>)> {
    let (n, m) = values.dim();
    if let Baseline::At(b) = baseline {
        if !b.is_finite() {
            return Err(StatsError::argument(
                "baseline",
                format!("{b} is not a finite time; give a visit time or 'first'"),
            ));
        }
    }
    let k = g.n_codes();
    // per subject and column: the baseline value (NaN when none)
    let mut base_val = alloc::filled(k * m, f64::NAN);
    base_val
        .par_chunks_mut(m.max(1))
        .enumerate()
        .for_each(|(s, out)| {
            let span = g.span(s);
            if span.is_empty() {
                return;
            }
            match baseline {
                Baseline::At(b) => {
                    let pos = g.first_at_or_after(s, time, b);
                    if pos < span.end && time[g.row(pos)] == b {
                        let r = g.row(pos);
                        for (j, o) in out.iter_mut().enumerate() {
                            *o = values[(r, j)];
                        }
                    }
                }
                Baseline::First => {
                    for (j, o) in out.iter_mut().enumerate() {
                        *o = span
                            .clone()
                            .map(|p| values[(g.row(p), j)])
                            .find(|v| !v.is_nan())
                            .unwrap_or(f64::NAN);
                    }
                }
            }
        });
    let no_base: Vec<usize> = (0..m)
        .map(|j| {
            (0..k)
                .into_par_iter()
                .filter(|&s| g.start[s + 1] > g.start[s] && base_val[s * m + j].is_nan())
                .count()
        })
        .collect();
    // every row has a subject and a time unless some were dropped
    let all_rows = g.n_dropped == 0;
    let mut out = Vec::with_capacity(3 * m);
    for j in 0..m {
        let col = values.column(j);
        let [b, c, p] = alloc::columns(n, |i| {
            let s = subject_of_row[i].wrapping_sub(base);
            let bv = if all_rows || (s >= 0 && (s as usize) < k && !time[i].is_nan()) {
                base_val[s as usize * m + j]
            } else {
                f64::NAN
            };
            let ch = col[i] - bv;
            [bv, ch, if bv == 0.0 { f64::NAN } else { 100.0 * ch / bv }]
        });
        out.push(b);
        out.push(c);
        out.push(p);
    }
    Ok((out, no_base))
}

/// [`change_from_baseline`] of one value column with a baseline visit time in
/// one pass, when the rows are already sorted by subject and strictly by time
/// with a subject and a finite time on every row (the usual layout): each
/// chunk of rows checks its order, finds the baseline of each subject it
/// touches (within the subject's run of rows, which may reach into the
/// neighbouring chunks) and writes its rows. No grouping pass, no
/// per-subject table. None when the rows are otherwise (the caller then
/// groups them, and reports what is wrong).
pub fn change_from_baseline_sorted(
    subject: &[i64],
    base: i64,
    n_codes: usize,
    time: &[f64],
    values: &[f64],
    baseline: f64,
) -> Option<(Vec<Vec<f64>>, Vec<usize>)> {
    let n = subject.len();
    if time.len() != n || values.len() != n || !baseline.is_finite() {
        return None;
    }
    let code = |i: usize| subject[i].wrapping_sub(base);
    let body = |lo: usize, out: &mut [&mut [MaybeUninit<f64>]; 3]| -> Option<usize> {
        let hi = lo + out[0].len();
        let (mut pc, mut pt) = match lo {
            0 => (-1i64, f64::NEG_INFINITY),
            _ => (code(lo - 1), time[lo - 1]),
        };
        let mut ok = true;
        for (&sv, &t) in subject[lo..hi].iter().zip(&time[lo..hi]) {
            let c = sv.wrapping_sub(base);
            ok &= ((c as u64) < n_codes as u64) & t.is_finite();
            ok &= (c > pc) | ((c == pc) & (t > pt));
            (pc, pt) = (c, t);
        }
        if !ok {
            return None;
        }
        let [b_out, c_out, p_out] = out;
        let mut no_base = 0usize;
        let mut i = lo;
        while i < hi {
            let c = code(i);
            // the subject's run of rows: its rows in this chunk by a scan; a
            // run reaching past either end of the chunk by a binary search
            // there (codes ascending; once per chunk end)
            let rs = match i {
                _ if i == lo && lo > 0 && code(lo - 1) == c => {
                    subject[..lo].partition_point(|&x| x.wrapping_sub(base) < c)
                }
                _ => i,
            };
            let mut re = i + 1;
            while re < hi && code(re) == c {
                re += 1;
            }
            if re == hi {
                // (at least `hi`, whatever lies past this chunk: the walk advances)
                re = hi + subject[hi..].partition_point(|&x| x.wrapping_sub(base) <= c);
            }
            let ts = &time[rs..re];
            let pos = ts.partition_point(|&t| t < baseline);
            let bv = if pos < ts.len() && ts[pos] == baseline {
                values[rs + pos]
            } else {
                f64::NAN
            };
            if rs >= lo && bv.is_nan() {
                no_base += 1; // counted by the chunk where the subject starts
            }
            let end = re.min(hi);
            for q in i..end {
                let ch = values[q] - bv;
                b_out[q - lo].write(bv);
                c_out[q - lo].write(ch);
                p_out[q - lo].write(if bv == 0.0 { f64::NAN } else { 100.0 * ch / bv });
            }
            i = end;
        }
        Some(no_base)
    };
    // SAFETY: a chunk that returns Some wrote all its rows: the runs walked
    // cover lo..hi (each step ends at min(run end, hi) > i, since row i is in
    // its own run), and every row of the three pieces is written.
    let (cols, counts) = unsafe { alloc::try_write_chunks(n, 1 << 14, body) }?;
    Some((cols.into(), vec![counts.iter().sum()]))
}

/// Validate `targets` (finite, strictly increasing) and `width` (finite, >= 0).
pub fn check_targets(targets: &[f64], width: Option<f64>) -> Result<()> {
    if targets.is_empty() {
        return Err(StatsError::argument("targets", "no target times given"));
    }
    for (i, &t) in targets.iter().enumerate() {
        if !t.is_finite() {
            return Err(StatsError::invalid(
                "targets",
                i,
                t,
                "not finite",
                "targets must be finite times",
            ));
        }
        if i > 0 && t <= targets[i - 1] {
            return Err(StatsError::invalid(
                "targets",
                i,
                t,
                "not increasing",
                "targets must be sorted ascending without repeats",
            ));
        }
    }
    if let Some(w) = width {
        if !(w.is_finite() && w >= 0.0) {
            return Err(StatsError::argument(
                "width",
                format!("{w} is not allowed; the window half-width must be a finite number >= 0"),
            ));
        }
    }
    Ok(())
}

/// The chosen rows of [`visit_window`]: one entry per present subject
/// (ascending code) × target, target fastest.
pub struct Window {
    /// The subject's raw ID (`code + base`) per entry.
    pub ids: Vec<i64>,
    /// The target time per entry.
    pub target: Vec<f64>,
    /// The chosen row, or -1 when no visit lies within the window.
    pub rows: Vec<i64>,
    /// |time − target| of the chosen row (NaN when none).
    pub distance: Vec<f64>,
    /// The number of entries without a visit.
    pub n_missing: usize,
}

/// For each present subject (ascending code) × target: the row closest to the
/// target within ± `width` (ties: the earlier time), or -1, and |time − target|.
pub fn visit_window(
    g: &Spans,
    time: &[f64],
    targets: &[f64],
    width: f64,
    base: i64,
) -> Result<Window> {
    check_targets(targets, Some(width))?;
    let subjects = g.present();
    let nt = targets.len();
    // per subject: one sweep of its rows for all targets (ascending)
    let [ids, rows] = alloc::columns_grouped(subjects.len(), nt, -1i64, |i, out| {
        let s = subjects[i];
        let row = |p: usize| g.row(p);
        nearest(g.span(s), row, time, targets, width, out, s as i64 + base);
    });
    window_columns(ids, rows, time, targets)
}

/// [`visit_window`] on rows sorted by subject and time, given the first row of
/// each subject's run ([`super::group::sorted_runs`]): no grouping tables.
pub fn visit_window_runs(
    runs: &[u32],
    subject: &[i64],
    time: &[f64],
    targets: &[f64],
    width: f64,
) -> Result<Window> {
    check_targets(targets, Some(width))?;
    let nt = targets.len();
    let n = time.len();
    let [ids, rows] = alloc::columns_grouped(runs.len(), nt, -1i64, |i, out| {
        let lo = runs[i] as usize;
        let hi = runs.get(i + 1).map_or(n, |&r| r as usize);
        nearest(lo..hi, |p| p, time, targets, width, out, subject[lo]);
    });
    window_columns(ids, rows, time, targets)
}

/// For one subject's positions `span` (rows via `row`, ascending in time):
/// per target the row closest within ± `width` (ties: the earlier), or -1;
/// written with the subject's `id` into `out`.
fn nearest(
    span: std::ops::Range<usize>,
    row: impl Fn(usize) -> usize,
    time: &[f64],
    targets: &[f64],
    width: f64,
    out: &mut [[i64; 2]],
    id: i64,
) {
    let mut p = span.start; // first position with time >= target
    for (o, &t) in out.iter_mut().zip(targets) {
        while p < span.end && time[row(p)] < t {
            p += 1;
        }
        let mut best: Option<(usize, f64)> = None;
        if p > span.start {
            let r = row(p - 1);
            best = Some((r, t - time[r]));
        }
        if p < span.end {
            let r = row(p);
            let d = time[r] - t;
            // strictly closer only: a tie keeps the earlier time
            if best.is_none_or(|(_, bd)| d < bd) {
                best = Some((r, d));
            }
        }
        let chosen = match best {
            Some((r, d)) if d <= width => r as i64,
            _ => -1,
        };
        *o = [id, chosen];
    }
}

/// The target, distance and missing count of chosen rows.
fn window_columns(ids: Vec<i64>, rows: Vec<i64>, time: &[f64], targets: &[f64]) -> Result<Window> {
    let nt = targets.len();
    let n_out = rows.len();
    let [target, distance] = alloc::columns_grouped(n_out / nt.max(1), nt, f64::NAN, |i, out| {
        for ((o, &t), &r) in out.iter_mut().zip(targets).zip(&rows[i * nt..]) {
            let d = if r >= 0 {
                (time[r as usize] - t).abs()
            } else {
                f64::NAN
            };
            *o = [t, d];
        }
    });
    let n_missing = rows.par_iter().filter(|&&r| r < 0).count();
    Ok(Window {
        ids,
        target,
        rows,
        distance,
        n_missing,
    })
}

/// `column` at `rows` (NaN where the row is -1), in parallel.
pub fn gather_f64(column: &[f64], rows: &[i64]) -> Vec<f64> {
    alloc::collect(rows.par_iter().map(|&r| match r {
        r if r >= 0 => column[r as usize],
        _ => f64::NAN,
    }))
}

/// `column` at `rows` as float64 (NaN where the row is -1), in parallel.
pub fn gather_i64_as_f64(column: &[i64], rows: &[i64]) -> Vec<f64> {
    alloc::collect(rows.par_iter().map(|&r| match r {
        r if r >= 0 => column[r as usize] as f64,
        _ => f64::NAN,
    }))
}

/// `column` at `rows` (every row present: a -1 reads row 0), in parallel.
pub fn gather_i64(column: &[i64], rows: &[i64]) -> Vec<i64> {
    alloc::collect(rows.par_iter().map(|&r| column[r.max(0) as usize]))
}

fn nan_check(values: ArrayView2<'_, f64>, g: &Groups, policy: NanPolicy) -> Result<()> {
    if policy != NanPolicy::Raise {
        return Ok(());
    }
    let (_, m) = values.dim();
    let mut first: Option<(usize, usize)> = None;
    for &r in &g.order {
        let r = r as usize;
        for j in 0..m {
            if values[(r, j)].is_nan() && first.is_none_or(|f| r < f.0) {
                first = Some((r, j));
            }
        }
    }
    match first {
        Some((r, j)) => Err(StatsError::invalid_at(
            "value",
            r,
            j,
            f64::NAN,
            MISSING,
            "a value on every row",
        )),
        None => Ok(()),
    }
}

/// LOCF on every row: each missing value (NaN) becomes the subject's last
/// non-missing value at an earlier time (NaN when none). `m` vectors of `n`.
pub fn locf_rows(g: &Groups, values: ArrayView2<'_, f64>) -> Vec<Vec<f64>> {
    let (n, m) = values.dim();
    (0..m)
        .into_par_iter()
        .map(|j| {
            let mut out: Vec<f64> = (0..n).map(|i| values[(i, j)]).collect();
            for s in 0..g.n_codes() {
                let mut last = f64::NAN;
                for &r in g.rows(s) {
                    let v = values[(r as usize, j)];
                    if v.is_nan() {
                        out[r as usize] = last;
                    } else {
                        last = v;
                    }
                }
            }
            out
        })
        .collect()
}

/// Subject codes, carried values per column, their times per column.
pub type LocfAtTargets = (Vec<i64>, Vec<Vec<f64>>, Vec<Vec<f64>>);

/// LOCF at target times: for each present subject × target and column, the
/// last non-missing value observed at a time <= target and that time
/// (both NaN when none). Returns (subject codes, values per column, times per column).
pub fn locf_targets(
    g: &Groups,
    time: &[f64],
    values: ArrayView2<'_, f64>,
    targets: &[f64],
) -> Result<LocfAtTargets> {
    check_targets(targets, None)?;
    let (_, m) = values.dim();
    let subjects = g.present();
    let nt = targets.len();
    let mut vals = Vec::with_capacity(m);
    let mut times = Vec::with_capacity(m);
    for j in 0..m {
        let mut v = vec![f64::NAN; subjects.len() * nt];
        let mut t = vec![f64::NAN; subjects.len() * nt];
        v.par_chunks_mut(nt)
            .zip(t.par_chunks_mut(nt))
            .zip(subjects.par_iter())
            .for_each(|((vo, to), &s)| {
                let rs = g.rows(s);
                let (mut p, mut last, mut last_t) = (0usize, f64::NAN, f64::NAN);
                for (q, &tg) in targets.iter().enumerate() {
                    while p < rs.len() && time[rs[p] as usize] <= tg {
                        let x = values[(rs[p] as usize, j)];
                        if !x.is_nan() {
                            last = x;
                            last_t = time[rs[p] as usize];
                        }
                        p += 1;
                    }
                    vo[q] = last;
                    to[q] = last_t;
                }
            });
        vals.push(v);
        times.push(t);
    }
    Ok((subjects.iter().map(|&s| s as i64).collect(), vals, times))
}

/// Present subject codes and per-subject output vectors.
pub type PerSubject = (Vec<i64>, Vec<Vec<f64>>);

/// Per present subject and column: the trapezoid AUC of value over time
/// (divided by the time span with `normalise`) and the number of points used
/// (`m` AUC vectors, then `m` count vectors). Fewer than two points: NaN.
/// Under 'propagate' a missing value makes the subject's AUC NaN; under
/// 'omit' the point is skipped.
pub fn auc(
    g: &Groups,
    time: &[f64],
    values: ArrayView2<'_, f64>,
    normalise: bool,
    policy: NanPolicy,
) -> Result<PerSubject> {
    nan_check(values, g, policy)?;
    let (_, m) = values.dim();
    let subjects = g.present();
    let mut aucs = Vec::with_capacity(m);
    let mut ns = Vec::with_capacity(m);
    for j in 0..m {
        let (a, c): (Vec<f64>, Vec<f64>) = subjects
            .par_iter()
            .map(|&s| {
                let (mut area, mut cnt, mut nan) = (0.0, 0usize, false);
                let (mut t0, mut tp, mut vp) = (f64::NAN, f64::NAN, f64::NAN);
                for &r in g.rows(s) {
                    let (t, v) = (time[r as usize], values[(r as usize, j)]);
                    if v.is_nan() {
                        nan = true;
                        continue;
                    }
                    if cnt == 0 {
                        t0 = t;
                    } else {
                        area += 0.5 * (v + vp) * (t - tp);
                    }
                    tp = t;
                    vp = v;
                    cnt += 1;
                }
                let a = if cnt < 2 || (nan && policy == NanPolicy::Propagate) {
                    f64::NAN
                } else if normalise {
                    area / (tp - t0)
                } else {
                    area
                };
                (a, cnt as f64)
            })
            .unzip();
        aucs.push(a);
        ns.push(c);
    }
    let mut out = aucs;
    out.extend(ns);
    Ok((subjects.iter().map(|&s| s as i64).collect(), out))
}

/// Per present subject and column: OLS of value on time — slope, its
/// standard error (n >= 3), intercept and n. Returned as 4 vectors per column
/// (slope, se, intercept, n). Missing values as in [`auc`].
pub fn slopes(
    g: &Groups,
    time: &[f64],
    values: ArrayView2<'_, f64>,
    policy: NanPolicy,
) -> Result<PerSubject> {
    nan_check(values, g, policy)?;
    let (_, m) = values.dim();
    let subjects = g.present();
    let mut out = Vec::with_capacity(4 * m);
    for j in 0..m {
        let fits: Vec<[f64; 4]> = subjects
            .par_iter()
            .map(|&s| {
                let rs = g.rows(s);
                let pts = || {
                    rs.iter()
                        .map(|&r| (time[r as usize], values[(r as usize, j)]))
                        .filter(|p| !p.1.is_nan())
                };
                let n = pts().count();
                let nan = n < rs.len();
                if nan && policy == NanPolicy::Propagate {
                    return [f64::NAN, f64::NAN, f64::NAN, n as f64];
                }
                if n < 2 {
                    return [f64::NAN, f64::NAN, f64::NAN, n as f64];
                }
                let nf = n as f64;
                let (st, sy) = pts().fold((0.0, 0.0), |a, p| (a.0 + p.0, a.1 + p.1));
                let (tb, yb) = (st / nf, sy / nf);
                let (sxx, sxy) = pts().fold((0.0, 0.0), |a, p| {
                    (a.0 + (p.0 - tb) * (p.0 - tb), a.1 + (p.0 - tb) * (p.1 - yb))
                });
                let b = sxy / sxx;
                let a = yb - b * tb;
                let se = if n > 2 {
                    let rss: f64 = pts().map(|p| (p.1 - a - b * p.0).powi(2)).sum();
                    (rss / (nf - 2.0) / sxx).sqrt()
                } else {
                    f64::NAN
                };
                [b, se, a, nf]
            })
            .collect();
        for f in 0..4 {
            out.push(fits.iter().map(|x| x[f]).collect());
        }
    }
    Ok((subjects.iter().map(|&s| s as i64).collect(), out))
}
