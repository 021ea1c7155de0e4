//! Fisher's exact test for an r x c table (R `fisher.test`, two-sided): the sum
//! of `P(T)` over the tables `T` with the observed margins and
//! `P(T) <= P(obs) (1 + 1e-7)`, by the network algorithm of Mehta & Patel (1983).
//!
//! `P(T) = exp(K - S(T))` with `S(T) = sum ln n_ij!`, so the tables that count
//! are those with `S >= thr`. The table is built one column at a time (the
//! shorter dimension is the "rows"); a node is the multiset of row sums still
//! to fill, and carries the distinct partial sums `S` ("pasts", with their
//! multiplicities) of the paths that reach it. Every node knows the exact
//! minimum of `S` over its completions and an upper bound on it (`bounds`), so
//! a past either counts with every completion (its whole mass is added in
//! closed form), with none (dropped), or is carried to the next stage.
//!
//! Splitting a column over the rows is itself searched row by row with the same
//! bounds: a partial split whose completions all count for every past (or for
//! none) is settled in closed form (Vandermonde's identity gives the total
//! weight of its completions) without visiting them. In practice almost all
//! splits are settled this way; only splits near the threshold are visited.

use std::collections::HashMap;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use ndarray::ArrayView2;
use rayon::prelude::*;

use super::bounds::Bounder;
use super::check_table;
use super::pasts::{apply_segments, BuildFx, Node, Segment};
use crate::common::exact::ln_fact;
use crate::error::{Result, StatsError};

/// Memory guard: distinct partial-table entries held in one stage.
const MAX_PAST_ENTRIES: usize = 16_000_000;
/// Work guard: splits and partial splits visited in all (about a minute of work).
const MAX_VISITS: u64 = 2_000_000_000;
/// Memory guard: windows of pasts collected in one stage (24 bytes each), checked
/// while the stage is expanded, before they are carried into the children.
const MAX_SEGMENTS: u64 = 32_000_000;
/// Sub-problems kept by the exact maximum bound before it falls back to a relaxation.
const MAX_MEMO: usize = 4_000_000;

/// Message of a task stopped by another task's guard (never the one reported).
const STOPPED: &str = "stopped: another task tripped a guard";

/// A partial-split state packed into 128 bits (12 bits a count, at most 9
/// counts), or `None` when it does not fit.
fn pack(fixed: &[u32], open: &[u32], m: u32) -> Option<u128> {
    if fixed.len() + open.len() + 1 > 9 {
        return None;
    }
    let mut q: u128 = fixed.len() as u128;
    for &v in fixed.iter().chain(open).chain(std::iter::once(&m)) {
        if v >= 1 << 12 {
            return None;
        }
        q = (q << 12) | v as u128;
    }
    Some(q)
}

/// Exact p-value of Fisher's test for an r x c table (R `fisher.test`, two-sided).
pub fn fisher_rxc(t: ArrayView2<'_, f64>) -> Result<f64> {
    let tab = check_table(t)?;
    let (r, c) = tab.counts.dim();
    if tab.total > 1e6 {
        return Err(StatsError::argument(
            "table",
            "total count too large for the exact test (> 1e6)",
        ));
    }
    // the shorter dimension forms the node key; the longer one the stages
    let (rows, cols) = if r <= c {
        (&tab.row_sums, &tab.col_sums)
    } else {
        (&tab.col_sums, &tab.row_sums)
    };
    let n = tab.total as usize;
    let lf: Vec<f64> = (0..=n + 1).map(|v| ln_fact(v as f64)).collect();
    let mut rows_u: Vec<u32> = rows.iter().map(|&v| v as u32).collect();
    let mut cols_u: Vec<u32> = cols.iter().map(|&v| v as u32).collect();
    rows_u.sort_unstable();
    cols_u.sort_unstable();
    let s_obs: f64 = tab.counts.iter().map(|&v| lf[v as usize]).sum();
    let k_const: f64 = rows_u
        .iter()
        .chain(&cols_u)
        .map(|&v| lf[v as usize])
        .sum::<f64>()
        - lf[n];
    // P <= P_obs (1 + 1e-7)  <=>  S >= thr
    let thr = s_obs - (1e-7f64).ln_1p();
    let shared = Shared {
        lf: &lf,
        thr,
        k_const,
        shape: (r, c, n),
        visits: AtomicU64::new(0),
        segments: AtomicU64::new(0),
        stop: AtomicBool::new(false),
    };
    if r.min(c) > MAX_SHORT_SIDE {
        // states past 9 counts are not packed (no memo): a 10 x 10 table of total
        // 50 took 25 s, larger ones run for hours (issue 19: cohort.table_one on a
        // 38 x 38 table of total 187 passed the watchdog's 60 s)
        return Err(shared.too_large(format!(
            "its shorter side has {} categories, over {MAX_SHORT_SIDE}",
            r.min(c)
        )));
    }
    let splits = first_splits(&rows_u, cols_u[0]);
    if splits > MAX_FIRST_SPLITS {
        return Err(shared.too_large(format!(
            "{splits:.3e} ways to split its first column, over {MAX_FIRST_SPLITS:.0e}"
        )));
    }
    let p = run(&shared, rows_u, &cols_u)?;
    Ok(p.min(1.0))
}

