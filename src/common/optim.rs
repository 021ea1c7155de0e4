//! Bound-constrained minimisation of a smooth function of a few parameters
//! without analytic derivatives: projected Newton steps on central
//! finite-difference gradients and Hessians, with Levenberg damping when the
//! Hessian is not positive definite, a backtracking search on the projected
//! path, and an active set for parameters held at a bound. Each iteration
//! costs 1 + 4k + k(k−1) evaluations (k parameters). Used for the profiled
//! deviance of linear mixed models (k ≤ ~10), where it reaches the optimum to
//! near machine precision, which lme4's BOBYQA (`xtol_abs = 1e-8`) does not.
//! [`minimize_grad`] is the same method when an analytic gradient exists:
//! the Hessian then comes from k gradients per iteration.

use super::linalg::{chol_solve, cholesky};
use super::numdiff::{gradient, Richardson};

/// Settings.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub max_iter: usize,
    /// Stop when the largest free projected-gradient component is below this
    /// times max(1, |f|).
    pub gtol: f64,
    /// Stop when a step changes no parameter by more than this.
    pub xtol: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_iter: 200,
            gtol: 1e-10,
            xtol: 1e-11,
        }
    }
}

/// Outcome.
#[derive(Debug, Clone)]
pub struct Minimum {
    pub x: Vec<f64>,
    pub f: f64,
    pub iterations: usize,
    pub evaluations: usize,
    pub converged: bool,
    /// Finite-difference gradient at the last iterate.
    pub grad: Vec<f64>,
}

fn project(x: &mut [f64], lb: &[f64]) {
    x.iter_mut().zip(lb).for_each(|(v, l)| {
        if *v < *l {
            *v = *l
        }
    });
}

/// Minimise `f` subject to `x >= lb` from `x0`. `f` may return NaN or ∞
/// where it is undefined; such points are rejected.
pub fn minimize<F>(mut f: F, x0: &[f64], lb: &[f64], opt: Options) -> Minimum
where
    F: FnMut(&[f64]) -> f64,
{
    let k = x0.len();
    let mut evals = 0usize;
    let mut eval = |x: &[f64], evals: &mut usize| {
        *evals += 1;
        let v = f(x);
        if v.is_finite() {
            v
        } else {
            f64::INFINITY
        }
    };
    let mut x = x0.to_vec();
    project(&mut x, lb);
    let mut fx = eval(&x, &mut evals);
    let mut g = vec![0.0; k];
    let mut converged = false;
    let mut iterations = 0;
    let mut lambda = 0.0f64;
    let mut hess = vec![0.0; k * k];
    'outer: for it in 0..opt.max_iter {
        iterations = it + 1;
        // finite differences (the function is defined beyond the bounds)
        let h: Vec<f64> = x.iter().map(|v| 1e-4 * v.abs().max(0.1)).collect();
        hess.iter_mut().for_each(|v| *v = 0.0);
        let mut fp = vec![0.0; k];
        let mut fm = vec![0.0; k];
        let mut xp = x.clone();
        for i in 0..k {
            xp[i] = x[i] + h[i];
            fp[i] = eval(&xp, &mut evals);
            xp[i] = x[i] - h[i];
            fm[i] = eval(&xp, &mut evals);
            xp[i] = x[i];
            hess[i * k + i] = (fp[i] - 2.0 * fx + fm[i]) / (h[i] * h[i]);
            // one Richardson step (h, h/2) for an O(h⁴) gradient
            let d1 = (fp[i] - fm[i]) / (2.0 * h[i]);
            xp[i] = x[i] + h[i] / 2.0;
            let fp2 = eval(&xp, &mut evals);
            xp[i] = x[i] - h[i] / 2.0;
            let fm2 = eval(&xp, &mut evals);
            xp[i] = x[i];
            let d2 = (fp2 - fm2) / h[i];
            g[i] = (4.0 * d2 - d1) / 3.0;
        }
        for i in 0..k {
            for j in 0..i {
                xp[i] = x[i] + h[i];
                xp[j] = x[j] + h[j];
                let fpp = eval(&xp, &mut evals);
                xp[i] = x[i] - h[i];
                xp[j] = x[j] - h[j];
                let fmm = eval(&xp, &mut evals);
                xp[i] = x[i];
                xp[j] = x[j];
                let v = (fpp - 2.0 * fx + fmm
                    - hess[i * k + i] * h[i] * h[i]
                    - hess[j * k + j] * h[j] * h[j])
                    / (2.0 * h[i] * h[j]);
                hess[i * k + j] = v;
                hess[j * k + i] = v;
            }
        }
        if g.iter().any(|v| !v.is_finite()) || hess.iter().any(|v| !v.is_finite()) {
            break;
        }
        match newton_step(&x, fx, &g, &hess, lb, lambda, &opt, |p| eval(p, &mut evals)) {
            Newton::Converged => {
                converged = true;
                break;
            }
            Newton::Accepted {
                x: xn,
                f,
                lambda: l,
                small,
            } => {
                x = xn;
                fx = f;
                lambda = l;
                if small {
                    converged = true;
                    break 'outer;
                }
            }
            // no decrease possible along damped Newton directions: at a
            // minimum up to the finite-difference noise, or stuck
            Newton::Stuck { pg } => {
                converged = pg < 1e-4 * fx.abs().max(1.0);
                break;
            }
        }
    }
    if converged {
        polish(&mut eval, &mut evals, &mut x, &mut fx, &mut g, &hess, lb);
    }
    finish(x, fx, iterations, evals, converged, g)
}

