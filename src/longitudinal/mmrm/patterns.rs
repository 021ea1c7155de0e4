//! Sufficient statistics per visit pattern: subjects with the same set of
//! observed visits (and the same covariance group) share Σ's sub-matrix, its
//! Cholesky factor and inverse, so the likelihood only needs, per pattern,
//! `Sxx[a,b] = Σ_i x_ia x_ibᵀ`, `Sxy[a,b] = Σ_i x_ia y_ib` and
//! `Syy[a,b] = Σ_i y_ia y_ib` over the pattern's visits a, b. One pass over
//! the data builds them (in parallel over subjects for large data); every
//! evaluation then costs O(k²p²) per pattern, independent of the subjects.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::error::StatsError;

/// Long-format data of one model (rows in any order).
pub struct Data<'a> {
    /// n×p row-major design.
    pub x: &'a [f64],
    pub y: &'a [f64],
    pub p: usize,
    /// Subject code per row (0..n_subjects).
    pub subject: &'a [usize],
    /// Visit code per row (0..m).
    pub visit: &'a [usize],
    /// Covariance group per subject (0..n_groups).
    pub group: &'a [usize],
    pub m: usize,
    pub n_groups: usize,
}

/// One visit pattern of one group.
pub struct Pattern {
    pub group: usize,
    pub visits: Vec<usize>,
    pub count: usize,
    /// k·k blocks of p×p (block (a, b) at `(a·k + b)·p²`).
    pub sxx: Vec<f64>,
    /// k·k blocks of p.
    pub sxy: Vec<f64>,
    /// k×k.
    pub syy: Vec<f64>,
}

/// Rows per subject sorted by visit; checks codes and duplicates.
pub fn subject_rows(d: &Data) -> Result<Vec<Vec<usize>>, StatsError> {
    let n = d.y.len();
    let ns = d.group.len();
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); ns];
    for i in 0..n {
        let s = d.subject[i];
        if s >= ns {
            return Err(StatsError::invalid(
                "subject",
                i,
                s as f64,
                "subject code out of range",
                format!("0..{ns}"),
            ));
        }
        if d.visit[i] >= d.m {
            return Err(StatsError::invalid(
                "visit",
                i,
                d.visit[i] as f64,
                "visit code out of range",
                format!("0..{}", d.m),
            ));
        }
        rows[s].push(i);
    }
    for r in rows.iter_mut() {
        r.sort_by_key(|&i| d.visit[i]);
        for w in r.windows(2) {
            if d.visit[w[0]] == d.visit[w[1]] {
                return Err(StatsError::invalid(
                    "visit",
                    w[1],
                    d.visit[w[1]] as f64,
                    "a subject has two rows at one visit",
                    "one row per subject and visit",
                ));
            }
        }
    }
    Ok(rows)
}

fn empty(group: usize, visits: Vec<usize>, p: usize) -> Pattern {
    let k = visits.len();
    Pattern {
        group,
        visits,
        count: 0,
        sxx: vec![0.0; k * k * p * p],
        sxy: vec![0.0; k * k * p],
        syy: vec![0.0; k * k],
    }
}

fn add_subject(pt: &mut Pattern, d: &Data, rows: &[usize]) {
    let (p, k) = (d.p, rows.len());
    pt.count += 1;
    for a in 0..k {
        let xa = &d.x[rows[a] * p..rows[a] * p + p];
        for b in a..k {
            let xb = &d.x[rows[b] * p..rows[b] * p + p];
            let yb = d.y[rows[b]];
            let blk = &mut pt.sxx[(a * k + b) * p * p..(a * k + b + 1) * p * p];
            for (i, &xi) in xa.iter().enumerate() {
                if xi != 0.0 {
                    let r = &mut blk[i * p..i * p + p];
                    r.iter_mut().zip(xb).for_each(|(s, &xj)| *s += xi * xj);
                }
            }
            let v = &mut pt.sxy[(a * k + b) * p..(a * k + b + 1) * p];
            v.iter_mut().zip(xa).for_each(|(s, &xi)| *s += xi * yb);
            if a != b {
                let ya = d.y[rows[a]];
                let v = &mut pt.sxy[(b * k + a) * p..(b * k + a + 1) * p];
                v.iter_mut().zip(xb).for_each(|(s, &xi)| *s += xi * ya);
            }
            pt.syy[a * k + b] += d.y[rows[a]] * yb;
        }
    }
}

fn merge(into: &mut Pattern, from: Pattern) {
    into.count += from.count;
    into.sxx
        .iter_mut()
        .zip(&from.sxx)
        .for_each(|(a, b)| *a += b);
    into.sxy
        .iter_mut()
        .zip(&from.sxy)
        .for_each(|(a, b)| *a += b);
    into.syy
        .iter_mut()
        .zip(&from.syy)
        .for_each(|(a, b)| *a += b);
}

type Key = (usize, Vec<usize>);

fn accumulate(
    d: &Data,
    rows: &[Vec<usize>],
    subjects: std::ops::Range<usize>,
) -> HashMap<Key, Pattern> {
    let mut map: HashMap<Key, Pattern> = HashMap::new();
    for s in subjects {
        let r = &rows[s];
        if r.is_empty() {
            continue;
        }
        let vis: Vec<usize> = r.iter().map(|&i| d.visit[i]).collect();
        let key = (d.group[s], vis);
        let pt = map
            .entry(key.clone())
            .or_insert_with(|| empty(key.0, key.1, d.p));
        add_subject(pt, d, r);
    }
    map
}

/// The patterns of the data (sorted by group, then visits), lower blocks
/// filled from the upper ones.
pub fn build(d: &Data, rows: &[Vec<usize>]) -> Vec<Pattern> {
    let ns = rows.len();
    let chunk = 2048;
    let map = if ns > 2 * chunk {
        let starts: Vec<usize> = (0..ns).step_by(chunk).collect();
        starts
            .par_iter()
            .map(|&s| accumulate(d, rows, s..(s + chunk).min(ns)))
            .reduce(HashMap::new, |mut a, b| {
                for (k, v) in b {
                    match a.get_mut(&k) {
                        Some(t) => merge(t, v),
                        None => {
                            a.insert(k, v);
                        }
                    }
                }
                a
            })
    } else {
        accumulate(d, rows, 0..ns)
    };
    let mut out: Vec<Pattern> = map.into_values().collect();
    out.sort_by(|a, b| (a.group, &a.visits).cmp(&(b.group, &b.visits)));
    let p = d.p;
    for pt in out.iter_mut() {
        let k = pt.visits.len();
        for a in 0..k {
            for b in 0..a {
                for i in 0..p {
                    for j in 0..p {
                        pt.sxx[(a * k + b) * p * p + i * p + j] =
                            pt.sxx[(b * k + a) * p * p + j * p + i];
                    }
                }
                pt.syy[a * k + b] = pt.syy[b * k + a];
            }
        }
    }
    out
}