/// Size guard known before any work: the ways to split the first (smallest)
/// column among the key's rows, i.e. the first stage's children. The heaviest
/// tables that finish have ~15,000 (a 5 x 5 diagonal table of total 116); tables
/// of thousands per cell have hundreds of thousands, and each of those children
/// has as many splits again: such a table was refused only after minutes by the
/// work guards (issue 19: 4 x 3 tables of totals 11,000 and 29,000).
const MAX_FIRST_SPLITS: f64 = 1e5;

/// Size guard: categories of the shorter side of an exact r x c table.
const MAX_SHORT_SIDE: usize = 9;

/// Number of `y` with `0 <= y_j <= key_j` and `sum y = c` (f64: no overflow).
fn first_splits(key: &[u32], c: u32) -> f64 {
    let c = c as usize;
    let mut ways = vec![0.0f64; c + 1];
    ways[0] = 1.0;
    for &k in key {
        // new[s] = sum_{v = 0..=min(k, s)} old[s - v], by a running window sum
        let k = k as usize;
        let mut next = vec![0.0f64; c + 1];
        let mut window = 0.0;
        for s in 0..=c {
            window += ways[s];
            if s > k {
                window -= ways[s - k - 1];
            }
            next[s] = window;
        }
        ways = next;
    }
    ways[c]
}

/// What every worker of one test reads.
struct Shared<'a> {
    lf: &'a [f64],
    thr: f64,
    k_const: f64,
    shape: (usize, usize, usize),
    /// splits visited by all workers (the work guard)
    visits: AtomicU64,
    /// windows collected by all workers in the current stage (the memory guard)
    segments: AtomicU64,
    /// set when a guard trips: the other tasks of the stage stop at their next
    /// check instead of running to completion (rayon's collect of `Result`s
    /// does not short-circuit; issue 19: a 4 x 3 table with total 11,000 ran
    /// ~5 minutes past its first tripped guard)
    stop: AtomicBool,
}

impl Shared<'_> {
    fn too_many_windows(&self) -> StatsError {
        self.too_large(format!(
            "over {MAX_SEGMENTS} windows of partial tables in one column"
        ))
    }

    /// The error of a task stopped because another one tripped a guard (the
    /// tripped guard's own error is the one returned).
    fn stopped(&self) -> StatsError {
        StatsError::argument("table", STOPPED)
    }

    fn too_large(&self, what: String) -> StatsError {
        self.stop.store(true, Ordering::Relaxed);
        let (r, c, n) = self.shape;
        StatsError::argument(
            "table",
            format!("{r} x {c} table with total {n} is too large for exact enumeration ({what}); use a Monte Carlo p-value (n_resamples), chisq() or collapse categories"),
        )
    }
}

