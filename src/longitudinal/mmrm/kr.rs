//! Kenward–Roger (1997) adjusted covariance of β̂, as SAS PROC MIXED
//! DDFM=KR and R mmrm:
//!
//! Φ_A = Φ + 2 Φ U Φ,  U = Σ_hj W_hj (Q_hj − P_h Φ P_j − ¼ R_hj),
//!
//! Φ = (XᵀV⁻¹X)⁻¹, P_h = Xᵀ ∂V⁻¹/∂θ_h X = −Σ_i X_iᵀ W_i D_h W_i X_i,
//! Q_hj = Σ_i X_iᵀ W_i D_h W_i D_j W_i X_i, R_hj = Σ_i X_iᵀ W_i ∂²Σ_i/∂θ_h∂θ_j W_i X_i
//! (W_i = Σ_i⁻¹, D_h = ∂Σ_i/∂θ_h), and W = cov(θ̂), the inverse observed
//! REML information (2 H⁻¹, H the Hessian of −2ℓ; SAS and R mmrm), or the
//! inverse expected information (pbkrtest, lmerTest) on request.
//!
//! Only R depends on the parameterisation: the P/Q part and the KR df are
//! invariant at the optimum. `linear` drops R (SAS DDFM=KR(LINEAR), R mmrm
//! "Kenward-Roger-Linear"); otherwise R is taken in SAS's parameterisation
//! (natural.rs), zero for us/cs/toep, so the result is SAS's DDFM=KR.
//!
//! Per visit pattern everything reduces to one k×k weight matrix applied to
//! the pattern's X sums (`Model::add_sxx`), so the cost does not grow with
//! the number of subjects.

use super::likelihood::{matmul, Eval, Model};
use super::natural;
use super::patterns::Pattern;

/// Which adjustment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KrOptions {
    /// Drop the second-derivative term R.
    pub linear: bool,
    /// W from the expected instead of the observed information.
    pub expected: bool,
}

/// The adjusted covariance and the W it used.
#[derive(Debug, Clone)]
pub struct KrAdjust {
    /// Φ_A (p×p).
    pub vcov_adj: Vec<f64>,
    /// W = cov(θ̂) (k×k) in the fit's θ, for the KR df.
    pub w: Vec<f64>,
}

fn sub(pt: &Pattern, full: &[f64], m: usize) -> Vec<f64> {
    let k = pt.visits.len();
    (0..k * k)
        .map(|e| full[pt.visits[e / k] * m + pt.visits[e % k]])
        .collect()
}

fn matmul_k(a: &[f64], b: &[f64], k: usize) -> Vec<f64> {
    matmul(a, b, k)
}

fn trace_prod(a: &[f64], b: &[f64], k: usize) -> f64 {
    // tr(A B)
    (0..k)
        .map(|i| (0..k).map(|j| a[i * k + j] * b[j * k + i]).sum::<f64>())
        .sum()
}

fn symmetrise(c: &mut [f64], k: usize) {
    for i in 0..k {
        for j in 0..i {
            let v = 0.5 * (c[i * k + j] + c[j * k + i]);
            c[i * k + j] = v;
            c[j * k + i] = v;
        }
    }
}

/// Σ_i X_i Φ X_iᵀ (k×k) over a pattern's subjects.
fn x_phi_x(pt: &Pattern, phi: &[f64], p: usize) -> Vec<f64> {
    let k = pt.visits.len();
    let pp = p * p;
    let mut out = vec![0.0; k * k];
    if pt.raw {
        for x in pt.raw_x.chunks(k * p) {
            for a in 0..k {
                let xa = &x[a * p..a * p + p];
                let fa: Vec<f64> = (0..p)
                    .map(|s| (0..p).map(|r| xa[r] * phi[r * p + s]).sum())
                    .collect();
                for b in 0..k {
                    out[a * k + b] += fa
                        .iter()
                        .zip(&x[b * p..b * p + p])
                        .map(|(u, v)| u * v)
                        .sum::<f64>();
                }
            }
        }
        return out;
    }
    for a in 0..k {
        for b in 0..k {
            let blk = &pt.sxx[(a * k + b) * pp..(a * k + b + 1) * pp];
            out[a * k + b] = blk.iter().zip(phi).map(|(s, f)| s * f).sum();
        }
    }
    out
}

fn inverse(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let l = crate::common::linalg::cholesky(a, n, 1e-13)?;
    Some(crate::common::linalg::chol_inverse(&l, n))
}

