//! Hodges–Lehmann shift: the order statistics of the pairwise differences and R's asymptotic CI.

use super::*;

/// R's standardized statistic at shift `d`, with all ties at that point
/// (`xs`, `ys` ascending, so `xs - d` stays ascending: a merge walk, no sort).
pub(super) fn w_at(xs: &[f64], ys: &[f64], d: f64, alt: Alternative, correct: bool) -> f64 {
    let xd: Vec<f64> = xs.iter().map(|v| v - d).collect();
    let mr = merge_ranks(&xd, ys);
    let (fx, fy) = (xs.len() as f64, ys.len() as f64);
    let dz = mr.rank_sum_x - fx * (fx + 1.0) / 2.0 - fx * fy / 2.0;
    (dz - alt.continuity(correct, dz)) / tie_sigma(fx, fy, mr.tie_term)
}

/// `sum(t^3 - t)` over the tie groups of an ascending slice.
pub(super) fn sorted_tie_term(v: &[f64]) -> f64 {
    let mut tt = 0.0;
    let mut i = 0;
    while i < v.len() {
        let mut j = i + 1;
        while j < v.len() && v[j] == v[i] {
            j += 1;
        }
        let t = (j - i) as f64;
        tt += t * t * t - t;
        i = j;
    }
    tt
}

/// The `(k+1)`-th smallest difference given the `k`-th, `v` (a check for the tests).
#[cfg(test)]
pub(super) fn next_diff(xs: &[f64], ys: &[f64], v: f64, k: usize) -> f64 {
    if count_below(xs, ys, v, false) > k {
        return v;
    }
    // smallest difference > v: in row i, the last j with xs[i] - ys[j] > v
    let ny = ys.len();
    let mut j = 0usize;
    let mut best = f64::INFINITY;
    for &xi in xs {
        while j < ny && xi - ys[j] > v {
            j += 1;
        }
        if j > 0 {
            best = best.min(xi - ys[j - 1]);
        }
    }
    best
}