/// Parents a rayon task expands: fixed, so that the result does not depend on
/// the number of threads.
const PARENTS_PER_TASK: usize = 64;

/// A stage with fewer live nodes than this is expanded by (node, row 0's share
/// of the column) items, one a task, so that the first stages (one node, then a
/// few) keep every thread busy. Fixed, like [`PARENTS_PER_TASK`].
const FEW_PARENTS: usize = 32;

/// The work of one stage: nodes, or (node, row 0's share) items when the stage
/// has few nodes (not in the last column split, whose two last rows are summed
/// together).
fn work_items(stage: &[Node], live: &[usize], ctx: &StageCtx<'_>) -> Vec<(usize, Option<u32>)> {
    let splittable = |i: usize| !ctx.terminal && stage[i].key.len() >= 3;
    if live.len() >= FEW_PARENTS || !live.iter().all(|&i| splittable(i)) {
        return live.iter().map(|&i| (i, None)).collect();
    }
    let mut items = Vec::new();
    for &i in live {
        let key = &stage[i].key;
        let rest: u32 = key[1..].iter().sum();
        let lo = ctx.ck.saturating_sub(rest);
        let hi = ctx.ck.min(key[0]);
        items.extend((lo..=hi).map(|v| (i, Some(v))));
    }
    items
}

/// What one task hands back: its share of the p-value, the children it made
/// (local numbering) and its windows of pasts for them.
struct TaskOut {
    pvalue: f64,
    next: Vec<Node>,
    segments: Vec<Segment>,
}

fn run(sh: &Shared<'_>, root_key: Vec<u32>, cols: &[u32]) -> Result<f64> {
    let lf = sh.lf;
    let (smin, _, _) = Network::new(sh).bounds_of(&root_key, cols);
    let mut root = Node::new(root_key, smin);
    if root.smin >= sh.thr {
        // every table is at most as probable as the observed one
        return Ok(1.0);
    }
    root.past.push((0.0, 1.0));
    root.finish();
    let workers: Vec<Mutex<Network<'_>>> = (0..rayon::current_num_threads().max(1))
        .map(|_| Mutex::new(Network::new(sh)))
        .collect();
    let mut pvalue = 0.0;
    let mut stage = vec![root];
    for k in 0..cols.len() - 1 {
        sh.segments.store(0, Ordering::Relaxed);
        let rest = &cols[k + 1..];
        let remaining: u32 = stage[0].key.iter().sum();
        let t_next = (remaining - cols[k]) as usize;
        let ctx = StageCtx {
            ck: cols[k],
            rest,
            terminal: rest.len() == 1,
            lt_base: lf[t_next] - rest.iter().map(|&v| lf[v as usize]).sum::<f64>(),
        };
        let live: Vec<usize> = (0..stage.len())
            .filter(|&i| !stage[i].past.is_empty())
            .collect();
        let items = work_items(&stage, &live, &ctx);
        let per_task = if items.len() > live.len() {
            1
        } else {
            PARENTS_PER_TASK
        };
        let outs: Vec<Result<TaskOut>> = items
            .par_chunks(per_task)
            .map(|chunk| {
                if sh.stop.load(Ordering::Relaxed) {
                    return Err(sh.stopped());
                }
                // this thread's worker (its memos live through the whole test)
                let t = rayon::current_thread_index().unwrap_or(0) % workers.len();
                let mut net = workers[t].lock().unwrap_or_else(|e| e.into_inner());
                let mut next = Vec::new();
                let mut index = ChildIndex::default();
                net.pvalue = 0.0;
                for &(pi, first) in chunk {
                    net.expand(&stage[pi], pi as u32, &ctx, &mut next, &mut index, first)?;
                }
                Ok(TaskOut {
                    pvalue: net.pvalue,
                    next,
                    segments: std::mem::take(&mut net.segments),
                })
            })
            .collect();
        // children made by several tasks are merged, in task order
        let mut next: Vec<Node> = Vec::new();
        let mut index = ChildIndex::default();
        let mut segments: Vec<Segment> = Vec::new();
        // the error reported is a tripped guard's, not a task stopped after it
        let mut outs_ok = Vec::with_capacity(outs.len());
        let mut err: Option<StatsError> = None;
        for out in outs {
            match out {
                Ok(o) => outs_ok.push(o),
                Err(e) => {
                    let secondary = matches!(&e, StatsError::InvalidArgument { message, .. } if message == STOPPED);
                    if err.is_none() || !secondary {
                        err = Some(e);
                        if !secondary {
                            break;
                        }
                    }
                }
            }
        }
        if let Some(e) = err {
            return Err(e);
        }
        for out in outs_ok {
            pvalue += out.pvalue;
            let map: Vec<u32> = out
                .next
                .into_iter()
                .map(|nd| match index.get(&nd.key) {
                    Some(i) => i as u32,
                    None => {
                        let i = next.len();
                        index.insert(&nd.key, i);
                        next.push(nd);
                        i as u32
                    }
                })
                .collect();
            segments.extend(out.segments.into_iter().map(|mut s| {
                s.child = map[s.child as usize];
                s
            }));
        }
        if segments.len() as u64 > MAX_SEGMENTS {
            return Err(sh.too_many_windows());
        }
        if !apply_segments(&stage, &mut next, segments, MAX_PAST_ENTRIES) {
            return Err(sh.too_large(format!("over {MAX_PAST_ENTRIES} distinct partial tables")));
        }
        next.par_iter_mut().for_each(|nd| nd.finish());
        stage = next;
        if stage.is_empty() {
            break;
        }
    }
    Ok(pvalue)
}

