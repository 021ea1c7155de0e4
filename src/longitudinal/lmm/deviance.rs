//! Penalised least squares at a given relative covariance factor θ, as lme4
//! (one grouping factor: ΛᵀZᵀZΛ + I is block-diagonal, one q×q Cholesky per
//! subject, then the p×p Schur complement for β).

use super::blocks::{sum_over_subjects, Blocks};
use super::patterns::Patterns;
use crate::common::linalg::{chol_inverse, chol_solve, cholesky, cholesky_into};
use crate::error::StatsError;

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// Random-effects layout within a subject: consecutive diagonal blocks of
/// sizes `sizes` (one per random-effects term; a block is a full
/// lower-triangular factor, i.e. correlated effects within a term).
///
/// `extra`: further scalar random-effects terms of other (small) grouping
/// factors, by their number of levels. Their indicator columns come first in
/// the blocks' X (so `Blocks::p` counts them); they are penalised with their
/// own θ (one each, after the primary factor's) and eliminated together
/// with β in a dense Schur complement.
#[derive(Debug, Clone, PartialEq)]
pub struct Structure {
    pub sizes: Vec<usize>,
    pub extra: Vec<usize>,
}

impl Structure {
    pub fn q(&self) -> usize {
        self.sizes.iter().sum()
    }
    /// Number of extra (penalised) columns at the front of X.
    pub fn r2(&self) -> usize {
        self.extra.iter().sum()
    }
    fn n_primary(&self) -> usize {
        self.sizes.iter().map(|s| s * (s + 1) / 2).sum()
    }
    pub fn n_theta(&self) -> usize {
        self.n_primary() + self.extra.len()
    }
    /// Diagonal scaling of the columns of X: θ of its extra term, then 1.
    pub fn col_scale(&self, theta: &[f64], p_total: usize) -> Vec<f64> {
        let mut d = Vec::with_capacity(p_total);
        let k0 = self.n_primary();
        for (j, &lev) in self.extra.iter().enumerate() {
            d.extend(std::iter::repeat_n(theta[k0 + j], lev));
        }
        d.resize(p_total, 1.0);
        d
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
        lb.extend(self.extra.iter().map(|_| 0.0));
        lb
    }
    /// lme4's start: identity factor.
    pub fn start(&self) -> Vec<f64> {
        self.lower()
            .iter()
            .map(|&l| if l == 0.0 { 1.0 } else { 0.0 })
            .collect()
    }
    /// θ with each block's columns signed so that the diagonal is ≥ 0
    /// (ΛΛᵀ unchanged).
    pub fn canonical(&self, theta: &[f64]) -> Vec<f64> {
        let mut t = theta.to_vec();
        let mut k = 0;
        for &s in &self.sizes {
            for c in 0..s {
                let len = s - c;
                if t[k] < 0.0 {
                    t[k..k + len].iter_mut().for_each(|v| *v = -*v);
                }
                k += len;
            }
        }
        t[k..].iter_mut().for_each(|v| *v = v.abs());
        t
    }
    /// The natural scale of each θ entry: the length of its row of Λ (the
    /// relative SD of that random effect); for an extra term, |θ| itself. An
    /// off-diagonal entry near 0 is small only against this scale, and a
    /// finite-difference step relative to the entry alone would be tiny.
    pub fn theta_scale(&self, theta: &[f64]) -> Vec<f64> {
        let mut out = Vec::with_capacity(theta.len());
        let mut k0 = 0;
        for &s in &self.sizes {
            // θ of this block, column-wise lower triangle: (r, c) at
            // k0 + Σ_{c'<c}(s − c') + (r − c)
            let idx = |r: usize, c: usize| k0 + (0..c).map(|cc| s - cc).sum::<usize>() + (r - c);
            let row_len: Vec<f64> = (0..s)
                .map(|r| {
                    (0..=r)
                        .map(|c| theta[idx(r, c)].powi(2))
                        .sum::<f64>()
                        .sqrt()
                })
                .collect();
            for c in 0..s {
                out.extend_from_slice(&row_len[c..]);
            }
            k0 += s * (s + 1) / 2;
        }
        out.extend(theta[k0..].iter().map(|v| v.abs()));
        out
    }
    /// Λ (q×q row-major, lower triangular) from θ.
    pub fn lambda(&self, theta: &[f64]) -> Vec<f64> {
        let theta = &theta[..self.n_primary()];
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
    /// The solution: the extra terms' spherical effects u₂ (r2), then β̂.
    pub beta: Vec<f64>,
    /// Cholesky factor of the joint (u₂, β) system (lower, row-major).
    pub rx: Vec<f64>,
    /// Number of extra penalised columns (u₂) in front of β.
    pub r2: usize,
    /// Column scaling (θ of each u₂ column, 1 for β).
    pub scale: Vec<f64>,
}

/// Per-subject factorisation: L (q×q) and the rotated c = L⁻¹Λᵀzty, C = L⁻¹ΛᵀZᵀX.
/// Also the scratch of [`subject_into`], reused across subjects.
pub(super) struct Subject {
    pub l: Vec<f64>,
    pub c: Vec<f64>,
    pub cx: Vec<f64>,
    t: Vec<f64>,
    mm: Vec<f64>,
}

impl Subject {
    pub(super) fn new(p: usize, q: usize) -> Subject {
        Subject {
            l: vec![0.0; q * q],
            c: vec![0.0; q],
            cx: vec![0.0; q * p],
            t: vec![0.0; q * q],
            mm: vec![0.0; q * q],
        }
    }
}

/// Factorise subject `i` into `sb`; false when ΛᵀZᵢᵀZᵢΛ + I is not positive definite.
pub(super) fn subject_into(b: &Blocks, lam: &[f64], i: usize, sb: &mut Subject) -> bool {
    let (p, q) = (b.p, b.q);
    let a = &b.ztz[i * q * q..(i + 1) * q * q];
    // t = A Λ (q×q), then M = Λᵀ t + I
    let t = &mut sb.t;
    for r in 0..q {
        for c in 0..q {
            let mut s = 0.0;
            for k in c..q {
                s += a[r * q + k] * lam[k * q + c];
            }
            t[r * q + c] = s;
        }
    }
    let mm = &mut sb.mm;
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
    if !cholesky_into(mm, q, 0.0, &mut sb.l) {
        return false;
    }
    let l = &sb.l;
    // Λᵀ zty and Λᵀ ztx, then forward-solve with L
    let zy = &b.zty[i * q..(i + 1) * q];
    let zx = &b.ztx[i * q * p..(i + 1) * q * p];
    let (c, cx) = (&mut sb.c, &mut sb.cx);
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
    true
}

/// Solve the penalised least squares at θ (per subject).
pub fn pls(b: &Blocks, s: &Structure, theta: &[f64]) -> Result<Pls, StatsError> {
    pls_with(b, None, s, theta)
}

/// Solve the penalised least squares at θ, through the visit patterns when given.
pub fn pls_with(
    b: &Blocks,
    pat: Option<&Patterns>,
    s: &Structure,
    theta: &[f64],
) -> Result<Pls, StatsError> {
    let (p, q) = (b.p, b.q);
    let lam = s.lambda(theta);
    // layout: [ld_l2, cc, fail, CtC (p*p), Ctc (p)]
    let len = 3 + p * p + p;
    let acc = if let Some(pt) = pat {
        pt.accumulate(&lam, q, p)
    } else {
        per_subject(b, &lam, len)
    };
    finish(b, s, theta, acc)
}

fn per_subject(b: &Blocks, lam: &[f64], len: usize) -> Vec<f64> {
    let (p, q) = (b.p, b.q);
    sum_over_subjects(
        b.m,
        len,
        || Subject::new(p, q),
        |i, sb, acc| {
            if !subject_into(b, lam, i, sb) {
                acc[2] += 1.0;
                return;
            }
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
        },
    )
}

fn finish(b: &Blocks, st: &Structure, theta: &[f64], acc: Vec<f64>) -> Result<Pls, StatsError> {
    let p = b.p;
    let r2 = st.r2();
    if acc[2] > 0.0 || !acc[0].is_finite() {
        return Err(StatsError::Singular {
            what: "random-effects system (ΛᵀZᵀZΛ + I) is not positive definite".into(),
        });
    }
    let d = st.col_scale(theta, p);
    let mut xtx = b.xtx.clone();
    for a in 0..p {
        for c in 0..=a {
            let mut v = (b.xtx[a * p + c] - acc[3 + a * p + c]) * d[a] * d[c];
            if a == c && a < r2 {
                v += 1.0;
            }
            xtx[a * p + c] = v;
            xtx[c * p + a] = v;
        }
    }
    let rhs: Vec<f64> = (0..p)
        .map(|a| (b.xty[a] - acc[3 + p * p + a]) * d[a])
        .collect();
    let rx = cholesky(&xtx, p, 1e-10).ok_or_else(|| StatsError::Singular {
        what: "fixed-effects model matrix is rank deficient".into(),
    })?;
    let beta = chol_solve(&rx, &rhs, p);
    let pwrss = b.yty - acc[1] - beta.iter().zip(&rhs).map(|(x, y)| x * y).sum::<f64>();
    let ld_extra = (0..r2).map(|r| rx[r * p + r].ln()).sum::<f64>() * 2.0;
    let ld_rx2 = (r2..p).map(|r| rx[r * p + r].ln()).sum::<f64>() * 2.0;
    Ok(Pls {
        ld_l2: acc[0] + ld_extra,
        ld_rx2,
        pwrss: pwrss.max(f64::MIN_POSITIVE),
        beta,
        rx,
        r2,
        scale: d,
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
    /// The β block of the inverse of the joint system, so that cov(β̂) = σ² · this
    /// (p = number of fixed effects).
    pub fn rx_inv(&self, p: usize) -> Vec<f64> {
        let pt = self.r2 + p;
        let full = chol_inverse(&self.rx, pt);
        let mut out = vec![0.0; p * p];
        for a in 0..p {
            for c in 0..p {
                out[a * p + c] = full[(self.r2 + a) * pt + self.r2 + c];
            }
        }
        out
    }
    /// β̂ (without the extra terms' effects).
    pub fn fixed(&self) -> &[f64] {
        &self.beta[self.r2..]
    }
    /// Scaled joint solution (b₂ = θ·u₂, then β̂), the coefficients of X.
    pub fn scaled(&self) -> Vec<f64> {
        self.beta
            .iter()
            .zip(&self.scale)
            .map(|(a, b)| a * b)
            .collect()
    }
}
