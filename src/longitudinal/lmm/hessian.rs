//! Exact second derivatives for lmerTest's Satterthwaite df (one grouping
//! factor, no extra terms): the Hessian of the non-profiled deviance in
//! (θ, σ) and the Jacobian of cov(β̂) = σ²F⁻¹, F = XᵀV⁻¹X.
//!
//! lmerTest takes both by finite differences (numDeriv, Richardson). Those
//! are exact only up to rounding noise of the deviance divided by the step²,
//! which moved the df by up to ~1e-6 between row orders of the same data.
//! The closed forms below have no step, so equal data give equal df to the
//! rounding of the crossproducts.
//!
//! With Σ = σ²V, Vᵢ = I + ZᵢΛΛᵀZᵢᵀ, P the REML projection and
//! Σ_a = ∂Σ/∂ϑ_a, the deviance D (REML; ML without the log|XᵀΣ⁻¹X| term)
//! has the standard derivatives
//!   ∂²D/∂ϑ_a∂ϑ_b = tr(PΣ_ab) − tr(PΣ_aPΣ_b) + 2 yᵀPΣ_aPΣ_bPy − yᵀPΣ_abPy
//! (ML: Σ⁻¹ in place of P in the two traces). For θ_k, Σ_k = σ²ZG_kZᵀ with
//! G_k = ∂(ΛΛᵀ)/∂θ_k = E_kΛᵀ + ΛE_kᵀ and G_kl = E_kE_lᵀ + E_lE_kᵀ; for σ,
//! Σ_σ = (2/σ)Σ. Everything reduces to per-subject q×q and q×p quantities
//! from the crossproducts (Woodbury): Wᵢ = ZᵢᵀVᵢ⁻¹Zᵢ, Bᵢ = ZᵢᵀVᵢ⁻¹Xᵢ,
//! dᵢ = ZᵢᵀVᵢ⁻¹(yᵢ − Xᵢβ̂), Nᵢ = BᵢF⁻¹Bᵢᵀ:
//!   θθ, REML: Σtr(WG_kl) − Σtr(G_klN) − Σtr(G_kWG_lW) + 2Σtr(G_kWG_lN)
//!             − tr(F⁻¹H_kF⁻¹H_l) + σ⁻²[2ΣdᵀG_kWG_ld − 2v_kᵀF⁻¹v_l − ΣdᵀG_kld]
//!   θθ, ML:   Σtr(WG_kl) − Σtr(G_kWG_lW) + the same σ⁻²[…]
//!   θσ:       2σ⁻³ ΣdᵀG_kd
//!   σσ:       −2ν/σ² + 6·pwrss/σ⁴   (ν = n − p for REML, n for ML)
//! with H_k = ΣBᵀG_kB and v_k = ΣBᵀG_kd; and ∂C/∂θ_k = σ²F⁻¹H_kF⁻¹,
//! ∂C/∂σ = 2σF⁻¹.

use super::blocks::{sum_over_subjects, Blocks};
use super::deviance::{subject_into, Pls, Structure, Subject};

/// (θ, σ) Hessian ((k+1)² row-major) and the k+1 Jacobian matrices (p×p).
pub struct Exact {
    pub hessian: Vec<f64>,
    pub jac: Vec<Vec<f64>>,
}

/// (row, column) in Λ of each primary θ (lme4's order).
fn positions(s: &Structure) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut off = 0;
    for &sz in &s.sizes {
        for c in 0..sz {
            for r in c..sz {
                out.push((off + r, off + c));
            }
        }
        off += sz;
    }
    out
}

/// tr(A B) of two q×q matrices.
fn tr2(a: &[f64], b: &[f64], q: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..q {
        for j in 0..q {
            s += a[i * q + j] * b[j * q + i];
        }
    }
    s
}

