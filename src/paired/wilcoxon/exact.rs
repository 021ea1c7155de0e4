//! The exact null distribution of the signed-rank statistic: subset sums of the
//! (doubled) ranks, its tails and quantiles, and the tie-free distribution shared
//! by the endpoints of a call.

/// Null distribution of `sum(B_i * w_i)`, `B_i` fair coins: `p[s] = P(S = s)`.
pub fn subset_sum_distribution(weights: &[u32]) -> Vec<f64> {
    let total: usize = weights.iter().map(|&w| w as usize).sum();
    let mut p = vec![0.0; total + 1];
    p[0] = 1.0;
    let mut top = 0usize;
    for &w in weights {
        let w = w as usize;
        top += w;
        // p_new[s] = (p[s] + p[s - w]) / 2, descending so p[s - w] is still old
        for s in (w..=top).rev() {
            p[s] = 0.5 * (p[s] + p[s - w]);
        }
        for v in p.iter_mut().take(w.min(top + 1)) {
            *v *= 0.5;
        }
    }
    p
}

/// `(P(S <= s), P(S >= s))` from a distribution vector.
pub(super) fn tails(p: &[f64], s: i64) -> (f64, f64) {
    let top = p.len() as i64 - 1;
    let le: f64 = if s < 0 {
        0.0
    } else {
        p[..=(s.min(top) as usize)].iter().sum()
    };
    let ge: f64 = if s > top {
        0.0
    } else {
        p[(s.max(0) as usize)..].iter().sum()
    };
    (le, ge)
}

/// R's `qsignrank(x, n)` over a no-tie distribution `p` (index = V).
pub(super) fn qsignrank(p: &[f64], x: f64) -> usize {
    let nn = p.len() - 1;
    let mut acc = 0.0;
    if x <= 0.5 {
        let x = x - 10.0 * f64::EPSILON;
        for (q, &v) in p.iter().enumerate() {
            acc += v;
            if acc >= x {
                return q;
            }
        }
        nn
    } else {
        let x = 1.0 - x + 10.0 * f64::EPSILON;
        for (q, &v) in p.iter().enumerate() {
            acc += v;
            if acc > x {
                return nn - q;
            }
        }
        0
    }
}

/// The tie-free null distribution of V for one `n`, as cumulative
/// probabilities `cum[v] = P(V <= v)`, shared by the endpoints of a call.
pub struct NoTieCache {
    pub(super) n: usize,
    pub(super) cum: Vec<f64>,
}

impl NoTieCache {
    pub fn new(n: usize) -> Self {
        let ranks: Vec<u32> = (1..=n as u32).collect();
        let p = subset_sum_distribution(&ranks);
        let mut acc = 0.0;
        let cum = p
            .iter()
            .map(|v| {
                acc += v;
                acc
            })
            .collect();
        NoTieCache { n, cum }
    }
    /// `(P(V <= v), P(V >= v))` by symmetry from the lower tail.
    pub(super) fn tails(&self, v: usize) -> (f64, f64) {
        let top = self.cum.len() - 1;
        let le = self.cum[v.min(top)];
        let ge = if v == 0 {
            1.0
        } else {
            self.cum[top - v.min(top)]
        };
        (le, ge)
    }
}
