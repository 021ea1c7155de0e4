//! Exact bounds on the remaining sum `S = sum ln n_ij!` over the completions of a
//! node of the network algorithm: the sub-tables with row sums `rows` and column
//! sums `cols`. `P(T)` is proportional to `exp(-S(T))`, so `min S` belongs to the
//! most probable completion and `max S` to the least probable one.
//!
//! * `min S`: `ln n!` is convex, so this is a separable convex transportation
//!   problem; its constraint matrix is totally unimodular, so an integer table is
//!   optimal exactly when its residual graph (rows and columns as vertices, one
//!   unit more in cell ij costs `ln(n_ij + 1)`, one less `-ln n_ij`) has no
//!   negative cycle. We start from the rounded independence table, complete it
//!   greedily and cancel negative cycles (Bellman-Ford) until none is left.
//! * `max S`: a convex function is maximal at a vertex of the transportation
//!   polytope; a vertex is a forest of cells, and a forest has a leaf line (a row
//!   or column with one cell, which then holds the whole line total). So
//!   `max S(R, C) = max` over a row `i` and column `j` with `R_i <= C_j` of
//!   `ln R_i! + max S(R without i, C with C_j - R_i)` (and the same with the roles
//!   of rows and columns exchanged), memoised on the sorted margins. The
//!   network's nodes use the cheaper relaxation bound instead (each line spread
//!   under the other margins as caps), which in practice drops the same pasts;
//!   the exact maximum serves the partial column splits, where it is rarely needed.
//! * A Lagrangian dual bound from a near-optimal table settles most partial
//!   splits without the exact minimum.

use std::collections::HashMap;

/// Slack added to every bound: the float sums of `ln n!` terms are exact to far
/// better than this, so a bound can never wrongly exclude a table.
pub(super) const BOUND_SLACK: f64 = 1e-9;

/// Memoised exact `max S`; the sub-problems of different nodes share the same
/// remaining columns, so one memo serves a whole test.
pub(super) struct MaxMemo {
    /// sorted margins packed 12 bits a count (row count in the top bits)
    packed: HashMap<u128, f64, super::pasts::BuildFx>,
    /// the same for margins that do not pack
    wide: HashMap<Vec<u32>, f64, super::pasts::BuildFx>,
    budget: usize,
}

/// At most this many lines on either side for the exact maximum.
const MAX_LINES: usize = 16;

/// A sorted set of non-zero margins, by value (no allocation in the recursion).
#[derive(Clone, Copy)]
struct Lines {
    v: [u32; MAX_LINES],
    n: usize,
}

impl Lines {
    fn new(src: &[u32]) -> Option<Self> {
        let mut l = Lines {
            v: [0; MAX_LINES],
            n: 0,
        };
        for &x in src.iter().filter(|&&x| x > 0) {
            if l.n == MAX_LINES {
                return None;
            }
            l.v[l.n] = x;
            l.n += 1;
        }
        l.v[..l.n].sort_unstable();
        Some(l)
    }

    fn as_slice(&self) -> &[u32] {
        &self.v[..self.n]
    }

    /// Without entry `j`, plus `new` (if non-zero) in sorted place.
    fn replace(&self, j: usize, new: u32) -> Self {
        let mut l = Lines {
            v: [0; MAX_LINES],
            n: 0,
        };
        for (k, &x) in self.as_slice().iter().enumerate() {
            if k != j {
                l.v[l.n] = x;
                l.n += 1;
            }
        }
        if new > 0 {
            let pos = l.v[..l.n].partition_point(|&x| x < new);
            l.v.copy_within(pos..l.n, pos + 1);
            l.v[pos] = new;
            l.n += 1;
        }
        l
    }
}

fn pack_lines(r: &Lines, c: &Lines) -> Option<u128> {
    if r.n + c.n > 10 {
        return None;
    }
    let mut q = r.n as u128;
    for &x in r.as_slice().iter().chain(c.as_slice()) {
        if x >= 1 << 12 {
            return None;
        }
        q = (q << 12) | x as u128;
    }
    Some(q)
}

impl MaxMemo {
    /// `budget`: the most sub-problems kept; beyond it `max_s` gives up (`None`)
    /// and the caller falls back to a relaxation bound.
    pub(super) fn new(budget: usize) -> Self {
        MaxMemo {
            packed: HashMap::default(),
            wide: HashMap::default(),
            budget,
        }
    }

