//! The radix sorts of integer sort keys (order-preserving images of floats):
//! - [`sort_keys`] / [`sort_keys_u32`], for the per-endpoint rank tests: two
//!   counting-sort passes on the top 16 significant bits, then insertion sort;
//! - [`radix_sort_by_key`] / [`radix_sort_u64`]: the full stable LSD radix sort;
//! - [`sort_packed`]: keys bucketed on a value grid ([`Grid30`]), then insertion
//!   sort, the full radix sort as fallback (survival times).
//!
//! They share the bucket offsets ([`exclusive_scan`]) and the bounded
//! insertion sort.

use super::whole::round_bits;

thread_local! {
    static SORT_SCRATCH: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Sort `u64` keys ascending: two counting-sort passes (LSD radix) on
/// the top 16 significant bits of `key - min`, then insertion sort, which
/// only has to order keys that share those bits. Should many do (clustered
/// data next to an outlier), the insertion sort gives up and a comparison
/// sort finishes.
pub fn sort_keys(keys: &mut [u64]) {
    let n = keys.len();
    if n < 64 {
        keys.sort_unstable();
        return;
    }
    let (mut lo, mut hi) = (u64::MAX, 0u64);
    for &k in keys.iter() {
        lo = lo.min(k);
        hi = hi.max(k);
    }
    let span = hi - lo;
    if span == 0 {
        return;
    }
    let shift = (64 - span.leading_zeros()).saturating_sub(16);
    let done = SORT_SCRATCH.with(|cell| {
        let tmp = &mut *cell.borrow_mut();
        tmp.clear();
        tmp.resize(n, 0);
        let (mut c0, mut c1) = digit_offsets(keys.iter().map(|&k| (k - lo) >> shift));
        let t = &mut tmp[..n];
        for &k in keys.iter() {
            let b = &mut c0[(((k - lo) >> shift) & 0xff) as usize];
            t[*b as usize] = k;
            *b += 1;
        }
        let o = &mut keys[..n];
        for &k in t.iter() {
            let b = &mut c1[((((k - lo) >> shift) >> 8) & 0xff) as usize];
            o[*b as usize] = k;
            *b += 1;
        }
        // insertion sort within equal top bits; bounded work
        insertion_sort_bounded(&mut o[..n], 8 * n)
    });
    if !done {
        keys.sort_unstable();
    }
}

/// `x` sorted in `total_cmp` order into `out` (the same bits as
/// `sort_unstable_by(f64::total_cmp)`), through [`sort_keys`] on the IEEE bits
/// made order-preserving as unsigned integers; `keys` is scratch.
pub fn sorted_total_into(x: &[f64], keys: &mut Vec<u64>, out: &mut Vec<f64>) {
    keys.clear();
    keys.extend(x.iter().map(|&v| total_key(v)));
    sort_keys(keys);
    out.clear();
    out.extend(keys.iter().map(|&k| from_total_key(k)));
}

/// `f64::total_cmp` order as unsigned integer order (a bijection): a
/// negative value's bits all flipped, otherwise the sign bit set.
#[inline]
pub fn total_key(v: f64) -> u64 {
    let b = v.to_bits();
    b ^ ((((b as i64) >> 63) as u64) >> 1) ^ (1 << 63)
}

/// The value of a [`total_key`].
#[inline]
pub fn from_total_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k ^ (1 << 63) } else { !k })
}

/// Sort `u32` keys ascending with caller-owned scratch (no allocation once
/// `tmp` has grown): two counting-sort passes (LSD radix, 8-bit digits) on the
/// top 16 significant bits of the keys (as found from their bitwise OR), then
/// an insertion sort for keys sharing those bits, run only when the two passes
/// left something out of order. As [`sort_keys`], a comparison sort finishes
/// should the insertion sort have too much to do.
#[inline]
pub fn sort_keys_u32(keys: &mut [u32], tmp: &mut Vec<u32>) {
    let n = keys.len();
    if n < 64 {
        keys.sort_unstable();
        return;
    }
    let top = keys.iter().fold(0u32, |a, &k| a | k);
    let shift = (32 - top.leading_zeros()).saturating_sub(16);
    let (mut c0, mut c1) = digit_offsets(keys.iter().map(|&k| (k >> shift) as u64));
    // (every slot is written below: no clearing)
    tmp.resize(n, 0);
    for &k in keys.iter() {
        let b = &mut c0[((k >> shift) & 0xff) as usize];
        tmp[*b as usize] = k;
        *b += 1;
    }
    for &k in tmp.iter() {
        let b = &mut c1[((k >> shift >> 8) & 0xff) as usize];
        keys[*b as usize] = k;
        *b += 1;
    }
    if keys
        .iter()
        .zip(&keys[1..])
        .fold(false, |u, (&a, &b)| u | (a > b))
        && !insertion_sort_bounded(keys, 8 * n)
    {
        keys.sort_unstable();
    }
}

