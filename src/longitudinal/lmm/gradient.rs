//! Analytic gradient of the profiled (RE)ML deviance in θ, for the primary
//! grouping factor alone (no extra terms).
//!
//! Per subject (or visit pattern, with its count), with Λⱼ = ∂Λ/∂θⱼ (one unit
//! entry), M = ΛᵀAΛ + I, P = ΛM⁻¹ and W = PΛᵀ:
//!   ∂log|M| = 2·tr(M⁻¹ΛᵀAΛⱼ),   ∂M = ΛᵀAΛⱼ + (ΛᵀAΛⱼ)ᵀ,
//!   ∂W = ΛⱼPᵀ + PΛⱼᵀ − P·∂M·Pᵀ.
//! The deviance sees W through cc = Σ zyᵀWzy, CᵀC = Σ ZᵀXᵀ W ZᵀX and
//! Cᵀc = Σ ZᵀXᵀ W zy; with G = XᵀX − CᵀC, r = Xᵀy − Cᵀc, β = G⁻¹r and
//! pwrss = yᵀy − cc − βᵀr:
//!   ∂pwrss = −∂cc + 2βᵀ∂(Cᵀc) − βᵀ∂(CᵀC)β,   ∂log|G| = −tr(G⁻¹∂(CᵀC)),
//!   ∂dev = Σ ∂log|M| + n_r·∂pwrss/pwrss (+ ∂log|G| for REML).

use super::blocks::{sum_over_subjects, Blocks};
use super::deviance::{pls_with, Pls, Structure};
use super::patterns::Patterns;
use crate::common::linalg::{chol_inverse, chol_inverse_into, cholesky_into};

/// Scratch of one subject or pattern.
struct Unit {
    mm: Vec<f64>,
    l: Vec<f64>,
    minv: Vec<f64>,
    e: Vec<f64>,
    lta: Vec<f64>,
    pm: Vec<f64>,
    dm: Vec<f64>,
    pd: Vec<f64>,
    dw: Vec<f64>,
    wzx: Vec<f64>,
}

impl Unit {
    fn new(p: usize, q: usize) -> Unit {
        let qq = q * q;
        Unit {
            mm: vec![0.0; qq],
            l: vec![0.0; qq],
            minv: vec![0.0; qq],
            e: vec![0.0; q],
            lta: vec![0.0; qq],
            pm: vec![0.0; qq],
            dm: vec![0.0; qq],
            pd: vec![0.0; qq],
            dw: vec![0.0; qq],
            wzx: vec![0.0; q * (p + 1)],
        }
    }