    /// Exact `max S` over tables with these (unsorted, possibly zero) margins.
    pub(super) fn max_s(&mut self, rows: &[u32], cols: &[u32], lf: &[f64]) -> Option<f64> {
        let r = Lines::new(rows)?;
        let c = Lines::new(cols)?;
        self.rec(&r, &c, lf)
    }

    fn rec(&mut self, r: &Lines, c: &Lines, lf: &[f64]) -> Option<f64> {
        // one line left: its cells are the other margins
        if r.n <= 1 {
            return Some(c.as_slice().iter().map(|&v| lf[v as usize]).sum());
        }
        if c.n <= 1 {
            return Some(r.as_slice().iter().map(|&v| lf[v as usize]).sum());
        }
        // two lines: the closed form over the vertices
        if r.n == 2 {
            return Some(two_line_max(c.as_slice(), r.v[0], lf));
        }
        if c.n == 2 {
            return Some(two_line_max(r.as_slice(), c.v[0], lf));
        }
        let packed = pack_lines(r, c);
        let found = match packed {
            Some(q) => self.packed.get(&q).copied(),
            None => {
                let key: Vec<u32> = std::iter::once(r.n as u32)
                    .chain(r.as_slice().iter().copied())
                    .chain(c.as_slice().iter().copied())
                    .collect();
                self.wide.get(&key).copied()
            }
        };
        if found.is_some() {
            return found;
        }
        if self.packed.len() + self.wide.len() >= self.budget {
            return None;
        }
        let mut best = f64::NEG_INFINITY;
        for i in 0..r.n {
            if i > 0 && r.v[i] == r.v[i - 1] {
                continue;
            }
            for j in 0..c.n {
                if j > 0 && c.v[j] == c.v[j - 1] {
                    continue;
                }
                let (a, b) = (r.v[i], c.v[j]);
                if a <= b {
                    // row i is a leaf: all of it in cell ij
                    let v = self.rec(&r.replace(i, 0), &c.replace(j, b - a), lf)?;
                    best = best.max(lf[a as usize] + v);
                }
                if b <= a {
                    let v = self.rec(&r.replace(i, a - b), &c.replace(j, 0), lf)?;
                    best = best.max(lf[b as usize] + v);
                }
            }
        }
        match packed {
            Some(q) => {
                self.packed.insert(q, best);
            }
            None => {
                let key: Vec<u32> = std::iter::once(r.n as u32)
                    .chain(r.as_slice().iter().copied())
                    .chain(c.as_slice().iter().copied())
                    .collect();
                self.wide.insert(key, best);
            }
        }
        Some(best)
    }
}

/// `S` of one concentrated table with these margins (north-west corner rule on
/// margins sorted in decreasing order): a cheap lower bound on `max S`.
pub(super) fn corner_s(rows: &[u32], cols: &[u32], lf: &[f64]) -> f64 {
    let mut r: Vec<u32> = rows.to_vec();
    let mut c: Vec<u32> = cols.to_vec();
    r.sort_unstable_by(|a, b| b.cmp(a));
    c.sort_unstable_by(|a, b| b.cmp(a));
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < r.len() && j < c.len() {
        let v = r[i].min(c[j]);
        s += lf[v as usize];
        r[i] -= v;
        c[j] -= v;
        if r[i] == 0 {
            i += 1;
        }
        if c[j] == 0 {
            j += 1;
        }
    }
    s
}

/// Exact max of `sum_i ln n_i! + ln (r_i - n_i)!` over `sum n_i = ca`,
/// `0 <= n_i <= r_i` (a table of two lines): at a vertex, all but one `n_i` at
/// 0 or `r_i`, where the term is `ln r_i!` either way.
pub(super) fn two_line_max(rows: &[u32], ca: u32, lf: &[f64]) -> f64 {
    let k = rows.len();
    if k > 8 {
        return two_line_max_wide(rows, ca, lf);
    }
    // the sums of all subsets of rows (bit i = row i), built one bit at a time
    let mut sums = [0u32; 1 << 8];
    for mask in 1usize..(1 << k) {
        let low = mask.trailing_zeros() as usize;
        sums[mask] = sums[mask & (mask - 1)] + rows[low];
    }
    let base: f64 = rows.iter().map(|&v| lf[v as usize]).sum();
    let mut smax = f64::NEG_INFINITY;
    for (free, &rf) in rows.iter().enumerate() {
        // the rows of `mask` are wholly in the first line, the others wholly in the second
        let others = base - lf[rf as usize];
        let bit = 1usize << free;
        for mask in (0..(1usize << k)).filter(|m| m & bit == 0) {
            let sum = sums[mask];
            if sum <= ca && ca - sum <= rf {
                let nf = (ca - sum) as usize;
                smax = smax.max(others + lf[nf] + lf[rf as usize - nf]);
            }
        }
    }
    smax
}