/// One worker's state: its bounds memos, its share of the p-value and the
/// windows of pasts it collected.
struct Network<'a> {
    sh: &'a Shared<'a>,
    lf: &'a [f64],
    bounder: Bounder<'a>,
    thr: f64,
    k_const: f64,
    pvalue: f64,
    /// visits not yet added to the shared count
    visits: u64,
    /// memo of `partial_bounds` (per stage: `StageCtx::ck` is part of the state)
    fine_memo: HashMap<u128, Fine, BuildFx>,
    /// bounds and ln(number of completions) of the children made in this stage
    node_memo: HashMap<u128, (f64, f64, f64), BuildFx>,
    /// the stage the memos and `seg_pending` belong to (`rest.len()` of its `StageCtx`)
    stage_id: u32,
    segments: Vec<Segment>,
    /// windows collected in this stage not yet added to the shared count
    seg_pending: u64,
}

/// Memoised bounds of a partial-split state: exact minimum and maximum of the
/// rest of `S` (NaN until needed) and the `S` of one feasible completion.
#[derive(Clone, Copy)]
struct Fine {
    lo: f64,
    hi: f64,
    feas: f64,
    /// a cheaper lower bound than `lo` (`-inf` when there is none)
    dual: f64,
}

/// The children of a stage by their (sorted) key: packed when it fits.
#[derive(Default)]
struct ChildIndex {
    packed: HashMap<u128, usize, BuildFx>,
    wide: HashMap<Vec<u32>, usize, BuildFx>,
}

impl ChildIndex {
    fn pack(key: &[u32]) -> Option<u128> {
        pack(&[], &key[..key.len() - 1], key[key.len() - 1])
    }

    fn get(&self, key: &[u32]) -> Option<usize> {
        match Self::pack(key) {
            Some(q) => self.packed.get(&q).copied(),
            None => self.wide.get(key).copied(),
        }
    }

    fn insert(&mut self, key: &[u32], i: usize) {
        match Self::pack(key) {
            Some(q) => self.packed.insert(q, i),
            None => self.wide.insert(key.to_vec(), i),
        };
    }
}

/// The first index of sorted `v` with `v[i] >= x` (branch-free halving).
#[inline]
fn lower_bound(v: &[f64], x: f64) -> usize {
    let (mut base, mut len) = (0usize, v.len());
    while len > 1 {
        let half = len / 2;
        if v[base + half - 1] < x {
            base += half;
        }
        len -= half;
    }
    base + usize::from(len == 1 && v[base] < x)
}

