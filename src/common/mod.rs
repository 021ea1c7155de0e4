//! Shared building blocks for every domain: NaN policy, value checks and the
//! row-parallel map used by the vectorised scores.

pub mod alloc;
pub mod alternative;
pub mod cancel;
pub mod check;
pub mod choice;
pub mod ddf;
pub mod dist;
pub mod exact;
pub mod fastmath;
pub mod keysort;
pub mod lbfgs;
pub mod linalg;
pub mod method;
pub mod moments;
pub mod nan;
pub mod numdiff;
pub mod optim;
pub mod par;
pub mod ranks;
pub mod rng;
pub mod rows;
pub mod sumselect;
pub mod tdist;
pub mod whole;

pub use alternative::Alternative;
pub use choice::Choice;
pub use nan::NanPolicy;

/// Absolute tolerance for every cut-off comparison (SCORING_SPEC section 0), so
/// that float noise such as `5.0 - 3.8 = 1.2000000000000002` cannot move a value
/// across a boundary.
pub const EPS: f64 = 1e-9;

/// `x >= t` with the boundary tolerance.
#[inline]
pub fn ge(x: f64, t: f64) -> bool {
    x >= t - EPS
}
/// `x > t` with the boundary tolerance.
#[inline]
pub fn gt(x: f64, t: f64) -> bool {
    x > t + EPS
}
/// `x <= t` with the boundary tolerance.
#[inline]
pub fn le(x: f64, t: f64) -> bool {
    x <= t + EPS
}
/// `x < t` with the boundary tolerance.
#[inline]
pub fn lt(x: f64, t: f64) -> bool {
    x < t - EPS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerant_comparisons_absorb_float_noise() {
        let i = 5.0 - 3.8; // 1.2000000000000002
        assert!(!gt(i, 1.2));
        assert!(le(i, 1.2));
        assert!(ge(2.5999999999999996, 2.6));
        assert!(lt(2.59, 2.6));
        assert!(!lt(2.5999999999999996, 2.6));
    }
}