/// [`two_line_max`] for more than 8 rows (no subset-sum table).
fn two_line_max_wide(rows: &[u32], ca: u32, lf: &[f64]) -> f64 {
    let k = rows.len();
    let base: f64 = rows.iter().map(|&v| lf[v as usize]).sum();
    let mut smax = f64::NEG_INFINITY;
    for free in 0..k {
        let others = base - lf[rows[free] as usize];
        for mask in 0u64..(1u64 << (k - 1)) {
            let mut sum = 0i64;
            let mut bit = 0;
            for (i, &r) in rows.iter().enumerate() {
                if i == free {
                    continue;
                }
                if mask & (1 << bit) != 0 {
                    sum += r as i64;
                }
                bit += 1;
            }
            let nf = ca as i64 - sum;
            if nf >= 0 && nf <= rows[free] as i64 {
                let v = others + lf[nf as usize] + lf[(rows[free] as i64 - nf) as usize];
                smax = smax.max(v);
            }
        }
    }
    smax
}

/// Exact `min S` over tables with these margins (both sum to the same total).
pub(super) fn min_s(rows: &[u32], cols: &[u32], lf: &[f64]) -> f64 {
    min_s_masked(rows, cols, 0, lf)
}

/// Exact `min S` when rows `0..blocked` may not use column 0 (a column split in
/// progress: those rows have their share of it already).
pub(super) fn min_s_masked(rows: &[u32], cols: &[u32], blocked: usize, lf: &[f64]) -> f64 {
    solve_masked(rows, cols, blocked, lf, true).0
}

/// `S` of one feasible table with these margins and mask, close to the most
/// probable one (the start of [`min_s_masked`]): between the minimum and the
/// maximum of `S`, at a fraction of the cost of either; and a lower bound on
/// the minimum from the same table (see [`dual_bound`]), often equal to it.
pub(super) fn feasible_s_masked(
    rows: &[u32],
    cols: &[u32],
    blocked: usize,
    lf: &[f64],
) -> (f64, f64) {
    solve_masked(rows, cols, blocked, lf, false)
}

/// `(min S, min S)` when `optimal`, else `(S of the start table, dual lower bound)`.
fn solve_masked(
    rows: &[u32],
    cols: &[u32],
    blocked: usize,
    lf: &[f64],
    optimal: bool,
) -> (f64, f64) {
    let (k, m) = (rows.len(), cols.len());
    let total: u64 = rows.iter().map(|&v| v as u64).sum();
    if total == 0 {
        return (0.0, 0.0);
    }
    // small problems (every one in a 5 x 5 test) live on the stack
    const CELLS: usize = 64;
    const LINES: usize = 16;
    if k * m > CELLS || k > LINES || m > LINES {
        return min_s_heap(rows, cols, blocked, lf, optimal);
    }
    let mut n_buf = [0u32; CELLS];
    let mut dr_buf = [0u32; LINES];
    let mut dc_buf = [0u32; LINES];
    let mut base_buf = [0u32; LINES];
    let mut dist_buf = [0.0f64; 2 * LINES];
    let mut pred_buf = [0usize; 2 * LINES];
    let n = &mut n_buf[..k * m];
    let dr = &mut dr_buf[..k];
    let dc = &mut dc_buf[..m];
    dr.copy_from_slice(rows);
    dc.copy_from_slice(cols);
    let base = &mut base_buf[..k];
    let dist = &mut dist_buf[..k + m];
    let pred = &mut pred_buf[..k + m];
    min_s_core(
        rows, cols, blocked, lf, optimal, n, dr, dc, base, dist, pred,
    )
}

