//! The signed-rank sum `V+` of `x - d` by counting Walsh sums, for the replay
//! of R's `uniroot` in the asymptotic Hodges–Lehmann interval ([`super::hl`]).
//!
//! With no zeros and no ties among `|x_i - d|`, `V+` is the number of pairs
//! `i <= j` with `x_i + x_j > 2d` (the classical identity: a positive `x_j - d`
//! has rank `#{i: |x_i - d| <= |x_j - d|}`, and each such pair has a positive
//! Walsh average). R ranks the rounded `|x_i - d|`, though, and rounding can
//! tie or reorder values that differ by a few units in the last place. This
//! counter therefore answers only where rounding cannot matter and returns
//! `None` elsewhere (the caller then ranks the rounded values, as R):
//!
//! * `x` sorted, finite, `R = max |x_i|` in `[1e-290, 1e290]`, `d` strictly
//!   inside `(x_1, x_n)` (so `|x_i - d| <= 2R`) and no `x_i == d` (no zero;
//!   `x_i - d` rounds to 0 only when equal);
//! * neighbouring `x` at least `2^-44 R` apart: each `x_i - d` is within
//!   `2^-52 R` of its exact value, so values on one side of `d` keep their
//!   strict order after rounding;
//! * no Walsh sum `x_i + x_j` (as rounded, within `2^-52 R` of exact) within
//!   `beta = 2^-44 R` of `2d`: then `|(x_j - d) - (d - x_i)| > 2^-51 R`, so a
//!   value above `d` and one below it keep their strict order after rounding.
//!
//! Under these conditions the ranks R computes are the exact ranks, without
//! ties, and the count is exact: one branch-free merge of the values below
//! `d` against those above (O(n), no allocation), where ranking the rounded
//! `|x - d|` merges, tracks tie groups and sums ranks. (Listing the Walsh
//! sums near a root once, so that Brent's later iterates cost less, did not
//! pay: about half of the ~27 iterates per endpoint are far apart, bisection
//! steps included, and a branchy listing cost more than it saved.)

/// Counting state of one endpoint (reused across endpoints: no allocation
/// once grown).
#[derive(Default)]
pub(super) struct WalshCount {
    /// The preconditions on `x` hold.
    ok: bool,
    beta: f64,
    /// `x` with `-inf` in front and `+inf` behind.
    xp: Vec<f64>,
}

impl WalshCount {
    /// Start on a new sorted sample `x`.
    pub(super) fn reset(&mut self, x: &[f64]) {
        let n = x.len();
        self.xp.clear();
        self.xp.push(f64::NEG_INFINITY);
        self.xp.extend_from_slice(x);
        self.xp.push(f64::INFINITY);
        self.ok = false;
        if n < 2 {
            return;
        }
        let r = x[0].abs().max(x[n - 1].abs());
        if !(1e-290..=1e290).contains(&r) {
            return;
        }
        let sep = r * 2f64.powi(-44);
        self.beta = sep;
        self.ok = x.windows(2).fold(true, |ok, w| ok & (w[1] - w[0] > sep));
    }

    /// `V+` of `x - d` (zeros dropped, ranks of `|x - d|`, as R), when it
    /// follows from counting; `None` where rounding might tie or reorder.
    /// `x` is the sample given to [`WalshCount::reset`].
    pub(super) fn v_pos(&self, x: &[f64], d: f64) -> Option<u64> {
        let n = x.len();
        if !(self.ok && d > x[0] && d < x[n - 1]) {
            return None;
        }
        let k = x.partition_point(|&v| v < d);
        if x[k] == d {
            return None;
        }
        count_above(&self.xp, k, 2.0 * d, self.beta)
    }
}

/// `#{i <= j: x_i + x_j > t}` for sorted `x` whose first `k` values lie
/// below `t / 2` (none equal to it), `None` when some `x_i + x_j` with
/// `x_i < t / 2 < x_j` lies within `beta` of `t`. `xp` is `x` padded with
/// `-inf` in front and `+inf` behind.
///
/// Pairs on one side of `t / 2` count in closed form (all above, or none);
/// the cross pairs by merging `a_i = t - x_i` (`i < k`, ascending as `i`
/// falls) with `b_j = x_j` (`j >= k`): `x_j > a_i` counts. The merge is cut
/// into four stretches at their merge-path split points and run side by side
/// without branches (four independent dependency chains). Every `a` is
/// compared with the first `b` after it, and the last `b` before it or an
/// `a` closer to that `b`, so checking each compared pair finds any cross
/// sum within `beta` of `t`.
pub(super) fn count_above(xp: &[f64], k: usize, t: f64, beta: f64) -> Option<u64> {
    const S: usize = 4;
    let n = xp.len() - 2;
    let (na, nb) = (k, n - k);
    let same = (nb * (nb + 1) / 2) as u64;
    // a(i) = t - x_{k-1-i} (a(na) = +inf), b(j) = x_{k+j} (b(nb) = +inf)
    let a = |i: usize| t - xp[k - i];
    let b = |j: usize| xp[k + 1 + j];
    let total = na + nb;
    // A elements among the first h merged (b before a on equality)
    let split = |h: usize| -> usize {
        let (mut lo, mut hi) = (h.saturating_sub(nb), h.min(na));
        while lo < hi {
            let m = (lo + hi) / 2;
            if b(h - m - 1) <= a(m) {
                hi = m;
            } else {
                lo = m + 1;
            }
        }
        lo
    };
    let mut i = [0usize; S];
    let mut j = [0usize; S];
    let mut len = [0usize; S];
    for c in 0..S {
        let h = c * total / S;
        i[c] = split(h);
        j[c] = h - i[c];
        len[c] = (c + 1) * total / S - h;
    }
    // sum over the a's of the number of b's before them, and the near flag;
    // `xr` is `xp` read backwards from the last a: a(i) = t - xr[i]
    let xr = &xp[..=k];
    let xb = &xp[k + 1..];
    let (mut before, mut near) = ([0u64; S], [false; S]);
    let common = len.iter().copied().min().unwrap_or(0);
    let mut run = |c0: usize, c1: usize, steps: usize, i: &mut [usize; S], j: &mut [usize; S]| {
        for _ in 0..steps {
            for c in c0..c1 {
                let p = t - xr[k - i[c]];
                let q = xb[j[c]];
                let take_b = q <= p;
                near[c] |= (p - q).abs() <= beta;
                before[c] += if take_b { 0 } else { j[c] as u64 };
                j[c] += take_b as usize;
                i[c] += (!take_b) as usize;
            }
        }
    };
    run(0, S, common, &mut i, &mut j);
    for (c, &l) in len.iter().enumerate() {
        run(c, c + 1, l - common, &mut i, &mut j);
    }
    if near.iter().any(|&f| f) {
        return None;
    }
    Some(same + (na * nb) as u64 - before.iter().sum::<u64>())
}
