//! MMRM: marginal GLS likelihood with structured within-subject covariances.
//!
//! y_i ~ N(X_i β, Σ_i), Σ_i the rows/columns of the visit covariance Σ(θ) for
//! the visits subject i has (missing at random handled by sub-setting), one
//! Σ per covariance group. β is profiled out by GLS; θ is optimised on an
//! unconstrained scale (structure.rs) by BFGS with the analytic gradient
//! (likelihood.rs), then polished by Newton steps on the Hessian (central
//! differences of the analytic gradient), which also gives cov(θ̂) for the
//! Satterthwaite df; kr.rs adds the Kenward–Roger adjustment on request.

pub mod kr;
pub mod likelihood;
pub mod natural;
pub mod patterns;
pub mod structure;

use crate::common::lbfgs::{minimize, Options};
use crate::common::linalg::{cholesky, solve};
use crate::common::numdiff::{jacobian, Richardson};
use crate::error::StatsError;
pub use kr::{KrAdjust, KrOptions};
use likelihood::Model;
pub use patterns::Data;
pub use structure::Structure;

/// A fitted MMRM.
#[derive(Debug, Clone)]
pub struct MmrmFit {
    pub theta: Vec<f64>,
    pub beta: Vec<f64>,
    /// cov(β̂) = (XᵀV⁻¹X)⁻¹, p×p.
    pub vcov: Vec<f64>,
    /// ∂cov(β̂)/∂θ_k, one p×p per parameter.
    pub vcov_jac: Vec<Vec<f64>>,
    /// cov(θ̂) = 2 H⁻¹ (H the Hessian of −2ℓ), k×k.
    pub theta_cov: Vec<f64>,
    /// −2 log-likelihood (REML or ML).
    pub m2ll: f64,
    /// Σ per group (m×m row-major).
    pub sigma: Vec<Vec<f64>>,
    pub converged: bool,
    pub iterations: usize,
    pub evaluations: usize,
    pub max_grad: f64,
    pub n_subjects: usize,
    pub nobs: usize,
    pub n_patterns: usize,
    pub message: String,
    /// Kenward–Roger adjustment (when requested).
    pub kr: Option<KrAdjust>,
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0f64, |m, x| m.max(x.abs()))
}

/// Start covariance per group: the covariance of OLS residuals, pairwise
/// over the subjects observed at both visits, made positive definite by
/// shrinking the correlations.
fn start_cov(d: &Data, pats: &[patterns::Pattern]) -> Result<Vec<Vec<f64>>, StatsError> {
    let (m, p) = (d.m, d.p);
    let mut xtx = vec![0.0; p * p];
    let mut xty = vec![0.0; p];
    let sums: Vec<(Vec<f64>, Vec<f64>, Vec<f64>)> = pats.iter().map(|pt| pt.sums(p)).collect();
    for (pt, (sxx, sxy, _)) in pats.iter().zip(&sums) {
        let k = pt.visits.len();
        for a in 0..k {
            let blk = &sxx[(a * k + a) * p * p..(a * k + a + 1) * p * p];
            xtx.iter_mut().zip(blk).for_each(|(o, s)| *o += s);
            let v = &sxy[(a * k + a) * p..(a * k + a + 1) * p];
            xty.iter_mut().zip(v).for_each(|(o, s)| *o += s);
        }
    }
    let beta = solve(&xtx, &xty, p).ok_or_else(|| StatsError::Singular {
        what: "the fixed-effects design is rank deficient (a constant or collinear covariate, or a factor level without observations)".into(),
    })?;
    let mut out = Vec::with_capacity(d.n_groups);
    for g in 0..d.n_groups {
        let mut s = vec![0.0; m * m];
        let mut c = vec![0.0; m * m];
        for (pt, (sxx, sxy, syy)) in pats.iter().zip(&sums).filter(|(pt, _)| pt.group == g) {
            let k = pt.visits.len();
            for a in 0..k {
                for b in 0..k {
                    let blk = &sxx[(a * k + b) * p * p..(a * k + b + 1) * p * p];
                    let mut bxb = 0.0;
                    for r in 0..p {
                        bxb += beta[r] * (0..p).map(|t| blk[r * p + t] * beta[t]).sum::<f64>();
                    }
                    let by: f64 = (0..p)
                        .map(|t| beta[t] * (sxy[(a * k + b) * p + t] + sxy[(b * k + a) * p + t]))
                        .sum();
                    let e = pt.visits[a] * m + pt.visits[b];
                    s[e] += syy[a * k + b] - by + bxb;
                    c[e] += pt.count as f64;
                }
            }
        }
        for v in 0..m {
            if c[v * m + v] == 0.0 {
                return Err(StatsError::InvalidArgument {
                    arg: "visit".into(),
                    message: format!(
                        "visit level {v} (0-based) has no observations{}",
                        if d.n_groups > 1 {
                            format!(" in covariance group {g}")
                        } else {
                            String::new()
                        }
                    ),
                });
            }
        }
        for e in 0..m * m {
            s[e] = if c[e] > 0.0 { s[e] / c[e] } else { 0.0 };
        }
        let tot: f64 = (0..m).map(|v| s[v * m + v]).sum::<f64>() / m as f64;
        for v in 0..m {
            if s[v * m + v] <= 1e-8 * tot.max(1e-300) {
                s[v * m + v] = tot.max(1e-8);
            }
        }
        let mut shrink = 1.0;
        while cholesky(&s, m, 1e-8).is_none() && shrink > 1e-3 {
            shrink *= 0.7;
            for i in 0..m {
                for j in 0..m {
                    if i != j {
                        s[i * m + j] *= 0.7;
                    }
                }
            }
        }
        if cholesky(&s, m, 1e-8).is_none() {
            for i in 0..m {
                for j in 0..m {
                    if i != j {
                        s[i * m + j] = 0.0;
                    }
                }
            }
        }
        out.push(s);
    }
    Ok(out)
}

