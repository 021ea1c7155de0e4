//! −2 × (REML or ML) log-likelihood of the marginal model with β profiled
//! out by GLS, its analytic gradient in θ, and the derivatives of cov(β̂)
//! for the Satterthwaite df.
//!
//! With V = blockdiag(Σ_i), A = (XᵀV⁻¹X)⁻¹ and r = y − Xβ̂:
//! −2ℓ_REML = log|V| + log|XᵀV⁻¹X| + rᵀV⁻¹r + (N − p) log 2π (ML: no
//! log|XᵀV⁻¹X|, N log 2π), and ∂(−2ℓ)/∂Σ = Σ_i scatter(W_i − W_i (C_i + R_i) W_i)
//! with W_i = Σ_i⁻¹, C_i = X_i A X_iᵀ (REML only), R_i = r_i r_iᵀ; the chain
//! rule through ∂Σ/∂θ (structure.rs) gives the gradient.

use super::patterns::Pattern;
use super::structure::{with_jacobian, Structure};
use crate::common::linalg::{chol_inverse, cholesky};

/// A model ready for evaluation.
pub struct Model<'a> {
    pub pats: &'a [Pattern],
    pub structure: Structure,
    pub m: usize,
    pub p: usize,
    pub n_groups: usize,
    pub nobs: usize,
    pub reml: bool,
}

/// One evaluation.
pub struct Eval {
    pub m2ll: f64,
    pub beta: Vec<f64>,
    /// (XᵀV⁻¹X)⁻¹.
    pub a: Vec<f64>,
    pub grad: Vec<f64>,
    /// Σ per group.
    pub sigma: Vec<Vec<f64>>,
    /// Per pattern: Σ_p⁻¹.
    pub(super) w: Vec<Vec<f64>>,
    /// Per group: ∂Σ/∂θ_k (m×m each).
    pub(super) jac: Vec<Vec<Vec<f64>>>,
}

const LN_2PI: f64 = 1.837_877_066_409_345_5;