/// The same for problems too large for the stack buffers.
fn min_s_heap(rows: &[u32], cols: &[u32], blocked: usize, lf: &[f64], optimal: bool) -> (f64, f64) {
    let (k, m) = (rows.len(), cols.len());
    let mut n = vec![0u32; k * m];
    let mut dr: Vec<u32> = rows.to_vec();
    let mut dc: Vec<u32> = cols.to_vec();
    let mut base = vec![0u32; k];
    let mut dist = vec![0.0f64; k + m];
    let mut pred = vec![usize::MAX; k + m];
    min_s_core(
        rows, cols, blocked, lf, optimal, &mut n, &mut dr, &mut dc, &mut base, &mut dist, &mut pred,
    )
}

#[allow(clippy::too_many_arguments)]
fn min_s_core(
    rows: &[u32],
    cols: &[u32],
    blocked: usize,
    lf: &[f64],
    optimal: bool,
    n: &mut [u32],
    dr: &mut [u32],
    dc: &mut [u32],
    base: &mut [u32],
    dist: &mut [f64],
    pred: &mut [usize],
) -> (f64, f64) {
    let (k, m) = (rows.len(), cols.len());
    // a feasible start close to the optimum: column 0 spread over the rows that
    // may take it, in proportion, then the other columns in proportion to what
    // each row has left; the remainders go one unit at a time to the cheapest cell
    let first = if blocked > 0 { 1 } else { 0 };
    if blocked > 0 {
        let open: u64 = rows[blocked..].iter().map(|&v| v as u64).sum();
        for i in blocked..k {
            let v = (rows[i] as u64 * cols[0] as u64 / open) as u32;
            n[i * m] = v;
            dr[i] -= v;
            dc[0] -= v;
        }
        while dc[0] > 0 {
            let mut best = usize::MAX;
            for i in blocked..k {
                if dr[i] > 0 && (best == usize::MAX || n[i * m] < n[best * m]) {
                    best = i;
                }
            }
            if best == usize::MAX {
                // the open rows cannot hold column 0: no such table
                return (f64::INFINITY, f64::INFINITY);
            }
            n[best * m] += 1;
            dr[best] -= 1;
            dc[0] -= 1;
        }
    }
    let left: u64 = dr.iter().map(|&v| v as u64).sum();
    {
        base.copy_from_slice(dr);
        for i in 0..k {
            for j in first..m {
                let v = (base[i] as u64 * cols[j] as u64)
                    .checked_div(left)
                    .unwrap_or(0) as u32;
                n[i * m + j] = v;
                dr[i] -= v;
                dc[j] -= v;
            }
        }
    }
    loop {
        let mut best = (usize::MAX, usize::MAX);
        let mut best_n = u32::MAX;
        for i in 0..k {
            if dr[i] == 0 {
                continue;
            }
            for j in first..m {
                if dc[j] > 0 && n[i * m + j] < best_n {
                    best_n = n[i * m + j];
                    best = (i, j);
                }
            }
        }
        if best.0 == usize::MAX {
            break;
        }
        let (i, j) = best;
        n[i * m + j] += 1;
        dr[i] -= 1;
        dc[j] -= 1;
    }
    if !optimal {
        let s: f64 = n.iter().map(|&x| lf[x as usize]).sum();
        return (s, dual_bound(n, rows, cols, blocked, lf).min(s));
    }
    // cancel negative cycles of the residual graph until there is none
    let v = k + m;
    loop {
        dist.iter_mut().for_each(|d| *d = 0.0);
        pred.iter_mut().for_each(|p| *p = usize::MAX);
        let mut last = usize::MAX;
        for _ in 0..v {
            last = usize::MAX;
            for i in 0..k {
                for j in 0..m {
                    let x = n[i * m + j];
                    // row i -> column j: one more unit in ij (not into a blocked cell)
                    let up = dist[i] + lf[x as usize + 1] - lf[x as usize];
                    if up < dist[k + j] - 1e-12 && (j > 0 || i >= blocked) {
                        dist[k + j] = up;
                        pred[k + j] = i;
                        last = k + j;
                    }
                    // column j -> row i: one unit less in ij
                    if x > 0 {
                        let down = dist[k + j] - (lf[x as usize] - lf[x as usize - 1]);
                        if down < dist[i] - 1e-12 {
                            dist[i] = down;
                            pred[i] = k + j;
                            last = i;
                        }
                    }
                }
            }
            if last == usize::MAX {
                break;
            }
        }
        if last == usize::MAX {
            break;
        }
        // still relaxing after |V| rounds: walk back |V| steps to land on the cycle
        let mut x = last;
        for _ in 0..v {
            x = pred[x];
            if x == usize::MAX {
                // cannot happen (a node relaxed in the last round has a chain of
                // relaxed predecessors); a valid lower bound all the same
                let lo = relaxation_bounds(rows, cols, lf).0;
                return (lo, lo);
            }
        }
        let start = x;
        loop {
            let p = pred[x];
            if x >= k {
                // p (a row) -> x (a column): one more in cell (p, x - k)
                n[p * m + (x - k)] += 1;
            } else {
                // p (a column) -> x (a row): one less in cell (x, p - k)
                n[x * m + (p - k)] -= 1;
            }
            x = p;
            if x == start {
                break;
            }
        }
    }
    let s: f64 = n.iter().map(|&x| lf[x as usize]).sum();
    (s, s)
}

