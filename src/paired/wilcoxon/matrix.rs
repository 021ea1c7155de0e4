//! The matrix mode's fast path: differences straight from the rows, ranked on a
//! 30-bit grid when that settles the order.

use super::*;

/// Differences of endpoint `e` straight from its rows (`y - x - shift`,
/// the same numbers as the differences path) into `d`: `Some(n_zero)` when
/// every `y - x` is finite, else `None`.
pub(super) fn diffs_from_rows(
    p: &Pairs<'_>,
    e: usize,
    shift: f64,
    d: &mut Vec<f64>,
) -> Option<usize> {
    let xr = p.x.row(e);
    let yr = p.y.as_ref().map(|y| y.row(e));
    let n = xr.len();
    d.resize(n, 0.0); // every slot is written below: no clearing
                      // one branch-free pass (vectorises)
    let (mut zeros, mut bad) = (0u64, false);
    let mut put = |k: &mut f64, v: f64| {
        let x = v - shift;
        bad |= !v.is_finite();
        zeros += (x == 0.0) as u64;
        *k = x;
    };
    match (xr.as_slice(), yr.as_ref().map(|y| y.as_slice())) {
        (Some(xs), Some(Some(ys))) => d
            .iter_mut()
            .zip(xs)
            .zip(ys)
            .for_each(|((k, &a), &b)| put(k, b - a)),
        (Some(xs), None) => d.iter_mut().zip(xs).for_each(|(k, &a)| put(k, a)),
        // strided rows (axis = 0 input read in place)
        (_, Some(_)) => {
            if let Some(y) = &yr {
                d.iter_mut()
                    .zip(xr.iter())
                    .zip(y.iter())
                    .for_each(|((k, &a), &b)| put(k, b - a));
            }
        }
        (None, None) => d.iter_mut().zip(xr.iter()).for_each(|(k, &a)| put(k, a)),
    }
    (!bad).then_some(zeros as usize)
}

/// Smallest and largest `|v|` (four lanes, so it vectorises).
#[inline(always)]
pub(super) fn abs_range(v: &[f64]) -> (f64, f64) {
    let (mut lo, mut hi) = ([f64::INFINITY; 4], [f64::NEG_INFINITY; 4]);
    let mut put = |k: usize, a: f64| {
        let a = a.abs();
        lo[k] = if a < lo[k] { a } else { lo[k] };
        hi[k] = if a > hi[k] { a } else { hi[k] };
    };
    let chunks = v.chunks_exact(4);
    for &a in chunks.remainder() {
        put(0, a);
    }
    for c in chunks {
        for (k, &a) in c.iter().enumerate() {
            put(k, a);
        }
    }
    (
        lo[0].min(lo[1]).min(lo[2].min(lo[3])),
        hi[0].max(hi[1]).max(hi[2].max(hi[3])),
    )
}

/// Key buffers of one worker of the matrix mode.
#[derive(Default)]
pub(super) struct Scratch {
    pub(super) d: Vec<f64>,
    pub(super) keys: Vec<u64>,
    pub(super) grid: Vec<u32>,
    pub(super) tmp: Vec<u32>,
    /// The last endpoint ranked on exact keys had ties.
    pub(super) ties_last: bool,
}

/// The ranking of non-zero differences `d` through
/// one radix sort of 32-bit keys: `|d|` mapped monotonically onto a 30-bit
/// grid over its range ([`Grid30`]), the sign in the lowest bit. `None` when
/// two differences share a grid point (tied magnitudes, or magnitudes closer
/// than the grid): the exact keys settle those. Otherwise no ties, and V+ is
/// the sum of the 1-based positions of the positive differences, the same
/// integer as ranking the exact keys.
pub(super) fn rank_grid(d: &[f64], keys: &mut Vec<u32>, tmp: &mut Vec<u32>) -> Option<Ranked> {
    let (lo, hi) = abs_range(d);
    let g = Grid30::new(lo, hi)?;
    keys.clear();
    keys.extend(d.iter().map(|&v| g.key(v.abs()) | (v < 0.0) as u32));
    sort_keys_u32(keys, tmp);
    if shares_a_point(keys) {
        return None;
    }
    let v: u64 = keys
        .iter()
        .enumerate()
        .map(|(i, &k)| (i as u64 + 1) & ((k & 1) as u64).wrapping_sub(1))
        .sum();
    Some(Ranked {
        v_pos: v as f64,
        v_zero: 0.0,
        tie: 0.0,
        weights: Vec::new(),
        ties_nonzero: false,
        n_ranked: d.len(),
    })
}

/// The ranking of endpoint differences `d` (`n_zero` of them zero) in the
/// matrix mode: on the grid when it can settle it (normal approximation, no
/// zeros), else on the exact keys.
pub(super) fn rank_matrix(
    sc: &mut Scratch,
    n_zero: usize,
    zm: ZeroMethod,
    want_weights: bool,
) -> Ranked {
    // after an endpoint with ties (integer scores, say), the grid would most
    // likely fail again: straight to the exact keys (same numbers either way)
    if !want_weights && n_zero == 0 && !sc.ties_last {
        if let Some(rk) = rank_grid(&sc.d, &mut sc.grid, &mut sc.tmp) {
            return rk;
        }
    }
    sc.keys.clear();
    sc.keys.extend(
        sc.d.iter()
            .filter(|&&x| !(zm == ZeroMethod::Wilcox && x == 0.0))
            .map(|&x| key(x)),
    );
    let rk = rank_keys(&mut sc.keys, zm, want_weights);
    sc.ties_last = rk.tie > 0.0;
    rk
}
