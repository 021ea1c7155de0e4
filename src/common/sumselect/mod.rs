//! Order statistics of pairwise sums without forming them: the Hodges–Lehmann
//! estimate and interval of the Mann–Whitney test (differences
//! `x_i - y_j = x_i + (-y_j)`).
//!
//! For ascending `a` and `b`, `J_i(t) = #{j : a_i + b_j <= t}` is non-increasing
//! in `i`, so the counts at a threshold come from one staircase walk
//! (O(n_a + n_b)), or, where `b` is spread enough, from a bucket table over `b`
//! that settles each row on its own ([`bucket`]: the same counts, the rows
//! overlapping in the CPU). The rounded
//! sums `fl(a_i + b_j)` are monotone in each argument, so the counts are of the
//! very values that are returned. A selection keeps every walk it made; the
//! `k`-th sum lies in `(lo, hi]` between the two nearest thresholds with
//! `count(lo) < k <= count(hi)`, and once few sums lie there they are listed
//! from the two walks' row pointers and selected among.
//!
//! Thresholds come in rounds, several walks side by side (independent
//! dependency chains): first from a model of the sums, whose distribution is
//! the convolution of the two empirical ones (a Cornish–Fisher quantile from
//! their exact cumulants when the tails are moderate, else a normal model
//! with the robust centre and scale of the two samples), then by interpolating the counts between the
//! nearest walks, with a guard on each side of the predicted threshold so that
//! the bracket is tight on both. When a round does not halve a bracket, a
//! random sum inside it is the next threshold (expected halving), as in
//! Monahan's (1984) algorithm for the Hodges–Lehmann estimator; every step is
//! an exact count, so the answer never depends on the guesses.

use crate::common::dist;
use crate::common::keysort::{from_total_key, total_key};

mod bucket;
use bucket::{Buckets, SPAN};

/// Few enough candidates to list and select among.
const LIST_BELOW: u64 = 48;
/// Most walks run side by side in one round.
const LANES: usize = 8;

/// One walk: threshold, `#{sums <= t}` and its row pointers.
struct Walk {
    t: f64,
    count: u64,
    /// `J_i(t)` of every row.
    rows: Vec<u32>,
}

/// Reusable buffers (no allocation per endpoint once grown).
#[derive(Default)]
pub struct SumScratch {
    walks: Vec<Walk>,
    spare: Vec<Vec<u32>>,
    /// `b` with `-inf` in front (`bp[j] = b[j - 1]`) and `+inf` behind.
    bp: Vec<f64>,
    /// Listed sums as [`total_key`]s.
    cand: Vec<u64>,
    buckets: Buckets,
}

/// Order statistics of `{a_i + b_j}` over all pairs; `a`, `b` ascending and finite.
pub struct SumSelect<'a> {
    a: &'a [f64],
    b: &'a [f64],
    total: u64,
    sc: &'a mut SumScratch,
    rng: u64,
}

impl<'a> SumSelect<'a> {
    /// Sums `a_i + b_j` over all pairs (`a`, `b` ascending, finite, non-empty).
    pub fn pairs(a: &'a [f64], b: &'a [f64], sc: &'a mut SumScratch) -> Self {
        debug_assert!(a.windows(2).all(|w| w[0] <= w[1]) && b.windows(2).all(|w| w[0] <= w[1]));
        debug_assert!(a.iter().chain(b).all(|v| v.is_finite()));
        let total = a.len() as u64 * b.len() as u64;
        for w in sc.walks.drain(..) {
            sc.spare.push(w.rows);
        }
        sc.bp.clear();
        sc.bp.push(f64::NEG_INFINITY);
        sc.bp.extend_from_slice(b);
        sc.bp.extend([f64::INFINITY; SPAN - 1]);
        sc.buckets.build(b);
        SumSelect {
            a,
            b,
            total,
            sc,
            rng: 0x9E37_79B9_7F4A_7C15 ^ total.wrapping_mul(0xBF58_476D_1CE4_E5B9),
        }
    }