/// Outcome of one damped Newton step.
enum Newton {
    /// The projected gradient is below the tolerance.
    Converged,
    /// A point no worse than `x`; `small`: the step was short enough to stop.
    Accepted {
        x: Vec<f64>,
        f: f64,
        lambda: f64,
        small: bool,
    },
    /// No damping gave a decrease (`pg`: the projected gradient's size).
    Stuck { pg: f64 },
}

/// One Newton step on the free coordinates (those not held at their bound by
/// a gradient pushing outwards), damped Levenberg-style (`hess + λ·scale·I`,
/// λ from `lambda`, ×10 per rejected try, at most 40 tries) until `eval` is
/// no larger; the accepted λ/10 is the next start. Shared by [`minimize`] and
/// [`minimize_grad`].
#[allow(clippy::too_many_arguments)]
fn newton_step<E>(
    x: &[f64],
    fx: f64,
    g: &[f64],
    hess: &[f64],
    lb: &[f64],
    lambda: f64,
    opt: &Options,
    mut eval: E,
) -> Newton
where
    E: FnMut(&[f64]) -> f64,
{
    let k = x.len();
    let free: Vec<usize> = (0..k).filter(|&i| !(x[i] <= lb[i] && g[i] > 0.0)).collect();
    let pg = free.iter().map(|&i| g[i].abs()).fold(0.0, f64::max);
    // a finite-difference gradient has noise ~ eps·|f|/h: a relative floor
    if pg < opt.gtol * fx.abs().max(1.0) {
        return Newton::Converged;
    }
    let nf = free.len();
    let hf: Vec<f64> = free
        .iter()
        .flat_map(|&i| free.iter().map(move |&j| (i, j)))
        .map(|(i, j)| hess[i * k + j])
        .collect();
    let gf: Vec<f64> = free.iter().map(|&i| -g[i]).collect();
    let scale = (0..nf).map(|i| hf[i * nf + i].abs()).fold(1e-12, f64::max);
    let mut lam = lambda;
    for _try in 0..40 {
        let mut hd = hf.clone();
        for i in 0..nf {
            hd[i * nf + i] += lam * scale;
        }
        let Some(l) = cholesky(&hd, nf, 1e-14) else {
            lam = if lam == 0.0 { 1e-6 } else { lam * 10.0 };
            continue;
        };
        let d = chol_solve(&l, &gf, nf);
        let mut xn = x.to_vec();
        for (a, &i) in free.iter().enumerate() {
            xn[i] += d[a];
        }
        project(&mut xn, lb);
        let fnew = eval(&xn);
        if fnew.is_finite() && fnew <= fx {
            let step = xn
                .iter()
                .zip(x)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            // an undamped Newton step this short leaves an error of its square
            let small = step < opt.xtol
                || (lam == 0.0 && step < 1e-7)
                || fx - fnew < 1e-15 * fx.abs().max(1.0);
            return Newton::Accepted {
                x: xn,
                f: fnew,
                lambda: if lam > 0.0 { lam / 10.0 } else { 0.0 },
                small,
            };
        }
        lam = if lam == 0.0 { 1e-4 } else { lam * 10.0 };
    }
    Newton::Stuck { pg }
}

/// The undamped Newton point on the free coordinates, projected onto the
/// bounds (None: no free coordinate, or a Hessian that is not positive
/// definite there). The polishing steps of [`minimize`] and [`minimize_grad`].
fn newton_point(x: &[f64], g: &[f64], hess: &[f64], lb: &[f64]) -> Option<Vec<f64>> {
    let k = x.len();
    let free: Vec<usize> = (0..k).filter(|&i| !(x[i] <= lb[i] && g[i] > 0.0)).collect();
    let nf = free.len();
    if nf == 0 {
        return None;
    }
    let hf: Vec<f64> = free
        .iter()
        .flat_map(|&i| free.iter().map(move |&j| hess[i * k + j]))
        .collect();
    let l = cholesky(&hf, nf, 1e-14)?;
    let gf: Vec<f64> = free.iter().map(|&i| -g[i]).collect();
    let d = chol_solve(&l, &gf, nf);
    let mut xn = x.to_vec();
    for (a, &i) in free.iter().enumerate() {
        xn[i] += d[a];
    }
    project(&mut xn, lb);
    Some(xn)
}