impl Model<'_> {
    pub fn q(&self) -> usize {
        self.structure.n_par(self.m)
    }

    /// Weighted sum Σ_ab c_ab Sxx[a,b] of a pattern's p×p blocks into `out`,
    /// for a symmetric `c` (through the symmetrised blocks: half the work).
    pub(super) fn add_sxx(&self, pt: &Pattern, c: &[f64], out: &mut [f64]) {
        let (k, p, pp) = (pt.visits.len(), self.p, self.p * self.p);
        if pt.raw {
            // Σ_i X_iᵀ c X_i subject by subject
            let mut cx = vec![0.0; k * p];
            for x in pt.raw_x.chunks(k * p) {
                for a in 0..k {
                    let row = &mut cx[a * p..a * p + p];
                    row.iter_mut().for_each(|v| *v = 0.0);
                    for b in 0..k {
                        let w = c[a * k + b];
                        row.iter_mut()
                            .zip(&x[b * p..b * p + p])
                            .for_each(|(o, xv)| *o += w * xv);
                    }
                }
                for a in 0..k {
                    for i in 0..p {
                        let xi = x[a * p + i];
                        if xi != 0.0 {
                            out[i * p..i * p + p]
                                .iter_mut()
                                .zip(&cx[a * p..a * p + p])
                                .for_each(|(o, v)| *o += xi * v);
                        }
                    }
                }
            }
            return;
        }
        let mut blk = 0;
        for a in 0..k {
            for b in a..k {
                let w = c[a * k + b];
                if w != 0.0 {
                    let s = &pt.ssym[blk * pp..(blk + 1) * pp];
                    out.iter_mut().zip(s).for_each(|(o, s)| *o += w * s);
                }
                blk += 1;
            }
        }
    }

    /// Value (and gradient when `grad`) at θ; None when a Σ or XᵀV⁻¹X is
    /// not positive definite.
    pub fn eval(&self, theta: &[f64], grad: bool) -> Option<Eval> {
        let (m, p, q) = (self.m, self.p, self.q());
        let mut sigma = Vec::with_capacity(self.n_groups);
        let mut jac = Vec::with_capacity(self.n_groups);
        for g in 0..self.n_groups {
            let (s, j) = with_jacobian(self.structure, &theta[g * q..(g + 1) * q], m);
            if s.iter().any(|v| !v.is_finite()) {
                return None;
            }
            sigma.push(s);
            jac.push(j);
        }
        let mut xwx = vec![0.0; p * p];
        let mut xwy = vec![0.0; p];
        let mut ywy = 0.0;
        let mut logdet_v = 0.0;
        let mut ws = Vec::with_capacity(self.pats.len());
        for pt in self.pats {
            let k = pt.visits.len();
            let sg = &sigma[pt.group];
            let sub: Vec<f64> = (0..k * k)
                .map(|e| sg[pt.visits[e / k] * m + pt.visits[e % k]])
                .collect();
            let l = cholesky(&sub, k, 1e-12)?;
            logdet_v += pt.count as f64 * 2.0 * (0..k).map(|i| l[i * k + i].ln()).sum::<f64>();
            let w = chol_inverse(&l, k);
            self.add_sxx(pt, &w, &mut xwx);
            if pt.raw {
                for (x, y) in pt.raw_x.chunks(k * p).zip(pt.raw_y.chunks(k)) {
                    for a in 0..k {
                        let wy: f64 = (0..k).map(|b| w[a * k + b] * y[b]).sum();
                        ywy += y[a] * wy;
                        xwy.iter_mut()
                            .zip(&x[a * p..a * p + p])
                            .for_each(|(o, xv)| *o += xv * wy);
                    }
                }
                ws.push(w);
                continue;
            }
            for a in 0..k {
                for b in 0..k {
                    let c = w[a * k + b];
                    let v = &pt.sxy[(a * k + b) * p..(a * k + b + 1) * p];
                    xwy.iter_mut().zip(v).for_each(|(o, s)| *o += c * s);
                    ywy += c * pt.syy[a * k + b];
                }
            }
            ws.push(w);
        }
        let lx = cholesky(&xwx, p, 1e-11)?;
        let a = chol_inverse(&lx, p);
        let beta: Vec<f64> = (0..p)
            .map(|i| (0..p).map(|j| a[i * p + j] * xwy[j]).sum())
            .collect();
        let rwr = ywy - beta.iter().zip(&xwy).map(|(b, v)| b * v).sum::<f64>();
        let n = self.nobs as f64;
        let mut m2ll = logdet_v + rwr;
        if self.reml {
            m2ll += 2.0 * (0..p).map(|i| lx[i * p + i].ln()).sum::<f64>() + (n - p as f64) * LN_2PI;
        } else {
            m2ll += n * LN_2PI;
        }
        let mut ev = Eval {
            m2ll,
            beta,
            a,
            grad: Vec::new(),
            sigma,
            w: ws,
            jac,
        };
        if grad {
            ev.grad = self.gradient(&ev);
        }
        Some(ev)
    }

    /// Per pattern C + R (k×k): Σ_i X_i A X_iᵀ (REML) + Σ_i r_i r_iᵀ.
    fn cr(&self, pt: &Pattern, ev: &Eval) -> Vec<f64> {
        let (k, p, pp) = (pt.visits.len(), self.p, self.p * self.p);
        let b = &ev.beta;
        let mut out = vec![0.0; k * k];
        if pt.raw {
            let mut xa = vec![0.0; k * p];
            for (x, y) in pt.raw_x.chunks(k * p).zip(pt.raw_y.chunks(k)) {
                let r: Vec<f64> = (0..k)
                    .map(|a| {
                        y[a] - x[a * p..a * p + p]
                            .iter()
                            .zip(b)
                            .map(|(u, v)| u * v)
                            .sum::<f64>()
                    })
                    .collect();
                if self.reml {
                    for a in 0..k {
                        for j in 0..p {
                            xa[a * p + j] = (0..p).map(|i| x[a * p + i] * ev.a[i * p + j]).sum();
                        }
                    }
                }
                for i in 0..k {
                    for j in i..k {
                        let mut v = r[i] * r[j];
                        if self.reml {
                            v += xa[i * p..i * p + p]
                                .iter()
                                .zip(&x[j * p..j * p + p])
                                .map(|(u, w)| u * w)
                                .sum::<f64>();
                        }
                        out[i * k + j] += v;
                        if i != j {
                            out[j * k + i] += v;
                        }
                    }
                }
            }
            return out;
        }
        for i in 0..k {
            for j in i..k {
                let blk = &pt.sxx[(i * k + j) * pp..(i * k + j + 1) * pp];
                let mut bxb = 0.0;
                let mut tr = 0.0;
                for r in 0..p {
                    let row = &blk[r * p..r * p + p];
                    bxb += b[r] * row.iter().zip(b).map(|(s, bb)| s * bb).sum::<f64>();
                    if self.reml {
                        tr += row
                            .iter()
                            .zip(&ev.a[r * p..r * p + p])
                            .map(|(s, aa)| s * aa)
                            .sum::<f64>();
                    }
                }
                let sxy_ij = &pt.sxy[(i * k + j) * p..(i * k + j + 1) * p];
                let sxy_ji = &pt.sxy[(j * k + i) * p..(j * k + i + 1) * p];
                let by: f64 = b.iter().zip(sxy_ij).map(|(u, v)| u * v).sum::<f64>()
                    + b.iter().zip(sxy_ji).map(|(u, v)| u * v).sum::<f64>();
                out[i * k + j] = pt.syy[i * k + j] - by + bxb + tr;
                out[j * k + i] = out[i * k + j];
            }
        }
        out
    }

    fn gradient(&self, ev: &Eval) -> Vec<f64> {
        let (m, q) = (self.m, self.q());
        let mut gfull = vec![vec![0.0; m * m]; self.n_groups];
        for (pt, w) in self.pats.iter().zip(&ev.w) {
            let k = pt.visits.len();
            let cr = self.cr(pt, ev);
            let wcw = sandwich(w, &cr, k);
            let gf = &mut gfull[pt.group];
            for a in 0..k {
                for b in 0..k {
                    gf[pt.visits[a] * m + pt.visits[b]] +=
                        pt.count as f64 * w[a * k + b] - wcw[a * k + b];
                }
            }
        }
        let mut out = Vec::with_capacity(self.n_groups * q);
        for (g, gf) in gfull.iter().enumerate() {
            for jk in &ev.jac[g] {
                out.push(gf.iter().zip(jk).map(|(a, b)| a * b).sum());
            }
        }
        out
    }

    /// ∂(XᵀV⁻¹X)⁻¹/∂θ_k = A (Σ_p Σ_ab (W ∂Σ_k W)_ab Sxx[a,b]) A, one p×p per θ_k.
    pub fn vcov_jacobian(&self, ev: &Eval) -> Vec<Vec<f64>> {
        let (m, p, q) = (self.m, self.p, self.q());
        let mut out = Vec::with_capacity(self.n_groups * q);
        for g in 0..self.n_groups {
            for jk in &ev.jac[g] {
                let mut mk = vec![0.0; p * p];
                for (pt, w) in self.pats.iter().zip(&ev.w) {
                    if pt.group != g {
                        continue;
                    }
                    let k = pt.visits.len();
                    let d: Vec<f64> = (0..k * k)
                        .map(|e| jk[pt.visits[e / k] * m + pt.visits[e % k]])
                        .collect();
                    let c = sandwich(w, &d, k);
                    self.add_sxx(pt, &c, &mut mk);
                }
                let am = matmul(&ev.a, &mk, p);
                out.push(matmul(&am, &ev.a, p));
            }
        }
        out
    }
}

/// W C W for k×k matrices.
fn sandwich(w: &[f64], c: &[f64], k: usize) -> Vec<f64> {
    matmul(&matmul(w, c, k), w, k)
}

pub(super) fn matmul(a: &[f64], b: &[f64], n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        for r in 0..n {
            let v = a[i * n + r];
            if v != 0.0 {
                let row = &b[r * n..r * n + n];
                out[i * n..i * n + n]
                    .iter_mut()
                    .zip(row)
                    .for_each(|(o, x)| *o += v * x);
            }
        }
    }
    out
}
