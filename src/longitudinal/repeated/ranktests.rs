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
    /// Every cell present and `cells[i] == i` (rows sorted by subject and
    /// visit, no missed visit): a block is `k` adjacent rows, read without
    /// the cell lookup.
    pub dense: bool,
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
        let dense = cells.iter().enumerate().all(|(i, &c)| c as usize == i);
        Blocks {
            levels,
            cells,
            n_blocks: present.len(),
            dense,
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

/// Mid-ranks of `x` (small k: pairwise counting, branch-free) into `r`;
/// `e` is scratch of the same length. Returns sum(t^3 - t) over tie groups.
#[inline]
fn block_ranks(x: &[f64], r: &mut [f64], e: &mut [f64]) -> f64 {
    let k = x.len();
    let (r, e) = (&mut r[..k], &mut e[..k]);
    r.fill(1.0);
    e.fill(1.0);
    for i in 0..k {
        for j in i + 1..k {
            let lt = ((x[i] < x[j]) as u8) as f64;
            let eq = ((x[i] == x[j]) as u8) as f64;
            let gt = 1.0 - lt - eq;
            r[i] += gt + 0.5 * eq;
            r[j] += lt + 0.5 * eq;
            e[i] += eq;
            e[j] += eq;
        }
    }
    // each member of a tie group of size t adds t^2 - 1: the group adds t^3 - t
    e.iter().map(|&t| t * t - 1.0).sum()
}

/// Sums over the complete blocks of one column (ranks within blocks, or the
/// raw 0/1 values for Cochran's Q) and what the checks need.
struct Acc {
    n: usize,
    ties: f64,
    sums: Vec<f64>,
    row_sq: f64,
    n_missing: usize,
    nonbinary: bool,
}

/// One complete block's pairwise comparisons added to the running counts:
/// `below[v]` += #{u: x_u < x_v}, `equal[v]` += #{u ≠ v: x_u = x_v}; `m`
/// (zeroed scratch) ends with the block's equal counts. Returns the block's
/// tie term sum_i (e_i^2 - 1) = sum_i m_i (m_i + 2).
#[inline(always)]
fn pair_counts(x: &[f64], below: &mut [u64], equal: &mut [u64], m: &mut [u64]) -> u64 {
    let k = x.len();
    let (below, equal, m) = (&mut below[..k], &mut equal[..k], &mut m[..k]);
    for i in 0..k {
        for j in i + 1..k {
            let (a, b) = (x[i], x[j]);
            below[j] += (a < b) as u64;
            below[i] += (b < a) as u64;
            let eq = (a == b) as u64;
            m[i] += eq;
            m[j] += eq;
        }
    }
    let mut ties = 0;
    for (e, &mi) in equal.iter_mut().zip(m.iter()) {
        *e += mi;
        ties += mi * (mi + 2);
    }
    ties
}

/// [`accumulate`] for the common layout: every block is `K` adjacent rows
/// (see [`Blocks::dense`]) and the column has no missing value, so the pair
/// counts run without lookups or per-value branches.
fn dense_ranks<const K: usize>(col: &[f64]) -> Acc {
    let mut below = [0u64; K];
    let mut equal = [0u64; K];
    let mut ties: u64 = 0;
    let mut n = 0usize;
    for blk in col.chunks_exact(K) {
        let mut x = [0.0f64; K];
        x.copy_from_slice(blk);
        let mut m = [0u64; K];
        ties += pair_counts(&x, &mut below, &mut equal, &mut m);
        n += 1;
    }
    let nf = n as f64;
    Acc {
        n,
        ties: ties as f64,
        sums: (0..K)
            .map(|v| nf + below[v] as f64 + 0.5 * equal[v] as f64)
            .collect(),
        row_sq: 0.0,
        n_missing: 0,
        nonbinary: false,
    }
}

/// One pass over the blocks of `col`, `K` visits known at compile time (so
/// the pairwise loops unroll); `K = 0` means "use `k`".
///
/// A complete block's mid-rank of visit v is 1 + #{u: x_u < x_v} +
/// #{u ≠ v: x_u = x_v} / 2, so the rank sums are kept as integer counts
/// over all blocks (`below[v]`, `equal[v]`) and turned into halves once at
/// the end: the same numbers as summing the per-block mid-ranks (every
/// partial sum is a multiple of 1/2 far below 2^52), with no float work per
/// pair. The tie term sums t^3 - t over tie groups as sum_i (e_i^2 - 1),
/// e_i = 1 + m_i the size of i's tie group.
fn accumulate<const K: usize>(b: &Blocks, col: &[f64], k: usize, cochran: bool) -> Acc {
    let k = if K > 0 { K } else { k };
    if K > 0 && !cochran && b.dense && col.len() == b.cells.len() && !col.iter().any(|v| v.is_nan())
    {
        return dense_ranks::<K>(col);
    }
    let mut acc = Acc {
        n: 0,
        ties: 0.0,
        sums: vec![0.0; k],
        row_sq: 0.0,
        n_missing: 0,
        nonbinary: false,
    };
    // fixed-size scratch on the stack when K is known, so the loops unroll
    let mut heap_x = vec![0.0; if K > 0 { 0 } else { k }];
    let mut heap_c = vec![0u64; if K > 0 { 0 } else { 3 * k }];
    let mut stack_x = [0.0f64; 8];
    let mut stack_c = [0u64; 24];
    let x = if K > 0 {
        &mut stack_x[..k]
    } else {
        &mut heap_x[..]
    };
    let c = if K > 0 {
        &mut stack_c[..3 * k]
    } else {
        &mut heap_c[..]
    };
    let (below, rest) = c.split_at_mut(k);
    let (equal, m) = rest.split_at_mut(k);
    let mut ties: u64 = 0;
    let dense = b.dense && col.len() == b.cells.len();
    for (bi, blk) in b.cells.chunks_exact(k).enumerate() {
        let mut complete = true;
        if dense {
            x.copy_from_slice(&col[bi * k..bi * k + k]);
            for &v in x.iter() {
                if v.is_nan() {
                    acc.n_missing += 1;
                    complete = false;
                } else if cochran && v != 0.0 && v != 1.0 {
                    acc.nonbinary = true;
                }
            }
        } else {
            for (xv, &c) in x.iter_mut().zip(&blk[..k]) {
                if c == NONE {
                    complete = false;
                    *xv = f64::NAN;
                } else {
                    let v = col[c as usize];
                    *xv = v;
                    if v.is_nan() {
                        acc.n_missing += 1;
                        complete = false;
                    } else if cochran && v != 0.0 && v != 1.0 {
                        acc.nonbinary = true;
                    }
                }
            }
        }
        if !complete {
            continue;
        }
        acc.n += 1;
        if cochran {
            let tot: f64 = x.iter().sum();
            acc.row_sq += tot * tot;
            for (s, &v) in acc.sums.iter_mut().zip(x.iter()) {
                *s += v;
            }
        } else {
            m.fill(0);
            ties += pair_counts(x, below, equal, m);
        }
    }
    if !cochran {
        let n = acc.n as f64;
        for ((s, &lo), &eq) in acc.sums.iter_mut().zip(below.iter()).zip(equal.iter()) {
            *s = n + lo as f64 + 0.5 * eq as f64;
        }
        acc.ties = ties as f64;
    }
    acc
}

/// The lowest row with a missing value (under 'raise') or a non-binary value.
fn first_bad(
    b: &Blocks,
    col: &[f64],
    j: usize,
    cochran: bool,
    policy: NanPolicy,
) -> Option<StatsError> {
    let mut bad: Option<(usize, f64, bool)> = None;
    for &r in &b.cells {
        if r == NONE {
            continue;
        }
        let v = col[r as usize];
        let missing = v.is_nan();
        let nonbinary = cochran && !missing && v != 0.0 && v != 1.0;
        if (nonbinary || (missing && policy == NanPolicy::Raise))
            && bad.is_none_or(|(row, _, _)| (r as usize) < row)
        {
            bad = Some((r as usize, v, nonbinary));
        }
    }
    bad.map(|(row, v, nonbinary)| {
        if nonbinary {
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
        }
    })
}

fn column(
    b: &Blocks,
    values: ArrayView2<'_, f64>,
    j: usize,
    test: Test,
    policy: NanPolicy,
) -> Result<TestOutput> {
    let owned;
    let colv = values.column(j);
    let col: &[f64] = match colv.as_slice() {
        Some(s) => s,
        None => {
            owned = colv.to_vec();
            &owned
        }
    };
    let k = b.k();
    let nan = f64::NAN;
    let cochran = test == Test::Cochran;
    if test == Test::SkillingsMack {
        if let Some(e) = first_bad(b, col, j, false, policy) {
            return Err(e);
        }
        let n_missing = b
            .cells
            .iter()
            .filter(|&&c| c != NONE && col[c as usize].is_nan())
            .count();
        let empty = TestOutput {
            statistic: nan,
            df: (k - 1) as f64,
            pvalue: nan,
            z: nan,
            n: b.n_blocks,
            n_dropped: 0,
            n_missing,
        };
        if n_missing > 0 && policy == NanPolicy::Propagate {
            return Ok(empty);
        }
        return skillings_mack(b, col, empty);
    }
    let acc = match k {
        2 => accumulate::<2>(b, col, k, cochran),
        3 => accumulate::<3>(b, col, k, cochran),
        4 => accumulate::<4>(b, col, k, cochran),
        5 => accumulate::<5>(b, col, k, cochran),
        6 => accumulate::<6>(b, col, k, cochran),
        7 => accumulate::<7>(b, col, k, cochran),
        8 => accumulate::<8>(b, col, k, cochran),
        _ => accumulate::<0>(b, col, k, cochran),
    };
    if acc.nonbinary || (acc.n_missing > 0 && policy == NanPolicy::Raise) {
        if let Some(e) = first_bad(b, col, j, cochran, policy) {
            return Err(e);
        }
    }
    let mut out = TestOutput {
        statistic: nan,
        df: (k - 1) as f64,
        pvalue: nan,
        z: nan,
        n: acc.n,
        n_dropped: b.n_blocks - acc.n,
        n_missing: acc.n_missing,
    };
    if acc.n_missing > 0 && policy == NanPolicy::Propagate {
        out.n = b.n_blocks;
        out.n_dropped = 0;
        return Ok(out);
    }
    if acc.n == 0 {
        return Ok(out);
    }
    let (nf, kf) = (acc.n as f64, k as f64);
    match test {
        Test::Friedman => {
            let mid = nf * (kf + 1.0) / 2.0;
            let ss: f64 = acc.sums.iter().map(|&s| (s - mid) * (s - mid)).sum();
            let den = nf * kf * (kf + 1.0) - acc.ties / (kf - 1.0);
            out.statistic = if den > 0.0 { 12.0 * ss / den } else { nan };
        }
        Test::Cochran => {
            let total: f64 = acc.sums.iter().sum();
            let csq: f64 = acc.sums.iter().map(|c| c * c).sum();
            let den = kf * total - acc.row_sq;
            out.statistic = if den > 0.0 {
                (kf - 1.0) * (kf * csq - total * total) / den
            } else {
                nan
            };
        }
        Test::Page(alt) => {
            let l: f64 = acc
                .sums
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

/// Skillings & Mack (1981): within each block with k_i >= 2 observed visits,
/// mid-ranks r; adjusted sums A_v = sum_i sqrt(12 / (k_i + 1)) (r_iv − (k_i + 1) / 2)
/// (a missing cell contributes 0); covariance Σ with off-diagonal −λ_st (blocks
/// where s and t are both observed) and diagonal sum_{s≠t} λ_st;
/// SM = Aᵀ Σ⁻ A on the visits observed at all, chi-squared with (visits − 1) df.
fn skillings_mack(b: &Blocks, col: &[f64], empty: TestOutput) -> Result<TestOutput> {
    let k = b.k();
    let mut lam = vec![0.0; k * k];
    let mut a = vec![0.0; k];
    let (mut xs, mut rs, mut es, mut idx) = (
        Vec::with_capacity(k),
        vec![0.0; k],
        vec![0.0; k],
        Vec::with_capacity(k),
    );
    let mut n = 0usize;
    for blk in b.cells.chunks(k) {
        xs.clear();
        idx.clear();
        for (v, &c) in blk.iter().enumerate() {
            if c != NONE {
                let x = col[c as usize];
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
        block_ranks(&xs, &mut rs[..ki], &mut es[..ki]);
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
