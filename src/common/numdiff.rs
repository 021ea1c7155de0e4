//! Numerical derivatives by Richardson extrapolation, with the step rules of
//! R's numDeriv (`jacobian(method = "Richardson")`, `hessian` via `genD`):
//! the initial step is `d·|x_i|` (plus `eps` where `|x_i| < zero_tol`),
//! halved `r` times (`v = 2`), and the central differences are extrapolated
//! with the factors 4^m. lmerTest and mmrm's Satterthwaite degrees of freedom
//! use exactly these derivatives of the deviance and of cov(β̂).

/// Step settings (numDeriv's `method.args`).
#[derive(Debug, Clone, Copy)]
pub struct Richardson {
    pub eps: f64,
    pub d: f64,
    pub zero_tol: f64,
    pub r: usize,
    pub v: f64,
}

impl Richardson {
    /// numDeriv's defaults for `jacobian`/`grad` (`d = 1e-4`).
    pub fn jacobian_default() -> Self {
        Richardson {
            eps: 1e-4,
            d: 1e-4,
            zero_tol: (f64::EPSILON / 7e-7).sqrt(),
            r: 4,
            v: 2.0,
        }
    }
    /// numDeriv's defaults for `hessian`/`genD` (`d = 0.1`).
    pub fn hessian_default() -> Self {
        Richardson {
            d: 0.1,
            ..Self::jacobian_default()
        }
    }
    /// Initial steps: numDeriv's `d·|x_i|` (+ `eps` near 0), or `d·floor_i`
    /// where the caller knows `|x_i|` to be small against the coordinate's
    /// natural scale `floor_i` (an empty `floor` is numDeriv's rule).
    fn h0(&self, x: &[f64], floor: &[f64]) -> Vec<f64> {
        x.iter()
            .enumerate()
            .map(|(i, &xi)| {
                let a = xi.abs().max(floor.get(i).copied().unwrap_or(0.0));
                self.d * a + if a < self.zero_tol { self.eps } else { 0.0 }
            })
            .collect()
    }
}

/// Extrapolate in place: after the call `a[0]` holds the estimate
/// (`a[k] <- (a[k+1]·4^m − a[k]) / (4^m − 1)`, m = 1..r−1).
fn extrapolate(a: &mut [Vec<f64>]) {
    let r = a.len();
    for m in 1..r {
        let f = 4f64.powi(m as i32);
        for k in 0..r - m {
            let (lo, hi) = a.split_at_mut(k + 1);
            for (x, y) in lo[k].iter_mut().zip(&hi[0]) {
                *x = (y * f - *x) / (f - 1.0);
            }
        }
    }
}

/// Jacobian of a vector function: returns `m × n` row-major (m outputs, n
/// inputs), `out[i·n + j] = ∂f_i/∂x_j`.
pub fn jacobian<F>(f: F, x: &[f64], s: Richardson) -> Vec<f64>
where
    F: FnMut(&[f64]) -> Vec<f64>,
{
    jacobian_floored(f, x, s, &[])
}

/// [`jacobian`] with the initial step of coordinate i at least `d·floor[i]`.
pub fn jacobian_floored<F>(mut f: F, x: &[f64], s: Richardson, floor: &[f64]) -> Vec<f64>
where
    F: FnMut(&[f64]) -> Vec<f64>,
{
    let n = x.len();
    let mut h = s.h0(x, floor);
    let mut cols: Vec<Vec<Vec<f64>>> = vec![Vec::with_capacity(s.r); n];
    let mut xp = x.to_vec();
    for _ in 0..s.r {
        for j in 0..n {
            xp[j] = x[j] + h[j];
            let f1 = f(&xp);
            xp[j] = x[j] - h[j];
            let f2 = f(&xp);
            xp[j] = x[j];
            cols[j].push(
                f1.iter()
                    .zip(&f2)
                    .map(|(a, b)| (a - b) / (2.0 * h[j]))
                    .collect(),
            );
        }
        h.iter_mut().for_each(|v| *v /= s.v);
    }
    let m = cols.first().and_then(|c| c.first()).map_or(0, |v| v.len());
    let mut out = vec![0.0; m * n];
    for (j, mut a) in cols.into_iter().enumerate() {
        extrapolate(&mut a);
        for i in 0..m {
            out[i * n + j] = a[0][i];
        }
    }
    out
}