    /// Factorise at Λ for ZᵀZ = `a`; then for each θⱼ write ∂W into `dw`
    /// and call `add(j, dlogdet, dw)`. False when M is not positive definite.
    fn run<F>(
        &mut self,
        a: &[f64],
        lam: &[f64],
        pos: &[(usize, usize)],
        q: usize,
        mut add: F,
    ) -> bool
    where
        F: FnMut(usize, f64, &[f64]),
    {
        // ΛᵀA, then M = ΛᵀAΛ + I
        for r in 0..q {
            for c in 0..q {
                self.lta[r * q + c] = (0..q).map(|i| lam[i * q + r] * a[i * q + c]).sum();
            }
        }
        for r in 0..q {
            for c in 0..q {
                let v: f64 = (0..q).map(|i| self.lta[r * q + i] * lam[i * q + c]).sum();
                self.mm[r * q + c] = v + if r == c { 1.0 } else { 0.0 };
            }
        }
        if !cholesky_into(&self.mm, q, 0.0, &mut self.l) {
            return false;
        }
        chol_inverse_into(&self.l, q, &mut self.minv, &mut self.e);
        // P = Λ M⁻¹
        for r in 0..q {
            for c in 0..q {
                self.pm[r * q + c] = (0..q).map(|i| lam[r * q + i] * self.minv[i * q + c]).sum();
            }
        }
        for (j, &(r0, c0)) in pos.iter().enumerate() {
            // B = ΛᵀAΛⱼ has column c0 = (ΛᵀA)[:, r0]; ∂M = B + Bᵀ
            self.dm.iter_mut().for_each(|v| *v = 0.0);
            for a_ in 0..q {
                let v = self.lta[a_ * q + r0];
                self.dm[a_ * q + c0] += v;
                self.dm[c0 * q + a_] += v;
            }
            let dld = 2.0
                * (0..q)
                    .map(|a_| self.minv[c0 * q + a_] * self.lta[a_ * q + r0])
                    .sum::<f64>();
            // P·∂M, then ∂W = ΛⱼPᵀ + PΛⱼᵀ − (P∂M)Pᵀ
            for r in 0..q {
                for c in 0..q {
                    self.pd[r * q + c] = (0..q)
                        .map(|i| self.pm[r * q + i] * self.dm[i * q + c])
                        .sum();
                }
            }
            for r in 0..q {
                for c in 0..q {
                    let mut v = -(0..q)
                        .map(|i| self.pd[r * q + i] * self.pm[c * q + i])
                        .sum::<f64>();
                    if r == r0 {
                        v += self.pm[c * q + c0];
                    }
                    if c == r0 {
                        v += self.pm[r * q + c0];
                    }
                    self.dw[r * q + c] = v;
                }
            }
            add(j, dld, &self.dw);
        }
        true
    }
}

/// (row, column) of Λ that each primary θ fills.
fn positions(s: &Structure) -> Vec<(usize, usize)> {
    let q = s.q();
    let k = s.n_theta();
    (0..k)
        .map(|j| {
            let mut t = vec![0.0; k];
            t[j] = 1.0;
            let lam = s.lambda(&t);
            let at = lam.iter().position(|&v| v == 1.0).unwrap_or(0);
            (at / q, at % q)
        })
        .collect()
}

/// Per θⱼ: (∂Σlog|M|, ∂pwrss, ∂log|G|), with the solution at θ.
type Parts = (Pls, Vec<(f64, f64, f64)>);

/// Profiled deviance and its gradient at θ; None where the system is
/// singular or the structure has extra terms (no analytic gradient then).
pub fn deviance_gradient(
    b: &Blocks,
    pat: Option<&Patterns>,
    s: &Structure,
    theta: &[f64],
    reml: bool,
) -> Option<(f64, Vec<f64>)> {
    let (sol, parts) = parts(b, pat, s, theta)?;
    let p = b.p;
    let nr = if reml { (b.n - p) as f64 } else { b.n as f64 };
    let grad = parts
        .iter()
        .map(|&(dld, dpw, dlg)| dld + nr * dpw / sol.pwrss + if reml { dlg } else { 0.0 })
        .collect();
    Some((sol.profiled(b.n, p, reml), grad))
}

/// lmerTest's deviance in (θ, σ) without profiling σ (`Pls::nonprofiled`)
/// and its gradient (θ₁, …, θₖ, σ); β and the modes stay at their optimum
/// given θ, whose derivative is zero there. None as for [`deviance_gradient`].
pub fn nonprofiled_gradient(
    b: &Blocks,
    pat: Option<&Patterns>,
    s: &Structure,
    varpar: &[f64],
    reml: bool,
) -> Option<(f64, Vec<f64>)> {
    let k = varpar.len().checked_sub(1)?;
    let (theta, sigma) = (&varpar[..k], varpar[k]);
    let (sol, parts) = parts(b, pat, s, theta)?;
    let p = b.p;
    let s2 = sigma * sigma;
    let nr = if reml { (b.n - p) as f64 } else { b.n as f64 };
    let mut grad: Vec<f64> = parts
        .iter()
        .map(|&(dld, dpw, dlg)| dld + dpw / s2 + if reml { dlg } else { 0.0 })
        .collect();
    grad.push(-2.0 * sol.pwrss / (s2 * sigma) + 2.0 * nr / sigma);
    Some((sol.nonprofiled(b.n, p, sigma, reml), grad))
}