/// A lower bound on `min S` by Lagrangian duality: for any row and column
/// potentials `u`, `v` and any table `T` with these margins,
/// `S(T) = sum u_i R_i + sum v_j C_j + sum_ij [ln n_ij! - (u_i + v_j) n_ij]`,
/// and each bracket is at least its minimum over `0 <= n <= min(R_i, C_j)`
/// (0 in a blocked cell). Potentials fitted to `ln(n_ij + 1/2)` of a table
/// `n` close to the optimum make the bound nearly tight (exact at the optimum's
/// own potentials, as the problem is totally unimodular).
fn dual_bound(n: &[u32], rows: &[u32], cols: &[u32], blocked: usize, lf: &[f64]) -> f64 {
    let (k, m) = (rows.len(), cols.len());
    const LINES: usize = 16;
    if k > LINES || m > LINES || n.len() > 64 {
        return f64::NEG_INFINITY;
    }
    let open = |i: usize, j: usize| j > 0 || i >= blocked;
    let mut target = [0.0f64; 64];
    for (t, &x) in target.iter_mut().zip(n) {
        *t = (x as f64 + 0.5).ln();
    }
    let mut u = [0.0f64; LINES];
    let mut v = [0.0f64; LINES];
    // least squares on the open cells by alternating means
    for _ in 0..3 {
        for (i, ui) in u.iter_mut().enumerate().take(k) {
            let (mut sum, mut cnt) = (0.0, 0.0);
            for j in (0..m).filter(|&j| open(i, j)) {
                sum += target[i * m + j] - v[j];
                cnt += 1.0;
            }
            *ui = if cnt > 0.0 { sum / cnt } else { 0.0 };
        }
        for (j, vj) in v.iter_mut().enumerate().take(m) {
            let (mut sum, mut cnt) = (0.0, 0.0);
            for i in (0..k).filter(|&i| open(i, j)) {
                sum += target[i * m + j] - u[i];
                cnt += 1.0;
            }
            *vj = if cnt > 0.0 { sum / cnt } else { 0.0 };
        }
    }
    let mut lb = 0.0;
    for i in 0..k {
        lb += u[i] * rows[i] as f64;
    }
    for j in 0..m {
        lb += v[j] * cols[j] as f64;
    }
    for i in 0..k {
        for j in (0..m).filter(|&j| open(i, j)) {
            let a = u[i] + v[j];
            if a <= 0.0 {
                // n = 0 is the minimum of ln n! - a n
                continue;
            }
            let cap = rows[i].min(cols[j]) as usize;
            // ln n! - a n is convex, smallest where ln n <= a <= ln(n + 1);
            // the fitted table's own count is close
            let mut x = (n[i * m + j] as usize).min(cap);
            while x < cap && lf[x + 1] - lf[x] < a {
                x += 1;
            }
            while x > 0 && lf[x] - lf[x - 1] > a {
                x -= 1;
            }
            lb += lf[x] - a * x as f64;
        }
    }
    // the float sums above are exact to far less than this
    lb - 1e-9
}

/// Exact min and max of `sum_i ln n_i! + ln (r_i - n_i)!` over `sum n_i = ca`,
/// `0 <= n_i <= r_i`: the completions of a node with two columns left. Each term
/// is convex in `n_i`, so the minimum is reached by greedy unit increments and
/// the maximum at a vertex (all but one `n_i` at 0 or `r_i`).
pub(super) fn two_column_bounds(rows: &[u32], ca: u32, lf: &[f64]) -> (f64, f64) {
    (two_column_min(rows, ca, lf), two_line_max(rows, ca, lf))
}