    /// The `ks[r]`-th smallest sums (1-based, clamped), into `out[r]`; the
    /// walks of every rank serve the others.
    pub fn kth_many(&mut self, ks: &[u64], out: &mut [f64]) {
        if self.total == 0 {
            out.iter_mut().for_each(|o| *o = f64::NAN);
            return;
        }
        for (kc, oc) in ks.chunks(RANKS).zip(out.chunks_mut(RANKS)) {
            self.kth_few(kc, oc);
        }
    }

    /// [`SumSelect::kth_many`] for at most [`RANKS`] ranks (its bookkeeping
    /// on the stack).
    fn kth_few(&mut self, ks_in: &[u64], out: &mut [f64]) {
        let mut ks = [0u64; RANKS];
        for (k, &v) in ks.iter_mut().zip(ks_in) {
            *k = v.clamp(1, self.total);
        }
        let ks = &ks[..ks_in.len()];
        let mut done = [false; RANKS];
        let mut prev_width = [u64::MAX; RANKS];
        let (c0, s0) = self.model();
        let kt = self.total as f64;
        let cf = self.cornish_fisher();
        // the model's quantile and density (sums per unit) at rank k
        let model_t = |k: f64| {
            let z = dist::norm_ppf((k - 0.5) / kt);
            match cf {
                Some(m) => m.quantile(z),
                None => c0 + s0 * z,
            }
        };
        let model_slope = |t: f64| {
            let z = (t - c0) / s0;
            kt * (-0.5 * z * z).exp() / (s0 * (2.0 * std::f64::consts::PI).sqrt())
        };
        let mut ts = Few::<f64, LANES>::new();
        let mut firsts = Few::<u64, LANES>::new();
        if self.sc.walks.is_empty() && s0 > 0.0 && s0.is_finite() {
            for &k in ks {
                // ranks close together share the first walk
                if ts.len() < LANES
                    && !firsts
                        .iter()
                        .any(|&f: &u64| f.abs_diff(k) <= self.list_below())
                {
                    let t = model_t(k as f64);
                    if t.is_finite() {
                        ts.push(t);
                        firsts.push(k);
                    }
                }
            }
        }
        loop {
            if ts.len() > 0 {
                self.walk_many(ts.as_slice());
                ts.clear();
            }
            let mut open = false;
            let mut brackets = Few::<(usize, usize), LANES>::new();
            for (r, &k) in ks.iter().enumerate() {
                if done[r] {
                    continue;
                }
                let (lo, hi) = self.bracket(k);
                let (clo, chi) = (self.count_of(lo), self.count_of(hi));
                let (tlo, thi) = (self.t_of(lo), self.t_of(hi));
                if tlo >= next_down(thi) {
                    // every candidate equals t_hi (the bracket holds no other float)
                    out[r] = thi;
                    done[r] = true;
                    continue;
                }
                let width = chi - clo;
                if width <= self.list_below() {
                    // one listing serves every rank in this bracket (the two
                    // middle ranks of an even count, say)
                    let mut here = Few::<(usize, u64), RANKS>::new();
                    for (r2, &k2) in ks.iter().enumerate().skip(r) {
                        if !done[r2] && (r2 == r || self.bracket(k2) == (lo, hi)) {
                            here.push((r2, k2));
                        }
                    }
                    self.list_select(lo, hi, here.as_mut_slice(), out);
                    for &(r2, _) in here.iter() {
                        done[r2] = true;
                    }
                    continue;
                }
                open = true;
                if ts.len() + 2 > LANES || brackets.iter().any(|&b| b == (lo, hi)) {
                    continue; // the next round takes it (with this round's walks)
                }
                brackets.push((lo, hi));
                let halved = 2 * width <= prev_width[r];
                prev_width[r] = width;
                // Newton from the nearer bracket end: the secant slope of a
                // finite bracket, else the model's density there
                let kf = k as f64 - 0.5;
                let (tw, cw) = if lo != NEG && (hi == POS || k - clo <= chi - k) {
                    (tlo, clo as f64)
                } else {
                    (thi, chi as f64)
                };
                let slope = if lo != NEG && hi != POS {
                    width as f64 / (thi - tlo)
                } else {
                    model_slope(tw)
                };
                let guard = (self.list_below() as f64 / 4.0).max((kf - cw).abs() / 4.0);
                let inside = |t: f64| t.is_finite() && t > tlo && t < thi;
                // two guards around the predicted rank: the bracket they make
                // is listed next round when the prediction holds
                let picks = [
                    tw + (kf - guard - cw) / slope,
                    tw + (kf + guard - cw) / slope,
                ];
                if halved && slope > 0.0 && picks.iter().any(|&t| inside(t)) {
                    for t in picks.into_iter().filter(|&t| inside(t)) {
                        ts.push(t);
                    }
                } else {
                    let t = self.random_inside(lo, hi);
                    // a pick equal to t_hi could not move the bracket: count the sums below it
                    ts.push(if t >= thi { next_down(thi) } else { t });
                }
            }
            if !open {
                return;
            }
        }
    }

