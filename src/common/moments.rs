//! Accurate means and sums of squares: two-pass with a correction term
//! (Chan, Golub & LeVeque's corrected two-pass algorithm), so that data with a
//! large common offset (1e12 + small noise, the NIST StRD "SmLs" sets) keep
//! their precision. A one-pass `sum / n` loses ~log10(offset / noise) digits.

/// Mean of `v` (NaN for an empty slice): `sum / n`, then one correction pass
/// `m += sum(v - m) / n`, which removes the rounding error of the first sum.
pub fn mean(v: &[f64]) -> f64 {
    let n = v.len() as f64;
    if v.is_empty() {
        return f64::NAN;
    }
    let m = v.iter().sum::<f64>() / n;
    if !m.is_finite() {
        return mean_scaled(v);
    }
    m + v.iter().map(|a| a - m).sum::<f64>() / n
}

/// The mean when the plain sum overflows (values near the largest double):
/// sum of `v / n`, then the same correction.
fn mean_scaled(v: &[f64]) -> f64 {
    let n = v.len() as f64;
    let m = v.iter().map(|a| a / n).sum::<f64>();
    if !m.is_finite() {
        return m;
    }
    m + v.iter().map(|a| (a - m) / n).sum::<f64>()
}

/// `(mean, sum of squared deviations)`, corrected two-pass:
/// `SS = sum (v - m)^2 - (sum (v - m))^2 / n`.
pub fn mean_ss(v: &[f64]) -> (f64, f64) {
    let m = mean(v);
    let n = v.len() as f64;
    let (mut s1, mut s2) = (0.0, 0.0);
    for a in v {
        let d = a - m;
        s1 += d;
        s2 += d * d;
    }
    (m, (s2 - s1 * s1 / n).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_keep_their_precision() {
        // 1e12 + {0.4, 0.3, 0.5} x many: the mean is 1e12 + 0.4 to rounding
        let mut v = vec![1e12 + 0.4];
        for _ in 0..1000 {
            v.push(1e12 + 0.3);
            v.push(1e12 + 0.5);
        }
        let (m, ss) = mean_ss(&v);
        assert!((m - (1e12 + 0.4)).abs() <= 1.3e-4); // one ulp of 1e12 is 1.2e-4
                                                     // deviations are +-0.1 up to the representation of the inputs
        let want: f64 = v.iter().map(|a| (a - (1e12 + 0.4)).powi(2)).sum();
        assert!(((ss - want) / want).abs() < 1e-10, "{ss} {want}");
        assert_eq!(mean(&[1e308, 1e308]), 1e308);
        assert!(mean(&[]).is_nan());
    }
}
