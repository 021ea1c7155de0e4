//! Contingency tables: Pearson's chi-squared test (Yates' correction for 2x2)
//! as R `chisq.test`, and Fisher's exact test as R `fisher.test`: the 2x2
//! conditional MLE odds ratio with its exact CI, and the exact r x c p-value
//! (probabilities <= observed x (1 + 1e-7), summed over all tables with the
//! observed margins by a network algorithm with bounds, after Mehta & Patel).

use std::collections::HashMap;

use ndarray::{Array2, ArrayView2};

use crate::common::alternative::check_conf_level;
use crate::common::exact::{bisect_increasing, ln_fact};
use crate::common::{dist, Alternative};
use crate::error::{Result, StatsError};

/// A checked table of counts: non-negative integers, no empty row or column.
pub struct Table {
    pub counts: Array2<f64>,
    pub row_sums: Vec<f64>,
    pub col_sums: Vec<f64>,
    pub total: f64,
}

pub fn check_table(t: ArrayView2<'_, f64>) -> Result<Table> {
    let (r, c) = t.dim();
    if r < 2 || c < 2 {
        return Err(StatsError::argument(
            "table",
            format!("expected at least a 2 x 2 table, got {r} x {c}"),
        ));
    }
    for ((i, j), &v) in t.indexed_iter() {
        if !(v >= 0.0 && v.is_finite() && v.fract() == 0.0) {
            let reason = if v.is_nan() {
                "missing"
            } else if v < 0.0 {
                "negative count"
            } else {
                "not an integer count"
            };
            return Err(StatsError::invalid_at(
                "table",
                i,
                j,
                v,
                reason,
                "counts are integers >= 0",
            ));
        }
    }
    let row_sums: Vec<f64> = t.rows().into_iter().map(|r| r.sum()).collect();
    let col_sums: Vec<f64> = t.columns().into_iter().map(|c| c.sum()).collect();
    if let Some(i) = row_sums.iter().position(|&s| s == 0.0) {
        return Err(StatsError::argument(
            "table",
            format!("row {i} sums to 0 (a zero margin); drop empty rows/columns first"),
        ));
    }
    if let Some(j) = col_sums.iter().position(|&s| s == 0.0) {
        return Err(StatsError::argument(
            "table",
            format!("column {j} sums to 0 (a zero margin); drop empty rows/columns first"),
        ));
    }
    let total = row_sums.iter().sum();
    Ok(Table {
        counts: t.to_owned(),
        row_sums,
        col_sums,
        total,
    })
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChisqOutput {
    pub statistic: f64,
    pub df: f64,
    pub pvalue: f64,
    pub expected: Array2<f64>,
    /// Yates' correction was applied (2x2 and `correction`).
    pub corrected: bool,
}

/// Pearson's chi-squared test of independence; Yates' correction
/// `min(0.5, |O - E|)` for a 2x2 table when `correction`.
pub fn chisq(t: ArrayView2<'_, f64>, correction: bool) -> Result<ChisqOutput> {
    let tab = check_table(t)?;
    let (r, c) = tab.counts.dim();
    let expected = Array2::from_shape_fn((r, c), |(i, j)| {
        tab.row_sums[i] * tab.col_sums[j] / tab.total
    });
    let corrected = correction && r == 2 && c == 2;
    let mut stat = 0.0;
    for ((i, j), &o) in tab.counts.indexed_iter() {
        let e = expected[[i, j]];
        let mut d = (o - e).abs();
        if corrected {
            d -= d.min(0.5);
        }
        stat += d * d / e;
    }
    let df = ((r - 1) * (c - 1)) as f64;
    Ok(ChisqOutput {
        statistic: stat,
        df,
        pvalue: dist::chi2_sf(stat, df)?,
        expected,
        corrected,
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FisherOutput {
    pub pvalue: f64,
    /// Conditional MLE of the odds ratio (2x2 only; NaN otherwise).
    pub estimate: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// The noncentral hypergeometric distribution of the (1,1) cell of a 2x2 table.
struct NcHyper {
    lo: f64,
    hi: f64,
    logdc: Vec<f64>,
}

impl NcHyper {
    fn new(m: f64, n: f64, k: f64) -> Self {
        let lo = (k - n).max(0.0);
        let hi = k.min(m);
        let mut logdc = Vec::new();
        let mut x = lo;
        let lt = ln_fact(m + n) - ln_fact(k) - ln_fact(m + n - k);
        while x <= hi {
            // dhyper(x, m, n, k) = C(m, x) C(n, k - x) / C(m + n, k)
            logdc.push(
                ln_fact(m) - ln_fact(x) - ln_fact(m - x) + ln_fact(n)
                    - ln_fact(k - x)
                    - ln_fact(n - k + x)
                    - lt,
            );
            x += 1.0;
        }
        NcHyper { lo, hi, logdc }
    }
    fn support(&self) -> impl Iterator<Item = f64> + '_ {
        (0..self.logdc.len()).map(move |i| self.lo + i as f64)
    }
    fn density(&self, ncp: f64) -> Vec<f64> {
        let lncp = ncp.ln();
        let d: Vec<f64> = self
            .logdc
            .iter()
            .zip(self.support())
            .map(|(l, x)| if ncp == 1.0 { *l } else { l + lncp * x })
            .collect();
        let mx = d.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = d.iter().map(|v| (v - mx).exp()).collect();
        let s: f64 = e.iter().sum();
        e.into_iter().map(|v| v / s).collect()
    }
    fn mean(&self, ncp: f64) -> f64 {
        if ncp == 0.0 {
            return self.lo;
        }
        if ncp.is_infinite() {
            return self.hi;
        }
        self.density(ncp)
            .iter()
            .zip(self.support())
            .map(|(p, x)| p * x)
            .sum()
    }
    /// P(X <= q) (or P(X >= q) with `upper`) under `ncp`.
    fn tail(&self, q: f64, ncp: f64, upper: bool) -> f64 {
        if ncp == 0.0 {
            return if upper {
                (q <= self.lo) as u8 as f64
            } else {
                (q >= self.lo) as u8 as f64
            };
        }
        if ncp.is_infinite() {
            return if upper {
                (q <= self.hi) as u8 as f64
            } else {
                (q >= self.hi) as u8 as f64
            };
        }
        self.density(ncp)
            .iter()
            .zip(self.support())
            .filter(|(_, x)| if upper { *x >= q } else { *x <= q })
            .map(|(p, _)| p)
            .sum()
    }
}

/// Fisher's exact test for a 2x2 table, as R `fisher.test` (odds ratio 1 under the null).
pub fn fisher_2x2(
    t: ArrayView2<'_, f64>,
    alt: Alternative,
    conf_level: f64,
) -> Result<FisherOutput> {
    check_conf_level(conf_level)?;
    let tab = check_table(t)?;
    if tab.counts.dim() != (2, 2) {
        return Err(StatsError::argument("table", "expected a 2 x 2 table"));
    }
    let x = tab.counts[[0, 0]];
    let (m, n, k) = (tab.col_sums[0], tab.col_sums[1], tab.row_sums[0]);
    let h = NcHyper::new(m, n, k);
    let d1 = h.density(1.0);
    let pvalue = match alt {
        Alternative::Less => h.tail(x, 1.0, false),
        Alternative::Greater => h.tail(x, 1.0, true),
        Alternative::TwoSided => {
            let dx = d1[(x - h.lo) as usize] * (1.0 + 1e-7);
            d1.iter().filter(|&&d| d <= dx).sum::<f64>()
        }
    }
    .min(1.0);
    // conditional MLE: mean(ncp) = x
    let estimate = if x == h.lo {
        0.0
    } else if x == h.hi {
        f64::INFINITY
    } else {
        let mu = h.mean(1.0);
        if mu > x {
            bisect_increasing(|t| h.mean(t), x, 0.0, 1.0)
        } else if mu < x {
            1.0 / bisect_increasing(|t| -h.mean(1.0 / t), -x, f64::EPSILON, 1.0)
        } else {
            1.0
        }
    };
    // P(X <= x; ncp) decreases and P(X >= x; ncp) increases in ncp
    let ncp_upper = |alpha: f64| -> f64 {
        if x == h.hi {
            return f64::INFINITY;
        }
        let p = h.tail(x, 1.0, false);
        if p < alpha {
            bisect_increasing(|t| -h.tail(x, t, false), -alpha, 0.0, 1.0)
        } else if p > alpha {
            1.0 / bisect_increasing(|t| h.tail(x, 1.0 / t, false), alpha, f64::EPSILON, 1.0)
        } else {
            1.0
        }
    };
    let ncp_lower = |alpha: f64| -> f64 {
        if x == h.lo {
            return 0.0;
        }
        let p = h.tail(x, 1.0, true);
        if p > alpha {
            bisect_increasing(|t| h.tail(x, t, true), alpha, 0.0, 1.0)
        } else if p < alpha {
            1.0 / bisect_increasing(|t| -h.tail(x, 1.0 / t, true), -alpha, f64::EPSILON, 1.0)
        } else {
            1.0
        }
    };
    let (ci_low, ci_high) = match alt {
        Alternative::Less => (0.0, ncp_upper(1.0 - conf_level)),
        Alternative::Greater => (ncp_lower(1.0 - conf_level), f64::INFINITY),
        Alternative::TwoSided => {
            let a = (1.0 - conf_level) / 2.0;
            (ncp_lower(a), ncp_upper(a))
        }
    };
    Ok(FisherOutput {
        pvalue,
        estimate,
        ci_low,
        ci_high,
    })
}

/// Exact min and max of `sum_i ln n_i! + ln (r_i - n_i)!` over `sum n_i = ca`,
/// `0 <= n_i <= r_i`: the completions of a node with two columns left. Each term
/// is convex in `n_i`, so the minimum is reached by greedy unit increments and
/// the maximum at a vertex (all but one `n_i` at 0 or `r_i`).
fn two_column_bounds(rows: &[u32], ca: u32, lf: &[f64]) -> (f64, f64) {
    let k = rows.len();
    let mut n = vec![0u32; k];
    for _ in 0..ca {
        // marginal cost ln(n+1) - ln(r - n) of one more unit in row i
        let mut best = usize::MAX;
        let mut best_cost = f64::INFINITY;
        for i in 0..k {
            if n[i] < rows[i] {
                let c = lf[n[i] as usize + 1] - lf[n[i] as usize] - (lf[(rows[i] - n[i]) as usize] - lf[(rows[i] - n[i] - 1) as usize]);
                if c < best_cost {
                    best_cost = c;
                    best = i;
                }
            }
        }
        if best == usize::MAX {
            break;
        }
        n[best] += 1;
    }
    let smin: f64 = n.iter().zip(rows).map(|(&a, &r)| lf[a as usize] + lf[(r - a) as usize]).sum();
    let mut smax = f64::NEG_INFINITY;
    for free in 0..k {
        for mask in 0u32..(1u32 << (k - 1)) {
            let mut sum = 0i64;
            let mut val = 0.0;
            let mut bit = 0;
            for i in 0..k {
                if i == free {
                    continue;
                }
                // at a bound: n_i = r_i (in mask) or 0; either way the term is ln r_i!
                if mask & (1 << bit) != 0 {
                    sum += rows[i] as i64;
                }
                val += lf[rows[i] as usize];
                bit += 1;
            }
            let nf = ca as i64 - sum;
            if nf >= 0 && nf <= rows[free] as i64 {
                let v = val + lf[nf as usize] + lf[(rows[free] as i64 - nf) as usize];
                smax = smax.max(v);
            }
        }
    }
    (smin, smax)
}

/// Bounds on the remaining sum of `ln n_ij!` over all completions.
fn bounds(rows: &[u32], cols: &[u32], lf: &[f64]) -> (f64, f64) {
    if cols.len() == 2 && rows.len() <= 12 {
        return two_column_bounds(rows, cols[0], lf);
    }
    // relaxation by columns (row sums only cap each cell) and by rows; both bound the true min / max
    let relax = |lines: &[u32], caps: &[u32]| -> (f64, f64) {
        let mut sorted: Vec<u32> = caps.to_vec();
        sorted.sort_unstable();
        let (mut smin, mut smax) = (0.0, 0.0);
        for &c in lines {
            // min: as even as possible under the caps
            let (mut rem, mut cnt) = (c, sorted.len() as u32);
            for &cap in &sorted {
                if cap as u64 * cnt as u64 <= rem as u64 {
                    smin += lf[cap as usize];
                    rem -= cap;
                    cnt -= 1;
                } else {
                    break;
                }
            }
            if let Some(q) = rem.checked_div(cnt) {
                let r = rem % cnt;
                smin += r as f64 * lf[q as usize + 1] + (cnt - r) as f64 * lf[q as usize];
            }
            // max: fill the largest caps first
            let mut rem = c;
            for &cap in sorted.iter().rev() {
                if rem == 0 {
                    break;
                }
                let v = cap.min(rem);
                smax += lf[v as usize];
                rem -= v;
            }
        }
        (smin, smax)
    };
    let (a_min, a_max) = relax(cols, rows);
    let (b_min, b_max) = relax(rows, cols);
    (a_min.max(b_min), a_max.min(b_max))
}

/// A small multiplicative hasher for the node keys (short vectors of counts):
/// the default SipHash dominates the enumeration otherwise.
#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            self.write_u64(u64::from_le_bytes(a));
        }
        for &b in chunks.remainder() {
            self.write_u64(b as u64);
        }
    }
    fn write_u32(&mut self, v: u32) {
        self.write_u64(v as u64);
    }
    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type BuildFx = std::hash::BuildHasherDefault<Fx>;

/// Memory guard for the network algorithm (distinct partial-table entries held in one stage).
const MAX_PAST_ENTRIES: usize = 10_000_000;
/// Work guard: column splits examined in all (about a minute of work); beyond it, an error.
const MAX_EDGES: u64 = 2_000_000_000;

struct Node {
    key: Vec<u32>,
    smin: f64,
    smax: f64,
    ln_total: f64,
    /// (past sum of ln n!, multiplicity), sorted by the past sum after merging
    past: Vec<(f64, f64)>,
    /// past value rounded to 1e-10 -> its index in `past`, while the stage is built
    slot: HashMap<i64, u32, BuildFx>,
    /// suffix[i] = ln sum over j >= i of w_j exp(-p_j)
    suffix: Vec<f64>,
}

impl Node {
    /// Sort the past values and merge equal ones (sums of the same ln n! terms in
    /// another order differ by rounding only); returns how many entries were removed.
    fn compact(&mut self) -> usize {
        let before = self.past.len();
        if before > 1 {
            self.past.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
            let mut w = 0usize;
            for r in 1..before {
                if (self.past[r].0 - self.past[w].0).abs() <= 1e-10 {
                    self.past[w].1 += self.past[r].1;
                } else {
                    w += 1;
                    self.past[w] = self.past[r];
                }
            }
            self.past.truncate(w + 1);
        }
        before - self.past.len()
    }

    /// Add a past value, merged with an equal one (to 1e-10) seen before;
    /// returns whether it opened a new entry.
    fn add(&mut self, p: f64, w: f64) -> bool {
        let q = (p * 1e10).round() as i64;
        match self.slot.entry(q) {
            std::collections::hash_map::Entry::Occupied(e) => {
                self.past[*e.get() as usize].1 += w;
                false
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(self.past.len() as u32);
                self.past.push((p, w));
                true
            }
        }
    }

    fn finish(&mut self) {
        self.slot = HashMap::default();
        // values that fell into neighbouring 1e-10 bins are merged here
        self.compact();
        self.past.shrink_to_fit();
        // log-sum-exp suffix sums: robust to any spread of past values
        let mut suffix = vec![f64::NEG_INFINITY; self.past.len() + 1];
        for i in (0..self.past.len()).rev() {
            let a = self.past[i].1.ln() - self.past[i].0;
            let b = suffix[i + 1];
            let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
            suffix[i] = if lo == f64::NEG_INFINITY {
                hi
            } else {
                hi + (lo - hi).exp().ln_1p()
            };
        }
        self.suffix = suffix;
    }
}

/// Exact p-value of Fisher's test for an r x c table (R `fisher.test`, two-sided).
pub fn fisher_rxc(t: ArrayView2<'_, f64>) -> Result<f64> {
    let tab = check_table(t)?;
    let (r, c) = tab.counts.dim();
    // the shorter dimension forms the node key; the longer one the stages
    let (counts, rows, cols) = if r <= c {
        (
            tab.counts.clone(),
            tab.row_sums.clone(),
            tab.col_sums.clone(),
        )
    } else {
        (
            tab.counts.t().to_owned(),
            tab.col_sums.clone(),
            tab.row_sums.clone(),
        )
    };
    if tab.total > 1e6 {
        return Err(StatsError::argument(
            "table",
            "total count too large for the exact test (> 1e6)",
        ));
    }
    let n = tab.total as usize;
    let lf: Vec<f64> = (0..=n + 1).map(|v| ln_fact(v as f64)).collect();
    let rows_u: Vec<u32> = rows.iter().map(|&v| v as u32).collect();
    let mut cols_u: Vec<u32> = cols.iter().map(|&v| v as u32).collect();
    cols_u.sort_unstable();
    let s_obs: f64 = counts.iter().map(|&v| lf[v as usize]).sum();
    // P(T) = exp(K - S(T)); count tables with P <= P_obs (1 + 1e-7)  <=>  S >= thr
    let k_const: f64 = rows_u.iter().map(|&v| lf[v as usize]).sum::<f64>()
        + cols_u.iter().map(|&v| lf[v as usize]).sum::<f64>()
        - lf[n];
    let thr = s_obs - (1e-7f64).ln_1p();
    let ln_total = |key: &[u32], rest: &[u32]| -> f64 {
        let tot: u32 = key.iter().sum();
        lf[tot as usize]
            - key.iter().map(|&v| lf[v as usize]).sum::<f64>()
            - rest.iter().map(|&v| lf[v as usize]).sum::<f64>()
    };
    let make = |key: Vec<u32>, rest: &[u32]| -> Node {
        let (smin, smax) = bounds(&key, rest, &lf);
        let lt = ln_total(&key, rest);
        Node {
            key,
            smin,
            smax,
            ln_total: lt,
            past: Vec::new(),
            suffix: Vec::new(),
            slot: HashMap::default(),
        }
    };
    let mut root_key = rows_u.clone();
    root_key.sort_unstable();
    let mut stage = vec![make(root_key, &cols_u)];
    stage[0].past.push((0.0, 1.0));
    stage[0].finish();
    let mut pvalue = 0.0f64;
    // the root itself
    {
        let nd = &stage[0];
        if nd.smin >= thr {
            return Ok(1.0);
        }
    }
    let nrow = rows_u.len();
    let mut edges = 0u64;
    for (k, &ck) in cols_u.iter().enumerate() {
        let rest = &cols_u[k + 1..];
        let mut next: Vec<Node> = Vec::new();
        let mut index: HashMap<Vec<u32>, usize, BuildFx> = HashMap::default();
        let mut cell = vec![0u32; nrow];
        let mut pushed = 0usize;
        for node in stage.iter() {
            if edges > MAX_EDGES {
                return Err(StatsError::argument(
                    "table",
                    format!("{r} x {c} table with total {n} is too large for exact enumeration (over {MAX_EDGES} column splits); use chisq() or collapse categories"),
                ));
            }
            if pushed > MAX_PAST_ENTRIES {
                return Err(StatsError::argument(
                    "table",
                    format!("{r} x {c} table with total {n} is too large for exact enumeration (over {MAX_PAST_ENTRIES} distinct partial tables); use chisq() or collapse categories"),
                ));
            }
            if node.past.is_empty() {
                continue;
            }
            // enumerate distributions of ck over the rows, cell[i] <= key[i]
            let key = &node.key;
            let mut suffix = vec![0u32; nrow + 1];
            for i in (0..nrow).rev() {
                suffix[i] = suffix[i + 1] + key[i];
            }
            if rest.len() == 1 {
                // two columns left: each split of this column fixes the last one,
                // so the table's whole remaining sum is known; count the pasts
                // that reach the threshold with one binary search
                enumerate(key, &suffix, ck, 0, &mut cell, &mut |cells: &[u32]| {
                    edges += 1;
                    let s_rest: f64 = cells.iter().zip(key).map(|(&v, &rw)| lf[v as usize] + lf[(rw - v) as usize]).sum();
                    let from = node.past.partition_point(|&(p, _)| p + s_rest < thr);
                    if from < node.past.len() {
                        pvalue += (k_const - s_rest + node.suffix[from]).exp();
                    }
                });
                continue;
            }
            let mut child = vec![0u32; nrow];
            enumerate(key, &suffix, ck, 0, &mut cell, &mut |cells: &[u32]| {
                edges += 1;
                let edge: f64 = cells.iter().map(|&v| lf[v as usize]).sum();
                for ((c, &a), &b) in child.iter_mut().zip(key).zip(cells) {
                    *c = a - b;
                }
                child.sort_unstable();
                let idx = match index.get(child.as_slice()) {
                    Some(&i) => i,
                    None => {
                        let i = next.len();
                        next.push(make(child.clone(), rest));
                        index.insert(child.clone(), i);
                        i
                    }
                };
                let ch = &mut next[idx];
                // pasts are sorted: those with p >= thr - edge - smin count entirely (a suffix,
                // summed from precomputed suffix sums), those below thr - edge - smax never do
                let all_from = node
                    .past
                    .partition_point(|&(p, _)| p + edge + ch.smin < thr);
                if all_from < node.past.len() {
                    pvalue += (k_const - edge + ch.ln_total + node.suffix[all_from]).exp();
                }
                let some_from =
                    node.past[..all_from].partition_point(|&(p, _)| p + edge + ch.smax < thr);
                for &(p, w) in &node.past[some_from..all_from] {
                    if ch.add(p + edge, w) {
                        pushed += 1;
                    }
                }
            });
        }
        for nd in next.iter_mut() {
            nd.finish();
        }
        stage = next;
    }
    Ok(pvalue.min(1.0))
}

fn enumerate(
    key: &[u32],
    suffix: &[u32],
    remaining: u32,
    i: usize,
    cell: &mut [u32],
    f: &mut impl FnMut(&[u32]),
) {
    let n = key.len();
    if i == n - 1 {
        if remaining <= key[i] {
            cell[i] = remaining;
            f(cell);
        }
        return;
    }
    // the rest of the rows must be able to take what is left
    let rest_cap = suffix[i + 1];
    let lo = remaining.saturating_sub(rest_cap);
    let hi = remaining.min(key[i]);
    let mut v = lo;
    while v <= hi {
        cell[i] = v;
        enumerate(key, suffix, remaining - v, i + 1, cell, f);
        v += 1;
    }
}

#[cfg(test)]
mod tests;
