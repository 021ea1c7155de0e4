//! Small dense linear algebra shared by the domains (p×p, p small: Cox, mixed models):
//! LU solve with partial pivoting, Cholesky with a tolerance (as R's
//! `cholesky2`: a non-positive pivot marks the matrix singular) and the inverse.

/// Solve `a x = b` (a row-major n×n) by Gaussian elimination with partial
/// pivoting. Returns None when a pivot is (numerically) zero.
pub fn solve(a: &[f64], b: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut m = a.to_vec();
    let mut x = b.to_vec();
    let scale = a.iter().fold(0.0f64, |s, v| s.max(v.abs()));
    for col in 0..n {
        let (piv, pmax) = (col..n)
            .map(|r| (r, m[r * n + col].abs()))
            .fold((col, -1.0), |best, c| if c.1 > best.1 { c } else { best });
        if pmax.is_nan() || pmax <= scale * 1e-13 {
            return None;
        }
        if piv != col {
            for j in 0..n {
                m.swap(col * n + j, piv * n + j);
            }
            x.swap(col, piv);
        }
        let d = m[col * n + col];
        for r in col + 1..n {
            let f = m[r * n + col] / d;
            if f != 0.0 {
                for j in col..n {
                    m[r * n + j] -= f * m[col * n + j];
                }
                x[r] -= f * x[col];
            }
        }
    }
    for col in (0..n).rev() {
        let mut s = x[col];
        for j in col + 1..n {
            s -= m[col * n + j] * x[j];
        }
        x[col] = s / m[col * n + col];
    }
    Some(x)
}

/// Cholesky factor `L` (lower, row-major) of a symmetric positive definite
/// matrix; None when a pivot is <= `toler` times the largest diagonal.
pub fn cholesky(a: &[f64], n: usize, toler: f64) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    cholesky_into(a, n, toler, &mut l).then_some(l)
}

/// [`cholesky`] into `l` (n×n, overwritten); false when not positive definite.
pub fn cholesky_into(a: &[f64], n: usize, toler: f64, l: &mut [f64]) -> bool {
    let dmax = (0..n).map(|i| a[i * n + i].abs()).fold(0.0, f64::max);
    let eps = toler * dmax.max(f64::MIN_POSITIVE);
    l[..n * n].iter_mut().for_each(|v| *v = 0.0);
    for i in 0..n {
        for j in 0..=i {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if s.is_nan() || s <= eps {
                    return false;
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    true
}

/// Solve `L L' x = b` with a Cholesky factor.
pub fn chol_solve(l: &[f64], b: &[f64], n: usize) -> Vec<f64> {
    let mut y = b.to_vec();
    chol_solve_in_place(l, &mut y, n);
    y
}

/// [`chol_solve`] overwriting `y` (the right-hand side) with the solution.
pub fn chol_solve_in_place(l: &[f64], y: &mut [f64], n: usize) {
    for i in 0..n {
        let mut s = y[i];
        for k in 0..i {
            s -= l[i * n + k] * y[k];
        }
        y[i] = s / l[i * n + i];
    }
    for i in (0..n).rev() {
        let mut s = y[i];
        for k in i + 1..n {
            s -= l[k * n + i] * y[k];
        }
        y[i] = s / l[i * n + i];
    }
}

/// Inverse of `L L'` (row-major, symmetric).
pub fn chol_inverse(l: &[f64], n: usize) -> Vec<f64> {
    let mut inv = vec![0.0; n * n];
    let mut e = vec![0.0; n];
    chol_inverse_into(l, n, &mut inv, &mut e);
    inv
}

/// [`chol_inverse`] into `inv` (n×n) with a scratch column `e` (n).
pub fn chol_inverse_into(l: &[f64], n: usize, inv: &mut [f64], e: &mut [f64]) {
    for j in 0..n {
        e[..n].iter_mut().for_each(|v| *v = 0.0);
        e[j] = 1.0;
        chol_solve_in_place(l, e, n);
        for i in 0..n {
            inv[i * n + j] = e[i];
        }
    }
}

/// Quadratic form `b' A^{-1} b` by LU (None when singular).
pub fn quad_inv(a: &[f64], b: &[f64], n: usize) -> Option<f64> {
    let x = solve(a, b, n)?;
    Some(x.iter().zip(b).map(|(x, b)| x * b).sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solve_and_cholesky_agree_on_spd() {
        let a = [4.0, 2.0, 0.6, 2.0, 5.0, 1.0, 0.6, 1.0, 3.0];
        let b = [1.0, 2.0, 3.0];
        let x = solve(&a, &b, 3).unwrap();
        let l = cholesky(&a, 3, 1e-12).unwrap();
        let y = chol_solve(&l, &b, 3);
        for i in 0..3 {
            assert!((x[i] - y[i]).abs() < 1e-12);
            let r: f64 = (0..3).map(|j| a[i * 3 + j] * x[j]).sum();
            assert!((r - b[i]).abs() < 1e-12);
        }
        let inv = chol_inverse(&l, 3);
        for i in 0..3 {
            for j in 0..3 {
                let r: f64 = (0..3).map(|k| a[i * 3 + k] * inv[k * 3 + j]).sum();
                assert!((r - if i == j { 1.0 } else { 0.0 }).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn singular_is_reported() {
        let a = [1.0, 2.0, 2.0, 4.0];
        assert!(solve(&a, &[1.0, 1.0], 2).is_none());
        assert!(cholesky(&a, 2, 1e-9).is_none());
    }
}
