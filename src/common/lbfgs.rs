//! Quasi-Newton minimisation (dense BFGS update of the inverse Hessian, for
//! the few tens of parameters of a covariance model) with a backtracking
//! Armijo line search. The objective may be undefined at a trial point
//! (returns None, e.g. a non-positive-definite matrix): the step is shortened.
//! Never loops for ever: `max_iter` iterations and `max_eval` evaluations.

/// Options of [`minimize`].
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Stop when max |gradient| ≤ `gtol`.
    pub gtol: f64,
    /// Stop when the decrease of f over an iteration is ≤ `ftol`·(1 + |f|) twice.
    pub ftol: f64,
    pub max_iter: usize,
    pub max_eval: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            gtol: 1e-6,
            ftol: 1e-15,
            max_iter: 500,
            max_eval: 5000,
        }
    }
}

/// Result of [`minimize`].
#[derive(Debug, Clone)]
pub struct Minimum {
    pub x: Vec<f64>,
    pub f: f64,
    pub grad: Vec<f64>,
    pub iterations: usize,
    pub evaluations: usize,
    /// The gradient test was met (not only the f-change or a stall).
    pub converged: bool,
}

fn max_abs(g: &[f64]) -> f64 {
    g.iter().fold(0.0f64, |m, v| m.max(v.abs()))
}

/// Minimise `f` (value and gradient) from `x0`. None when `f` is undefined at `x0`.
pub fn minimize<F>(mut f: F, x0: &[f64], opt: Options) -> Option<Minimum>
where
    F: FnMut(&[f64]) -> Option<(f64, Vec<f64>)>,
{
    let n = x0.len();
    let (mut fx, mut g) = f(x0)?;
    if !fx.is_finite() || g.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mut x = x0.to_vec();
    let mut evals = 1;
    let mut h = identity(n);
    let mut fresh = true;
    let mut small = 0;
    for it in 0..opt.max_iter {
        if max_abs(&g) <= opt.gtol {
            return Some(done(x, fx, g, it, evals, true));
        }
        let mut d: Vec<f64> = (0..n)
            .map(|i| -(0..n).map(|j| h[i * n + j] * g[j]).sum::<f64>())
            .collect();
        let mut slope: f64 = d.iter().zip(&g).map(|(a, b)| a * b).sum();
        if slope >= 0.0 || !slope.is_finite() {
            h = identity(n);
            fresh = true;
            d = g.iter().map(|v| -v).collect();
            slope = -g.iter().map(|v| v * v).sum::<f64>();
        }
        if fresh {
            // first step of a fresh metric: at most unit length
            let len = d.iter().map(|v| v * v).sum::<f64>().sqrt();
            if len > 1.0 {
                d.iter_mut().for_each(|v| *v /= len);
                slope /= len;
            }
        }
        let mut step = 1.0;
        let mut accepted = None;
        for _ in 0..60 {
            if evals >= opt.max_eval {
                break;
            }
            let xt: Vec<f64> = x.iter().zip(&d).map(|(a, b)| a + step * b).collect();
            evals += 1;
            if let Some((ft, gt)) = f(&xt) {
                if ft.is_finite()
                    && gt.iter().all(|v| v.is_finite())
                    && ft <= fx + 1e-4 * step * slope
                {
                    accepted = Some((xt, ft, gt));
                    break;
                }
            }
            step *= 0.5;
        }
        let Some((xn, fnew, gn)) = accepted else {
            if fresh {
                return Some(done(x, fx, g, it, evals, false));
            }
            h = identity(n);
            fresh = true;
            continue;
        };
        let s: Vec<f64> = xn.iter().zip(&x).map(|(a, b)| a - b).collect();
        let yv: Vec<f64> = gn.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy: f64 = s.iter().zip(&yv).map(|(a, b)| a * b).sum();
        let yy: f64 = yv.iter().map(|v| v * v).sum();
        if sy > 1e-12 * yy.sqrt() * s.iter().map(|v| v * v).sum::<f64>().sqrt() {
            if fresh {
                let sc = sy / yy;
                h.iter_mut().for_each(|v| *v *= sc);
            }
            bfgs_update(&mut h, &s, &yv, sy, n);
            fresh = false;
        }
        let dec = fx - fnew;
        x = xn;
        fx = fnew;
        g = gn;
        if dec <= opt.ftol * (1.0 + fx.abs()) {
            small += 1;
            if small >= 2 {
                let ok = max_abs(&g) <= opt.gtol;
                return Some(done(x, fx, g, it + 1, evals, ok));
            }
        } else {
            small = 0;
        }
        if evals >= opt.max_eval {
            return Some(done(x, fx, g, it + 1, evals, false));
        }
    }
    let ok = max_abs(&g) <= opt.gtol;
    Some(done(x, fx, g, opt.max_iter, evals, ok))
}

fn done(
    x: Vec<f64>,
    f: f64,
    grad: Vec<f64>,
    iterations: usize,
    evaluations: usize,
    converged: bool,
) -> Minimum {
    Minimum {
        x,
        f,
        grad,
        iterations,
        evaluations,
        converged,
    }
}

fn identity(n: usize) -> Vec<f64> {
    let mut h = vec![0.0; n * n];
    for i in 0..n {
        h[i * n + i] = 1.0;
    }
    h
}

/// H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, ρ = 1/(sᵀy).
fn bfgs_update(h: &mut [f64], s: &[f64], y: &[f64], sy: f64, n: usize) {
    let rho = 1.0 / sy;
    let hy: Vec<f64> = (0..n)
        .map(|i| (0..n).map(|j| h[i * n + j] * y[j]).sum())
        .collect();
    let yhy: f64 = y.iter().zip(&hy).map(|(a, b)| a * b).sum();
    for i in 0..n {
        for j in 0..n {
            h[i * n + j] +=
                -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rosenbrock() {
        let f = |x: &[f64]| {
            let (a, b) = (x[0], x[1]);
            Some((
                (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2),
                vec![
                    -2.0 * (1.0 - a) - 400.0 * a * (b - a * a),
                    200.0 * (b - a * a),
                ],
            ))
        };
        let m = minimize(f, &[-1.2, 1.0], Options::default()).unwrap();
        assert!(m.converged);
        assert!((m.x[0] - 1.0).abs() < 1e-6 && (m.x[1] - 1.0).abs() < 1e-6);
    }

    #[test]
    fn undefined_region_is_avoided() {
        // f undefined for x < 0.5; minimum at 1
        let f = |x: &[f64]| {
            if x[0] < 0.5 {
                None
            } else {
                Some(((x[0] - 1.0).powi(2), vec![2.0 * (x[0] - 1.0)]))
            }
        };
        let m = minimize(f, &[3.0], Options::default()).unwrap();
        assert!((m.x[0] - 1.0).abs() < 1e-7);
    }
}
