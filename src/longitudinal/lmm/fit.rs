//! The fit: minimise the profiled (RE)ML deviance over θ, snap near-boundary
//! variances to 0 as lme4, then the quantities of inference (cov(β̂),
//! conditional modes, lmerTest's Hessian of the deviance in (θ, σ) and the
//! Jacobian of cov(β̂)).

use std::cell::RefCell;
use std::collections::HashMap;

use super::blocks::Blocks;
use super::deviance::{pls_with, subject_into, Pls, Structure, Subject};
use super::gradient::deviance_gradient;
use super::hessian;
use super::patterns::Patterns;
use crate::common::ddf::{pinv_sym, Satterthwaite};
use crate::common::linalg::chol_inverse_into;
use crate::common::numdiff::{hessian_floored, jacobian_floored, Richardson};
use crate::common::optim::{minimize, minimize_grad, Options};
use crate::error::StatsError;

/// Fit settings.
#[derive(Debug, Clone, Copy)]
pub struct FitOptions {
    pub reml: bool,
    pub max_iter: usize,
    /// Compute lmerTest's Hessian/Jacobian for Satterthwaite df.
    pub satterthwaite: bool,
}

/// A fitted one-grouping-factor LMM.
#[derive(Debug, Clone)]
pub struct LmmFit {
    pub theta: Vec<f64>,
    pub beta: Vec<f64>,
    /// cov(β̂), p×p.
    pub vcov: Vec<f64>,
    pub sigma: f64,
    /// REML criterion (reml) or −2 logLik (ML) at the optimum.
    pub deviance: f64,
    pub converged: bool,
    pub iterations: usize,
    pub evaluations: usize,
    /// Some diagonal θ is (numerically) 0: lme4's "boundary (singular) fit".
    pub singular: bool,
    /// Conditional modes b̂ᵢ, m × q.
    pub ranef: Vec<f64>,
    /// Conditional covariances of bᵢ, m × (q×q).
    pub condvar: Vec<f64>,
    /// cov of (θ, σ): 2·H⁻¹ (pseudo-inverse), (k+1)² (empty without Satterthwaite).
    pub varpar_cov: Vec<f64>,
    /// ∂cov(β̂)/∂(θ, σ): k+1 matrices p×p.
    pub jac: Vec<Vec<f64>>,
    /// Satterthwaite df of each coefficient.
    pub df: Vec<f64>,
    /// The deviance Hessian had a negative eigenvalue.
    pub hessian_negative: bool,
}

/// Profiled deviance at θ (∞ where the system is singular).
pub fn profiled_deviance(b: &Blocks, s: &Structure, theta: &[f64], reml: bool) -> f64 {
    deviance_with(b, None, s, theta, reml)
}

fn deviance_with(
    b: &Blocks,
    pat: Option<&Patterns>,
    s: &Structure,
    theta: &[f64],
    reml: bool,
) -> f64 {
    match pls_with(b, pat, s, theta) {
        Ok(r) => r.profiled(b.n, b.p - s.r2(), reml),
        Err(_) => f64::INFINITY,
    }
}