/// What one stage shares while its nodes are expanded.
struct StageCtx<'s> {
    ck: u32,
    rest: &'s [u32],
    /// the children are complete tables (one column left after this one)
    terminal: bool,
    /// ln T'! - sum ln c! over the columns after this one (T' = what they hold)
    lt_base: f64,
}

/// The DFS state of one node's column split.
struct Split<'n> {
    node: &'n Node,
    parent: u32,
    pmin: f64,
    pmax: f64,
    /// ln of the summed past weights, for settled all-count subtrees
    all_past: f64,
    /// key_suffix[i] = sum of key[i..]; lf_suffix[i] = sum of ln key[l]! over l >= i
    key_suffix: Vec<u32>,
    lf_suffix: Vec<f64>,
    cells: Vec<u32>,
    child: Vec<u32>,
    scratch_rows: Vec<u32>,
    scratch_cols: Vec<u32>,
}

impl<'a> Network<'a> {
    fn new(sh: &'a Shared<'a>) -> Self {
        Network {
            sh,
            lf: sh.lf,
            bounder: Bounder::new(sh.lf, MAX_MEMO),
            thr: sh.thr,
            k_const: sh.k_const,
            pvalue: 0.0,
            visits: 0,
            fine_memo: HashMap::default(),
            node_memo: HashMap::default(),
            stage_id: u32::MAX,
            segments: Vec::new(),
            seg_pending: 0,
        }
    }

    /// A node's bounds on `S` over its completions and the log of their total
    /// weight: kept per stage (the columns `rest` are the stage's), as every
    /// task that reaches a child needs them.
    fn bounds_of(&mut self, key: &[u32], rest: &[u32]) -> (f64, f64, f64) {
        let lf = self.lf;
        let packed = ChildIndex::pack(key);
        if let Some(v) = packed.and_then(|q| self.node_memo.get(&q).copied()) {
            return v;
        }
        let (smin, smax) = self.bounder.of(key, rest);
        let tot: u32 = key.iter().sum();
        let ln_total = lf[tot as usize]
            - key.iter().map(|&v| lf[v as usize]).sum::<f64>()
            - rest.iter().map(|&v| lf[v as usize]).sum::<f64>();
        if let Some(q) = packed {
            self.node_memo.insert(q, (smin, smax, ln_total));
        }
        (smin, smax, ln_total)
    }

    fn expand(
        &mut self,
        node: &Node,
        parent: u32,
        ctx: &StageCtx<'_>,
        next: &mut Vec<Node>,
        index: &mut ChildIndex,
        first: Option<u32>,
    ) -> Result<()> {
        let k = node.key.len();
        // the memo's states are relative to this stage's columns
        let stage_id = ctx.rest.len() as u32;
        if self.stage_id != stage_id {
            self.fine_memo.clear();
            self.node_memo.clear();
            self.seg_pending = 0;
            self.stage_id = stage_id;
        }
        let mut key_suffix = vec![0u32; k + 1];
        let mut lf_suffix = vec![0.0f64; k + 1];
        for i in (0..k).rev() {
            key_suffix[i] = key_suffix[i + 1] + node.key[i];
            lf_suffix[i] = lf_suffix[i + 1] + self.lf[node.key[i] as usize];
        }
        let mut sp = Split {
            node,
            parent,
            pmin: node.past[0].0,
            pmax: node.past[node.past.len() - 1].0,
            all_past: node.suffix[0],
            key_suffix,
            lf_suffix,
            cells: vec![0u32; k],
            child: vec![0u32; k],
            scratch_rows: Vec::with_capacity(k),
            scratch_cols: Vec::with_capacity(ctx.rest.len() + 1),
        };
        match first {
            None => self.split(&mut sp, ctx, next, index, 0, ctx.ck, 0.0, 0.0),
            Some(v) => {
                // only row 0's share `v` of the column (see `work_items`)
                sp.cells[0] = v;
                let lf = self.lf;
                let (fe, fw) = (
                    lf[v as usize],
                    lf[v as usize] + lf[(node.key[0] - v) as usize],
                );
                self.split(&mut sp, ctx, next, index, 1, ctx.ck - v, fe, fw)
            }
        }
    }