/// At a converged point, where the Newton iterations stopped at the noise of
/// their small-step gradient (f's rounding / h): up to two Newton steps on a
/// gradient with 1,000 times larger steps (numDeriv's Richardson scheme with
/// its Hessian step d = 0.1, four levels: O(h⁸) truncation), whose noise is
/// 1,000 times smaller. The optimum then no longer depends on
/// rounding-level differences in f (e.g. sums taken in another order), so
/// equal data give equal parameters to ~1e-9 instead of ~1e-6. The Hessian is
/// the last iteration's (a Newton step this short needs it only roughly). A
/// step longer than 1e-4 (relative) means the point was not converged in
/// this sense, and is not taken.
fn polish<E>(
    eval: &mut E,
    evals: &mut usize,
    x: &mut Vec<f64>,
    fx: &mut f64,
    g: &mut [f64],
    hess: &[f64],
    lb: &[f64],
) where
    E: FnMut(&[f64], &mut usize) -> f64,
{
    for _ in 0..2 {
        let gr = gradient(
            |p: &[f64]| {
                let mut n = 0usize;
                let v = eval(p, &mut n);
                *evals += n;
                v
            },
            x,
            Richardson::hessian_default(),
        );
        g.copy_from_slice(&gr);
        if g.iter().any(|v| !v.is_finite()) {
            return;
        }
        let Some(xn) = newton_point(x, g, hess, lb) else {
            return;
        };
        let step = xn
            .iter()
            .zip(x.iter())
            .map(|(a, b)| (a - b).abs() / b.abs().max(0.1))
            .fold(0.0, f64::max);
        if step > 1e-4 {
            return;
        }
        let fnew = eval(&xn, evals);
        if !fnew.is_finite() || fnew > *fx + 1e-12 * fx.abs().max(1.0) {
            return;
        }
        *x = xn;
        *fx = fnew;
    }
}

/// [`minimize`] with an analytic gradient: `fg(x)` gives (f, ∇f) or None
/// where undefined (`f` alone serves the line search). The Hessian of each
/// Newton step comes from forward differences of the gradient (k gradients
/// per iteration instead of 1 + 4k + k(k−1) function values), and the
/// converged point gets up to two more Newton steps on the exact gradient,
/// whose noise is rounding only, so equal data give equal parameters to
/// ~1e-10. Where a gradient cannot be had, it continues as [`minimize`].
pub fn minimize_grad<F, G>(mut f: F, mut fg: G, x0: &[f64], lb: &[f64], opt: Options) -> Minimum
where
    F: FnMut(&[f64]) -> f64,
    G: FnMut(&[f64]) -> Option<(f64, Vec<f64>)>,
{
    let k = x0.len();
    let mut x = x0.to_vec();
    project(&mut x, lb);
    let mut evals = 1usize;
    let Some((mut fx, mut g)) =
        fg(&x).filter(|(v, gr)| v.is_finite() && gr.iter().all(|c| c.is_finite()))
    else {
        return minimize(f, &x, lb, opt);
    };
    let mut hess = vec![0.0; k * k];
    let mut converged = false;
    let mut iterations = 0;
    let mut lambda = 0.0f64;
    macro_rules! fall_back {
        () => {{
            let mut m = minimize(
                f,
                &x,
                lb,
                Options {
                    max_iter: opt.max_iter.saturating_sub(iterations).max(1),
                    ..opt
                },
            );
            m.iterations += iterations;
            m.evaluations += evals;
            return m;
        }};
    }
    'outer: for it in 0..opt.max_iter {
        iterations = it + 1;
        let mut xp = x.clone();
        for i in 0..k {
            let h = 1e-6 * x[i].abs().max(0.1);
            xp[i] = x[i] + h;
            evals += 1;
            let col = match fg(&xp) {
                Some((_, gp)) if gp.iter().all(|c| c.is_finite()) => gp
                    .iter()
                    .zip(&g)
                    .map(|(a, b)| (a - b) / h)
                    .collect::<Vec<f64>>(),
                _ => {
                    xp[i] = x[i] - h;
                    evals += 1;
                    match fg(&xp) {
                        Some((_, gm)) if gm.iter().all(|c| c.is_finite()) => {
                            g.iter().zip(&gm).map(|(a, b)| (a - b) / h).collect()
                        }
                        _ => fall_back!(),
                    }
                }
            };
            xp[i] = x[i];
            for j in 0..k {
                hess[j * k + i] = col[j];
            }
        }
        for i in 0..k {
            for j in 0..i {
                let v = 0.5 * (hess[i * k + j] + hess[j * k + i]);
                hess[i * k + j] = v;
                hess[j * k + i] = v;
            }
        }
        let step = newton_step(&x, fx, &g, &hess, lb, lambda, &opt, |p| {
            evals += 1;
            f(p)
        });
        match step {
            Newton::Converged => {
                converged = true;
                break;
            }
            Newton::Accepted {
                x: xn,
                lambda: l,
                small,
                ..
            } => {
                evals += 1;
                match fg(&xn).filter(|(v, gr)| v.is_finite() && gr.iter().all(|c| c.is_finite())) {
                    Some((v, gr)) => {
                        fx = v;
                        g = gr;
                    }
                    None => fall_back!(),
                }
                x = xn;
                lambda = l;
                if small {
                    converged = true;
                    break 'outer;
                }
            }
            Newton::Stuck { pg } => {
                converged = pg < 1e-4 * fx.abs().max(1.0);
                break;
            }
        }
    }
    if converged {
        // up to two Newton steps on the exact gradient with the last Hessian
        for _ in 0..2 {
            let Some(xn) = newton_point(&x, &g, &hess, lb) else {
                break;
            };
            let step = xn
                .iter()
                .zip(&x)
                .map(|(a, b)| (a - b).abs() / b.abs().max(0.1))
                .fold(0.0, f64::max);
            if step > 1e-4 {
                break;
            }
            evals += 1;
            match fg(&xn) {
                Some((v, gr))
                    if v.is_finite()
                        && v <= fx + 1e-12 * fx.abs().max(1.0)
                        && gr.iter().all(|c| c.is_finite()) =>
                {
                    x = xn;
                    fx = v;
                    g = gr;
                }
                _ => break,
            }
        }
    }
    finish(x, fx, iterations, evals, converged, g)
}