/// The Kenward–Roger adjustment at a REML fit (`ev` evaluated at `theta`,
/// `theta_cov` = 2 H⁻¹). None when W cannot be formed (an information
/// matrix that is not positive definite).
pub fn adjust(
    model: &Model,
    ev: &Eval,
    theta: &[f64],
    theta_cov: &[f64],
    opts: KrOptions,
) -> Option<KrAdjust> {
    let (m, p, q) = (model.m, model.p, model.q());
    let nt = q * model.n_groups;
    let phi = &ev.a;
    // pass 1: M_h = −P_h = Σ X'W D_h W X; for the expected information also
    // K_hj = Σ tr(W D_h W D_j) and tr(Φ Q_hj)
    let mut mh = vec![vec![0.0; p * p]; nt];
    let mut kq = vec![0.0; nt * nt];
    for (pt, w) in model.pats.iter().zip(&ev.w) {
        let k = pt.visits.len();
        let g = pt.group;
        let e: Vec<Vec<f64>> = ev.jac[g]
            .iter()
            .map(|jh| matmul_k(w, &sub(pt, jh, m), k))
            .collect();
        for h in 0..q {
            let mut c = matmul_k(&e[h], w, k);
            symmetrise(&mut c, k);
            model.add_sxx(pt, &c, &mut mh[g * q + h]);
        }
        if opts.expected {
            let t = x_phi_x(pt, phi, p);
            let wt = matmul_k(w, &t, k);
            let cnt = pt.count as f64;
            for h in 0..q {
                for j in 0..q {
                    let ee = matmul_k(&e[h], &e[j], k);
                    let v = cnt * (0..k).map(|i| ee[i * k + i]).sum::<f64>()
                        - 2.0 * trace_prod(&ee, &wt, k);
                    kq[(g * q + h) * nt + g * q + j] += v;
                }
            }
        }
    }
    // Φ M_h
    let phim: Vec<Vec<f64>> = mh.iter().map(|mk| matmul(phi, mk, p)).collect();
    let w_theta: Vec<f64> = if opts.expected {
        let mut info = vec![0.0; nt * nt];
        for h in 0..nt {
            for j in 0..nt {
                info[h * nt + j] = 0.5 * (kq[h * nt + j] + trace_prod(&phim[h], &phim[j], p));
            }
        }
        symmetrise(&mut info, nt);
        inverse(&info, nt)?
    } else {
        theta_cov.to_vec()
    };
    if w_theta.iter().any(|v| !v.is_finite()) {
        return None;
    }
    // Σ_ab Wφ_ab ∂²Σ/∂φ_a∂φ_b per group, in SAS's parameterisation
    let second: Vec<Option<Vec<f64>>> = (0..model.n_groups)
        .map(|g| {
            if opts.linear || natural::is_linear(model.structure) {
                return None;
            }
            let th = &theta[g * q..(g + 1) * q];
            let (phi_hat, jac) = natural::phi_jacobian(model.structure, th, m);
            // Wφ = J W_gg Jᵀ
            let mut wgg = vec![0.0; q * q];
            for a in 0..q {
                for b in 0..q {
                    wgg[a * q + b] = w_theta[(g * q + a) * nt + g * q + b];
                }
            }
            let jw = matmul(&jac, &wgg, q);
            let mut wphi = vec![0.0; q * q];
            for a in 0..q {
                for b in 0..q {
                    wphi[a * q + b] = (0..q).map(|c| jw[a * q + c] * jac[b * q + c]).sum();
                }
            }
            Some(natural::weighted_second(
                model.structure,
                &phi_hat,
                &wphi,
                m,
            ))
        })
        .collect();
    // pass 2: Σ_hj W_hj Q_hj − ¼ Σ_hj W_hj R_hj through one k×k weight per pattern
    let mut u = vec![0.0; p * p];
    for (pt, w) in model.pats.iter().zip(&ev.w) {
        let k = pt.visits.len();
        let g = pt.group;
        let e: Vec<Vec<f64>> = ev.jac[g]
            .iter()
            .map(|jh| matmul_k(w, &sub(pt, jh, m), k))
            .collect();
        let mut acc = vec![0.0; k * k];
        for h in 0..q {
            let mut f = vec![0.0; k * k];
            for j in 0..q {
                let wt = w_theta[(g * q + h) * nt + g * q + j];
                if wt != 0.0 {
                    f.iter_mut().zip(&e[j]).for_each(|(o, v)| *o += wt * v);
                }
            }
            let ef = matmul_k(&e[h], &f, k);
            acc.iter_mut().zip(&ef).for_each(|(o, v)| *o += v);
        }
        let mut c = matmul_k(&acc, w, k);
        if let Some(d2) = &second[g] {
            let wdw = matmul_k(&matmul_k(w, &sub(pt, d2, m), k), w, k);
            c.iter_mut().zip(&wdw).for_each(|(o, v)| *o -= 0.25 * v);
        }
        symmetrise(&mut c, k);
        model.add_sxx(pt, &c, &mut u);
    }
    // − Σ_hj W_hj P_h Φ P_j = − Σ_h M_h Φ (Σ_j W_hj M_j)
    for h in 0..nt {
        let mut n = vec![0.0; p * p];
        for j in 0..nt {
            let wt = w_theta[h * nt + j];
            if wt != 0.0 {
                n.iter_mut().zip(&mh[j]).for_each(|(o, v)| *o += wt * v);
            }
        }
        let t = matmul(&mh[h], &matmul(phi, &n, p), p);
        u.iter_mut().zip(&t).for_each(|(o, v)| *o -= v);
    }
    let pu = matmul(&matmul(phi, &u, p), phi, p);
    let mut adj: Vec<f64> = phi.iter().zip(&pu).map(|(a, b)| a + 2.0 * b).collect();
    symmetrise(&mut adj, p);
    Some(KrAdjust {
        vcov_adj: adj,
        w: w_theta,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{fit_kr, patterns, Data, Structure};
    use super::*;

    #[test]
    fn raw_and_summed_patterns_agree_and_linear_structures_ignore_r() {
        let mut x = Vec::new();
        let mut y = Vec::new();
        let mut subj = Vec::new();
        let mut vis = Vec::new();
        let mut rnd =
            crate::common::rng::lcg(11u64, |s| ((s >> 11) as f64 / (1u64 << 53) as f64) - 0.5);
        let n = 40;
        for s in 0..n {
            let arm = (s % 2) as f64;
            let u = rnd();
            for v in 0..3 {
                if s % 7 == 0 && v == 2 {
                    continue;
                }
                x.extend([1.0, (v == 1) as u8 as f64, (v == 2) as u8 as f64, arm]);
                y.push(1.0 + v as f64 + arm + 2.0 * u + rnd() * (1.0 + v as f64));
                subj.push(s);
                vis.push(v);
            }
        }
        let group: Vec<usize> = (0..n).map(|s| s % 2).collect();
        let d = Data {
            x: &x,
            y: &y,
            p: 4,
            subject: &subj,
            visit: &vis,
            group: &group,
            m: 3,
            n_groups: 2,
        };
        let rows = patterns::subject_rows(&d).unwrap();
        for s in [Structure::Us, Structure::Ar1h] {
            let f = fit_kr(&d, s, true, None).unwrap();
            for expected in [false, true] {
                let mut adj = Vec::new();
                for raw in [false, true] {
                    let pats = patterns::build_with(&d, &rows, Some(raw));
                    let model = Model {
                        pats: &pats,
                        structure: s,
                        m: 3,
                        p: 4,
                        n_groups: 2,
                        nobs: y.len(),
                        reml: true,
                    };
                    let ev = model.eval(&f.theta, true).unwrap();
                    let opts = KrOptions {
                        linear: false,
                        expected,
                    };
                    let a = adjust(&model, &ev, &f.theta, &f.theta_cov, opts).unwrap();
                    let lin = KrOptions {
                        linear: true,
                        expected,
                    };
                    let b = adjust(&model, &ev, &f.theta, &f.theta_cov, lin).unwrap();
                    let diff = a
                        .vcov_adj
                        .iter()
                        .zip(&b.vcov_adj)
                        .fold(0.0f64, |m, (u, v)| m.max((u - v).abs()));
                    if s == Structure::Us {
                        assert!(diff < 1e-14, "{diff}");
                    } else {
                        assert!(diff > 1e-8, "{diff}");
                    }
                    // Φ_A ≥ Φ on the diagonal here (the usual inflation)
                    for i in 0..4 {
                        assert!(a.vcov_adj[i * 4 + i] >= ev.a[i * 4 + i] * 0.999);
                    }
                    adj.push(a.vcov_adj);
                }
                for (u, v) in adj[0].iter().zip(&adj[1]) {
                    assert!((u - v).abs() < 1e-10 * (1.0 + u.abs()), "{u} {v}");
                }
            }
        }
    }
}
