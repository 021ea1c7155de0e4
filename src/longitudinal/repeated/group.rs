//! One pass that groups long-format rows by subject and orders each
//! subject's rows by time: a counting sort on the subject codes (rows in any
//! order), then a sort of each subject's few rows by time. Validates as it
//! goes: non-finite time, missing subject/time under `nan_policy='raise'`,
//! duplicate subject × time rows (both rows named).

use rayon::prelude::*;

use crate::common::{alloc, NanPolicy};
use crate::error::{Result, StatsError};

/// Rows grouped by subject: `order[start[s]..start[s + 1]]` are the rows of
/// subject code `s`, ascending in time. Rows with a missing subject or time
/// are left out and counted in `n_dropped`.
#[derive(Debug, Clone)]
pub struct Groups {
    pub order: Vec<u32>,
    pub start: Vec<usize>,
    pub n_dropped: usize,
}

impl Groups {
    pub fn n_codes(&self) -> usize {
        self.start.len() - 1
    }
    #[inline]
    pub fn rows(&self, s: usize) -> &[u32] {
        &self.order[self.start[s]..self.start[s + 1]]
    }
    /// Codes of the subjects that have at least one row, ascending.
    pub fn present(&self) -> Vec<usize> {
        present(&self.start)
    }
}

/// The same grouping without materialising the row order when the input is
/// already sorted by subject and time (`order` is then `None`: grouped
/// position `p` is row `p`). For helpers that only walk each subject's rows
/// (change from baseline, visit windows): a 10M-row identity order is 40 MB
/// written for nothing.
#[derive(Debug, Clone)]
pub struct Spans {
    pub order: Option<Vec<u32>>,
    pub start: Vec<usize>,
    pub n_dropped: usize,
}