/// The minimum alone (see [`two_column_bounds`]).
pub(super) fn two_column_min(rows: &[u32], ca: u32, lf: &[f64]) -> f64 {
    let k = rows.len();
    // The t-th unit in row i costs ln t - ln(r_i - t + 1), increasing in t, so
    // greedy unit increments are optimal. The units costing at most lambda are
    // t <= mu (r_i + 1) with mu = e^lambda / (1 + e^lambda): with
    // mu = ca / sum(r_i + 1) their number is <= ca and they are a prefix of the
    // greedy order; fewer than k units are left to place one at a time.
    let denom: u64 = rows.iter().map(|&r| r as u64 + 1).sum();
    let mut n: Vec<u32> = rows
        .iter()
        .map(|&r| ((r as u64 + 1) * ca as u64 / denom) as u32)
        .collect();
    let placed: u32 = n.iter().sum();
    for _ in placed..ca {
        // marginal cost ln(n+1) - ln(r - n) of one more unit in row i
        let mut best = usize::MAX;
        let mut best_cost = f64::INFINITY;
        for i in 0..k {
            if n[i] < rows[i] {
                let c = lf[n[i] as usize + 1]
                    - lf[n[i] as usize]
                    - (lf[(rows[i] - n[i]) as usize] - lf[(rows[i] - n[i] - 1) as usize]);
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
    n.iter()
        .zip(rows)
        .map(|(&a, &r)| lf[a as usize] + lf[(r - a) as usize])
        .sum()
}

/// Relaxation bounds on `S`: each column spread under the row sums as caps only,
/// and each row under the column sums; both bound the true min and max. Used
/// for the maximum when the exact memo's budget is spent.
pub(super) fn relaxation_bounds(rows: &[u32], cols: &[u32], lf: &[f64]) -> (f64, f64) {
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

/// Bounds on `S` for the nodes of one test: exact where it can be had, padded
/// by [`BOUND_SLACK`] so that rounding can never exclude a table.
pub(super) struct Bounder<'a> {
    lf: &'a [f64],
    memo: MaxMemo,
}

impl<'a> Bounder<'a> {
    pub(super) fn new(lf: &'a [f64], budget: usize) -> Self {
        Bounder {
            lf,
            memo: MaxMemo::new(budget),
        }
    }

    /// `max S` alone (padded like [`Bounder::of`]).
    pub(super) fn max_of(&mut self, rows: &[u32], cols: &[u32]) -> f64 {
        let lf = self.lf;
        let hi = if cols.len() == 1 || rows.len() == 1 {
            if cols.len() == 1 { rows } else { cols }
                .iter()
                .map(|&v| lf[v as usize])
                .sum()
        } else if cols.len() == 2 && rows.len() <= 12 {
            two_line_max(rows, cols[0], lf)
        } else if rows.len() == 2 && cols.len() <= 12 {
            two_line_max(cols, rows[0], lf)
        } else {
            match self.memo.max_s(rows, cols, lf) {
                Some(v) => v,
                None => relaxation_bounds(rows, cols, lf).1,
            }
        };
        hi + BOUND_SLACK
    }

    /// Bounds on `S` over tables with row sums `rows` and column sums `cols`:
    /// the exact minimum, and the exact maximum for two lines but otherwise the
    /// relaxation bound (see the comment inside).
    pub(super) fn of(&mut self, rows: &[u32], cols: &[u32]) -> (f64, f64) {
        let lf = self.lf;
        let (lo, hi) = if cols.len() == 1 || rows.len() == 1 {
            // one line: the table is fixed
            let s: f64 = if cols.len() == 1 { rows } else { cols }
                .iter()
                .map(|&v| lf[v as usize])
                .sum();
            (s, s)
        } else if cols.len() == 2 && rows.len() <= 12 {
            two_column_bounds(rows, cols[0], lf)
        } else if rows.len() == 2 && cols.len() <= 12 {
            two_column_bounds(cols, rows[0], lf)
        } else {
            // The maximum only drops pasts that cannot count, and for a node
            // almost none are that far below the threshold: on every table
            // measured the relaxation bound (many times cheaper than the exact
            // maximum) dropped exactly the same pasts.
            (min_s(rows, cols, lf), relaxation_bounds(rows, cols, lf).1)
        };
        (lo - BOUND_SLACK, hi + BOUND_SLACK)
    }
}