    /// Robust centre and scale of the sums: medians and IQR / 1.349 of the
    /// two samples (the range when the IQR is 0).
    fn model(&self) -> (f64, f64) {
        let q = |v: &[f64], p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
        let scale = |v: &[f64]| {
            let s = (q(v, 0.75) - q(v, 0.25)) / 1.349;
            if s > 0.0 {
                s
            } else {
                (v[v.len() - 1] - v[0]) / 4.0
            }
        };
        let (sa, sb) = (scale(self.a), scale(self.b));
        (q(self.a, 0.5) + q(self.b, 0.5), (sa * sa + sb * sb).sqrt())
    }

    /// The sums' own mean, standard deviation, skewness and excess kurtosis
    /// (cumulants of a sum of independent draws add: the sums are every `a`
    /// with every `b`, so their cumulants are the two samples' cumulants
    /// added), for a Cornish–Fisher first guess; `None` for tails too heavy
    /// for the expansion (there the robust normal model guesses better).
    fn cornish_fisher(&self) -> Option<CornishFisher> {
        let cumulants = |v: &[f64]| {
            let n = v.len() as f64;
            let mean = v.iter().sum::<f64>() / n;
            // four partial sums each (independent chains)
            let (mut m2, mut m3, mut m4) = ([0.0; 4], [0.0; 4], [0.0; 4]);
            for (c, &x) in v.iter().enumerate() {
                let (d, l) = (x - mean, c % 4);
                let d2 = d * d;
                m2[l] += d2;
                m3[l] += d2 * d;
                m4[l] += d2 * d2;
            }
            let sum = |m: [f64; 4]| (m[0] + m[1]) + (m[2] + m[3]);
            let (m2, m3, m4) = (sum(m2) / n, sum(m3) / n, sum(m4) / n);
            [mean, m2, m3, m4 - 3.0 * m2 * m2]
        };
        let (ca, cb) = (cumulants(self.a), cumulants(self.b));
        let k: [f64; 4] = std::array::from_fn(|c| ca[c] + cb[c]);
        let sd = k[1].sqrt();
        let (g1, g2) = (k[2] / (sd * sd * sd), k[3] / (k[1] * k[1]));
        (sd > 0.0 && k.iter().all(|c| c.is_finite()) && g1.abs() <= 0.5 && g2.abs() <= 1.0)
            .then_some(CornishFisher {
                mean: k[0],
                sd,
                g1,
                g2,
            })
    }