/// Start offsets of each value of the two low bytes of the (shifted) keys: the
/// bucket tables of a two-pass LSD radix sort.
#[inline(always)]
fn digit_offsets(digits: impl Iterator<Item = u64>) -> ([u32; 256], [u32; 256]) {
    let mut c0 = [0u32; 256];
    let mut c1 = [0u32; 256];
    for d in digits {
        c0[(d & 0xff) as usize] += 1;
        c1[((d >> 8) & 0xff) as usize] += 1;
    }
    exclusive_scan(&mut c0);
    exclusive_scan(&mut c1);
    (c0, c1)
}

/// Bucket counts -> bucket start offsets (each count replaced by the sum of
/// the counts before it).
#[inline(always)]
fn exclusive_scan(counts: &mut [u32]) {
    let mut sum = 0u32;
    for x in counts.iter_mut() {
        let v = *x;
        *x = sum;
        sum += v;
    }
}

/// Insertion sort that gives up (`false`, `o` then holds a permutation of
/// its keys) once it has moved more than `budget` keys.
fn insertion_sort_bounded<T: Ord + Copy>(o: &mut [T], mut budget: usize) -> bool {
    for i in 1..o.len() {
        let k = o[i];
        if o[i - 1] > k {
            let mut j = i;
            while j > 0 && o[j - 1] > k {
                o[j] = o[j - 1];
                j -= 1;
            }
            o[j] = k;
            budget = budget.saturating_sub(i - j);
            if budget == 0 {
                return false;
            }
        }
    }
    true
}

/// Stable LSD radix sort of `v` by a key below `2^nbits`: 11-bit digits
/// (2,048 buckets: the bucket heads stay in cache), the histograms of every
/// digit counted in one pass, passes where all keys share the digit skipped
/// (e.g. the exponent bits of times of one magnitude). Small inputs use the
/// standard (stable) sort.
pub fn radix_sort_by_key<T: Copy + Default, K: Fn(&T) -> u64>(v: &mut Vec<T>, nbits: u32, key: K) {
    const BITS: u32 = 11;
    const B: usize = 1 << BITS;
    let n = v.len();
    if n < 1 << 11 || n >= u32::MAX as usize {
        v.sort_by_key(|x| key(x));
        return;
    }
    let passes = (nbits.div_ceil(BITS) as usize).clamp(1, 6);
    let mut counts = vec![[0u32; B]; passes];
    for x in v.iter() {
        let k = key(x);
        for (d, c) in counts.iter_mut().enumerate() {
            c[(k >> (BITS * d as u32)) as usize & (B - 1)] += 1;
        }
    }
    let mut buf = vec![T::default(); n];
    for (d, c) in counts.iter_mut().enumerate() {
        if c.iter().any(|&x| x as usize == n) {
            continue; // all keys share this digit
        }
        exclusive_scan(c);
        let shift = BITS * d as u32;
        for x in v.iter() {
            let o = &mut c[(key(x) >> shift) as usize & (B - 1)];
            buf[*o as usize] = *x;
            *o += 1;
        }
        std::mem::swap(v, &mut buf);
    }
}

/// Sort keys below `2^nbits` ascending ([`radix_sort_by_key`] on the key itself).
pub fn radix_sort_u64(v: &mut Vec<u64>, nbits: u32) {
    radix_sort_by_key(v, nbits, |&k| k);
}

/// Sort keys below `2^nbits` ascending, `value(k)` non-decreasing in `k`
/// (the time a packed key stands for) and within `range`. Large inputs are first bucketed by
/// value on a grid of 2^22 equal steps over their range (two counting-sort
/// passes; bucket order is key order) and an insertion sort finishes within
/// buckets: three passes in all where the full radix sort of 64-bit keys
/// needs six. Should the insertion sort have too much to do (values piled in
/// few buckets, e.g. next to a far outlier), the full radix sort finishes.
pub fn sort_packed<V: Fn(u64) -> f64>(
    keys: &mut Vec<u64>,
    nbits: u32,
    value: V,
    range: (f64, f64),
) {
    let n = keys.len();
    if n < 1 << 14 || n >= u32::MAX as usize {
        radix_sort_u64(keys, nbits);
        return;
    }
    let Some(grid) = Grid30::new(range.0, range.1) else {
        radix_sort_u64(keys, nbits);
        return;
    };
    // the grid point's top 22 bits (Grid30 keys are below 2^31, bit 0 free)
    let bucket = |k: u64| (grid.key(value(k)) >> 9) as usize;
    const B: usize = 1 << 11;
    let mut c0 = vec![0u32; B];
    let mut c1 = vec![0u32; B];
    for &k in keys.iter() {
        let b = bucket(k);
        c0[b & (B - 1)] += 1;
        c1[(b >> 11) & (B - 1)] += 1;
    }
    exclusive_scan(&mut c0);
    exclusive_scan(&mut c1);
    let mut buf = super::alloc::filled(n, 0u64);
    for &k in keys.iter() {
        let o = &mut c0[bucket(k) & (B - 1)];
        buf[*o as usize] = k;
        *o += 1;
    }
    for &k in buf.iter() {
        let o = &mut c1[(bucket(k) >> 11) & (B - 1)];
        keys[*o as usize] = k;
        *o += 1;
    }
    if !insertion_sort_bounded(keys, 8 * n) {
        radix_sort_u64(keys, nbits);
    }
}

