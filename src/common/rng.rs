//! A tiny, fast, seedable RNG for resampling (splitmix64 seeding + xoshiro256++),
//! written here rather than pulled from a crate: resampling needs only uniform
//! u64s, unbiased bounded integers and fair coin flips, and owning the
//! generator pins the exact stream (results must not change with a crate upgrade).
//!
//! Every resampling task derives its own stream from `(seed, task)` with
//! [`Rng::stream`], so results do not depend on the thread count.

#[inline]
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The tests' data generator: Knuth's MMIX linear congruential step, each
/// value mapped by `f` from the new state (a test's data depend only on its
/// seed, so they stay the same whatever else the tests draw).
#[cfg(test)]
pub(crate) fn lcg<T>(seed: u64, f: impl Fn(u64) -> T) -> impl FnMut() -> T {
    let mut state = seed;
    move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        f(state)
    }
}

/// xoshiro256++ (Blackman & Vigna, 2019).
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator seeded from one 64-bit value through splitmix64.
    pub fn new(seed: u64) -> Self {
        let mut sm = seed;
        let s = [
            splitmix64(&mut sm),
            splitmix64(&mut sm),
            splitmix64(&mut sm),
            splitmix64(&mut sm),
        ];
        Rng { s }
    }

    /// The independent stream of task `task` (and sub-stream `sub`, e.g. the endpoint) under `seed`.
    pub fn stream(seed: u64, sub: u64, task: u64) -> Self {
        let mut sm = seed ^ 0x5851_F42D_4C95_7F2D;
        let a = splitmix64(&mut sm);
        let mut sm2 = a ^ sub.wrapping_mul(0xD1B5_4A32_D192_ED03);
        let b = splitmix64(&mut sm2);
        let mut sm3 = b ^ task.wrapping_mul(0x8CB9_2BA7_2F3D_8DD7);
        Rng::new(splitmix64(&mut sm3))
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Unbiased integer in `0..n` (Lemire's multiply-shift with rejection); `n > 0`.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        let mut m = (self.next_u64() as u128) * (n as u128);
        let mut lo = m as u64;
        if lo < n {
            let t = n.wrapping_neg() % n;
            while lo < t {
                m = (self.next_u64() as u128) * (n as u128);
                lo = m as u64;
            }
        }
        (m >> 64) as u64
    }

    /// Two unbiased integers in `0..n` from (usually) one 64-bit draw
    /// (Lemire's method on each 32-bit half); `0 < n <= 2^32`.
    #[inline]
    pub fn below_pair(&mut self, n: u32) -> (u32, u32) {
        let r = self.next_u64();
        let a = self.finish32(r as u32, n);
        let b = self.finish32((r >> 32) as u32, n);
        (a, b)
    }

    #[inline]
    fn finish32(&mut self, mut u: u32, n: u32) -> u32 {
        let mut m = (u as u64) * (n as u64);
        if (m as u32) < n {
            let t = n.wrapping_neg() % n;
            while (m as u32) < t {
                u = self.next_u64() as u32;
                m = (u as u64) * (n as u64);
            }
        }
        (m >> 32) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(Rng::stream(7, 0, 3), |r, _: u64| Some(r.next_u64()))
            .collect();
        let b: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(Rng::stream(7, 0, 3), |r, _: u64| Some(r.next_u64()))
            .collect();
        let c: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(Rng::stream(7, 0, 4), |r, _: u64| Some(r.next_u64()))
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn below_pair_is_in_range_and_roughly_uniform() {
        let mut r = Rng::new(2);
        let mut counts = [0usize; 7];
        for _ in 0..35_000 {
            let (a, b) = r.below_pair(7);
            counts[a as usize] += 1;
            counts[b as usize] += 1;
        }
        for c in counts {
            assert!((c as f64 - 10_000.0).abs() < 500.0, "{counts:?}");
        }
    }

    #[test]
    fn below_is_in_range_and_roughly_uniform() {
        let mut r = Rng::new(1);
        let mut counts = [0usize; 5];
        for _ in 0..50_000 {
            let k = r.below(5) as usize;
            counts[k] += 1;
        }
        for c in counts {
            assert!((c as f64 - 10_000.0).abs() < 500.0, "{counts:?}");
        }
    }
}
