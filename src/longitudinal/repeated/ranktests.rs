//! Nonparametric tests over visits on grouped rows: Friedman (ties as R
//! `friedman.test`), Cochran's Q (binary outcome), Skillings–Mack (missing
//! cells; Skillings & Mack 1981, as the R package `Skillings.Mack`) and
//! Page's trend test (normal approximation, as scipy `page_trend_test`).
//! Blocks are subjects, treatments are the distinct times. Many value
//! columns in one call: rayon over columns.

use ndarray::ArrayView2;
use rayon::prelude::*;

use super::group::{levels, Groups};
use crate::common::check::MISSING;
use crate::common::{dist, linalg, Alternative, NanPolicy};
use crate::error::{Result, StatsError};

const NONE: u32 = u32::MAX;

/// The subject × visit layout: `cells[b * k + v]` is the row of present
/// subject `b` at visit `v` (or `u32::MAX`).
#[derive(Debug, Clone)]
pub struct Blocks {
    pub levels: Vec<f64>,
    pub cells: Vec<u32>,
    pub n_blocks: usize,
}

impl Blocks {
    pub fn new(g: &Groups, time: &[f64]) -> Blocks {
        let levels = levels(g, time);
        let k = levels.len();
        let present = g.present();
        let mut cells = vec![NONE; present.len() * k];
        cells
            .par_chunks_mut(k.max(1))
            .zip(present.par_iter())
            .for_each(|(c, &s)| {
                let mut v = 0usize;
                for &r in g.rows(s) {
                    let t = time[r as usize];
                    while levels[v] < t {
                        v += 1;
                    }
                    c[v] = r;
                }
            });
        Blocks {
            levels,
            cells,
            n_blocks: present.len(),
        }
    }
    pub fn k(&self) -> usize {
        self.levels.len()
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Test {
    Friedman,
    Cochran,
    SkillingsMack,
    Page(Alternative),
}

/// One test on one value column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TestOutput {
    pub statistic: f64,
    pub df: f64,
    pub pvalue: f64,
    /// Page only: the standardised L.
    pub z: f64,
    /// Blocks (subjects) used.
    pub n: usize,
    /// Subjects left out (incomplete; fewer than two visits for Skillings–Mack).
    pub n_dropped: usize,
    /// Missing values among the subjects' rows.
    pub n_missing: usize,
}

/// Run `test` on every column of `values` (rows × columns).
pub fn run(
    b: &Blocks,
    values: ArrayView2<'_, f64>,
    test: Test,
    policy: NanPolicy,
) -> Result<Vec<TestOutput>> {
    if b.k() < 2 {
        return Err(StatsError::too_few("time", b.k(), 2));
    }
    let outs: Vec<Result<TestOutput>> = (0..values.ncols())
        .into_par_iter()
        .map(|j| column(b, values, j, test, policy))
        .collect();
    outs.into_iter().collect()
}

/// Mid-ranks of `x` (small k: counting) into `r`; returns sum(t^3 - t).
#[inline]
fn block_ranks(x: &[f64], r: &mut [f64]) -> f64 {
    let mut ties = 0.0;
    for (i, &xi) in x.iter().enumerate() {
        let (mut below, mut equal) = (0usize, 0usize);
        for &xj in x {
            below += (xj < xi) as usize;
            equal += (xj == xi) as usize;
        }
        r[i] = below as f64 + (equal as f64 + 1.0) / 2.0;
        // each member of a tie group of size t adds t^2 - 1: the group adds t^3 - t
        ties += (equal * equal - 1) as f64;
    }
    ties
}

fn column(
    b: &Blocks,
    values: ArrayView2<'_, f64>,
    j: usize,
    test: Test,
    policy: NanPolicy,
) -> Result<TestOutput> {
    let k = b.k();
    let nan = f64::NAN;
    // checks: missing values, binary outcome; the lowest offending row wins
    let mut n_missing = 0usize;
    let mut bad: Option<(usize, f64, bool)> = None;
    for &r in &b.cells {
        if r == NONE {
            continue;
        }
        let v = values[(r as usize, j)];
        let (missing, nonbinary) = (
            v.is_nan(),
            test == Test::Cochran && !v.is_nan() && v != 0.0 && v != 1.0,
        );
        n_missing += missing as usize;
        if (nonbinary || (missing && policy == NanPolicy::Raise))
            && bad.is_none_or(|(row, _, _)| (r as usize) < row)
        {
            bad = Some((r as usize, v, nonbinary));
        }
    }
    if let Some((row, v, nonbinary)) = bad {
        return Err(if nonbinary {
            StatsError::invalid_at(
                "value",
                row,
                j,
                v,
                "not binary",
                "cochran_q needs a 0/1 (False/True) outcome",
            )
        } else {
            StatsError::invalid_at("value", row, j, v, MISSING, "a value on every row")
        });
    }
    let empty = TestOutput {
        statistic: nan,
        df: (k - 1) as f64,
        pvalue: nan,
        z: nan,
        n: 0,
        n_dropped: 0,
        n_missing,
    };
    if n_missing > 0 && policy == NanPolicy::Propagate {
        return Ok(TestOutput {
            n: b.n_blocks,
            ..empty
        });
    }
    let mut x = vec![0.0; k];
    let mut r = vec![0.0; k];
    let mut rank_sum = vec![0.0; k];
    let (mut n, mut ties) = (0usize, 0.0f64);
    match test {
        Test::Friedman | Test::Page(_) | Test::Cochran => {
            let mut row_sq = 0.0; // Cochran: sum of squared block totals
            for blk in b.cells.chunks(k) {
                let mut complete = true;
                for (v, &c) in blk.iter().enumerate() {
                    x[v] = if c == NONE { nan } else { values[(c as usize, j)] };
                    complete &= !x[v].is_nan();
                }
                if !complete {
                    continue;
                }
                n += 1;
                if test == Test::Cochran {
                    let tot: f64 = x.iter().sum();
                    row_sq += tot * tot;
                    for v in 0..k {
                        rank_sum[v] += x[v];
                    }
                } else {
                    ties += block_ranks(&x, &mut r);
                    for v in 0..k {
                        rank_sum[v] += r[v];
                    }
                }
            }
            let mut out = TestOutput {
                n,
                n_dropped: b.n_blocks - n,
                ..empty
            };
            if n == 0 {
                return Ok(out);
            }
            let (nf, kf) = (n as f64, k as f64);
            match test {
                Test::Friedman => {
                    let mid = nf * (kf + 1.0) / 2.0;
                    let ss: f64 = rank_sum.iter().map(|&s| (s - mid) * (s - mid)).sum();
                    let den = nf * kf * (kf + 1.0) - ties / (kf - 1.0);
                    out.statistic = if den > 0.0 { 12.0 * ss / den } else { nan };
                }
                Test::Cochran => {
                    let total: f64 = rank_sum.iter().sum();
                    let csq: f64 = rank_sum.iter().map(|c| c * c).sum();
                    let den = kf * total - row_sq;
                    out.statistic = if den > 0.0 {
                        (kf - 1.0) * (kf * csq - total * total) / den
                    } else {
                        nan
                    };
                }
                Test::Page(alt) => {
                    let l: f64 = rank_sum
                        .iter()
                        .enumerate()
                        .map(|(v, s)| (v + 1) as f64 * s)
                        .sum();
                    let e = nf * kf * (kf + 1.0).powi(2) / 4.0;
                    let var = nf * kf * kf * (kf + 1.0) * (kf * kf - 1.0) / 144.0;
                    let z = (l - e) / var.sqrt();
                    out.statistic = l;
                    out.z = z;
                    out.df = nan;
                    out.pvalue = match alt {
                        Alternative::Greater => dist::norm_sf(z),
                        Alternative::Less => dist::norm_cdf(z),
                        Alternative::TwoSided => (2.0 * dist::norm_sf(z.abs())).min(1.0),
                    };
                    return Ok(out);
                }
                Test::SkillingsMack => {}
            }
            if !out.statistic.is_nan() {
                out.pvalue = dist::chi2_sf(out.statistic, kf - 1.0)?;
            }
            Ok(out)
        }
        Test::SkillingsMack => skillings_mack(b, values, j, empty),
    }
}

/// Skillings & Mack (1981): within each block with k_i >= 2 observed visits,
/// mid-ranks r; adjusted sums A_v = sum_i sqrt(12 / (k_i + 1)) (r_iv − (k_i + 1) / 2)
/// (a missing cell contributes 0); covariance Σ with off-diagonal −λ_st (blocks
/// where s and t are both observed) and diagonal sum_{s≠t} λ_st;
/// SM = Aᵀ Σ⁻ A on the visits observed at all, chi-squared with (visits − 1) df.
fn skillings_mack(
    b: &Blocks,
    values: ArrayView2<'_, f64>,
    j: usize,
    empty: TestOutput,
) -> Result<TestOutput> {
    let k = b.k();
    let mut lam = vec![0.0; k * k];
    let mut a = vec![0.0; k];
    let (mut xs, mut rs, mut idx) = (Vec::with_capacity(k), vec![0.0; k], Vec::with_capacity(k));
    let mut n = 0usize;
    for blk in b.cells.chunks(k) {
        xs.clear();
        idx.clear();
        for (v, &c) in blk.iter().enumerate() {
            if c != NONE {
                let x = values[(c as usize, j)];
                if !x.is_nan() {
                    xs.push(x);
                    idx.push(v);
                }
            }
        }
        let ki = xs.len();
        if ki < 2 {
            continue;
        }
        n += 1;
        block_ranks(&xs, &mut rs[..ki]);
        let w = (12.0 / (ki as f64 + 1.0)).sqrt();
        let mid = (ki as f64 + 1.0) / 2.0;
        for (q, &v) in idx.iter().enumerate() {
            a[v] += w * (rs[q] - mid);
            for &u in &idx {
                if u != v {
                    lam[v * k + u] += 1.0;
                }
            }
        }
    }
    let mut out = TestOutput {
        n,
        n_dropped: b.n_blocks - n,
        ..empty
    };
    // visits observed in some used block
    let keep: Vec<usize> = (0..k)
        .filter(|&v| (0..k).any(|u| lam[v * k + u] > 0.0))
        .collect();
    let kk = keep.len();
    if kk < 2 {
        out.df = kk.saturating_sub(1) as f64;
        return Ok(out);
    }
    // drop the last kept visit: Σ restricted to the others is invertible for a connected design
    let p = kk - 1;
    let mut sig = vec![0.0; p * p];
    for (i1, &v) in keep[..p].iter().enumerate() {
        for (i2, &u) in keep[..p].iter().enumerate() {
            sig[i1 * p + i2] = if v == u {
                keep.iter().map(|&w| lam[v * k + w]).sum()
            } else {
                -lam[v * k + u]
            };
        }
    }
    let av: Vec<f64> = keep[..p].iter().map(|&v| a[v]).collect();
    out.df = p as f64;
    if let Some(x) = linalg::solve(&sig, &av, p) {
        let sm: f64 = av.iter().zip(&x).map(|(u, v)| u * v).sum();
        out.statistic = sm.max(0.0);
        out.pvalue = dist::chi2_sf(out.statistic, p as f64)?;
    }
    Ok(out)
}
