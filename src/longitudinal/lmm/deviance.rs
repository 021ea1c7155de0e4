//! Penalised least squares at a given relative covariance factor θ, as lme4
//! (one grouping factor: ΛᵀZᵀZΛ + I is block-diagonal, one q×q Cholesky per
//! subject, then the p×p Schur complement for β).

use super::blocks::{sum_over_subjects, Blocks};
use crate::common::linalg::{chol_inverse, chol_solve, cholesky};
use crate::error::StatsError;

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// Random-effects layout within a subject: consecutive diagonal blocks of
/// sizes `sizes` (one per random-effects term; a block is a full
/// lower-triangular factor, i.e. correlated effects within a term).
#[derive(Debug, Clone, PartialEq)]
pub struct Structure {
    pub sizes: Vec<usize>,
}

impl Structure {
    pub fn q(&self) -> usize {
        self.sizes.iter().sum()
    }
    pub fn n_theta(&self) -> usize {
        self.sizes.iter().map(|s| s * (s + 1) / 2).sum()
    }
    /// Lower bounds of θ: 0 on the diagonal of Λ, −∞ elsewhere (lme4 order:
    /// column-wise lower triangle of each block).
    pub fn lower(&self) -> Vec<f64> {
        let mut lb = Vec::with_capacity(self.n_theta());
        for &s in &self.sizes {
            for c in 0..s {
                for r in c..s {
                    lb.push(if r == c { 0.0 } else { f64::NEG_INFINITY });
                }
            }
        }
        lb
    }
    /// lme4's start: identity factor.
    pub fn start(&self) -> Vec<f64> {
        self.lower()
            .iter()
            .map(|&l| if l == 0.0 { 1.0 } else { 0.0 })
            .collect()
    }
    /// Λ (q×q row-major, lower triangular) from θ.
    pub fn lambda(&self, theta: &[f64]) -> Vec<f64> {
        let q = self.q();
        let mut lam = vec![0.0; q * q];
        let (mut off, mut k) = (0, 0);
        for &s in &self.sizes {
            for c in 0..s {
                for r in c..s {
                    lam[(off + r) * q + off + c] = theta[k];
                    k += 1;
                }
            }
            off += s;
        }
        lam
    }
}

/// The penalised least-squares solution at θ.
#[derive(Debug, Clone)]
pub struct Pls {
    /// log|L|², L the Cholesky factor of ΛᵀZᵀZΛ + I.
    pub ld_l2: f64,
    /// log|RX|² (RXᵀRX = XᵀV⁻¹X / σ² scale).
    pub ld_rx2: f64,
    /// Penalised weighted residual sum of squares.
    pub pwrss: f64,
    pub beta: Vec<f64>,
    /// Cholesky factor of RXᵀRX (p×p lower, row-major).
    pub rx: Vec<f64>,
}

/// Per-subject factorisation: L (q×q) and the rotated c = L⁻¹Λᵀzty, C = L⁻¹ΛᵀZᵀX.
pub(super) struct Subject {
    pub l: Vec<f64>,
    pub c: Vec<f64>,
    pub cx: Vec<f64>,
}

pub(super) fn subject(b: &Blocks, lam: &[f64], i: usize) -> Option<Subject> {
    let (p, q) = (b.p, b.q);
    let a = &b.ztz[i * q * q..(i + 1) * q * q];
    // t = A Λ (q×q), then M = Λᵀ t + I
    let mut t = vec![0.0; q * q];
    for r in 0..q {
        for c in 0..q {
            let mut s = 0.0;
            for k in c..q {
                s += a[r * q + k] * lam[k * q + c];
            }
            t[r * q + c] = s;
        }
    }
    let mut mm = vec![0.0; q * q];
    for r in 0..q {
        for c in 0..=r {
            let mut s = 0.0;
            for k in r..q {
                s += lam[k * q + r] * t[k * q + c];
            }
            if r == c {
                s += 1.0;
            }
            mm[r * q + c] = s;
            mm[c * q + r] = s;
        }
    }
    let l = cholesky(&mm, q, 0.0)?;
    // Λᵀ zty and Λᵀ ztx, then forward-solve with L
    let zy = &b.zty[i * q..(i + 1) * q];
    let zx = &b.ztx[i * q * p..(i + 1) * q * p];
    let mut c = vec![0.0; q];
    let mut cx = vec![0.0; q * p];
    for r in 0..q {
        let mut s = 0.0;
        for k in r..q {
            s += lam[k * q + r] * zy[k];
        }
        c[r] = s;
        for j in 0..p {
            let mut s = 0.0;
            for k in r..q {
                s += lam[k * q + r] * zx[k * p + j];
            }
            cx[r * p + j] = s;
        }
    }
    for r in 0..q {
        let d = l[r * q + r];
        for k in 0..r {
            c[r] -= l[r * q + k] * c[k];
        }
        c[r] /= d;
        for j in 0..p {
            let mut s = cx[r * p + j];
            for k in 0..r {
                s -= l[r * q + k] * cx[k * p + j];
            }
            cx[r * p + j] = s / d;
        }
    }
    Some(Subject { l, c, cx })
}