    /// Walks `lo`, `hi` (indices into the kept walks; `usize::MAX` = -inf,
    /// `usize::MAX - 1` = +inf) nearest around rank `k`.
    fn bracket(&self, k: u64) -> (usize, usize) {
        let (mut lo, mut hi) = (NEG, POS);
        let (mut tlo, mut thi) = (f64::NEG_INFINITY, f64::INFINITY);
        for (w, walk) in self.sc.walks.iter().enumerate() {
            if walk.count < k {
                if walk.t > tlo || lo == NEG {
                    lo = w;
                    tlo = walk.t;
                }
            } else if walk.t < thi || hi == POS {
                hi = w;
                thi = walk.t;
            }
        }
        (lo, hi)
    }

    fn count_of(&self, w: usize) -> u64 {
        match w {
            NEG => 0,
            POS => self.total,
            _ => self.sc.walks[w].count,
        }
    }

    fn t_of(&self, w: usize) -> f64 {
        match w {
            NEG => f64::NEG_INFINITY,
            POS => f64::INFINITY,
            _ => self.sc.walks[w].t,
        }
    }

    /// Listing beats another walk below about one walk's length.
    fn list_below(&self) -> u64 {
        LIST_BELOW.max((self.a.len() + self.b.len()) as u64)
    }

    /// Row pointers of a walk for the listing; `None` for an open end
    /// (-inf: the row starts; +inf: the row ends).
    fn rows_of(&self, w: usize) -> Option<&[u32]> {
        match w {
            NEG | POS => None,
            _ => Some(&self.sc.walks[w].rows[..]),
        }
    }

    /// Visit the sums in `(t_lo, t_hi]` row by row: `f(i, from, to)` for the
    /// columns `from..to` of row `i`; stops when `f` returns false.
    fn each_row<F: FnMut(usize, usize, usize) -> bool>(&self, lo: usize, hi: usize, mut f: F) {
        let (n, m) = (self.a.len(), self.b.len());
        let (lr, hr) = (self.rows_of(lo), self.rows_of(hi));
        let rows = if hi == NEG { 0 } else { n };
        for i in 0..rows {
            let from = lr.map_or(0, |r| r[i] as usize);
            let to = hr.map_or(m, |r| r[i] as usize);
            if to > from && !f(i, from, to) {
                return;
            }
        }
    }

    /// List the sums in `(t_lo, t_hi]` and select each rank `k - count(lo)`
    /// of `ranks` (`(slot in out, k)`, all inside the bracket) among them.
    /// The sums are selected as `total_cmp` keys (integer comparisons).
    fn list_select(&mut self, lo: usize, hi: usize, ranks: &mut [(usize, u64)], out: &mut [f64]) {
        let mut cand = std::mem::take(&mut self.sc.cand);
        self.list_keys(lo, hi, &mut cand);
        ranks.sort_unstable_by_key(|&(_, k)| k);
        let c0 = self.count_of(lo);
        // after selecting rank r, everything right of it is >= it: the next
        // (higher) rank is selected among those
        let mut from = 0usize;
        for &(slot, k) in ranks.iter() {
            let r = (k - c0 - 1) as usize;
            out[slot] = if r < cand.len() && r >= from {
                let v = *cand[from..].select_nth_unstable(r - from).1;
                from = r;
                from_total_key(v)
            } else {
                // only through an inconsistent comparison; never in the tests
                self.t_of(hi)
            };
        }
        self.sc.cand = cand;
    }

