//! SAS's ("natural") parameterisation of the covariance structures, for the
//! second-derivative term of the Kenward–Roger adjustment (kr.rs).
//!
//! Only that term depends on the parameterisation. SAS PROC MIXED
//! parameterises every structure by variances, covariances and
//! correlations; `us` (the covariances σ_ij), `cs` (CS covariance and
//! residual variance) and `toep` (the lag covariances) are linear in them,
//! so ∂²Σ = 0 there and DDFM=KR equals DDFM=KR(LINEAR). The others:
//! - `ar1`: (σ², ρ), Σ_ij = σ² ρ^|i−j|; `ar1h` (SAS ARH(1)): (σ²_1..σ²_m, ρ);
//! - `csh`: (σ²_1..σ²_m, ρ), Σ_ij = σ_i σ_j ρ;
//! - `toeph`: (σ²_1..σ²_m, ρ_1..ρ_{m−1}), Σ_ij = σ_i σ_j ρ_|i−j|;
//! - `adh` (SAS ANTE(1)): (σ²_1..σ²_m, ρ_1..ρ_{m−1}), Σ_ij = σ_i σ_j Π_{k=i}^{j−1} ρ_k;
//! - `ad` (no SAS counterpart; the same convention): (σ², ρ_1..ρ_{m−1}).
//!
//! φ(θ) is read off Σ(θ) (so ∂φ/∂θ comes from the dual numbers of
//! structure.rs) and ∂²Σ/∂φ² from `HDual`, a second-order forward-mode number.

use std::ops::{Add, Div, Mul, Sub};

use super::structure::{build, Dual, Num, Structure};

/// Whether Σ is linear in SAS's parameters (∂²Σ/∂φ² = 0).
pub fn is_linear(s: Structure) -> bool {
    matches!(s, Structure::Us | Structure::Cs | Structure::Toep)
}

fn hetero(s: Structure) -> bool {
    matches!(
        s,
        Structure::Csh | Structure::Ar1h | Structure::Toeph | Structure::Adh
    )
}

/// SAS's parameters of a non-linear structure, read off Σ (m×m).
pub fn phi_of_sigma<T: Num>(s: Structure, sig: &[T], m: usize) -> Vec<T> {
    let mut out: Vec<T> = if hetero(s) {
        (0..m).map(|i| sig[i * m + i].clone()).collect()
    } else {
        vec![sig[0].clone()]
    };
    let corr = |i: usize, j: usize| {
        sig[i * m + j].clone() / (sig[i * m + i].clone() * sig[j * m + j].clone()).sqrt()
    };
    match s {
        Structure::Csh | Structure::Ar1 | Structure::Ar1h => out.push(corr(0, 1)),
        Structure::Toeph => out.extend((1..m).map(|k| corr(0, k))),
        Structure::Ad | Structure::Adh => out.extend((0..m - 1).map(|i| corr(i, i + 1))),
        // linear structures: the covariances themselves (not used)
        Structure::Us | Structure::Cs | Structure::Toep => {}
    }
    out
}

/// Σ of a non-linear structure from SAS's parameters.
pub fn sigma_of_phi<T: Num>(s: Structure, phi: &[T], m: usize) -> Vec<T> {
    let (var, rest): (Vec<T>, &[T]) = if hetero(s) {
        (phi[..m].to_vec(), &phi[m..])
    } else {
        (vec![phi[0].clone(); m], &phi[1..])
    };
    let sd: Vec<T> = var.iter().map(|v| v.sqrt()).collect();
    let zero = phi[0].c(0.0);
    let mut out = vec![zero; m * m];
    for i in 0..m {
        out[i * m + i] = var[i].clone();
        for j in i + 1..m {
            let r = match s {
                Structure::Csh => rest[0].clone(),
                Structure::Ar1 | Structure::Ar1h => {
                    let mut acc = rest[0].clone();
                    for _ in i + 1..j {
                        acc = acc * rest[0].clone();
                    }
                    acc
                }
                Structure::Toeph => rest[j - i - 1].clone(),
                Structure::Ad | Structure::Adh => {
                    let mut acc = rest[i].clone();
                    for rk in &rest[i + 1..j] {
                        acc = acc * rk.clone();
                    }
                    acc
                }
                Structure::Us | Structure::Cs | Structure::Toep => phi[0].c(f64::NAN),
            };
            let v = if hetero(s) {
                sd[i].clone() * sd[j].clone() * r
            } else {
                var[0].clone() * r
            };
            out[i * m + j] = v.clone();
            out[j * m + i] = v;
        }
    }
    out
}

/// φ̂ and J = ∂φ/∂θ (q×q row-major, J[a, h] = ∂φ_a/∂θ_h) at θ.
pub fn phi_jacobian(s: Structure, theta: &[f64], m: usize) -> (Vec<f64>, Vec<f64>) {
    let q = theta.len();
    let t: Vec<Dual> = theta
        .iter()
        .enumerate()
        .map(|(i, &v)| Dual::var(v, i, q))
        .collect();
    let phi = phi_of_sigma(s, &build(s, &t, m), m);
    let val = phi.iter().map(|d| d.v).collect();
    let jac = phi.iter().flat_map(|d| d.d.iter().copied()).collect();
    (val, jac)
}