/// Fit the model. `structure` per group; `reml` or ML.
pub fn fit(d: &Data, structure: Structure, reml: bool) -> Result<MmrmFit, StatsError> {
    fit_kr(d, structure, reml, None)
}

/// `fit`, plus the Kenward–Roger adjusted cov(β̂) when `kr` is given (REML only).
pub fn fit_kr(
    d: &Data,
    structure: Structure,
    reml: bool,
    kr: Option<KrOptions>,
) -> Result<MmrmFit, StatsError> {
    let (m, p) = (d.m, d.p);
    if kr.is_some() && !reml {
        return Err(StatsError::InvalidArgument {
            arg: "ddf".into(),
            message: "Kenward-Roger needs a REML fit (reml=True)".into(),
        });
    }
    if d.x.len() != d.y.len() * p {
        return Err(StatsError::LengthMismatch {
            arg_a: "X".into(),
            len_a: d.x.len(),
            arg_b: "y".into(),
            len_b: d.y.len() * p,
        });
    }
    if m < 2 {
        return Err(StatsError::InvalidArgument {
            arg: "visit".into(),
            message: format!("needs at least 2 visit levels, got {m}"),
        });
    }
    let rows = patterns::subject_rows(d)?;
    let n_subjects = rows.iter().filter(|r| !r.is_empty()).count();
    let nobs = d.y.len();
    if nobs <= p {
        return Err(StatsError::TooFew {
            arg: "data".into(),
            n: nobs,
            min: p + 1,
        });
    }
    let pats = patterns::build(d, &rows);
    let model = Model {
        pats: &pats,
        structure,
        m,
        p,
        n_groups: d.n_groups,
        nobs,
        reml,
    };
    let q = model.q();
    let covs = start_cov(d, &pats)?;
    let mut starts: Vec<Vec<f64>> = Vec::new();
    starts.push(
        covs.iter()
            .flat_map(|c| structure::start(structure, c, m))
            .collect(),
    );
    // fallback start: the diagonal of the first
    starts.push(
        covs.iter()
            .flat_map(|c| {
                let mut dgl = vec![0.0; m * m];
                for v in 0..m {
                    dgl[v * m + v] = c[v * m + v];
                }
                structure::start(structure, &dgl, m)
            })
            .collect(),
    );
    let obj = |th: &[f64]| model.eval(th, true).map(|e| (e.m2ll, e.grad));
    let opts = Options {
        gtol: 1e-6,
        ..Options::default()
    };
    let mut best: Option<crate::common::lbfgs::Minimum> = None;
    let mut evaluations = 0;
    for s0 in &starts {
        let Some(r) = minimize(obj, s0, opts) else {
            continue;
        };
        evaluations += r.evaluations;
        let better = best.as_ref().is_none_or(|b| r.f < b.f - 1e-9);
        // the Newton polish below finishes a run that stalled close to the optimum
        let conv = r.converged || (r.grad.iter().all(|g| g.is_finite()) && max_abs(&r.grad) < 1e-2);
        if better {
            best = Some(r);
        }
        if conv {
            break;
        }
    }
    let best = best.ok_or_else(|| StatsError::InvalidArgument {
        arg: "covariance".into(),
        message: "the start covariance is not positive definite (no start value gives a finite likelihood)".into(),
    })?;
    let best = if matches!(structure, Structure::Ad | Structure::Adh) {
        antedependence_signs(best, &obj, opts, structure, m, d.n_groups, &mut evaluations)
    } else {
        best
    };
    let mut theta = best.x.clone();
    let iterations = best.iterations;
    let hess_at = |th: &[f64]| -> Vec<f64> {
        let step = Richardson {
            d: 1e-3,
            r: 1,
            ..Richardson::jacobian_default()
        };
        let g = |t: &[f64]| {
            model
                .eval(t, true)
                .map(|e| e.grad)
                .unwrap_or_else(|| vec![f64::NAN; t.len()])
        };
        let mut h = jacobian(g, th, step);
        for i in 0..th.len() {
            for j in 0..i {
                let v = 0.5 * (h[i * th.len() + j] + h[j * th.len() + i]);
                h[i * th.len() + j] = v;
                h[j * th.len() + i] = v;
            }
        }
        h
    };
    let kq = theta.len();
    let mut ev = model
        .eval(&theta, true)
        .ok_or_else(|| StatsError::Singular {
            what: "the fitted covariance".into(),
        })?;
    let hess = hess_at(&theta);
    // Newton polish (a couple of steps from the quasi-Newton optimum)
    for _ in 0..3 {
        if max_abs(&ev.grad) < 1e-9 {
            break;
        }
        let Some(step) = solve(&hess, &ev.grad, kq) else {
            break;
        };
        if cholesky(&hess, kq, 1e-12).is_none() {
            break;
        }
        let tn: Vec<f64> = theta.iter().zip(&step).map(|(t, s)| t - s).collect();
        match model.eval(&tn, true) {
            Some(e2)
                if e2.m2ll <= ev.m2ll + 1e-11 * ev.m2ll.abs().max(1.0)
                    && max_abs(&e2.grad) < max_abs(&ev.grad) =>
            {
                theta = tn;
                ev = e2;
            }
            _ => break,
        }
    }
    let max_grad = max_abs(&ev.grad);
    let hess_pd = cholesky(&hess, kq, 1e-12).is_some();
    // Newton decrement gᵀH⁻¹g: below 1e-6 the remaining Newton step is below
    // ~1e-3 standard errors of θ̂ in every direction (scale-free)
    let decrement = solve(&hess, &ev.grad, kq)
        .map(|s| s.iter().zip(&ev.grad).map(|(a, b)| a * b).sum::<f64>())
        .unwrap_or(f64::INFINITY);
    let converged = (max_grad < 1e-3 || (decrement >= 0.0 && decrement < 1e-6))
        && hess_pd
        && hess.iter().all(|v| v.is_finite());
    let theta_cov: Vec<f64> = match solve_inv(&hess, kq) {
        Some(inv) => inv.into_iter().map(|v| 2.0 * v).collect(),
        None => vec![f64::NAN; kq * kq],
    };
    let vcov_jac = model.vcov_jacobian(&ev);
    let kr = kr.map(|o| {
        kr::adjust(&model, &ev, &theta, &theta_cov, o).unwrap_or_else(|| KrAdjust {
            vcov_adj: vec![f64::NAN; p * p],
            w: vec![f64::NAN; kq * kq],
        })
    });
    let message = if converged {
        String::new()
    } else if !hess_pd {
        format!("the Hessian of the likelihood at the optimum is not positive definite (max |gradient| {max_grad:.2e})")
    } else {
        format!("the optimiser stopped with max |gradient| {max_grad:.2e} (Newton decrement {decrement:.2e}) after {iterations} iterations")
    };
    debug_assert_eq!(kq, q * d.n_groups);
    Ok(MmrmFit {
        theta,
        beta: ev.beta.clone(),
        vcov: ev.a.clone(),
        vcov_jac,
        theta_cov,
        m2ll: ev.m2ll,
        sigma: ev.sigma.clone(),
        converged,
        iterations,
        evaluations,
        max_grad,
        n_subjects,
        nobs,
        n_patterns: pats.len(),
        message,
        kr,
    })
}