    /// The sums in `(t_lo, t_hi]` as [`total_key`]s into `cand`. Each row
    /// writes its first [`EMIT`] columns whether it has them or not (`bp`
    /// is padded) and moves on by the number it has: no branch per sum.
    fn list_keys(&self, lo: usize, hi: usize, cand: &mut Vec<u64>) {
        const EMIT: usize = 4;
        let (a, bp, n) = (self.a, &self.sc.bp[..], self.a.len());
        let width = (self.count_of(hi) - self.count_of(lo)) as usize;
        cand.clear();
        cand.resize(width + EMIT, 0);
        let (Some(lr), Some(hr)) = (self.rows_of(lo), self.rows_of(hi)) else {
            // an open end (few walks so far): row by row
            cand.clear();
            self.each_row(lo, hi, |i, f, t| {
                let ai = a[i];
                cand.extend(bp[f + 1..t + 1].iter().map(|&bj| total_key(ai + bj)));
                true
            });
            return;
        };
        let (lr, hr) = (&lr[..n], &hr[..n]);
        let mut len = 0usize;
        for ((&ai, &f), &t) in a.iter().zip(lr).zip(hr) {
            let (from, to) = (f as usize, (t as usize).max(f as usize));
            let k = to - from;
            if k <= EMIT && len + EMIT <= cand.len() {
                // bp[from + 1 + e] is b[from + e] (+inf past the end)
                let src = &bp[from + 1..from + 1 + EMIT];
                let dst = &mut cand[len..len + EMIT];
                for (d, &bj) in dst.iter_mut().zip(src) {
                    *d = total_key(ai + bj);
                }
            } else {
                cand.truncate(len);
                cand.extend(bp[from + 1..to + 1].iter().map(|&bj| total_key(ai + bj)));
                cand.resize(cand.len().max(width) + EMIT, 0);
            }
            len += k;
        }
        cand.truncate(len);
    }

    /// A sum inside `(t_lo, t_hi]`, uniformly at random.
    fn random_inside(&mut self, lo: usize, hi: usize) -> f64 {
        let width = self.count_of(hi) - self.count_of(lo);
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let mut r = (self.rng % width) as usize;
        let (a, b) = (self.a, self.b);
        let mut v = self.t_of(hi);
        self.each_row(lo, hi, |i, f, t| {
            if r < t - f {
                v = a[i] + b[f + r];
                return false;
            }
            r -= t - f;
            true
        });
        v
    }

    /// Walk every threshold of `ts` side by side (groups of [`GROUP`]
    /// independent chains); keeps the walks.
    fn walk_many(&mut self, ts: &[f64]) {
        let mut walk: Vec<f64> = Vec::new();
        for &t in ts {
            if !(self.sc.buckets.usable() && t.is_finite()) {
                walk.push(t);
                continue;
            }
            let n = self.a.len();
            let mut rows = self.sc.spare.pop().unwrap_or_default();
            rows.clear();
            rows.resize(n + 1, 0);
            match self.sc.buckets.rows(self.a, &self.sc.bp, t, &mut rows) {
                Some(count) => self.sc.walks.push(Walk { t, count, rows }),
                None => {
                    self.sc.spare.push(rows);
                    walk.push(t);
                }
            }
        }
        for g in walk.chunks(GROUP) {
            self.walk_group(g);
        }
    }

