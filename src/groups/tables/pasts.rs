//! The pasts of the network algorithm's nodes: the distinct partial sums of
//! `ln n!` that reach a node, with their multiplicities, gathered in an
//! open-addressing table while a stage is built and then sorted, merged and
//! summed from the top (log-sum-exp suffixes); the windows of pasts a stage
//! carries into its children; and the small hasher used for the node and
//! state keys.

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

/// A small multiplicative hasher for the node keys (short vectors of counts):
/// the default SipHash dominates the enumeration otherwise.
#[derive(Default, Clone, Copy)]
pub(super) struct Fx(u64);

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
    fn write_u128(&mut self, v: u128) {
        self.write_u64(v as u64);
        self.write_u64((v >> 64) as u64);
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

pub(super) type BuildFx = std::hash::BuildHasherDefault<Fx>;

pub(super) struct Node {
    pub(super) key: Vec<u32>,
    /// the least `S` over the node's completions (the root's tells whether every table counts)
    pub(super) smin: f64,
    /// (past sum of ln n!, multiplicity), sorted by the past sum once the stage is built
    pub(super) past: Vec<(f64, f64)>,
    /// while the stage is built: the pasts in an open-addressing table keyed by
    /// the past rounded to 1e-10 (one cache line a push, no second lookup)
    pub(super) table: PastTable,
    /// suffix[i] = ln sum over j >= i of w_j exp(-p_j)
    pub(super) suffix: Vec<f64>,
    /// the past values alone (for the searches)
    pub(super) vals: Vec<f64>,
}

/// Open-addressing (linear probing) table of pasts: slots of (rounded key, past, weight).
#[derive(Default)]
pub(super) struct PastTable {
    slots: Vec<(i64, f64, f64)>,
    len: usize,
}

const EMPTY: i64 = i64::MIN;

impl PastTable {
    #[inline]
    fn slot_of(&self, q: i64) -> usize {
        let h = (q as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (h >> (64 - self.slots.len().trailing_zeros())) as usize
    }

    /// Add a run of pasts, each shifted by `edge` and its weight times `mult`;
    /// returns how many are new entries. Room for the whole run is made first,
    /// so the loop itself never grows the table.
    fn add_run(&mut self, run: &[(f64, f64)], edge: f64, mult: f64) -> usize {
        while 2 * (self.len + run.len()) > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut added = 0;
        for &(p0, w0) in run {
            let p = p0 + edge;
            let w = w0 * mult;
            // p >= 0: truncation after +0.5 rounds to the nearest 1e-10
            let q = (p * 1e10 + 0.5) as i64;
            let mut i = self.slot_of(q);
            loop {
                let s = &mut self.slots[i];
                if s.0 == q {
                    s.2 += w;
                    break;
                }
                if s.0 == EMPTY {
                    *s = (q, p, w);
                    added += 1;
                    break;
                }
                i = (i + 1) & mask;
            }
        }
        self.len += added;
        added
    }

    fn grow(&mut self) {
        let cap = (self.slots.len() * 2).max(16);
        let old = std::mem::replace(&mut self.slots, vec![(EMPTY, 0.0, 0.0); cap]);
        let mask = cap - 1;
        for s in old.into_iter().filter(|s| s.0 != EMPTY) {
            let mut i = self.slot_of(s.0);
            while self.slots[i].0 != EMPTY {
                i = (i + 1) & mask;
            }
            self.slots[i] = s;
        }
    }

    fn drain(&mut self) -> Vec<(f64, f64)> {
        let out = self
            .slots
            .iter()
            .filter(|s| s.0 != EMPTY)
            .map(|s| (s.1, s.2))
            .collect();
        *self = PastTable::default();
        out
    }
}

impl Node {
    /// A node with no pasts yet; `smin` is the least `S` over its completions.
    pub(super) fn new(key: Vec<u32>, smin: f64) -> Self {
        Node {
            key,
            smin,
            past: Vec::new(),
            suffix: Vec::new(),
            vals: Vec::new(),
            table: PastTable::default(),
        }
    }

    /// Sort the past values and merge equal ones (sums of the same ln n! terms in
    /// another order differ by rounding only).
    fn compact(&mut self) {
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
    }

    /// [`PastTable::add_run`] on this node's table.
    pub(super) fn add_run(&mut self, run: &[(f64, f64)], edge: f64, mult: f64) -> usize {
        self.table.add_run(run, edge, mult)
    }

    pub(super) fn finish(&mut self) {
        if self.past.is_empty() {
            self.past = self.table.drain();
        }
        // values that fell into neighbouring 1e-10 bins are merged here
        self.compact();
        self.past.shrink_to_fit();
        // log-sum-exp suffix sums: robust to any spread of past values
        let mut suffix = vec![f64::NEG_INFINITY; self.past.len() + 1];
        for i in (0..self.past.len()).rev() {
            let a = self.past[i].1.ln() - self.past[i].0;
            suffix[i] = log_add(a, suffix[i + 1]);
        }
        self.suffix = suffix;
        self.vals = self.past.iter().map(|&(p, _)| p).collect();
    }
}

/// A window of a parent's pasts to be carried into a child, shifted by `edge`:
/// collected while a stage is expanded and applied child by child afterwards,
/// so that each child's table stays in cache while it is filled.
pub(super) struct Segment {
    pub(super) child: u32,
    pub(super) parent: u32,
    pub(super) from: u32,
    pub(super) to: u32,
    pub(super) edge: f64,
}

/// Carry the collected windows of pasts into the children, each child by one
/// task (its table stays in cache); windows from the same parent with the same
/// edge (the same multiset of cells) are carried once with their multiplicity.
/// False (and stopped early) when the children hold more than `max_entries`
/// distinct pasts in all.
pub(super) fn apply_segments(
    stage: &[Node],
    next: &mut [Node],
    segs: Vec<Segment>,
    max_entries: usize,
) -> bool {
    // bucket the segments by child (counting sort), then sort each child's own
    let mut start = vec![0usize; next.len() + 1];
    for s in &segs {
        start[s.child as usize + 1] += 1;
    }
    for i in 0..next.len() {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut order = vec![0u32; segs.len()];
    for (i, s) in segs.iter().enumerate() {
        order[fill[s.child as usize]] = i as u32;
        fill[s.child as usize] += 1;
    }
    let pushed = AtomicUsize::new(0);
    next.par_iter_mut()
        .enumerate()
        .try_for_each(|(ci, ch)| {
            // a child's segments from one parent with the same edge carry the same
            // window (it depends on the parent, the child and the edge only): sorted
            // by (parent, edge) they are adjacent; edges are >= 0, so their bits sort
            // like their values
            let mut mine: Vec<(u128, u32)> = order[start[ci]..start[ci + 1]]
                .iter()
                .map(|&i| {
                    let s = &segs[i as usize];
                    (((s.parent as u128) << 64) | s.edge.to_bits() as u128, i)
                })
                .collect();
            mine.sort_unstable_by_key(|&(key, _)| key);
            let mut added = 0usize;
            let mut i = 0;
            while i < mine.len() {
                let s = &segs[mine[i].1 as usize];
                let mut mult = 1.0;
                let mut j = i + 1;
                while j < mine.len() {
                    let t = &segs[mine[j].1 as usize];
                    if (t.parent, t.from, t.to) != (s.parent, s.from, s.to)
                        || t.edge - s.edge > 1e-11
                    {
                        break;
                    }
                    mult += 1.0;
                    j += 1;
                }
                added += ch.add_run(
                    &stage[s.parent as usize].past[s.from as usize..s.to as usize],
                    s.edge,
                    mult,
                );
                i = j;
            }
            if pushed.fetch_add(added, Ordering::Relaxed) + added > max_entries {
                return Err(());
            }
            Ok(())
        })
        .is_ok()
}

fn log_add(a: f64, b: f64) -> f64 {
    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
    if lo == f64::NEG_INFINITY {
        hi
    } else {
        hi + (lo - hi).exp().ln_1p()
    }
}