/// A monotone map of the finite values in `[lo, hi]` onto the integers
/// `0 ..= 2^30 - 1` (`None` when `hi - lo` is 0 or too small or too large to
/// scale). Non-decreasing in the value: the subtraction, the product and the
/// rounding to an integer all round monotonically, so values on distinct grid
/// points are in the order of their grid points; values on one grid point are
/// not ordered by it (equal values, or values closer than the grid spacing).
#[derive(Debug, Clone, Copy)]
pub struct Grid30 {
    lo: f64,
    scale: f64,
}

impl Grid30 {
    pub fn new(lo: f64, hi: f64) -> Option<Self> {
        let scale = 1_073_741_823.0 / (hi - lo);
        (scale.is_finite() && scale > 0.0).then_some(Grid30 { lo, scale })
    }
    /// The grid point of `v` in `[lo, hi]`, shifted left one bit (bit 0 is
    /// free for a flag): below 2^31.
    #[inline(always)]
    pub fn key(&self, v: f64) -> u32 {
        // below 2^31, so the low 32 bits of `round_bits` are the rounded value
        (round_bits((v - self.lo) * self.scale) as u32) << 1
    }
}

/// Whether two neighbours of sorted grid keys (bit 0 a flag) share a grid
/// point, so that their order is not known from the keys (a branch-free fold,
/// so it vectorises).
#[inline]
pub fn shares_a_point(sorted: &[u32]) -> bool {
    sorted
        .iter()
        .zip(sorted.iter().skip(1))
        .fold(false, |t, (&a, &b)| t | (a >> 1 == b >> 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_keys_order_as_total_cmp_and_come_back() {
        let v = [
            f64::NEG_INFINITY,
            -f64::MAX,
            -1.5,
            -f64::MIN_POSITIVE,
            -f64::from_bits(1),
            -0.0,
            0.0,
            f64::from_bits(1),
            f64::MIN_POSITIVE,
            1.5,
            f64::MAX,
            f64::INFINITY,
            f64::NAN,
            -f64::NAN,
        ];
        for &p in &v {
            assert_eq!(from_total_key(total_key(p)).to_bits(), p.to_bits());
            for &q in &v {
                assert_eq!(total_key(p).cmp(&total_key(q)), p.total_cmp(&q), "{p} {q}");
            }
        }
    }

    #[test]
    fn equals_a_comparison_sort() {
        let mut next = crate::common::rng::lcg(7u64, |s| s >> 20);
        for n in [0, 1, 63, 64, 65, 200, 3000] {
            for kind in 0..3 {
                let mut keys: Vec<u64> = (0..n)
                    .map(|i| match kind {
                        0 => next(),
                        1 => next() % 5, // heavy ties
                        _ => {
                            if i == 0 {
                                u64::MAX
                            } else {
                                next() % 1000
                            }
                        } // an outlier
                    })
                    .collect();
                let mut want = keys.clone();
                want.sort_unstable();
                sort_keys(&mut keys);
                assert_eq!(keys, want, "n {n} kind {kind}");
            }
        }
    }

    #[test]
    fn radix_sort_is_a_stable_sort() {
        let mut next = crate::common::rng::lcg(7, |s| ((s >> 20) as f64 / 1e9).to_bits());
        let mut v: Vec<(u64, u32)> = (0..20_000).map(|i| (next(), i)).collect();
        let mut w = v.clone();
        radix_sort_by_key(&mut v, 64, |p| p.0);
        w.sort_by_key(|p| p.0); // stable, like the radix sort
        assert_eq!(v, w);
        // keys with few varying bits: fewer passes, ties keep their order
        let mut v: Vec<(u64, u32)> = (0..5000).map(|i| ((i * 7919 % 97) as u64, i)).collect();
        let mut w = v.clone();
        radix_sort_by_key(&mut v, 7, |p| p.0);
        w.sort_by_key(|p| p.0);
        assert_eq!(v, w);
    }

    #[test]
    fn radix_and_packed_sorts_equal_a_comparison_sort() {
        let mut next = crate::common::rng::lcg(3u64, |s| s >> 11);
        let mut v: Vec<u64> = (0..50_000).map(|_| next() >> 7).collect();
        let mut w = v.clone();
        radix_sort_u64(&mut v, 57);
        w.sort_unstable();
        assert_eq!(v, w);
        // packed keys: the bit patterns of values >= 0 (ordered like the values),
        // spread evenly, and piled next to a far outlier (the grid fallback)
        for outlier in [false, true] {
            let t: Vec<f64> = (0..40_000)
                .map(|i| {
                    let u = next() as f64 / (1u64 << 53) as f64;
                    if outlier && i == 0 {
                        1e12
                    } else {
                        u * 3.0
                    }
                })
                .collect();
            let lo = t.iter().fold(f64::INFINITY, |a, &b| a.min(b));
            let hi = t.iter().fold(0.0f64, |a, &b| a.max(b));
            let base = lo.to_bits();
            let mut keys: Vec<u64> = t.iter().map(|v| v.to_bits() - base).collect();
            let mut want = keys.clone();
            want.sort_unstable();
            let nbits = 64 - (hi.to_bits() - base).leading_zeros();
            sort_packed(&mut keys, nbits, |k| f64::from_bits(k + base), (lo, hi));
            assert_eq!(keys, want, "outlier {outlier}");
        }
    }

    #[test]
    fn bucket_offsets() {
        let mut c = [3u32, 0, 2, 1];
        exclusive_scan(&mut c);
        assert_eq!(c, [0, 3, 3, 5]);
    }

    #[test]
    fn u32_sort_equals_a_comparison_sort() {
        let mut next = crate::common::rng::lcg(11u64, |s| (s >> 32) as u32);
        let mut tmp = Vec::new();
        for n in [0, 1, 2, 63, 64, 65, 100, 200, 257, 3000] {
            for kind in 0..7 {
                let mut keys: Vec<u32> = (0..n)
                    .map(|i| match kind {
                        0 => next(),
                        1 => next() % 5, // heavy ties
                        2 => {
                            if i == 0 {
                                u32::MAX
                            } else {
                                next() % 1000
                            }
                        } // an outlier: the insertion sort gives up
                        3 => 7,          // all equal
                        4 => next() >> 20, // fewer than 16 significant bits
                        5 => (n - i) as u32 * 3, // descending
                        _ => (next() >> 1) & !0xffff | (i as u32 % 3), // equal top 16 bits in groups
                    })
                    .collect();
                let mut want = keys.clone();
                want.sort_unstable();
                sort_keys_u32(&mut keys, &mut tmp);
                assert_eq!(keys, want, "n {n} kind {kind}");
            }
        }
    }

    #[test]
    fn grid_keys_are_monotone() {
        let vals = [
            -1e300,
            -3.5,
            -1e-300,
            -0.0,
            0.0,
            1e-300,
            2.0,
            2.0 + 1e-15,
            1e300,
        ];
        let g = Grid30::new(-1.7e308, 1.7e308);
        assert!(g.is_none(), "a range that overflows has no grid");
        let g = Grid30::new(-3.5, 2.0).unwrap();
        let inside: Vec<f64> = vals
            .iter()
            .copied()
            .filter(|v| (-3.5..=2.0).contains(v))
            .collect();
        let keys: Vec<u32> = inside.iter().map(|&v| g.key(v)).collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]), "{keys:?}");
        assert_eq!(keys[0], 0);
        assert_eq!(*keys.last().unwrap(), (1 << 31) - 2);
        assert_eq!(g.key(-0.0), g.key(0.0));
        assert!(Grid30::new(1.0, 1.0).is_none());
        // random values: sorting by grid key orders distinct grid points by value
        let mut next = crate::common::rng::lcg(5u64, |s| (s >> 11) as f64 / (1u64 << 53) as f64);
        let v: Vec<f64> = (0..2000).map(|_| (next() - 0.5) * 1e5).collect();
        let (lo, hi) = v
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        let g = Grid30::new(lo, hi).unwrap();
        for (a, b) in v.iter().zip(&v[1..]) {
            let (ka, kb) = (g.key(*a), g.key(*b));
            assert!(ka < (1 << 31) && kb < (1 << 31));
            if ka < kb {
                assert!(a < b);
            }
            if a < b {
                assert!(ka <= kb);
            }
        }
    }
}