/// R's asymptotic CI: roots of `W(d) = zq`; on each open interval between
/// consecutive pairwise differences `W(d)` depends on `#{D > d}` only, so each
/// root is an order statistic of the differences.
pub(super) fn asymptotic_ci(
    sel: &mut DiffSelect<'_>,
    xs: &[f64],
    ys: &[f64],
    alt: Alternative,
    correct: bool,
    alpha: f64,
) -> (f64, f64) {
    let (nx, ny) = (xs.len(), ys.len());
    let k = nx * ny;
    let mumin = xs[0] - ys[ny - 1];
    let mumax = xs[nx - 1] - ys[0];
    let w_min = w_at(xs, ys, mumin, alt, correct);
    let w_max = w_at(xs, ys, mumax, alt, correct);
    // within-sample ties only (no cross ties inside an open interval)
    let sigma = tie_sigma(
        nx as f64,
        ny as f64,
        sorted_tie_term(xs) + sorted_tie_term(ys),
    );
    if !(sigma > 0.0) || !w_min.is_finite() || !w_max.is_finite() {
        return (f64::NAN, f64::NAN);
    }
    let g = |c: usize| -> f64 {
        let dz = c as f64 - k as f64 / 2.0;
        (dz - alt.continuity(correct, dz)) / sigma
    };
    let mut root = |zq: f64| -> f64 {
        if !(w_min - zq > 0.0) {
            return mumin;
        }
        if !(w_max - zq < 0.0) {
            return mumax;
        }
        // smallest c with g(c) > zq (g non-decreasing in c)
        let (mut lo, mut hi) = (0usize, k);
        if !(g(hi) > zq) {
            return mumax;
        }
        while lo < hi {
            let mid = (lo + hi) / 2;
            if g(mid) > zq {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        let c = lo.max(1);
        sel.kth(k - c + 1)
    };
    match alt {
        Alternative::TwoSided => (
            root(dist::norm_ppf(1.0 - alpha / 2.0)),
            root(dist::norm_ppf(alpha / 2.0)),
        ),
        Alternative::Greater => (root(dist::norm_ppf(1.0 - alpha)), f64::INFINITY),
        Alternative::Less => (f64::NEG_INFINITY, root(dist::norm_ppf(alpha))),
    }
}

/// `#{(i, j): xs[i] - ys[j] <= t}` (strict: `< t`) for ascending `xs`, `ys`.
#[cfg(test)]
pub(super) fn count_below(xs: &[f64], ys: &[f64], t: f64, strict: bool) -> usize {
    let ny = ys.len();
    let mut j = 0usize;
    let mut total = 0usize;
    for &xi in xs {
        // first j with xi - ys[j] <= t (or < t); non-decreasing in i
        while j < ny
            && !(if strict {
                xi - ys[j] < t
            } else {
                xi - ys[j] <= t
            })
        {
            j += 1;
        }
        total += ny - j;
    }
    total
}

/// The `k`-th smallest (1-based) of the differences `xs[i] - ys[j]` (both ascending).
#[cfg(test)]
pub fn kth_diff(xs: &[f64], ys: &[f64], k: usize) -> f64 {
    DiffSelect::new(xs, ys).kth(k)
}

/// Order statistics of the differences `xs[i] - ys[j]` (both ascending) without
/// forming them: the candidates lie in an open interval `(lo, hi)` of values,
/// narrowed by counting walks (O(n_x + n_y) each) at pivots placed by linear
/// interpolation of the counts (a random candidate when that stalls), until
/// few enough are left to select among. The counts at every pivot are kept, so
/// further order statistics of the same samples (median, interval ends) start
/// from the tightest bracket already known.
pub struct DiffSelect<'a> {
    xs: &'a [f64],
    ys: &'a [f64],
    /// `(t, #{D < t}, #{D <= t})` at the pivots so far.
    seen: Vec<(f64, usize, usize)>,
    a: Vec<usize>,
    b: Vec<usize>,
    pa: Vec<usize>,
    pb: Vec<usize>,
    cand: Vec<f64>,
}

impl<'a> DiffSelect<'a> {
    pub fn new(xs: &'a [f64], ys: &'a [f64]) -> Self {
        let nx = xs.len();
        DiffSelect {
            xs,
            ys,
            seen: Vec::new(),
            a: vec![0; nx],
            b: vec![0; nx],
            pa: vec![0; nx],
            pb: vec![0; nx],
            cand: Vec::new(),
        }
    }

    /// `(#{D < t}, #{D <= t})`, with the row pointers of the walk in `pa`, `pb`.
    fn count(&mut self, t: f64) -> (usize, usize) {
        let (xs, ys) = (self.xs, self.ys);
        let ny = ys.len();
        let (mut c_lt, mut c_le) = (0usize, 0usize);
        let (mut ja, mut jb) = (0usize, 0usize);
        for (i, &xi) in xs.iter().enumerate() {
            while ja < ny && !(xi - ys[ja] < t) {
                ja += 1;
            }
            while jb < ny && !(xi - ys[jb] <= t) {
                jb += 1;
            }
            self.pa[i] = ja;
            self.pb[i] = jb;
            c_lt += ny - ja;
            c_le += ny - jb;
        }
        self.seen.push((t, c_lt, c_le));
        (c_lt, c_le)
    }

    /// The `k`-th smallest difference (1-based, clamped to `1..=n_x n_y`).
    pub fn kth(&mut self, k: usize) -> f64 {
        let (xs, ys) = (self.xs, self.ys);
        let (nx, ny) = (xs.len(), ys.len());
        let kk = nx * ny;
        let k = k.clamp(1, kk);
        // clo = #{D <= lo} < k <= chi = #{D < hi}; a pivot t with #{D < t} < k <= #{D <= t} is the answer
        let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
        let (mut clo, mut chi) = (0usize, kk);
        for &(t, c_lt, c_le) in &self.seen {
            if c_lt < k && k <= c_le {
                return t;
            }
            if c_le < k && t > lo {
                (lo, clo) = (t, c_le);
            }
            if k <= c_lt && t < hi {
                (hi, chi) = (t, c_lt);
            }
        }
        // row ranges [a_i, max(b_i, a_i)): lo < D_ij < hi; a_i = first j with
        // D_ij < hi, b_i = first j with D_ij <= lo (both non-decreasing in i)
        let (mut ja, mut jb) = (0usize, 0usize);
        for (i, &xi) in xs.iter().enumerate() {
            while ja < ny && !(xi - ys[ja] < hi) {
                ja += 1;
            }
            while jb < ny && !(xi - ys[jb] <= lo) {
                jb += 1;
            }
            self.a[i] = ja;
            self.b[i] = jb;
        }
        let mut rng: u64 = 0x9E37_79B9_7F4A_7C15 ^ (k as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        let limit = nx + ny + 32;
        let mut prev_cand = usize::MAX;
        loop {
            let cand = chi - clo;
            if cand <= limit {
                let v = &mut self.cand;
                v.clear();
                for i in 0..nx {
                    for &yj in &ys[self.a[i]..self.b[i].max(self.a[i])] {
                        v.push(xs[i] - yj);
                    }
                }
                let r = k - clo - 1;
                if v.is_empty() || r >= v.len() {
                    // only reachable through inconsistent float comparisons
                    return if lo.is_finite() { lo } else { hi };
                }
                let (_, x, _) = v.select_nth_unstable_by(r, |p, q| p.total_cmp(q));
                return *x;
            }
            // interpolate in value between the bracket ends (the smallest and
            // largest difference for an open end) while the bracket halves
            let vlo = if lo.is_finite() {
                lo
            } else {
                xs[0] - ys[ny - 1]
            };
            let vhi = if hi.is_finite() {
                hi
            } else {
                xs[nx - 1] - ys[0]
            };
            let f = ((k - clo) as f64 - 0.5) / cand as f64;
            let mut pivot = vlo + (vhi - vlo) * f;
            if 2 * cand > prev_cand || !(pivot > lo && pivot < hi) {
                // a random candidate (expected halving)
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                let mut r = (rng % cand as u64) as usize;
                pivot = f64::NAN;
                for i in 0..nx {
                    let len = self.b[i].max(self.a[i]) - self.a[i];
                    if r < len {
                        pivot = xs[i] - ys[self.a[i] + r];
                        break;
                    }
                    r -= len;
                }
                if pivot.is_nan() {
                    return if lo.is_finite() { lo } else { hi };
                }
            }
            prev_cand = cand;
            let (c_lt, c_le) = self.count(pivot);
            if c_lt < k && k <= c_le {
                return pivot;
            }
            if k <= c_lt {
                hi = pivot;
                chi = c_lt;
                std::mem::swap(&mut self.a, &mut self.pa);
            } else {
                lo = pivot;
                clo = c_le;
                std::mem::swap(&mut self.b, &mut self.pb);
            }
        }
    }
}
