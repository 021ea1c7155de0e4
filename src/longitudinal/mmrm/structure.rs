//! Visit covariance structures Σ(θ) on unconstrained parameters, with the
//! exact Jacobian ∂Σ/∂θ from forward-mode dual numbers (one generic builder
//! per structure serves both the value and the derivatives).
//!
//! Parameterisations (θ unconstrained):
//! - standard deviations: `log σ` (one, or one per visit for the `h` variants);
//! - correlations in (−1, 1): `ρ = θ / √(1 + θ²)` (ar1, ad, toep partials);
//! - `cs`: `ρ = lo + (1 − lo)·logistic(θ)`, lo = −1/(m − 1) (positive definite);
//! - `toep`: partial autocorrelations, mapped to lag correlations by the
//!   Durbin–Levinson recursion (every θ gives a positive-definite matrix);
//! - `us`: log-Cholesky, Σ = L Lᵀ with `L_ii = exp(θ)`, row by row.

use std::ops::{Add, Div, Mul, Sub};

use crate::common::Choice;

/// Covariance structure of the visits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Structure {
    Us,
    Cs,
    Csh,
    Ar1,
    Ar1h,
    Toep,
    Toeph,
    Ad,
    Adh,
}

impl Choice for Structure {
    const ARG: &'static str = "covariance";
    const VALUES: &'static [(&'static str, Self)] = &[
        ("us", Structure::Us),
        ("cs", Structure::Cs),
        ("csh", Structure::Csh),
        ("ar1", Structure::Ar1),
        ("ar1h", Structure::Ar1h),
        ("toep", Structure::Toep),
        ("toeph", Structure::Toeph),
        ("ad", Structure::Ad),
        ("adh", Structure::Adh),
    ];
}

impl Structure {
    /// Number of parameters for `m` visits.
    pub fn n_par(self, m: usize) -> usize {
        match self {
            Structure::Us => m * (m + 1) / 2,
            Structure::Cs | Structure::Ar1 => 2,
            Structure::Csh | Structure::Ar1h => m + 1,
            Structure::Toep | Structure::Ad => m,
            Structure::Toeph | Structure::Adh => 2 * m - 1,
        }
    }
    fn heterogeneous(self) -> bool {
        matches!(
            self,
            Structure::Csh | Structure::Ar1h | Structure::Toeph | Structure::Adh
        )
    }
}

/// The arithmetic the builders need (f64 and `Dual`).
pub trait Num:
    Clone + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Div<Output = Self>
{
    fn c(&self, v: f64) -> Self;
    fn exp(&self) -> Self;
    fn sqrt(&self) -> Self;
}

impl Num for f64 {
    fn c(&self, v: f64) -> Self {
        v
    }
    fn exp(&self) -> Self {
        f64::exp(*self)
    }
    fn sqrt(&self) -> Self {
        f64::sqrt(*self)
    }
}

/// Forward-mode dual number: value and gradient with respect to θ.
#[derive(Clone, Debug)]
pub struct Dual {
    pub v: f64,
    pub d: Vec<f64>,
}

impl Dual {
    pub fn var(v: f64, i: usize, n: usize) -> Dual {
        let mut d = vec![0.0; n];
        d[i] = 1.0;
        Dual { v, d }
    }
    fn scaled(&self, v: f64, s: f64) -> Dual {
        Dual {
            v,
            d: self.d.iter().map(|x| x * s).collect(),
        }
    }
}

impl Add for Dual {
    type Output = Dual;
    fn add(mut self, o: Dual) -> Dual {
        self.v += o.v;
        self.d.iter_mut().zip(&o.d).for_each(|(a, b)| *a += b);
        self
    }
}
impl Sub for Dual {
    type Output = Dual;
    fn sub(mut self, o: Dual) -> Dual {
        self.v -= o.v;
        self.d.iter_mut().zip(&o.d).for_each(|(a, b)| *a -= b);
        self
    }
}
#[allow(clippy::suspicious_arithmetic_impl)] // product and quotient rules
impl Mul for Dual {
    type Output = Dual;
    fn mul(self, o: Dual) -> Dual {
        let d = self
            .d
            .iter()
            .zip(&o.d)
            .map(|(a, b)| a * o.v + self.v * b)
            .collect();
        Dual { v: self.v * o.v, d }
    }
}
#[allow(clippy::suspicious_arithmetic_impl)]
impl Div for Dual {
    type Output = Dual;
    fn div(self, o: Dual) -> Dual {
        let v = self.v / o.v;
        let d = self
            .d
            .iter()
            .zip(&o.d)
            .map(|(a, b)| (a - v * b) / o.v)
            .collect();
        Dual { v, d }
    }
}
impl Num for Dual {
    fn c(&self, v: f64) -> Self {
        Dual {
            v,
            d: vec![0.0; self.d.len()],
        }
    }
    fn exp(&self) -> Self {
        let e = self.v.exp();
        self.scaled(e, e)
    }
    fn sqrt(&self) -> Self {
        let s = self.v.sqrt();
        self.scaled(s, 0.5 / s)
    }
}