/// Σ_ab w_ab ∂²Σ/∂φ_a∂φ_b (m×m) at φ for a symmetric weight `w` (q×q).
pub fn weighted_second(s: Structure, phi: &[f64], w: &[f64], m: usize) -> Vec<f64> {
    let q = phi.len();
    let t: Vec<HDual> = phi
        .iter()
        .enumerate()
        .map(|(i, &v)| HDual::var(v, i, q))
        .collect();
    sigma_of_phi(s, &t, m)
        .iter()
        .map(|h| h.h.iter().zip(w).map(|(a, b)| a * b).sum())
        .collect()
}

/// Second-order forward-mode number: value, gradient and Hessian (n×n).
#[derive(Clone, Debug)]
pub struct HDual {
    pub v: f64,
    pub d: Vec<f64>,
    pub h: Vec<f64>,
}

impl HDual {
    pub fn var(v: f64, i: usize, n: usize) -> HDual {
        let mut d = vec![0.0; n];
        d[i] = 1.0;
        HDual {
            v,
            d,
            h: vec![0.0; n * n],
        }
    }
    /// f(self) for a scalar f with f(v), f'(v), f''(v).
    fn chain(&self, f: f64, f1: f64, f2: f64) -> HDual {
        let n = self.d.len();
        let mut h = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                h[i * n + j] = f1 * self.h[i * n + j] + f2 * self.d[i] * self.d[j];
            }
        }
        HDual {
            v: f,
            d: self.d.iter().map(|x| f1 * x).collect(),
            h,
        }
    }
}

impl Add for HDual {
    type Output = HDual;
    fn add(mut self, o: HDual) -> HDual {
        self.v += o.v;
        self.d.iter_mut().zip(&o.d).for_each(|(a, b)| *a += b);
        self.h.iter_mut().zip(&o.h).for_each(|(a, b)| *a += b);
        self
    }
}
impl Sub for HDual {
    type Output = HDual;
    fn sub(mut self, o: HDual) -> HDual {
        self.v -= o.v;
        self.d.iter_mut().zip(&o.d).for_each(|(a, b)| *a -= b);
        self.h.iter_mut().zip(&o.h).for_each(|(a, b)| *a -= b);
        self
    }
}
#[allow(clippy::suspicious_arithmetic_impl)] // product rule
impl Mul for HDual {
    type Output = HDual;
    fn mul(self, o: HDual) -> HDual {
        let n = self.d.len();
        let mut h = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                h[i * n + j] = self.h[i * n + j] * o.v
                    + o.h[i * n + j] * self.v
                    + self.d[i] * o.d[j]
                    + o.d[i] * self.d[j];
            }
        }
        let d = self
            .d
            .iter()
            .zip(&o.d)
            .map(|(a, b)| a * o.v + self.v * b)
            .collect();
        HDual {
            v: self.v * o.v,
            d,
            h,
        }
    }
}
#[allow(clippy::suspicious_arithmetic_impl)]
impl Div for HDual {
    type Output = HDual;
    fn div(self, o: HDual) -> HDual {
        let x = o.v;
        self * o.chain(1.0 / x, -1.0 / (x * x), 2.0 / (x * x * x))
    }
}
impl Num for HDual {
    fn c(&self, v: f64) -> Self {
        let n = self.d.len();
        HDual {
            v,
            d: vec![0.0; n],
            h: vec![0.0; n * n],
        }
    }
    fn exp(&self) -> Self {
        let e = self.v.exp();
        self.chain(e, e, e)
    }
    fn sqrt(&self) -> Self {
        let s = self.v.sqrt();
        self.chain(s, 0.5 / s, -0.25 / (s * s * s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONLINEAR: [Structure; 6] = [
        Structure::Csh,
        Structure::Ar1,
        Structure::Ar1h,
        Structure::Toeph,
        Structure::Ad,
        Structure::Adh,
    ];

    #[test]
    fn natural_round_trip() {
        let m = 4;
        for s in NONLINEAR {
            let th: Vec<f64> = (0..s.n_par(m)).map(|i| 0.2 + 0.11 * i as f64).collect();
            let sig = build(s, &th, m);
            let phi = phi_of_sigma(s, &sig, m);
            assert_eq!(phi.len(), th.len(), "{s:?}");
            let back = sigma_of_phi(s, &phi, m);
            for (a, b) in sig.iter().zip(&back) {
                assert!((a - b).abs() < 1e-12, "{s:?}: {a} {b}");
            }
        }
    }

    #[test]
    fn hessian_matches_differences() {
        let m = 3;
        for s in NONLINEAR {
            let th: Vec<f64> = (0..s.n_par(m)).map(|i| 0.3 - 0.07 * i as f64).collect();
            let phi = phi_of_sigma(s, &build(s, &th, m), m);
            let q = phi.len();
            for a in 0..q {
                for b in 0..q {
                    let mut w = vec![0.0; q * q];
                    w[a * q + b] = 1.0;
                    let got = weighted_second(s, &phi, &w, m);
                    let e = 1e-4;
                    let f = |da: f64, db: f64| {
                        let mut p = phi.clone();
                        p[a] += da;
                        p[b] += db;
                        sigma_of_phi(s, &p, m)
                    };
                    let (pp, pm, mp, mm) = (f(e, e), f(e, -e), f(-e, e), f(-e, -e));
                    for k in 0..m * m {
                        let fd = (pp[k] - pm[k] - mp[k] + mm[k]) / (4.0 * e * e);
                        assert!(
                            (fd - got[k]).abs() < 1e-5,
                            "{s:?} {a} {b} {k}: {fd} {}",
                            got[k]
                        );
                    }
                }
            }
        }
    }
}