/// Gradient of a scalar function (numDeriv `grad`, Richardson).
pub fn gradient<F>(mut f: F, x: &[f64], s: Richardson) -> Vec<f64>
where
    F: FnMut(&[f64]) -> f64,
{
    jacobian(|z| vec![f(z)], x, s)
}

/// Hessian of a scalar function as numDeriv's `hessian` (`genD`): `n × n`
/// row-major, symmetric. `f0` is f(x) when already known.
pub fn hessian<F>(f: F, x: &[f64], s: Richardson) -> Vec<f64>
where
    F: FnMut(&[f64]) -> f64,
{
    hessian_floored(f, x, s, &[])
}

/// [`hessian`] with the initial step of coordinate i at least `d·floor[i]`.
pub fn hessian_floored<F>(mut f: F, x: &[f64], s: Richardson, floor: &[f64]) -> Vec<f64>
where
    F: FnMut(&[f64]) -> f64,
{
    let n = x.len();
    let f0 = f(x);
    let h0 = s.h0(x, floor);
    let mut hd = vec![0.0; n];
    let mut xp = x.to_vec();
    for i in 0..n {
        let mut h = h0.clone();
        let mut ha: Vec<Vec<f64>> = Vec::with_capacity(s.r);
        for _ in 0..s.r {
            xp[i] = x[i] + h[i];
            let f1 = f(&xp);
            xp[i] = x[i] - h[i];
            let f2 = f(&xp);
            xp[i] = x[i];
            ha.push(vec![(f1 - 2.0 * f0 + f2) / (h[i] * h[i])]);
            h.iter_mut().for_each(|v| *v /= s.v);
        }
        extrapolate(&mut ha);
        hd[i] = ha[0][0];
    }
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        out[i * n + i] = hd[i];
        for j in 0..i {
            let mut h = h0.clone();
            let mut a: Vec<Vec<f64>> = Vec::with_capacity(s.r);
            for _ in 0..s.r {
                xp[i] = x[i] + h[i];
                xp[j] = x[j] + h[j];
                let f1 = f(&xp);
                xp[i] = x[i] - h[i];
                xp[j] = x[j] - h[j];
                let f2 = f(&xp);
                xp[i] = x[i];
                xp[j] = x[j];
                let v = (f1 - 2.0 * f0 + f2 - hd[i] * h[i] * h[i] - hd[j] * h[j] * h[j])
                    / (2.0 * h[i] * h[j]);
                a.push(vec![v]);
                h.iter_mut().for_each(|v| *v /= s.v);
            }
            extrapolate(&mut a);
            out[i * n + j] = a[0][0];
            out[j * n + i] = a[0][0];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hessian_of_a_smooth_function() {
        // f = x0^2 x1 + exp(x1) + sin(x0 x1); analytic Hessian
        let f = |x: &[f64]| x[0] * x[0] * x[1] + x[1].exp() + (x[0] * x[1]).sin();
        let x = [0.7, 1.3];
        let h = hessian(f, &x, Richardson::hessian_default());
        let (a, b) = (x[0], x[1]);
        let s = (a * b).sin();
        let c = (a * b).cos();
        let want = [
            2.0 * b - b * b * s,
            2.0 * a + c - a * b * s,
            2.0 * a + c - a * b * s,
            b.exp() - a * a * s,
        ];
        for k in 0..4 {
            assert!(
                (h[k] - want[k]).abs() < 1e-8,
                "{k}: {} vs {}",
                h[k],
                want[k]
            );
        }
    }

    #[test]
    fn jacobian_of_a_vector_function_and_zero_point() {
        let f = |x: &[f64]| vec![x[0] * x[1], x[0].exp() - x[1].powi(3)];
        let x = [0.0, 2.0]; // x0 = 0 uses the absolute step eps
        let j = jacobian(f, &x, Richardson::jacobian_default());
        let want = [2.0, 0.0, 1.0, -12.0];
        for k in 0..4 {
            assert!((j[k] - want[k]).abs() < 1e-9, "{k}: {}", j[k]);
        }
        let g = gradient(
            |x: &[f64]| x[0].powi(2) + 3.0 * x[1],
            &[1.5, -1.0],
            Richardson::jacobian_default(),
        );
        assert!((g[0] - 3.0).abs() < 1e-10 && (g[1] - 3.0).abs() < 1e-10);
    }
}