    fn walk_group(&mut self, ts: &[f64]) {
        let (a, n, m) = (self.a, self.a.len(), self.b.len());
        let lanes = ts.len();
        let mut rows: [Vec<u32>; GROUP] = Default::default();
        for r in rows.iter_mut() {
            let mut v = self.sc.spare.pop().unwrap_or_default();
            v.clear();
            v.resize(n + 1, 0);
            *r = v;
        }
        let bp = &self.sc.bp[..m + 1];
        let i = [0usize; GROUP];
        let j = [m; GROUP];
        let mut cnt = [0u64; GROUP];
        let mut t = [f64::INFINITY; GROUP];
        t[..lanes].copy_from_slice(ts);
        // a lane is live while it has rows to settle; lanes past `lanes`
        // start finished
        let mut go = [false; GROUP];
        go[..lanes].fill(n > 0);
        let last = n - 1;
        {
            let [r0, r1, r2, r3] = &mut rows;
            let (o0, o1, o2, o3) = (&mut r0[..], &mut r1[..], &mut r2[..], &mut r3[..]);
            let [mut i0, mut i1, mut i2, mut i3] = i;
            let [mut j0, mut j1, mut j2, mut j3] = j;
            let [mut c0, mut c1, mut c2, mut c3] = cnt;
            let [mut g0, mut g1, mut g2, mut g3] = go;
            let [t0, t1, t2, t3] = t;
            // one step of one lane; a finished lane stays put (its updates
            // are masked), so the liveness test can wait for a stretch
            macro_rules! step {
                ($i:ident, $j:ident, $c:ident, $g:ident, $t:ident, $o:ident) => {{
                    let (ic, jc) = ($i, $j);
                    debug_assert!(ic <= n && jc <= m);
                    // SAFETY: ic <= n (a live lane settles at most n rows and
                    // then stops; the read is clamped to the last row; the
                    // row buffer has n + 1 entries) and jc <= m (it starts at
                    // m and falls only while bp[jc] > -inf, i.e. jc >= 1)
                    let s = unsafe { *a.get_unchecked(ic.min(last)) + *bp.get_unchecked(jc) };
                    let dec = $g & (s > $t);
                    let adv = $g & !dec;
                    unsafe {
                        *$o.get_unchecked_mut(ic) = jc as u32;
                    }
                    $c = $c.wrapping_add((jc as u64) & (adv as u64).wrapping_neg());
                    $j = jc - dec as usize;
                    $i = ic + adv as usize;
                    $g &= $i < n;
                }};
            }
            while g0 | g1 | g2 | g3 {
                for _ in 0..16 {
                    step!(i0, j0, c0, g0, t0, o0);
                    step!(i1, j1, c1, g1, t1, o1);
                    step!(i2, j2, c2, g2, t2, o2);
                    step!(i3, j3, c3, g3, t3, o3);
                }
            }
            cnt = [c0, c1, c2, c3];
        }
        for (c, r) in rows.into_iter().enumerate() {
            if c < lanes {
                self.sc.walks.push(Walk {
                    t: t[c],
                    count: cnt[c],
                    rows: r,
                });
            } else {
                self.sc.spare.push(r);
            }
        }
    }
}

/// A distribution by its first four cumulants.
#[derive(Clone, Copy)]
struct CornishFisher {
    mean: f64,
    sd: f64,
    g1: f64,
    g2: f64,
}

impl CornishFisher {
    /// The quantile at normal quantile `z` (Cornish–Fisher, terms to 1/n).
    fn quantile(&self, z: f64) -> f64 {
        let (g1, g2) = (self.g1, self.g2);
        let w = z + (z * z - 1.0) * g1 / 6.0 + (z * z * z - 3.0 * z) * g2 / 24.0
            - (2.0 * z * z * z - 5.0 * z) * g1 * g1 / 36.0;
        self.mean + self.sd * w
    }
}

/// Ranks one selection round keeps on the stack ([`SumSelect::kth_many`]
/// takes more in turns, the walks kept across them).
const RANKS: usize = 8;

/// At most `N` items on the stack (the selection's bookkeeping: no
/// allocation per endpoint).
struct Few<T: Copy + Default, const N: usize> {
    v: [T; N],
    len: usize,
}

impl<T: Copy + Default, const N: usize> Few<T, N> {
    fn new() -> Self {
        Few {
            v: [T::default(); N],
            len: 0,
        }
    }
    /// Adds `x` (the callers check `len` first; a full list would keep its items).
    fn push(&mut self, x: T) {
        debug_assert!(self.len < N);
        if self.len < N {
            self.v[self.len] = x;
            self.len += 1;
        }
    }
    fn len(&self) -> usize {
        self.len
    }
    fn clear(&mut self) {
        self.len = 0;
    }
    fn as_slice(&self) -> &[T] {
        &self.v[..self.len]
    }
    fn as_mut_slice(&mut self) -> &mut [T] {
        &mut self.v[..self.len]
    }
    fn iter(&self) -> std::slice::Iter<'_, T> {
        self.as_slice().iter()
    }
}

/// Walks run side by side (independent dependency chains).
const GROUP: usize = 4;