    /// Rows `0..i` of this column are fixed (`fe` = their sum of ln n!, `fw` =
    /// sum of ln n! + ln (key - n)!); `m` is left for rows `i..`.
    #[allow(clippy::too_many_arguments)]
    fn split(
        &mut self,
        sp: &mut Split<'_>,
        ctx: &StageCtx<'_>,
        next: &mut Vec<Node>,
        index: &mut ChildIndex,
        i: usize,
        m: u32,
        fe: f64,
        fw: f64,
    ) -> Result<()> {
        self.visits += 1;
        if self.visits == 1 << 16 {
            crate::common::cancel::check()?;
            let all = self.sh.visits.fetch_add(self.visits, Ordering::Relaxed) + self.visits;
            self.visits = 0;
            if self.sh.stop.load(Ordering::Relaxed) {
                return Err(self.sh.stopped());
            }
            if all > MAX_VISITS {
                return Err(self
                    .sh
                    .too_large(format!("over {MAX_VISITS} column splits")));
            }
        }
        let lf = self.lf;
        let node: &Node = sp.node;
        let key = &node.key;
        let k = key.len();
        if i == k - 1 {
            sp.cells[i] = m;
            return self.leaf(sp, ctx, next, index, fe + lf[m as usize]);
        }
        if i > 0 {
            // bounds on S over every completion through this partial split
            let base = if ctx.terminal { fw } else { fe };
            let (a, b) = self.partial_bounds(sp, ctx, i, m, base);
            let (lo, hi) = (base + a, base + b);
            if sp.pmin + lo >= self.thr {
                // all completions of all pasts count: the subtree's weight in closed form
                let ki = sp.key_suffix[i] as usize;
                let ln_w = ctx.lt_base - fw + lf[ki]
                    - lf[m as usize]
                    - lf[ki - m as usize]
                    - sp.lf_suffix[i];
                self.pvalue += (self.k_const + ln_w + sp.all_past).exp();
                return Ok(());
            }
            if sp.pmax + hi < self.thr {
                return Ok(());
            }
        }
        if ctx.terminal && i + 2 == k {
            self.terminal_pair(sp, m, fw);
            return Ok(());
        }
        let cap_rest = sp.key_suffix[i + 1];
        let lo = m.saturating_sub(cap_rest);
        let hi = m.min(key[i]);
        for v in lo..=hi {
            sp.cells[i] = v;
            let key_i = key[i];
            self.split(
                sp,
                ctx,
                next,
                index,
                i + 1,
                m - v,
                fe + lf[v as usize],
                fw + lf[v as usize] + lf[(key_i - v) as usize],
            )?;
        }
        Ok(())
    }