fn parts(b: &Blocks, pat: Option<&Patterns>, s: &Structure, theta: &[f64]) -> Option<Parts> {
    if !s.extra.is_empty() {
        return None;
    }
    let (p, q) = (b.p, b.q);
    let sol = pls_with(b, pat, s, theta).ok()?;
    let lam = s.lambda(theta);
    let pos = positions(s);
    let k = pos.len();
    // per θⱼ: [∂Σlog|M|, ∂cc, ∂CᵀC (p×p), ∂Cᵀc (p)], then a failure count
    let stride = 2 + p * p + p;
    let len = k * stride + 1;
    let acc = match pat {
        Some(pt) => {
            let (qq, qqp, qqpp) = (q * q, q * q * p, q * q * p * p);
            let mut acc = vec![0.0; len];
            let mut u = Unit::new(p, q);
            for g in 0..pt.g {
                let cnt = pt.count[g];
                let (sg, tg, ug) = (
                    &pt.s[g * qqpp..(g + 1) * qqpp],
                    &pt.t[g * qqp..(g + 1) * qqp],
                    &pt.u[g * qq..(g + 1) * qq],
                );
                let ok = u.run(
                    &pt.ztz[g * qq..(g + 1) * qq],
                    &lam,
                    &pos,
                    q,
                    |j, dld, dw| {
                        let o = &mut acc[j * stride..(j + 1) * stride];
                        o[0] += cnt * dld;
                        for ab in 0..qq {
                            let w = dw[ab];
                            if w == 0.0 {
                                continue;
                            }
                            o[1] += w * ug[ab];
                            for c in 0..p {
                                for d in 0..p {
                                    o[2 + c * p + d] += w * sg[(ab * p + c) * p + d];
                                }
                                o[2 + p * p + c] += w * tg[ab * p + c];
                            }
                        }
                    },
                );
                if !ok {
                    acc[len - 1] += 1.0;
                }
            }
            acc
        }
        None => sum_over_subjects(
            b.m,
            len,
            || Unit::new(p, q),
            |i, u, acc| {
                let zx = &b.ztx[i * q * p..(i + 1) * q * p];
                let zy = &b.zty[i * q..(i + 1) * q];
                let a = &b.ztz[i * q * q..(i + 1) * q * q];
                let mut wzx = std::mem::take(&mut u.wzx);
                let ok = u.run(a, &lam, &pos, q, |j, dld, dw| {
                    // ∂W·[ZᵀX | Zᵀy] (q × (p+1)), then the contractions
                    for r in 0..q {
                        for c in 0..=p {
                            wzx[r * (p + 1) + c] = (0..q)
                                .map(|i2| {
                                    dw[r * q + i2] * if c < p { zx[i2 * p + c] } else { zy[i2] }
                                })
                                .sum();
                        }
                    }
                    let o = &mut acc[j * stride..(j + 1) * stride];
                    o[0] += dld;
                    for r in 0..q {
                        o[1] += zy[r] * wzx[r * (p + 1) + p];
                        for c in 0..p {
                            let z = zx[r * p + c];
                            for d in 0..p {
                                o[2 + c * p + d] += z * wzx[r * (p + 1) + d];
                            }
                            o[2 + p * p + c] += z * wzx[r * (p + 1) + p];
                        }
                    }
                });
                u.wzx = wzx;
                if !ok {
                    acc[len - 1] += 1.0;
                }
            },
        ),
    };
    if acc[len - 1] > 0.0 {
        return None;
    }
    let ginv = chol_inverse(&sol.rx, p);
    let beta = &sol.beta;
    let out = (0..k)
        .map(|j| {
            let o = &acc[j * stride..(j + 1) * stride];
            let dctc = &o[2..2 + p * p];
            let dctcv = &o[2 + p * p..];
            let bdb: f64 = (0..p)
                .map(|c| beta[c] * (0..p).map(|d| dctc[c * p + d] * beta[d]).sum::<f64>())
                .sum();
            let bdr: f64 = (0..p).map(|c| beta[c] * dctcv[c]).sum();
            let dlg = -(0..p * p).map(|e| ginv[e] * dctc[e]).sum::<f64>();
            (o[0], -o[1] + 2.0 * bdr - bdb, dlg)
        })
        .collect();
    Some((sol, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::numdiff::{gradient, Richardson};
    use crate::longitudinal::lmm::profiled_deviance;

    fn data(m: usize, seed: u64) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<usize>) {
        // a small deterministic generator: unbalanced visits, 3 random effects
        let mut rnd = crate::common::rng::lcg(seed, |s| ((s >> 11) as f64) / ((1u64 << 53) as f64));
        let (mut x, mut z, mut y, mut g) = (vec![], vec![], vec![], vec![]);
        for i in 0..m {
            let (b0, b1) = (rnd() * 2.0 - 1.0, rnd() - 0.5);
            let arm = (i % 2) as f64;
            for v in 0..5 {
                if v > 0 && rnd() < 0.2 {
                    continue;
                }
                let t = v as f64 * 0.5;
                x.extend_from_slice(&[1.0, t, arm, t * arm]);
                z.extend_from_slice(&[1.0, t, t * t]);
                y.push(1.0 + b0 + (0.3 + b1) * t + 0.2 * arm * t + rnd() - 0.5);
                g.push(i);
            }
        }
        (x, z, y, g)
    }

    #[test]
    fn gradient_matches_numerical_derivative() {
        let (x, z3, y, g) = data(200, 7);
        let n = y.len();
        for (sizes, theta) in [
            (vec![1usize], vec![0.7]),
            (vec![2], vec![0.9, 0.2, 0.4]),
            (vec![1, 1], vec![0.8, 0.3]),
            (vec![3], vec![0.9, -0.1, 0.05, 0.5, 0.02, 0.1]),
        ] {
            let q: usize = sizes.iter().sum();
            let z: Vec<f64> = (0..n).flat_map(|r| z3[r * 3..r * 3 + q].to_vec()).collect();
            let b = Blocks::from_rows(&x, &z, &y, &g, 4, q, 200).unwrap();
            let s = Structure {
                sizes,
                extra: vec![],
            };
            let pat = Patterns::build(&b);
            assert!(pat.is_some());
            for reml in [true, false] {
                let num = gradient(
                    |t| profiled_deviance(&b, &s, t, reml),
                    &theta,
                    Richardson::hessian_default(),
                );
                let mut vp = theta.clone();
                vp.push(0.6);
                let num_np = gradient(
                    |v| {
                        pls_with(&b, None, &s, &v[..v.len() - 1])
                            .unwrap()
                            .nonprofiled(b.n, 4, v[v.len() - 1], reml)
                    },
                    &vp,
                    Richardson::hessian_default(),
                );
                for pt in [None, pat.as_ref()] {
                    let (_, gn) = nonprofiled_gradient(&b, pt, &s, &vp, reml).unwrap();
                    for (a, c) in gn.iter().zip(&num_np) {
                        assert!(
                            (a - c).abs() < 1e-6 * c.abs().max(1.0),
                            "{gn:?} vs {num_np:?}"
                        );
                    }
                    let (dev, gr) = deviance_gradient(&b, pt, &s, &theta, reml).unwrap();
                    assert!((dev - profiled_deviance(&b, &s, &theta, reml)).abs() < 1e-9);
                    for (a, c) in gr.iter().zip(&num) {
                        assert!((a - c).abs() < 1e-6 * c.abs().max(1.0), "{gr:?} vs {num:?}");
                    }
                }
            }
        }
    }
}
