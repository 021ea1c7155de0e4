//! Whole numbers through 2^52: branch-free tests that loops vectorise
//! (`trunc` is a libm call on baseline x86-64).

/// 2^52. Doubles in `[2^52, 2^53)` are spaced 1 apart, so adding and removing
/// it rounds away the fraction of any value in `[0, 2^52)`; every double of at
/// least this magnitude is whole.
pub const TWO52: f64 = 4_503_599_627_370_496.0;

/// `v` is whole and `0 <= v < 2^52` (NaN: false).
#[inline(always)]
pub fn is_small_whole(v: f64) -> bool {
    (v >= 0.0) & (v < TWO52) & ((v + TWO52) - TWO52 == v)
}

/// `v` is whole, of any sign and size (infinities count as whole, NaN does not).
#[inline(always)]
pub fn is_whole(v: f64) -> bool {
    let a = v.abs();
    (a >= TWO52) | ((a + TWO52) - TWO52 == a)
}

/// For `0 <= v < 2^52`: the bits of `v + 2^52`, whose low 52 bits are `v`
/// rounded to the nearest integer (ties to even). Plain vector arithmetic,
/// where a saturating float-to-integer cast is scalar code.
#[inline(always)]
pub fn round_bits(v: f64) -> u64 {
    (v + TWO52).to_bits()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_whole_numbers() {
        for v in [0.0, 1.0, 28.0, 1e15, TWO52 - 1.0] {
            assert!(is_small_whole(v), "{v}");
            assert!(is_whole(v) && is_whole(-v), "{v}");
        }
        for v in [
            0.5,
            27.999999999999996,
            1e-300,
            -1.0,
            -0.5,
            TWO52,
            f64::INFINITY,
            f64::NAN,
        ] {
            assert!(!is_small_whole(v), "{v}");
        }
        // -0.0 is whole and not below 0
        assert!(is_small_whole(-0.0));
    }

    #[test]
    fn whole_numbers_of_any_size() {
        for v in [TWO52, TWO52 + 2.0, 1e300, f64::INFINITY, -1e20] {
            assert!(is_whole(v), "{v}");
        }
        for v in [0.1, -2.5, TWO52 / 2.0 + 0.5, f64::NAN] {
            assert!(!is_whole(v), "{v}");
        }
    }

    #[test]
    fn rounds_through_the_low_bits() {
        for (v, k) in [
            (0.0, 0u64),
            (2.4, 2),
            (2.5, 2),
            (3.5, 4),
            (2_147_483_647.2, 2_147_483_647),
        ] {
            assert_eq!(round_bits(v) & ((1u64 << 52) - 1), k, "{v}");
            assert_eq!(round_bits(v) as u32 as u64, k, "{v}");
        }
    }
}