/// The largest float below `t` (`t` finite or infinite, not NaN).
fn next_down(t: f64) -> f64 {
    if t == f64::NEG_INFINITY || t.is_nan() {
        return t;
    }
    if t == 0.0 {
        return -f64::from_bits(1);
    }
    let b = t.to_bits();
    f64::from_bits(if t > 0.0 { b - 1 } else { b + 1 })
}

const NEG: usize = usize::MAX;
const POS: usize = usize::MAX - 1;

#[cfg(test)]
mod tests {
    use super::*;

    fn rng(seed: u64) -> impl FnMut() -> f64 {
        let mut s = seed.max(1);
        move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    fn brute(a: &[f64], b: &[f64]) -> Vec<f64> {
        let mut v: Vec<f64> = a
            .iter()
            .flat_map(|&x| b.iter().map(move |&y| x + y))
            .collect();
        v.sort_by(|p, q| p.total_cmp(q));
        v
    }

    fn kth(a: &[f64], b: &[f64], k: u64, sc: &mut SumScratch) -> f64 {
        let mut out = [0.0];
        SumSelect::pairs(a, b, sc).kth_many(&[k], &mut out);
        out[0]
    }

    fn samples() -> Vec<Vec<f64>> {
        let mut u = rng(7);
        let mut out = Vec::new();
        for case in 0..60usize {
            let n = 1 + case * 3 % 97;
            let v: Vec<f64> = (0..n)
                .map(|_| {
                    let z = u() + u() + u() - 1.5;
                    match case % 5 {
                        0 => z,
                        1 => (z * 3.0).round(),  // heavy ties
                        2 => (u() * 50.0).exp(), // heavy right tail
                        3 => {
                            if u() < 0.1 {
                                1e6
                            } else {
                                z
                            }
                        } // outliers
                        _ => 0.25,               // all equal
                    }
                })
                .collect();
            out.push(v);
        }
        out
    }

    // values compare with == (a listed 0.0 may be the -0.0 of the full sort)
    #[test]
    fn every_rank_equals_the_full_sort() {
        let s = samples();
        let mut sc = SumScratch::default();
        for (c, x) in s.iter().enumerate() {
            let mut a = x.clone();
            a.sort_by(|p, q| p.total_cmp(q));
            let mut b: Vec<f64> = s[(c * 7 + 3) % s.len()].iter().map(|v| -v).collect();
            b.sort_by(|p, q| p.total_cmp(q));
            // another sample, and the sample with itself (every sum twice)
            for (other, bb) in [("other", b.clone()), ("self", a.clone())] {
                let all = brute(&a, &bb);
                let kk = all.len() as u64;
                let ks: Vec<u64> = (1..=kk)
                    .step_by(1 + kk as usize / 40)
                    .chain([kk / 2, kk / 2 + 1, kk])
                    .collect();
                // one rank at a time, and all at once (the walks shared)
                for &k in &ks {
                    assert_eq!(
                        kth(&a, &bb, k, &mut sc),
                        all[k.clamp(1, kk) as usize - 1],
                        "case {c} {other} k {k}"
                    );
                }
                let mut out = vec![0.0; ks.len()];
                SumSelect::pairs(&a, &bb, &mut sc).kth_many(&ks, &mut out);
                for (r, &k) in ks.iter().enumerate() {
                    assert_eq!(
                        out[r],
                        all[k.clamp(1, kk) as usize - 1],
                        "case {c} {other} k {k} (many)"
                    );
                }
            }
        }
    }

    #[test]
    fn sums_that_overflow_are_ranked_as_their_rounded_values() {
        let a = [-1.7e308, -1.0, 0.0, 1.5e308, 1.7e308];
        let b = [-1.0e308, 2.0, 1.0e308];
        let mut sc = SumScratch::default();
        for bb in [&b[..], &a[..]] {
            let all = brute(&a, bb);
            for k in 1..=all.len() as u64 {
                assert_eq!(kth(&a, bb, k, &mut sc), all[k as usize - 1], "k {k}");
            }
        }
    }
}
