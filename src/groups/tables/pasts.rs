//! The pasts of the network algorithm's nodes: the distinct partial sums of
//! `ln n!` that reach a node, with their multiplicities, gathered in an
//! open-addressing table while a stage is built and then sorted, merged and
//! summed from the top (log-sum-exp suffixes); and the small hasher used for
//! the node and state keys.

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

fn log_add(a: f64, b: f64) -> f64 {
    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
    if lo == f64::NEG_INFINITY {
        hi
    } else {
        hi + (lo - hi).exp().ln_1p()
    }
}