fn finish(
    x: Vec<f64>,
    f: f64,
    iterations: usize,
    evaluations: usize,
    converged: bool,
    grad: Vec<f64>,
) -> Minimum {
    Minimum {
        x,
        f,
        iterations,
        evaluations,
        converged,
        grad,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rosenbrock_with_its_gradient() {
        let f = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let fg = |x: &[f64]| {
            let g0 = -2.0 * (1.0 - x[0]) - 400.0 * x[0] * (x[1] - x[0] * x[0]);
            let g1 = 200.0 * (x[1] - x[0] * x[0]);
            Some((f(x), vec![g0, g1]))
        };
        let free = [f64::NEG_INFINITY, f64::NEG_INFINITY];
        let m = minimize_grad(f, fg, &[-1.2, 1.0], &free, Options::default());
        assert!(m.converged);
        assert!(
            (m.x[0] - 1.0).abs() < 1e-9 && (m.x[1] - 1.0).abs() < 1e-9,
            "{:?}",
            m.x
        );
        // without a gradient anywhere it is `minimize`
        let none = |_: &[f64]| None;
        let a = minimize_grad(f, none, &[-1.2, 1.0], &free, Options::default());
        let b = minimize(f, &[-1.2, 1.0], &free, Options::default());
        assert_eq!(a.x, b.x);
        // a bound held active
        let g = |x: &[f64]| (x[0] + 1.0).powi(2) + (x[1] - 2.0).powi(2);
        let gg = |x: &[f64]| Some((g(x), vec![2.0 * (x[0] + 1.0), 2.0 * (x[1] - 2.0)]));
        let m = minimize_grad(
            g,
            gg,
            &[1.0, 0.0],
            &[0.0, f64::NEG_INFINITY],
            Options::default(),
        );
        assert!(m.converged);
        assert_eq!(m.x[0], 0.0);
        assert!((m.x[1] - 2.0).abs() < 1e-12);
    }

    #[test]
    fn rosenbrock_with_a_bound() {
        let f = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let m = minimize(
            f,
            &[-1.2, 1.0],
            &[f64::NEG_INFINITY, f64::NEG_INFINITY],
            Options::default(),
        );
        assert!(m.converged);
        assert!(
            (m.x[0] - 1.0).abs() < 1e-6 && (m.x[1] - 1.0).abs() < 1e-6,
            "{:?}",
            m.x
        );
        // bound active: minimum of (x-(-1))^2 + (y-2)^2 with x >= 0 is (0, 2)
        let g = |x: &[f64]| (x[0] + 1.0).powi(2) + (x[1] - 2.0).powi(2);
        let m = minimize(
            g,
            &[1.0, 0.0],
            &[0.0, f64::NEG_INFINITY],
            Options::default(),
        );
        assert!(m.converged);
        assert_eq!(m.x[0], 0.0);
        assert!((m.x[1] - 2.0).abs() < 1e-9);
    }
}
