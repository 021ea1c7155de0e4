//! Branch-free elementary functions that the compiler can vectorise.
//!
//! `ln` here is used by the row kernels so that a whole chunk of rows
//! compiles to SIMD code (libm's `log` is an opaque scalar call). It is
//! accurate to a few ulp for every positive normal finite `x`; callers
//! guarantee that domain (subnormals, zero, negatives, inf and NaN are
//! routed to `f64::ln` by [`ln_checked`]).

use super::whole::TWO52;

const SQRT2: f64 = std::f64::consts::SQRT_2;
/// ln 2 split so that `e * LN2_HI` is exact for |e| < 2^11.
/// (0x3fe62e42fee00000: the upper 32 mantissa bits of ln 2; LN2_HI + LN2_LO = ln 2
/// to about 1e-27.)
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
const EXP_MASK: u64 = 0x7ff0_0000_0000_0000;
const MANT_MASK: u64 = 0x000f_ffff_ffff_ffff;
const ONE_BITS: u64 = 0x3ff0_0000_0000_0000;
/// Bits of 2^52; OR-ing a small integer k into the mantissa gives 2^52 + k.
const EXP_MAGIC_BITS: u64 = 0x4330_0000_0000_0000;

/// Natural log for positive, normal, finite `x`.
///
/// Write `x = 2^e * m` with `m` in `[sqrt(2)/2, sqrt(2))`; with
/// `s = (m - 1)/(m + 1)`, `ln m = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...)`.
/// `|s| <= 0.1716`, so the series truncated after `s^21` is exact to double
/// precision (next term below 1e-17 relative).
#[inline(always)]
pub fn ln_normal(x: f64) -> f64 {
    let bits = x.to_bits();
    // biased exponent as a float without an int->float conversion (which
    // has no AVX2 instruction): bits 2^52 + k  ->  (2^52 + k) - 2^52 - 1023
    let biased = f64::from_bits(EXP_MAGIC_BITS | ((bits & EXP_MASK) >> 52));
    let mut m = f64::from_bits((bits & MANT_MASK) | ONE_BITS); // [1, 2)
    let big = m > SQRT2;
    m = if big { m * 0.5 } else { m };
    let ef = (biased - (TWO52 + 1023.0)) + if big { 1.0 } else { 0.0 };
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    // atanh series coefficients 1/(2k+1), k = 1..10 (Horner in z)
    let p = 1.0 / 3.0
        + z * (1.0 / 5.0
            + z * (1.0 / 7.0
                + z * (1.0 / 9.0
                    + z * (1.0 / 11.0
                        + z * (1.0 / 13.0
                            + z * (1.0 / 15.0
                                + z * (1.0 / 17.0 + z * (1.0 / 19.0 + z * (1.0 / 21.0)))))))));
    // ln m = f - f^2/2 + s (f^2/2 + z p * 2 ... ): use the compensated form
    // ln m = 2s + 2 s z p = f - hfsq + s (hfsq + 2 z p)  (since 2s = f - s f)
    let hfsq = 0.5 * f * f;
    let lnm = f - (hfsq - s * (hfsq + 2.0 * z * p));
    ef * LN2_HI + (lnm + ef * LN2_LO)
}

/// `ln(x)` for any `x`: the fast path where valid, `f64::ln` elsewhere.
#[inline]
pub fn ln_checked(x: f64) -> f64 {
    if (f64::MIN_POSITIVE..f64::INFINITY).contains(&x) {
        ln_normal(x)
    } else {
        x.ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f64, b: f64) -> u64 {
        if a == b {
            return 0;
        }
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    #[test]
    fn matches_libm_within_a_few_ulp() {
        let mut worst = 0u64;
        let mut x = 1e-300_f64;
        while x < 1e300 {
            for k in 0..64 {
                let v = x * (1.0 + k as f64 / 64.0);
                let (a, b) = (ln_normal(v), v.ln());
                if b.abs() > 1e-300 {
                    worst = worst.max(ulps(a, b));
                }
            }
            x *= 3.7;
        }
        assert!(worst <= 4, "worst ulp error {worst}");
        // near 1, where cancellation matters: compare absolutely
        for k in -1000..1000 {
            let v = 1.0 + k as f64 * 1e-6;
            assert!((ln_normal(v) - v.ln()).abs() <= 2e-16 * v.ln().abs().max(1e-300) + 1e-22);
        }
        assert_eq!(ln_normal(1.0), 0.0);
    }

    #[test]
    fn checked_handles_the_edges() {
        assert!(ln_checked(0.0).is_infinite());
        assert!(ln_checked(-1.0).is_nan());
        assert!(ln_checked(f64::NAN).is_nan());
        assert_eq!(ln_checked(1e-310), (1e-310f64).ln());
    }
}