fn to_corr<T: Num>(t: &T) -> T {
    t.clone() / (t.c(1.0) + t.clone() * t.clone()).sqrt()
}

/// Σ (m×m row-major) of `s` at `theta`.
pub fn build<T: Num>(s: Structure, theta: &[T], m: usize) -> Vec<T> {
    let one = theta[0].c(1.0);
    let mut out = vec![theta[0].c(0.0); m * m];
    if s == Structure::Us {
        let mut l = vec![theta[0].c(0.0); m * m];
        let mut k = 0;
        for i in 0..m {
            for j in 0..=i {
                l[i * m + j] = if i == j {
                    theta[k].exp()
                } else {
                    theta[k].clone()
                };
                k += 1;
            }
        }
        for i in 0..m {
            for j in 0..=i {
                let mut acc = theta[0].c(0.0);
                for r in 0..=j {
                    acc = acc + l[i * m + r].clone() * l[j * m + r].clone();
                }
                out[i * m + j] = acc.clone();
                out[j * m + i] = acc;
            }
        }
        return out;
    }
    let (sd, rest): (Vec<T>, &[T]) = if s.heterogeneous() {
        (theta[..m].iter().map(|t| t.exp()).collect(), &theta[m..])
    } else {
        (vec![theta[0].exp(); m], &theta[1..])
    };
    // correlation between visits i < j
    let corr: Box<dyn Fn(usize, usize) -> T> = match s {
        Structure::Cs | Structure::Csh => {
            let lo = if m > 1 { -1.0 / (m as f64 - 1.0) } else { 0.0 };
            let lg = one.clone() / (one.clone() + (one.c(0.0) - rest[0].clone()).exp());
            let rho = one.c(lo) + one.c(1.0 - lo) * lg;
            Box::new(move |_, _| rho.clone())
        }
        Structure::Ar1 | Structure::Ar1h => {
            let rho = to_corr(&rest[0]);
            let mut pw = vec![one.clone(); m];
            for k in 1..m {
                pw[k] = pw[k - 1].clone() * rho.clone();
            }
            Box::new(move |i, j| pw[j - i].clone())
        }
        Structure::Ad | Structure::Adh => {
            let r: Vec<T> = rest.iter().map(to_corr).collect();
            Box::new(move |i, j| {
                let mut acc = r[i].clone();
                for rk in &r[i + 1..j] {
                    acc = acc * rk.clone();
                }
                acc
            })
        }
        Structure::Toep | Structure::Toeph => {
            let lags = durbin_levinson(&rest.iter().map(to_corr).collect::<Vec<_>>(), &one);
            Box::new(move |i, j| lags[j - i - 1].clone())
        }
        Structure::Us => unreachable!("handled above"),
    };
    for i in 0..m {
        out[i * m + i] = sd[i].clone() * sd[i].clone();
        for j in i + 1..m {
            let v = sd[i].clone() * sd[j].clone() * corr(i, j);
            out[i * m + j] = v.clone();
            out[j * m + i] = v;
        }
    }
    out
}

/// Lag correlations ρ_1..ρ_K of the stationary process with partial
/// autocorrelations `pacf` (Durbin–Levinson).
fn durbin_levinson<T: Num>(pacf: &[T], one: &T) -> Vec<T> {
    let k_max = pacf.len();
    let mut rho: Vec<T> = Vec::with_capacity(k_max);
    let mut phi: Vec<T> = Vec::new();
    let mut v = one.clone();
    for k in 0..k_max {
        let pk = pacf[k].clone();
        // ρ_{k+1} = Σ_j φ_{k,j} ρ_{k+1-j} + π_{k+1} v_k
        let mut r = pk.clone() * v.clone();
        for (j, ph) in phi.iter().enumerate() {
            let prev = if k > j {
                rho[k - j - 1].clone()
            } else {
                one.clone()
            };
            r = r + ph.clone() * prev;
        }
        rho.push(r);
        let mut next = phi.clone();
        for j in 0..phi.len() {
            next[j] = phi[j].clone() - pk.clone() * phi[phi.len() - 1 - j].clone();
        }
        next.push(pk.clone());
        phi = next;
        v = v * (one.clone() - pk.clone() * pk);
    }
    rho
}