/// Solve the penalised least squares at θ.
pub fn pls(b: &Blocks, s: &Structure, theta: &[f64]) -> Result<Pls, StatsError> {
    let (p, q) = (b.p, b.q);
    let lam = s.lambda(theta);
    // layout: [ld_l2, cc, fail, CtC (p*p), Ctc (p)]
    let len = 3 + p * p + p;
    let acc = sum_over_subjects(b.m, len, |i, acc| match subject(b, &lam, i) {
        None => acc[2] += 1.0,
        Some(sb) => {
            acc[0] += (0..q).map(|r| sb.l[r * q + r].ln()).sum::<f64>() * 2.0;
            acc[1] += sb.c.iter().map(|v| v * v).sum::<f64>();
            for r in 0..q {
                let row = &sb.cx[r * p..(r + 1) * p];
                for a in 0..p {
                    for c in 0..=a {
                        acc[3 + a * p + c] += row[a] * row[c];
                    }
                    acc[3 + p * p + a] += row[a] * sb.c[r];
                }
            }
        }
    });
    if acc[2] > 0.0 || !acc[0].is_finite() {
        return Err(StatsError::Singular {
            what: "random-effects system (ΛᵀZᵀZΛ + I) is not positive definite".into(),
        });
    }
    let mut xtx = b.xtx.clone();
    for a in 0..p {
        for c in 0..=a {
            let v = b.xtx[a * p + c] - acc[3 + a * p + c];
            xtx[a * p + c] = v;
            xtx[c * p + a] = v;
        }
    }
    let rhs: Vec<f64> = (0..p).map(|a| b.xty[a] - acc[3 + p * p + a]).collect();
    let rx = cholesky(&xtx, p, 1e-10).ok_or_else(|| StatsError::Singular {
        what: "fixed-effects model matrix is rank deficient".into(),
    })?;
    let beta = chol_solve(&rx, &rhs, p);
    let pwrss = b.yty - acc[1] - beta.iter().zip(&rhs).map(|(x, y)| x * y).sum::<f64>();
    let ld_rx2 = (0..p).map(|r| rx[r * p + r].ln()).sum::<f64>() * 2.0;
    Ok(Pls {
        ld_l2: acc[0],
        ld_rx2,
        pwrss: pwrss.max(f64::MIN_POSITIVE),
        beta,
        rx,
    })
}

impl Pls {
    /// Profiled deviance (lme4's `devfun`): REML criterion or −2 logLik.
    pub fn profiled(&self, n: usize, p: usize, reml: bool) -> f64 {
        let nr = if reml { (n - p) as f64 } else { n as f64 };
        let base = self.ld_l2 + nr * (1.0 + LN_2PI + (self.pwrss / nr).ln());
        if reml {
            base + self.ld_rx2
        } else {
            base
        }
    }
    /// Deviance at (θ, σ) without profiling σ (lmerTest's `devfun_vp`).
    pub fn nonprofiled(&self, n: usize, p: usize, sigma: f64, reml: bool) -> f64 {
        let s2 = sigma * sigma;
        let ml = self.ld_l2 + self.pwrss / s2 + n as f64 * (LN_2PI + s2.ln());
        if reml {
            ml + self.ld_rx2 - p as f64 * (LN_2PI + s2.ln())
        } else {
            ml
        }
    }
    /// σ̂² at this θ.
    pub fn sigma2(&self, n: usize, p: usize, reml: bool) -> f64 {
        self.pwrss / if reml { (n - p) as f64 } else { n as f64 }
    }
    /// (RXᵀRX)⁻¹, so that cov(β̂) = σ² · this.
    pub fn rx_inv(&self, p: usize) -> Vec<f64> {
        chol_inverse(&self.rx, p)
    }
}