/// Fit from crossproducts.
pub fn fit_blocks(b: &Blocks, s: &Structure, opt: FitOptions) -> Result<LmmFit, StatsError> {
    b.validate()?;
    let (n, q, m) = (b.n, b.q, b.m);
    if s.r2() >= b.p {
        return Err(StatsError::InvalidArgument {
            arg: "extra".into(),
            message: format!(
                "extra terms have {} columns, blocks have p = {}",
                s.r2(),
                b.p
            ),
        });
    }
    // p: fixed effects (the extra terms' indicator columns come first in X)
    let p = b.p - s.r2();
    if s.q() != q {
        return Err(StatsError::InvalidArgument {
            arg: "sizes".into(),
            message: format!("random-effects sizes sum to {}, blocks have q = {q}", s.q()),
        });
    }
    if n <= p || (opt.reml && n == p) {
        return Err(StatsError::TooFew {
            arg: "data".into(),
            n,
            min: p + 1,
        });
    }
    if n <= m * q {
        return Err(StatsError::InvalidArgument {
            arg: "formula".into(),
            message: format!(
                "number of observations (={n}) <= number of random effects (={}) for the random-effects terms; the random-effects parameters and the residual variance (or scale parameter) are probably unidentifiable",
                m * q
            ),
        });
    }
    // fixed effects identifiable at all?
    let pat = Patterns::build(b);
    let pat = pat.as_ref();
    pls_with(b, pat, s, &s.start())?;
    let reml = opt.reml;
    let lb = s.lower();
    // The deviance depends on θ only through ΛΛᵀ, which is unchanged when a
    // column of Λ changes sign: minimise without bounds (Newton steps are not
    // trapped at a diagonal 0, where the gradient vanishes by this symmetry),
    // then map to the lme4 representative with a non-negative diagonal.
    let free = vec![f64::NEG_INFINITY; lb.len()];
    let oo = Options {
        max_iter: opt.max_iter,
        ..Options::default()
    };
    let dev_at = |t: &[f64]| deviance_with(b, pat, s, t, reml);
    // the analytic gradient exists without extra terms; else finite differences
    let res = if s.extra.is_empty() {
        let grad_at = |t: &[f64]| deviance_gradient(b, pat, s, t, reml);
        minimize_grad(dev_at, grad_at, &s.start(), &free, oo)
    } else {
        minimize(dev_at, &s.start(), &free, oo)
    };
    let mut theta = s.canonical(&res.x);
    let mut dev = res.f;
    // lme4's boundary check: components within 1e-5 of the bound are set to it
    // when that does not worsen the deviance
    for j in 0..theta.len() {
        if lb[j] == 0.0 && theta[j] > 0.0 && theta[j] < 1e-5 {
            let mut t2 = theta.clone();
            t2[j] = 0.0;
            let d2 = deviance_with(b, pat, s, &t2, reml);
            if d2 <= dev {
                theta = t2;
                dev = d2;
            }
        }
    }
    let singular = lb.iter().zip(&theta).any(|(l, t)| *l == 0.0 && *t < 1e-4);
    let sol = pls_with(b, pat, s, &theta)?;
    let sigma2 = sol.sigma2(n, p, reml);
    let sigma = sigma2.sqrt();
    let rxi = sol.rx_inv(p);
    let vcov: Vec<f64> = rxi.iter().map(|v| v * sigma2).collect();
    let (mut ranef, condvar) = conditional_modes(b, s, &theta, &sol, sigma2)?;
    // the extra terms' modes b₂ = θ·u₂ follow the primary factor's
    ranef.extend_from_slice(&sol.scaled()[..s.r2()]);

    let mut fit = LmmFit {
        theta,
        beta: sol.fixed().to_vec(),
        vcov,
        sigma,
        deviance: dev,
        converged: res.converged,
        iterations: res.iterations,
        evaluations: res.evaluations,
        singular,
        ranef,
        condvar,
        varpar_cov: Vec::new(),
        jac: Vec::new(),
        df: vec![f64::NAN; p],
        hessian_negative: false,
    };
    if opt.satterthwaite {
        satterthwaite_parts(b, pat, s, &mut fit, reml);
    }
    Ok(fit)
}

/// b̂ᵢ = Λ L⁻ᵀ (cᵢ − Cᵢβ̂) and cov(bᵢ | y) = σ² Λ (LLᵀ)⁻¹ Λᵀ (lme4's condVar).
fn conditional_modes(
    b: &Blocks,
    s: &Structure,
    theta: &[f64],
    sol: &Pls,
    sigma2: f64,
) -> Result<(Vec<f64>, Vec<f64>), StatsError> {
    let (p, q, m) = (b.p, b.q, b.m);
    let lam = s.lambda(theta);
    let coef = sol.scaled();
    let mut ranef = vec![0.0; m * q];
    let mut condvar = vec![0.0; m * q * q];
    let mut sb = Subject::new(p, q);
    let (mut r, mut minv, mut e) = (vec![0.0; q], vec![0.0; q * q], vec![0.0; q]);
    for i in 0..m {
        if !subject_into(b, &lam, i, &mut sb) {
            return Err(StatsError::Singular {
                what: "random-effects system".into(),
            });
        }
        for (a, ra) in r.iter_mut().enumerate() {
            *ra = sb.c[a] - (0..p).map(|j| sb.cx[a * p + j] * coef[j]).sum::<f64>();
        }
        for a in (0..q).rev() {
            for k in a + 1..q {
                r[a] -= sb.l[k * q + a] * r[k];
            }
            r[a] /= sb.l[a * q + a];
        }
        for a in 0..q {
            ranef[i * q + a] = (0..q).map(|k| lam[a * q + k] * r[k]).sum();
        }
        chol_inverse_into(&sb.l, q, &mut minv, &mut e);
        for a in 0..q {
            for c in 0..q {
                let mut v = 0.0;
                for k in 0..q {
                    for l in 0..q {
                        v += lam[a * q + k] * minv[k * q + l] * lam[c * q + l];
                    }
                }
                condvar[i * q * q + a * q + c] = sigma2 * v;
            }
        }
    }
    Ok((ranef, condvar))
}