impl Spans {
    pub fn n_codes(&self) -> usize {
        self.start.len() - 1
    }
    /// Grouped positions of subject code `s` (rows via [`Spans::row`]).
    #[inline]
    pub fn span(&self, s: usize) -> std::ops::Range<usize> {
        self.start[s]..self.start[s + 1]
    }
    /// The row at grouped position `p`.
    #[inline]
    pub fn row(&self, p: usize) -> usize {
        match &self.order {
            Some(o) => o[p] as usize,
            None => p,
        }
    }
    /// The first grouped position of subject `s` whose time is >= `t` (the
    /// span's end when none): a binary search on the subject's sorted times.
    pub fn first_at_or_after(&self, s: usize, time: &[f64], t: f64) -> usize {
        let (mut lo, mut hi) = (self.start[s], self.start[s + 1]);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if time[self.row(mid)] < t {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }
    /// Codes of the subjects that have at least one row, ascending.
    pub fn present(&self) -> Vec<usize> {
        present(&self.start)
    }
    /// The [`Groups`] (the identity order written out when the input was sorted).
    pub fn into_groups(self) -> Groups {
        let n = self.start.last().copied().unwrap_or(0);
        Groups {
            order: self.order.unwrap_or_else(|| alloc::iota_u32(n)),
            start: self.start,
            n_dropped: self.n_dropped,
        }
    }
}

fn present(start: &[usize]) -> Vec<usize> {
    (0..start.len() - 1)
        .into_par_iter()
        .filter(|&s| start[s + 1] > start[s])
        .collect()
}

/// The reason of the duplicate-row error; the Python layer recognises it and
/// adds the index labels of both rows.
pub const DUPLICATE: &str = "duplicate subject and time";

/// Group rows by `subject` code (`subject[i] - base`, in `0..n_codes`; a
/// negative code marks a missing subject) and sort each group by `time`.
pub fn group(
    subject: &[i64],
    base: i64,
    n_codes: usize,
    time: &[f64],
    nan_policy: NanPolicy,
) -> Result<Groups> {
    spans(subject, base, n_codes, time, nan_policy).map(Spans::into_groups)
}

/// [`group`] as [`Spans`]: no order written when the rows are already sorted.
pub fn spans(
    subject: &[i64],
    base: i64,
    n_codes: usize,
    time: &[f64],
    nan_policy: NanPolicy,
) -> Result<Spans> {
    let n = subject.len();
    if time.len() != n {
        return Err(StatsError::length("subject", n, "time", time.len()));
    }
    if n >= u32::MAX as usize {
        return Err(StatsError::argument(
            "data",
            format!("{n} rows; at most {} supported", u32::MAX - 1),
        ));
    }
    if let Some(g) = presorted(subject, base, n_codes, time) {
        return Ok(g);
    }
    // codes and checks (u32::MAX marks a dropped row)
    let codes: Vec<u32> = {
        let mut codes = alloc::filled(n, 0u32);
        let chunk = 1 << 16;
        let err = codes
            .par_chunks_mut(chunk)
            .enumerate()
            .filter_map(|(c, out)| {
                for (j, o) in out.iter_mut().enumerate() {
                    let i = c * chunk + j;
                    let t = time[i];
                    let code = subject[i].wrapping_sub(base);
                    if t.is_infinite() {
                        return Some(StatsError::invalid(
                            "time",
                            i,
                            t,
                            "not finite",
                            "time must be a finite number",
                        ));
                    }
                    if code < 0 || t.is_nan() {
                        if nan_policy == NanPolicy::Raise {
                            let (arg, v) = if code < 0 {
                                ("subject", f64::NAN)
                            } else {
                                ("time", t)
                            };
                            return Some(StatsError::invalid(
                                arg,
                                i,
                                v,
                                crate::common::check::MISSING,
                                "a subject and a time on every row",
                            ));
                        }
                        *o = u32::MAX;
                        continue;
                    }
                    if code as u64 >= n_codes as u64 {
                        return Some(StatsError::argument(
                            "subject",
                            format!("internal: code {code} outside 0..{n_codes}"),
                        ));
                    }
                    *o = code as u32;
                }
                None
            })
            .min_by_key(|e| e.row());
        if let Some(e) = err {
            return Err(e);
        }
        codes
    };
    // counting sort by code (stable: rows of a subject keep their input order)
    let mut start = vec![0usize; n_codes + 1];
    let mut n_dropped = 0usize;
    for &c in &codes {
        if c == u32::MAX {
            n_dropped += 1;
        } else {
            start[c as usize + 1] += 1;
        }
    }
    for s in 0..n_codes {
        start[s + 1] += start[s];
    }
    let mut order = alloc::filled(n - n_dropped, 0u32);
    {
        let mut next = start.clone();
        for (i, &c) in codes.iter().enumerate() {
            if c != u32::MAX {
                let p = &mut next[c as usize];
                order[*p] = i as u32;
                *p += 1;
            }
        }
    }
    drop(codes);
    // sort each subject's rows by time, in parallel blocks of subjects
    let dup = sort_by_time(&mut order, &start, time);
    if let Some((first, second)) = dup {
        return Err(StatsError::invalid(
            "time",
            second,
            time[second],
            DUPLICATE,
            format!("one row per subject and time; row {first} has the same subject and time"),
        ));
    }
    Ok(Spans {
        order: Some(order),
        start,
        n_dropped,
    })
}

/// The usual layout, rows already sorted by subject and then strictly by
/// time, every row with a subject and a finite time: the groups are runs of
/// the input, found in one parallel pass that checks the order and notes
/// where each run starts (no codes, no sort, no order written, no duplicate
/// possible). None when anything is otherwise (the general path then sorts
/// and reports what is wrong).
fn presorted(subject: &[i64], base: i64, n_codes: usize, time: &[f64]) -> Option<Spans> {
    let n = subject.len();
    let runs = sorted_runs(subject, base, n_codes, time)?;
    // start[s] = the first row of the first subject with code >= s
    let mut start = vec![0usize; n_codes + 1];
    let mut next = 0usize; // the lowest code whose start is not yet set
    for &row in &runs {
        let c = subject[row as usize].wrapping_sub(base) as usize;
        start[next..=c].fill(row as usize);
        next = c + 1;
    }
    start[next..].fill(n);
    Some(Spans {
        order: None,
        start,
        n_dropped: 0,
    })
}

/// The first row of each subject's run when the rows are sorted by subject and
/// strictly by time, with a subject (code in `0..n_codes`) and a finite time
/// on every row: one parallel pass. None when the rows are otherwise.
pub fn sorted_runs(subject: &[i64], base: i64, n_codes: usize, time: &[f64]) -> Option<Vec<u32>> {
    let n = subject.len();
    if time.len() != n || n >= u32::MAX as usize {
        return None;
    }
    let chunk = 1 << 16;
    // per chunk: the rows where a new subject starts (None: not sorted)
    let runs: Vec<Option<Vec<u32>>> = (0..n.div_ceil(chunk))
        .into_par_iter()
        .map(|ci| {
            let lo = ci * chunk;
            let hi = (lo + chunk).min(n);
            let (mut pc, mut pt) = match lo {
                0 => (-1i64, f64::NEG_INFINITY),
                _ => (subject[lo - 1].wrapping_sub(base), time[lo - 1]),
            };
            let mut ok = true;
            let mut starts = Vec::with_capacity((hi - lo) / 4 + 1);
            for (i, (&sv, &t)) in subject[lo..hi].iter().zip(&time[lo..hi]).enumerate() {
                // (non-short-circuit `&`/`|`: no branches but the run start)
                let c = sv.wrapping_sub(base);
                let new = c != pc;
                ok &= ((c as u64) < n_codes as u64) & t.is_finite();
                ok &= (c > pc) | (!new & (t > pt));
                if new {
                    starts.push((lo + i) as u32);
                }
                (pc, pt) = (c, t);
            }
            ok.then_some(starts)
        })
        .collect();
    let mut out = Vec::with_capacity(runs.iter().map(|r| r.as_ref().map_or(0, Vec::len)).sum());
    for r in runs {
        out.extend(r?);
    }
    Some(out)
}

/// Sort each group by time; the duplicate pair (earlier row, later row) with
/// the lowest later row, if any.
fn sort_by_time(order: &mut [u32], start: &[usize], time: &[f64]) -> Option<(usize, usize)> {
    let n_codes = start.len() - 1;
    // split into blocks of whole subjects (~64k rows each) to sort in parallel
    let target = 1usize << 16;
    let mut cuts = vec![0usize];
    let mut last = 0usize;
    for s in 1..=n_codes {
        if start[s] - start[last] >= target || s == n_codes {
            cuts.push(s);
            last = s;
        }
    }
    if cuts.len() == 1 {
        cuts.push(n_codes);
    }
    let mut pieces: Vec<(usize, &mut [u32])> = Vec::with_capacity(cuts.len());
    let mut rest: &mut [u32] = order;
    for w in cuts.windows(2) {
        let len = start[w[1]] - start[w[0]];
        let (a, b) = rest.split_at_mut(len);
        pieces.push((w[0], a));
        rest = b;
    }
    pieces
        .into_par_iter()
        .filter_map(|(s0, piece)| {
            let off = start[s0];
            let mut found: Option<(usize, usize)> = None;
            let mut s = s0;
            while s < n_codes && start[s] - off < piece.len() {
                let g = &mut piece[start[s] - off..start[s + 1] - off];
                if g.len() > 1 {
                    g.sort_by(|&a, &b| time[a as usize].total_cmp(&time[b as usize]));
                    for w in g.windows(2) {
                        if time[w[0] as usize] == time[w[1] as usize] {
                            let (a, b) = (w[0].min(w[1]) as usize, w[0].max(w[1]) as usize);
                            if found.is_none_or(|f| b < f.1) {
                                found = Some((a, b));
                            }
                        }
                    }
                }
                s += 1;
            }
            found
        })
        .min_by_key(|f| f.1)
}

/// The sorted distinct times of the grouped rows (the visits of the
/// nonparametric tests) and each grouped row's visit index.
pub fn levels(g: &Groups, time: &[f64]) -> Vec<f64> {
    let mut t: Vec<f64> = g.order.iter().map(|&i| time[i as usize]).collect();
    t.sort_unstable_by(f64::total_cmp);
    t.dedup_by(|a, b| *a == *b);
    t
}