/// Σ and its Jacobian: `(sigma, jac)` with `jac[k]` = ∂Σ/∂θ_k (m×m).
pub fn with_jacobian(s: Structure, theta: &[f64], m: usize) -> (Vec<f64>, Vec<Vec<f64>>) {
    let q = theta.len();
    let t: Vec<Dual> = theta
        .iter()
        .enumerate()
        .map(|(i, &v)| Dual::var(v, i, q))
        .collect();
    let sig = build(s, &t, m);
    let value = sig.iter().map(|d| d.v).collect();
    let jac = (0..q)
        .map(|k| sig.iter().map(|d| d.d[k]).collect())
        .collect();
    (value, jac)
}

/// Unconstrained parameters for a start covariance `cov` (m×m, positive
/// definite for `us`); the structured cases take its SDs and mean lag-1
/// correlation.
pub fn start(s: Structure, cov: &[f64], m: usize) -> Vec<f64> {
    let sd: Vec<f64> = (0..m).map(|i| cov[i * m + i].max(1e-8).sqrt()).collect();
    if s == Structure::Us {
        if let Some(l) = crate::common::linalg::cholesky(cov, m, 1e-10) {
            let mut th = Vec::with_capacity(m * (m + 1) / 2);
            for i in 0..m {
                for j in 0..=i {
                    let v = l[i * m + j];
                    th.push(if i == j { v.ln() } else { v });
                }
            }
            return th;
        }
        let mut th = Vec::new();
        for (i, si) in sd.iter().enumerate() {
            for j in 0..=i {
                th.push(if i == j { si.ln() } else { 0.0 });
            }
        }
        return th;
    }
    let mut r1 = 0.0;
    let mut n1 = 0.0;
    for i in 0..m.saturating_sub(1) {
        r1 += cov[i * m + i + 1] / (sd[i] * sd[i + 1]);
        n1 += 1.0;
    }
    let rho = if n1 > 0.0 {
        (r1 / n1).clamp(0.05, 0.9)
    } else {
        0.3
    };
    let inv = |r: f64| r / (1.0 - r * r).sqrt();
    let mut th: Vec<f64> = if s.heterogeneous() {
        sd.iter().map(|v| v.ln()).collect()
    } else {
        vec![(sd.iter().map(|v| v * v).sum::<f64>() / m as f64)
            .sqrt()
            .ln()]
    };
    match s {
        Structure::Cs | Structure::Csh => {
            let lo = if m > 1 { -1.0 / (m as f64 - 1.0) } else { 0.0 };
            let u = (rho - lo) / (1.0 - lo);
            th.push((u / (1.0 - u)).ln());
        }
        Structure::Ar1 | Structure::Ar1h => th.push(inv(rho)),
        Structure::Ad | Structure::Adh => th.extend(std::iter::repeat_n(inv(rho), m - 1)),
        Structure::Toep | Structure::Toeph => {
            th.push(inv(rho));
            th.extend(std::iter::repeat_n(0.0, m.saturating_sub(2)));
        }
        Structure::Us => {}
    }
    th
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dual_jacobian_matches_differences() {
        let all = [
            Structure::Us,
            Structure::Cs,
            Structure::Csh,
            Structure::Ar1,
            Structure::Ar1h,
            Structure::Toep,
            Structure::Toeph,
            Structure::Ad,
            Structure::Adh,
        ];
        let m = 4;
        for s in all {
            let q = s.n_par(m);
            let th: Vec<f64> = (0..q).map(|i| 0.1 + 0.13 * i as f64).collect();
            let (sig, jac) = with_jacobian(s, &th, m);
            assert!(
                crate::common::linalg::cholesky(&sig, m, 1e-12).is_some(),
                "{s:?}"
            );
            for k in 0..q {
                let mut a = th.clone();
                let mut b = th.clone();
                a[k] += 1e-6;
                b[k] -= 1e-6;
                let (sa, sb) = (build(s, &a, m), build(s, &b, m));
                for e in 0..m * m {
                    let fd = (sa[e] - sb[e]) / 2e-6;
                    assert!((fd - jac[k][e]).abs() < 1e-6, "{s:?} k={k} e={e}");
                }
            }
        }
    }

    #[test]
    fn toeplitz_from_partials() {
        // two lags: ρ2 = π1² + π2(1 − π1²)
        let one = 1.0;
        let r = durbin_levinson(&[0.5, 0.2], &one);
        assert!((r[0] - 0.5).abs() < 1e-15);
        assert!((r[1] - (0.25 + 0.2 * 0.75)).abs() < 1e-15);
    }

    #[test]
    fn start_round_trips_us() {
        let cov = [4.0, 1.0, 0.5, 1.0, 3.0, 0.8, 0.5, 0.8, 2.0];
        let th = start(Structure::Us, &cov, 3);
        let s = build(Structure::Us, &th, 3);
        for (a, b) in s.iter().zip(&cov) {
            assert!((a - b).abs() < 1e-12);
        }
    }
}