pub(crate) fn solve_inv(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut inv = vec![0.0; n * n];
    for j in 0..n {
        let mut e = vec![0.0; n];
        e[j] = 1.0;
        let c = solve(a, &e, n)?;
        for i in 0..n {
            inv[i * n + j] = c[i];
        }
    }
    Some(inv)
}

/// The antedependence likelihood can have one local optimum per sign pattern
/// of the lag-one correlations (Σ_ij = σ_i σ_j ρ_i ⋯ ρ_{j−1}: flipping one ρ
/// flips a whole block of covariances), and a start with positive
/// correlations stays among the positive ones (on R mmrm's `fev_data` the
/// best `ad` fit has ρ₂ = −0.56, 3.0 lower in −2 REML logL than the positive
/// optimum). From the optimum, refit with each correlation's sign flipped in
/// turn and keep a lower one, until no flip lowers it (at most `m` rounds).
fn antedependence_signs<F>(
    mut best: crate::common::lbfgs::Minimum,
    obj: &F,
    opts: Options,
    structure: Structure,
    m: usize,
    n_groups: usize,
    evaluations: &mut usize,
) -> crate::common::lbfgs::Minimum
where
    F: Fn(&[f64]) -> Option<(f64, Vec<f64>)>,
{
    let sds = if structure == Structure::Adh { m } else { 1 };
    let block = sds + m.saturating_sub(1);
    for _round in 0..m {
        let mut improved = false;
        for g in 0..n_groups {
            for k in 0..m.saturating_sub(1) {
                let pos = g * block + sds + k;
                let mut x = best.x.clone();
                x[pos] = -x[pos];
                if let Some(r) = minimize(obj, &x, opts) {
                    *evaluations += r.evaluations;
                    if r.f < best.f - 1e-6 && r.f.is_finite() {
                        best = r;
                        improved = true;
                    }
                }
            }
        }
        if !improved {
            break;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small incomplete data set: gradient equals differences of the value.
    #[test]
    fn gradient_matches_differences() {
        let mut x = Vec::new();
        let mut y = Vec::new();
        let mut subj = Vec::new();
        let mut vis = Vec::new();
        let mut rnd =
            crate::common::rng::lcg(7u64, |s| ((s >> 11) as f64 / (1u64 << 53) as f64) - 0.5);
        for s in 0..30 {
            let arm = (s % 2) as f64;
            let u = rnd();
            for v in 0..3 {
                if s % 5 == 0 && v == 2 {
                    continue;
                }
                x.extend([1.0, (v == 1) as u8 as f64, (v == 2) as u8 as f64, arm]);
                y.push(1.0 + v as f64 + arm + 2.0 * u + rnd());
                subj.push(s);
                vis.push(v);
            }
        }
        let group = vec![0usize; 30];
        let d = Data {
            x: &x,
            y: &y,
            p: 4,
            subject: &subj,
            visit: &vis,
            group: &group,
            m: 3,
            n_groups: 1,
        };
        let rows = patterns::subject_rows(&d).unwrap();
        let pats = patterns::build(&d, &rows);
        for s in [
            Structure::Us,
            Structure::Cs,
            Structure::Toeph,
            Structure::Adh,
        ] {
            for reml in [true, false] {
                let model = Model {
                    pats: &pats,
                    structure: s,
                    m: 3,
                    p: 4,
                    n_groups: 1,
                    nobs: y.len(),
                    reml,
                };
                let th: Vec<f64> = (0..model.q()).map(|i| 0.1 * i as f64 - 0.2).collect();
                let e = model.eval(&th, true).unwrap();
                for k in 0..th.len() {
                    let mut a = th.clone();
                    let mut b = th.clone();
                    a[k] += 1e-6;
                    b[k] -= 1e-6;
                    let fd = (model.eval(&a, false).unwrap().m2ll
                        - model.eval(&b, false).unwrap().m2ll)
                        / 2e-6;
                    assert!(
                        (fd - e.grad[k]).abs() < 1e-5 * (1.0 + fd.abs()),
                        "{s:?} {reml} {k}: {fd} {}",
                        e.grad[k]
                    );
                }
            }
        }
        // rows kept per subject give the same value, gradient and dcov(beta)
        let raw = patterns::build_with(&d, &rows, Some(true));
        assert!(raw.iter().all(|p| p.raw));
        for reml in [true, false] {
            let a = Model {
                pats: &pats,
                structure: Structure::Adh,
                m: 3,
                p: 4,
                n_groups: 1,
                nobs: y.len(),
                reml,
            };
            let b = Model {
                pats: &raw,
                structure: Structure::Adh,
                m: 3,
                p: 4,
                n_groups: 1,
                nobs: y.len(),
                reml,
            };
            let th: Vec<f64> = (0..a.q()).map(|i| 0.05 * i as f64 - 0.1).collect();
            let (ea, eb) = (a.eval(&th, true).unwrap(), b.eval(&th, true).unwrap());
            assert!((ea.m2ll - eb.m2ll).abs() < 1e-9 * ea.m2ll.abs());
            for (u, v) in ea.grad.iter().zip(&eb.grad) {
                assert!((u - v).abs() < 1e-8 * (1.0 + u.abs()));
            }
            for (u, v) in a
                .vcov_jacobian(&ea)
                .iter()
                .flatten()
                .zip(b.vcov_jacobian(&eb).iter().flatten())
            {
                assert!((u - v).abs() < 1e-10 * (1.0 + u.abs()));
            }
        }
        let f = fit(&d, Structure::Us, true).unwrap();
        assert!(f.converged, "{}", f.message);
        assert!(f.max_grad < 1e-6);
    }
}