    /// Bounds on the rest of `S` below a partial split (rows `0..i` fixed, `m`
    /// left for rows `i..`): on top of `fw` for the last column split, else of
    /// `fe`. Memoised per stage on (fixed rows' remainders, open rows, m): many
    /// nodes' splits meet in the same state. Each state keeps the `S` of one
    /// feasible completion (`min <= feas <= max`); the exact minimum is computed
    /// only when `feas` would let every past count, the maximum only when it (and
    /// a concentrated table's `S`) would let none. A bound that cannot settle
    /// anything is returned as `-inf` / `+inf`.
    fn partial_bounds(
        &mut self,
        sp: &mut Split<'_>,
        ctx: &StageCtx<'_>,
        i: usize,
        m: u32,
        base: f64,
    ) -> (f64, f64) {
        let lf = self.lf;
        let node = sp.node;
        let open = &node.key[i..];
        sp.scratch_rows.clear();
        if !ctx.terminal {
            sp.scratch_rows
                .extend((0..i).map(|l| node.key[l] - sp.cells[l]));
            sp.scratch_rows.sort_unstable();
        }
        let packed = pack(&sp.scratch_rows, open, m);
        let mut e = packed
            .and_then(|q| self.fine_memo.get(&q).copied())
            .unwrap_or(Fine {
                lo: f64::NAN,
                hi: f64::NAN,
                feas: f64::NAN,
                dual: f64::NEG_INFINITY,
            });
        // the remaining problem of a middle column, completed on first use: rows
        // 0..i (their remainders; they may not take column 0) then the open rows;
        // column 0 is what is left of this column (if anything), then the later ones
        let mut filled = false;
        let mut complete = |sp: &mut Split<'_>| {
            if !filled {
                sp.scratch_rows.extend_from_slice(open);
                sp.scratch_cols.clear();
                if m > 0 {
                    sp.scratch_cols.push(m);
                }
                sp.scratch_cols.extend_from_slice(ctx.rest);
                filled = true;
            }
        };
        let blocked = if m > 0 { i } else { 0 };
        if e.feas.is_nan() {
            if ctx.terminal {
                // two columns left: the exact minimum is cheap and is a feasible S
                let v = super::bounds::two_column_min(open, m, lf);
                e = Fine {
                    lo: v - super::bounds::BOUND_SLACK,
                    hi: f64::NAN,
                    feas: v,
                    dual: f64::NEG_INFINITY,
                };
            } else {
                complete(sp);
                (e.feas, e.dual) = super::bounds::feasible_s_masked(
                    &sp.scratch_rows,
                    &sp.scratch_cols,
                    blocked,
                    lf,
                );
            }
        }
        let can_all = sp.pmin + base + e.feas >= self.thr;
        let mut can_none = sp.pmax + base + e.feas < self.thr;
        // the dual bound settles most states without the exact minimum
        let dual_settles = can_all && sp.pmin + base + e.dual >= self.thr;
        if can_all && !dual_settles && e.lo.is_nan() {
            complete(sp);
            e.lo = super::bounds::min_s_masked(&sp.scratch_rows, &sp.scratch_cols, blocked, lf)
                - super::bounds::BOUND_SLACK;
        }
        if can_none && e.hi.is_nan() {
            if ctx.terminal {
                e.hi = super::bounds::two_line_max(open, m, lf);
            } else {
                complete(sp);
                can_none = sp.pmax
                    + base
                    + super::bounds::corner_s(&sp.scratch_rows, &sp.scratch_cols, lf)
                    < self.thr;
                if can_none {
                    // without the mask (rows 0..i could take more of this column)
                    // the maximum is still an upper bound
                    e.hi = self.bounder.max_of(&sp.scratch_rows, &sp.scratch_cols);
                }
            }
        }
        if let Some(q) = packed {
            self.fine_memo.insert(q, e);
        }
        (
            if dual_settles {
                e.dual
            } else if can_all {
                e.lo
            } else {
                f64::NEG_INFINITY
            },
            if can_none { e.hi } else { f64::INFINITY },
        )
    }

    /// The last two rows of the last column split, where every table is complete:
    /// `v` to row `k - 2`, `m - v` to row `k - 1`. `S(v)` is convex in `v`, so the
    /// splits whose completions count for every past (`S >= thr - pmin`) form the
    /// two tails of `lo..=hi`; their terms are summed by the ratio of successive
    /// hypergeometric terms, from the inner end (the largest term) outwards, with
    /// one `exp` a tail and no search. The splits between the tails are done one
    /// by one (a search in the pasts).
    fn terminal_pair(&mut self, sp: &Split<'_>, m: u32, fw: f64) {
        let lf = self.lf;
        let node = sp.node;
        let k = node.key.len();
        let (a, b) = (node.key[k - 2], node.key[k - 1]);
        let lo = m.saturating_sub(b);
        let hi = m.min(a);
        // the rest of S once v is chosen
        let s = |v: u32| {
            fw + lf[v as usize]
                + lf[(a - v) as usize]
                + lf[(m - v) as usize]
                + lf[(b + v - m) as usize]
        };
        let all = |v: u32| sp.pmin + s(v) >= self.thr;
        let mut v1 = lo;
        while v1 <= hi && all(v1) {
            v1 += 1;
        }
        let mut v2 = hi;
        while v2 > v1 && all(v2) {
            v2 -= 1;
        }
        let base = self.k_const + sp.all_past;
        let mut sum = 0.0;
        if v1 > lo {
            // left tail lo..v1: t(v - 1) = t(v) v (b - m + v) / ((a - v + 1)(m - v + 1))
            let mut t = (base - s(v1 - 1)).exp();
            sum += t;
            let mut v = v1 - 1;
            while v > lo {
                t *= (v as f64 * (b + v - m) as f64) / ((a - v + 1) as f64 * (m - v + 1) as f64);
                sum += t;
                v -= 1;
            }
        }
        if v1 <= hi && v2 < hi {
            // right tail (v2, hi]: t(v + 1) = t(v) (a - v)(m - v) / ((v + 1)(b - m + v + 1))
            let mut t = (base - s(v2 + 1)).exp();
            sum += t;
            let mut v = v2 + 1;
            while v < hi {
                t *= ((a - v) as f64 * (m - v) as f64) / ((v + 1) as f64 * (b + v + 1 - m) as f64);
                sum += t;
                v += 1;
            }
        }
        self.pvalue += sum;
        if v1 > hi {
            return;
        }
        for v in v1..=v2 {
            let sv = s(v);
            if sp.pmax + sv < self.thr {
                continue;
            }
            let from = node.past.partition_point(|&(p, _)| p + sv < self.thr);
            if from < node.past.len() {
                self.pvalue += (self.k_const - sv + node.suffix[from]).exp();
            }
        }
    }

    /// One complete split of the column: `edge` = its sum of ln n!.
    fn leaf(
        &mut self,
        sp: &mut Split<'_>,
        ctx: &StageCtx<'_>,
        next: &mut Vec<Node>,
        index: &mut ChildIndex,
        edge: f64,
    ) -> Result<()> {
        let node = sp.node;
        for ((c, &a), &b) in sp.child.iter_mut().zip(&node.key).zip(&sp.cells) {
            *c = a - b;
        }
        // (the last column's splits end in `terminal_pair`, never here)
        debug_assert!(!ctx.terminal);
        sp.child.sort_unstable();
        let (smin, smax, ln_total) = self.bounds_of(&sp.child, ctx.rest);
        // pasts are sorted: those with p >= thr - edge - smin count with every
        // completion (a suffix, from the suffix sums); those below thr - edge - smax never
        let vals = &node.vals;
        let all_at = self.thr - edge - smin;
        let none_below = self.thr - edge - smax;
        if vals[vals.len() - 1] < none_below {
            return Ok(());
        }
        let all_from = if vals[0] >= all_at {
            0
        } else {
            lower_bound(vals, all_at)
        };
        if all_from < vals.len() {
            self.pvalue += (self.k_const - edge + ln_total + node.suffix[all_from]).exp();
        }
        let some_from = lower_bound(&vals[..all_from], none_below);
        if some_from < all_from {
            // only a child that receives pasts is made
            let idx = match index.get(&sp.child) {
                Some(i) => i,
                None => {
                    let i = next.len();
                    let nd = Node::new(sp.child.clone(), smin);
                    next.push(nd);
                    index.insert(&sp.child, i);
                    i
                }
            };
            self.segments.push(Segment {
                child: idx as u32,
                parent: sp.parent,
                from: some_from as u32,
                to: all_from as u32,
                edge,
            });
            self.seg_pending += 1;
            if self.seg_pending == 1 << 16 {
                // only whole flushed batches are counted, so the count never
                // exceeds the stage's total: the guard trips on any thread count
                // exactly when the total is over it (also checked after the stage)
                self.seg_pending = 0;
                let all = self.sh.segments.fetch_add(1 << 16, Ordering::Relaxed) + (1 << 16);
                if all > MAX_SEGMENTS || self.sh.stop.load(Ordering::Relaxed) {
                    return Err(self.sh.too_many_windows());
                }
            }
        }
        Ok(())
    }
}