/// The exact parts at the optimum (None with extra grouping terms, where
/// the caller keeps the finite differences).
pub fn exact(
    b: &Blocks,
    s: &Structure,
    theta: &[f64],
    sol: &Pls,
    sigma: f64,
    reml: bool,
) -> Option<Exact> {
    if !s.extra.is_empty() {
        return None;
    }
    let (n, p, q, m) = (b.n, b.p, b.q, b.m);
    let pos = positions(s);
    let k = pos.len();
    let lam = s.lambda(theta);
    // G_k = E_kΛᵀ + ΛE_kᵀ: row r_k gets row c_k... (E_kΛᵀ)[i][j] = δ(i,r_k)Λ[j][c_k]
    let g: Vec<Vec<f64>> = pos
        .iter()
        .map(|&(r, c)| {
            let mut gk = vec![0.0; q * q];
            for j in 0..q {
                gk[r * q + j] += lam[j * q + c];
                gk[j * q + r] += lam[j * q + c];
            }
            gk
        })
        .collect();
    // G_kl = E_kE_lᵀ + E_lE_kᵀ: nonzero when θ_k, θ_l share a column
    let gkl = |a: usize, bb: usize| -> Option<Vec<f64>> {
        let ((ra, ca), (rb, cb)) = (pos[a], pos[bb]);
        (ca == cb).then(|| {
            let mut out = vec![0.0; q * q];
            out[ra * q + rb] += 1.0;
            out[rb * q + ra] += 1.0;
            out
        })
    };
    let finv = sol.rx_inv(p);
    let beta = sol.fixed();
    let kk = k * k;
    // accumulator layout
    let o_trwg = 0; // Σtr(W G_kl): k²
    let o_gwgw = o_trwg + kk; // Σtr(G_kWG_lW)
    let o_gwgn = o_gwgw + kk; // Σtr(G_kWG_lN)
    let o_gn = o_gwgn + kk; // Σtr(G_klN)
    let o_dgwgd = o_gn + kk; // ΣdᵀG_kWG_ld
    let o_dgkld = o_dgwgd + kk; // ΣdᵀG_kld
    let o_dgd = o_dgkld + kk; // ΣdᵀG_kd: k
    let o_h = o_dgd + k; // H_k: k p²
    let o_v = o_h + k * p * p; // v_k: k p
    let len = o_v + k * p;
    let gkl_all: Vec<Option<Vec<f64>>> = (0..kk).map(|e| gkl(e / k, e % k)).collect();
    // per-subject scratch, one allocation: W, S, N, G_kW, G_kN (q×q each),
    // B, BF⁻¹, G_kB (q×p), d, G_kd (q)
    let (qq, qp) = (q * q, q * p);
    let (s_w, s_s, s_n) = (0, qq, 2 * qq);
    let s_gw = 3 * qq;
    let s_gn = s_gw + k * qq;
    let s_b = s_gn + k * qq;
    let s_bf = s_b + qp;
    let s_gb = s_bf + qp;
    let s_d = s_gb + k * qp;
    let s_gd = s_d + q;
    let scratch_len = s_gd + k * q;
    let scratch = || (Subject::new(p, q), vec![0.0; scratch_len]);
    let acc = sum_over_subjects(m, len + 1, scratch, |i, (sb, sc), acc| {
        if !subject_into(b, &lam, i, sb) {
            acc[len] += 1.0;
            return;
        }
        let ztz = &b.ztz[i * qq..(i + 1) * qq];
        let ztx = &b.ztx[i * qp..(i + 1) * qp];
        let zty = &b.zty[i * q..(i + 1) * q];
        // S = L⁻¹ΛᵀZᵀZ (q×q): forward solves on T = ΛᵀZᵀZ
        for r in 0..q {
            for c in 0..q {
                let mut v: f64 = (r..q).map(|a| lam[a * q + r] * ztz[a * q + c]).sum();
                for a in 0..r {
                    v -= sb.l[r * q + a] * sc[s_s + a * q + c];
                }
                sc[s_s + r * q + c] = v / sb.l[r * q + r];
            }
        }
        // W = ZᵀZ − SᵀS, B = ZᵀX − Sᵀ·cx, d = Zᵀy − Sᵀc − Bβ̂
        for r in 0..q {
            for c in 0..q {
                sc[s_w + r * q + c] = ztz[r * q + c]
                    - (0..q)
                        .map(|a| sc[s_s + a * q + r] * sc[s_s + a * q + c])
                        .sum::<f64>();
            }
            for j in 0..p {
                sc[s_b + r * p + j] = ztx[r * p + j]
                    - (0..q)
                        .map(|a| sc[s_s + a * q + r] * sb.cx[a * p + j])
                        .sum::<f64>();
            }
            sc[s_d + r] = zty[r] - (0..q).map(|a| sc[s_s + a * q + r] * sb.c[a]).sum::<f64>();
        }
        for r in 0..q {
            sc[s_d + r] -= (0..p).map(|j| sc[s_b + r * p + j] * beta[j]).sum::<f64>();
        }
        // N = B F⁻¹ Bᵀ
        for r in 0..q {
            for j in 0..p {
                sc[s_bf + r * p + j] = (0..p).map(|l| sc[s_b + r * p + l] * finv[l * p + j]).sum();
            }
        }
        for r in 0..q {
            for c in 0..q {
                sc[s_n + r * q + c] = (0..p)
                    .map(|j| sc[s_bf + r * p + j] * sc[s_b + c * p + j])
                    .sum();
            }
        }
        // G_kW, G_kN, G_kd, G_kB
        for (a, ga) in g.iter().enumerate() {
            for r in 0..q {
                for c in 0..q {
                    let (mut vw, mut vn) = (0.0, 0.0);
                    for l in 0..q {
                        vw += ga[r * q + l] * sc[s_w + l * q + c];
                        vn += ga[r * q + l] * sc[s_n + l * q + c];
                    }
                    sc[s_gw + a * qq + r * q + c] = vw;
                    sc[s_gn + a * qq + r * q + c] = vn;
                }
                sc[s_gd + a * q + r] = (0..q).map(|l| ga[r * q + l] * sc[s_d + l]).sum();
                for j in 0..p {
                    sc[s_gb + a * qp + r * p + j] =
                        (0..q).map(|l| ga[r * q + l] * sc[s_b + l * p + j]).sum();
                }
            }
        }
        let (w, nm, dv) = (&sc[s_w..s_w + qq], &sc[s_n..s_n + qq], &sc[s_d..s_d + q]);
        for a in 0..k {
            let gwa = &sc[s_gw + a * qq..s_gw + (a + 1) * qq];
            let gda = &sc[s_gd + a * q..s_gd + (a + 1) * q];
            for c in 0..k {
                let e = a * k + c;
                if let Some(gg) = &gkl_all[e] {
                    acc[o_trwg + e] += tr2(w, gg, q);
                    acc[o_gn + e] += tr2(gg, nm, q);
                    acc[o_dgkld + e] += (0..q)
                        .map(|r| dv[r] * (0..q).map(|cc| gg[r * q + cc] * dv[cc]).sum::<f64>())
                        .sum::<f64>();
                }
                let gwc = &sc[s_gw + c * qq..s_gw + (c + 1) * qq];
                let gnc = &sc[s_gn + c * qq..s_gn + (c + 1) * qq];
                let gdc = &sc[s_gd + c * q..s_gd + (c + 1) * q];
                acc[o_gwgw + e] += tr2(gwa, gwc, q);
                // tr(G_a W G_c N) = tr((G_aW)(G_cN))
                acc[o_gwgn + e] += tr2(gwa, gnc, q);
                // dᵀG_aWG_cd = (G_a d)ᵀ W (G_c d)
                acc[o_dgwgd + e] += (0..q)
                    .map(|r| gda[r] * (0..q).map(|cc| w[r * q + cc] * gdc[cc]).sum::<f64>())
                    .sum::<f64>();
            }
            acc[o_dgd + a] += (0..q).map(|r| dv[r] * gda[r]).sum::<f64>();
            // H_a += Bᵀ G_a B, v_a += Bᵀ G_a d
            let gba = &sc[s_gb + a * qp..s_gb + (a + 1) * qp];
            for j1 in 0..p {
                for j2 in 0..p {
                    acc[o_h + a * p * p + j1 * p + j2] += (0..q)
                        .map(|r| sc[s_b + r * p + j1] * gba[r * p + j2])
                        .sum::<f64>();
                }
                acc[o_v + a * p + j1] += (0..q).map(|r| sc[s_b + r * p + j1] * gda[r]).sum::<f64>();
            }
        }
    });
    if acc[len] > 0.0 || acc.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let s2 = sigma * sigma;
    let hk = |a: usize| &acc[o_h + a * p * p..o_h + (a + 1) * p * p];
    let vk = |a: usize| &acc[o_v + a * p..o_v + (a + 1) * p];
    // F⁻¹H_a (p×p)
    let fh: Vec<Vec<f64>> = (0..k)
        .map(|a| {
            let h = hk(a);
            let mut out = vec![0.0; p * p];
            for i in 0..p {
                for j in 0..p {
                    out[i * p + j] = (0..p).map(|l| finv[i * p + l] * h[l * p + j]).sum();
                }
            }
            out
        })
        .collect();
    let k1 = k + 1;
    let mut hess = vec![0.0; k1 * k1];
    for a in 0..k {
        for c in 0..=a {
            let e = a * k + c;
            let mut v = acc[o_trwg + e] - acc[o_gwgw + e];
            if reml {
                v += -acc[o_gn + e] + 2.0 * acc[o_gwgn + e] - tr2(&fh[a], &fh[c], p);
            }
            let vfv: f64 = {
                let (va, vc) = (vk(a), vk(c));
                (0..p)
                    .map(|i| va[i] * (0..p).map(|j| finv[i * p + j] * vc[j]).sum::<f64>())
                    .sum()
            };
            v += (2.0 * acc[o_dgwgd + e] - 2.0 * vfv - acc[o_dgkld + e]) / s2;
            hess[a * k1 + c] = v;
            hess[c * k1 + a] = v;
        }
        let v = 2.0 * acc[o_dgd + a] / (s2 * sigma);
        hess[a * k1 + k] = v;
        hess[k * k1 + a] = v;
    }
    let nu = if reml { (n - p) as f64 } else { n as f64 };
    hess[k * k1 + k] = -2.0 * nu / s2 + 6.0 * sol.pwrss / (s2 * s2);
    let mut jac: Vec<Vec<f64>> = fh
        .iter()
        .map(|fha| {
            // σ² F⁻¹H_a F⁻¹
            let mut out = vec![0.0; p * p];
            for i in 0..p {
                for j in 0..p {
                    out[i * p + j] = s2
                        * (0..p)
                            .map(|l| fha[i * p + l] * finv[l * p + j])
                            .sum::<f64>();
                }
            }
            out
        })
        .collect();
    jac.push(finv.iter().map(|v| 2.0 * sigma * v).collect());
    Some(Exact { hessian: hess, jac })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::numdiff::{hessian, jacobian, Richardson};
    use crate::longitudinal::lmm::{fit_blocks, pls, FitOptions};

    /// The closed forms equal numDeriv's Richardson differences of the
    /// deviance and of cov(β̂) (to their truncation and rounding error) for
    /// a correlated 2×2 and an uncorrelated pair of terms, REML and ML, at
    /// the optimum and away from it.
    #[test]
    fn closed_forms_equal_richardson_differences() {
        // 7 subjects, 3–6 visits, y = 2 + 0.5 t + bᵢ0 + bᵢ1 t + noise (fixed pseudo-random values)
        let (mut x, mut z, mut y, mut g) = (vec![], vec![], vec![], vec![]);
        let mut u = 0.37_f64;
        let mut next = || {
            u = (u * 9301.0 + 0.4929).fract();
            u - 0.5
        };
        for i in 0..7 {
            let (b0, b1) = (2.0 * next(), 0.6 * next());
            for v in 0..(3 + i % 4) {
                let t = v as f64 + 0.3 * next();
                let arm = (i % 2) as f64;
                x.extend([1.0, t, arm * t]);
                z.extend([1.0, t]);
                y.push(2.0 + b0 + (0.5 + b1 - 0.2 * arm) * t + 0.7 * next());
                g.push(i);
            }
        }
        let b = Blocks::from_rows(&x, &z, &y, &g, 3, 2, 7).unwrap();
        for s in [
            Structure {
                sizes: vec![2],
                extra: vec![],
            },
            Structure {
                sizes: vec![1, 1],
                extra: vec![],
            },
        ] {
            for reml in [true, false] {
                let f = fit_blocks(
                    &b,
                    &s,
                    FitOptions {
                        reml,
                        max_iter: 1000,
                        satterthwaite: false,
                    },
                )
                .unwrap();
                let mut away = f.theta.clone();
                away.iter_mut().for_each(|v| *v = *v * 1.3 + 0.05);
                for (theta, sigma) in [(f.theta.clone(), f.sigma), (away, f.sigma * 0.8)] {
                    let sol = pls(&b, &s, &theta).unwrap();
                    let ex = exact(&b, &s, &theta, &sol, sigma, reml).unwrap();
                    let k = theta.len();
                    let mut vp = theta.clone();
                    vp.push(sigma);
                    let h = hessian(
                        |x| {
                            pls(&b, &s, &x[..k])
                                .unwrap()
                                .nonprofiled(b.n, 3, x[k], reml)
                        },
                        &vp,
                        Richardson::hessian_default(),
                    );
                    let scale = h.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
                    for (e, (a, c)) in ex.hessian.iter().zip(&h).enumerate() {
                        assert!(
                            (a - c).abs() < 1e-6 * scale,
                            "H[{e}] {a} vs {c} ({s:?}, reml {reml})"
                        );
                    }
                    let jf = jacobian(
                        |x| {
                            pls(&b, &s, &x[..k])
                                .unwrap()
                                .rx_inv(3)
                                .iter()
                                .map(|v| v * x[k] * x[k])
                                .collect()
                        },
                        &vp,
                        Richardson::jacobian_default(),
                    );
                    for j in 0..=k {
                        for e in 0..9 {
                            let (a, c) = (ex.jac[j][e], jf[e * (k + 1) + j]);
                            assert!(
                                (a - c).abs() < 1e-7 * (1.0 + c.abs()),
                                "J[{j}][{e}] {a} vs {c}"
                            );
                        }
                    }
                }
            }
        }
    }
}
