//! Signed ranks of the differences: exact keys (|d| bits with the sign), radix sorted.

use super::*;

thread_local! {
    static KEYS: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `x` sorted in `total_cmp` order, through the radix sort of [`sort_keys`]
/// (the IEEE bits made order-preserving as unsigned integers).
#[cfg(test)]
pub(super) fn sorted_total(x: &[f64]) -> Vec<f64> {
    let mut out = Vec::new();
    sorted_total_into(x, &mut Vec::new(), &mut out);
    out
}

/// Sort key of a difference: |d| as ordered integer bits, shifted, with the
/// sign in the lowest bit (|d| >= 0 uses 63 bits, so the key is exact).
#[inline]
pub(super) fn key(v: f64) -> u64 {
    ((v.abs().to_bits()) << 1) | (v < 0.0) as u64
}

/// Ranking summary of one endpoint.
pub(super) struct Ranked {
    pub(super) v_pos: f64,
    pub(super) v_zero: f64,
    /// sum(t^3 - t) over tie groups of |d| (the zero group excluded under Pratt).
    pub(super) tie: f64,
    /// Doubled ranks of the non-zero differences (only when `want_weights`).
    pub(super) weights: Vec<u32>,
    pub(super) ties_nonzero: bool,
    pub(super) n_ranked: usize,
}

pub(super) fn rank_signed(d: &[f64], shift: f64, zm: ZeroMethod, want_weights: bool) -> Ranked {
    KEYS.with(|cell| {
        let mut keys = cell.borrow_mut();
        keys.clear();
        for &v in d {
            let x = v - shift;
            if zm == ZeroMethod::Wilcox && x == 0.0 {
                continue;
            }
            keys.push(key(x));
        }
        rank_keys(&mut keys, zm, want_weights)
    })
}

/// Sort the keys and sum the signed ranks.
pub(super) fn rank_keys(keys: &mut [u64], zm: ZeroMethod, want_weights: bool) -> Ranked {
    {
        sort_keys(keys);
        let n = keys.len();
        let mut out = Ranked {
            v_pos: 0.0,
            v_zero: 0.0,
            tie: 0.0,
            weights: Vec::new(),
            ties_nonzero: false,
            n_ranked: n,
        };
        // common case, no ties and no zeros: rank i + 1 at position i, integer sums
        // (the same numbers as the general loop: its sums of half-integers are exact)
        if !want_weights && n > 0 && keys[0] >> 1 != 0 {
            // (branch-free folds, so both loops vectorise)
            let ties = keys[..n - 1]
                .iter()
                .zip(&keys[1..])
                .fold(0u64, |t, (&a, &b)| t | ((a >> 1 == b >> 1) as u64));
            let v: u64 = keys
                .iter()
                .enumerate()
                .map(|(i, &k)| (i as u64 + 1) & (k & 1).wrapping_sub(1))
                .sum();
            if ties == 0 {
                out.v_pos = v as f64;
                return out;
            }
        }
        if want_weights {
            out.weights.reserve(n);
        }
        let mut i = 0;
        while i < n {
            let a = keys[i] >> 1;
            let mut j = i + 1;
            let mut neg = (keys[i] & 1) as usize;
            while j < n && keys[j] >> 1 == a {
                neg += (keys[j] & 1) as usize;
                j += 1;
            }
            let t = j - i;
            let r = (i + 1 + j) as f64 / 2.0;
            if a == 0 {
                out.v_zero += r * t as f64;
                if zm != ZeroMethod::Pratt && t > 1 {
                    out.tie += (t * t * t - t) as f64;
                }
            } else {
                out.v_pos += r * (t - neg) as f64;
                if t > 1 {
                    out.tie += (t * t * t - t) as f64;
                    out.ties_nonzero = true;
                }
                if want_weights {
                    let w = (i + 1 + j) as u32;
                    out.weights.extend(std::iter::repeat_n(w, t));
                }
            }
            i = j;
        }
        out
    }
}