/// lmerTest: A = 2·H⁻¹ of the non-profiled deviance in (θ, σ) (eigenvalue
/// tolerance 1e-8) and the Jacobian of σ²(RXᵀRX)⁻¹: in closed form with one
/// grouping factor ([`hessian::exact`]), otherwise by numDeriv's Richardson
/// differences as lmerTest.
fn satterthwaite_parts(
    b: &Blocks,
    pat: Option<&Patterns>,
    s: &Structure,
    fit: &mut LmmFit,
    reml: bool,
) {
    let exact = pls_with(b, pat, s, &fit.theta)
        .ok()
        .and_then(|sol| hessian::exact(b, s, &fit.theta, &sol, fit.sigma, reml));
    let (h, jac) = match exact {
        Some(e) => (e.hessian, e.jac),
        None => finite_differences(b, pat, s, fit, reml),
    };
    let k = fit.theta.len();
    let p = b.p - s.r2();
    let (hinv, neg) = pinv_sym(&h, k + 1, 1e-8);
    let a: Vec<f64> = hinv.iter().map(|v| 2.0 * v).collect();
    let st = Satterthwaite {
        p,
        vcov: &fit.vcov,
        jac: &jac,
        a: &a,
    };
    fit.df = (0..p)
        .map(|j| {
            let mut l = vec![0.0; p];
            l[j] = 1.0;
            st.one(&l).df
        })
        .collect();
    fit.varpar_cov = a;
    fit.jac = jac;
    fit.hessian_negative = neg;
}

/// The Hessian and Jacobian by numDeriv's Richardson differences (lmerTest).
fn finite_differences(
    b: &Blocks,
    pat: Option<&Patterns>,
    s: &Structure,
    fit: &LmmFit,
    reml: bool,
) -> (Vec<f64>, Vec<Vec<f64>>) {
    let (n, p) = (b.n, b.p - s.r2());
    let k = fit.theta.len();
    let mut vp = fit.theta.clone();
    vp.push(fit.sigma);
    // numDeriv's steps are relative to each coordinate; an off-diagonal θ
    // near 0 would get a step so short that rounding noise of the deviance,
    // divided by h², moves the df by ~1e-6 between row orders of the same
    // data. Steps relative to the row of Λ instead (unchanged for the
    // diagonal entries and σ): the df then reproduce to ~1e-9.
    let mut floor = s.theta_scale(&fit.theta);
    floor.push(fit.sigma);
    // cache by θ: perturbations of σ alone, and the mixed (θ_i, σ) points of
    // the Hessian, reuse the factorisation
    let cache: RefCell<HashMap<Vec<u64>, Option<Pls>>> = RefCell::new(HashMap::new());
    let at = |t: &[f64]| -> Option<Pls> {
        let key: Vec<u64> = t.iter().map(|v| v.to_bits()).collect();
        if let Some(r) = cache.borrow().get(&key) {
            return r.clone();
        }
        let r = pls_with(b, pat, s, t).ok();
        cache.borrow_mut().insert(key, r.clone());
        r
    };
    let h = hessian_floored(
        |x| match at(&x[..k]) {
            Some(r) => r.nonprofiled(n, p, x[k], reml),
            None => f64::NAN,
        },
        &vp,
        Richardson::hessian_default(),
        &floor,
    );
    let jac_flat = jacobian_floored(
        |x| match at(&x[..k]) {
            Some(r) => r.rx_inv(p).iter().map(|v| v * x[k] * x[k]).collect(),
            None => vec![f64::NAN; p * p],
        },
        &vp,
        Richardson::jacobian_default(),
        &floor,
    );
    // jac_flat is (p*p) × (k+1): split per parameter
    let jac: Vec<Vec<f64>> = (0..=k)
        .map(|j| (0..p * p).map(|e| jac_flat[e * (k + 1) + j]).collect())
        .collect();
    (h, jac)
}
