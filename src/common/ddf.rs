//! Satterthwaite denominator degrees of freedom for linear contrasts of β̂ in
//! (restricted) likelihood models, as lmerTest (`contest1D`, `contestMD`) and
//! mmrm compute them. Inputs: Φ = cov(β̂) (p×p), its derivatives ∂Φ/∂ϑ_k with
//! respect to the variance parameters ϑ (one p×p matrix per parameter), and
//! A = cov(ϑ̂) (k×k), usually 2·H⁻¹ with H the Hessian of the deviance.
//!
//! One row l: df = 2 (lΦlᵀ)² / (gᵀ A g), g_k = l (∂Φ/∂ϑ_k) lᵀ.
//! Several rows L (q×p): eigen-decompose LΦLᵀ = P D Pᵀ; the rank q counts the
//! eigenvalues above `sqrt(eps)·d_max`; per-component ν_m from the rows of PᵀL;
//! F = Σ (PᵀLβ)²_m / d_m / q; E = Σ ν_m/(ν_m − 2) and df = 2E/(E − q)
//! (2 if some ν_m ≤ 2; the common value if all ν_m agree within 1e-8).

/// Symmetric eigen-decomposition by cyclic Jacobi rotations (small matrices).
/// Returns eigenvalues in decreasing order and eigenvectors as the columns of
/// an n×n row-major matrix.
pub fn sym_eigen(a: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut m = a.to_vec();
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[i * n + j] * m[i * n + j])
            .sum();
        let scale: f64 = m.iter().map(|x| x * x).sum::<f64>();
        if off <= 1e-30 * scale.max(f64::MIN_POSITIVE) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = m[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (m[q * n + q] - m[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (mkp, mkq) = (m[k * n + p], m[k * n + q]);
                    m[k * n + p] = c * mkp - s * mkq;
                    m[k * n + q] = s * mkp + c * mkq;
                }
                for k in 0..n {
                    let (mpk, mqk) = (m[p * n + k], m[q * n + k]);
                    m[p * n + k] = c * mpk - s * mqk;
                    m[q * n + k] = s * mpk + c * mqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| m[j * n + j].total_cmp(&m[i * n + i]));
    let vals: Vec<f64> = order.iter().map(|&i| m[i * n + i]).collect();
    let mut vecs = vec![0.0; n * n];
    for (c, &i) in order.iter().enumerate() {
        for r in 0..n {
            vecs[r * n + c] = v[r * n + i];
        }
    }
    (vals, vecs)
}

/// Pseudo-inverse of a symmetric matrix from the eigenvalues above `tol`
/// (lmerTest: `tol = 1e-8` for the deviance Hessian). Also returns whether an
/// eigenvalue was below `-tol` (a Hessian that is not positive semi-definite).
pub fn pinv_sym(a: &[f64], n: usize, tol: f64) -> (Vec<f64>, bool) {
    let (vals, vecs) = sym_eigen(a, n);
    let neg = vals.iter().any(|&d| d < -tol);
    let mut out = vec![0.0; n * n];
    for (c, &d) in vals.iter().enumerate() {
        if d > tol {
            for i in 0..n {
                for j in 0..n {
                    out[i * n + j] += vecs[i * n + c] * vecs[j * n + c] / d;
                }
            }
        }
    }
    (out, neg)
}

fn qform(x: &[f64], m: &[f64], n: usize) -> f64 {
    (0..n)
        .map(|i| x[i] * (0..n).map(|j| m[i * n + j] * x[j]).sum::<f64>())
        .sum()
}

/// The quantities of a Satterthwaite computation.
pub struct Satterthwaite<'a> {
    /// p, the number of coefficients.
    pub p: usize,
    /// cov(β̂), p×p row-major.
    pub vcov: &'a [f64],
    /// ∂cov(β̂)/∂ϑ_k, one p×p matrix per variance parameter.
    pub jac: &'a [Vec<f64>],
    /// cov(ϑ̂), k×k row-major.
    pub a: &'a [f64],
}

/// Result of a one-row contrast.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Contrast1 {
    pub variance: f64,
    pub df: f64,
}

/// Result of a multi-row contrast (F test).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContrastF {
    pub f: f64,
    pub num_df: usize,
    pub den_df: f64,
}

impl Satterthwaite<'_> {
    fn k(&self) -> usize {
        self.jac.len()
    }
    fn grad(&self, l: &[f64]) -> Vec<f64> {
        self.jac.iter().map(|j| qform(l, j, self.p)).collect()
    }
    /// Variance lΦlᵀ and Satterthwaite df of one contrast row.
    pub fn one(&self, l: &[f64]) -> Contrast1 {
        let var = qform(l, self.vcov, self.p);
        let g = self.grad(l);
        let den = qform(&g, self.a, self.k());
        Contrast1 {
            variance: var,
            df: 2.0 * var * var / den,
        }
    }
    /// F statistic and Satterthwaite df of the hypothesis Lβ = 0 (L q×p).
    /// None when LΦLᵀ has rank 0.
    pub fn multi(&self, l: &[f64], q: usize, beta: &[f64]) -> Option<ContrastF> {
        let p = self.p;
        let mut v = vec![0.0; q * q];
        for i in 0..q {
            for j in 0..q {
                v[i * q + j] = (0..p)
                    .map(|a| {
                        l[i * p + a]
                            * (0..p)
                                .map(|b| self.vcov[a * p + b] * l[j * p + b])
                                .sum::<f64>()
                    })
                    .sum();
            }
        }
        let (d, pv) = sym_eigen(&v, q);
        let tol = (f64::EPSILON.sqrt() * d.first().copied().unwrap_or(0.0)).max(0.0);
        let rank = d.iter().filter(|&&x| x > tol).count();
        if rank == 0 {
            return None;
        }
        let mut fsum = 0.0;
        let mut nu = Vec::with_capacity(rank);
        for m in 0..rank {
            let row: Vec<f64> = (0..p)
                .map(|c| (0..q).map(|i| pv[i * q + m] * l[i * p + c]).sum())
                .collect();
            let est: f64 = row.iter().zip(beta).map(|(a, b)| a * b).sum();
            fsum += est * est / d[m];
            let g = self.grad(&row);
            nu.push(2.0 * d[m] * d[m] / qform(&g, self.a, self.k()));
        }
        Some(ContrastF {
            f: fsum / rank as f64,
            num_df: rank,
            den_df: combine_df(&nu),
        })
    }
}

/// Kenward–Roger df and F scaling (Kenward & Roger 1997; SAS DDFM=KR, R
/// mmrm `h_kr_df`, pbkrtest `.KR_adjust`). With M = Lᵀ(LΦLᵀ)⁻¹L and
/// T_h = M Φ P_h Φ = −M ∂Φ/∂ϑ_h: A1 = Σ W_hj tr T_h tr T_j,
/// A2 = Σ W_hj tr(T_h T_j), B = (A1 + 6A2)/(2c), g = ((c+1)A1 − (c+4)A2)/((c+2)A2),
/// c1..c3, E* = 1/(1 − A2/c), V* = 2/c (1 + c1 B)/((1 − c2 B)² (1 − c3 B)),
/// ρ = V*/(2E*²), df m = 4 + (c+2)/(cρ − 1), λ = m/(E*(m − 2)); the F
/// statistic λ (Lβ)ᵀ(LΦ_A Lᵀ)⁻¹(Lβ)/c. For one row λ = 1 and m is the
/// Satterthwaite df of lΦlᵀ.
pub struct KenwardRoger<'a> {
    pub p: usize,
    /// Φ = cov(β̂) (unadjusted).
    pub vcov: &'a [f64],
    /// Φ_A, the adjusted covariance.
    pub vcov_adj: &'a [f64],
    /// ∂Φ/∂ϑ_h.
    pub jac: &'a [Vec<f64>],
    /// W = cov(ϑ̂).
    pub w: &'a [f64],
}

/// A Kenward–Roger test of Lβ = 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KrTest {
    /// λ·Wald/c (the scaled F).
    pub f: f64,
    pub num_df: usize,
    pub den_df: f64,
    pub lambda: f64,
}

fn mat_l(l: &[f64], m: &[f64], q: usize, p: usize) -> Vec<f64> {
    // L M Lᵀ (q×q)
    let mut out = vec![0.0; q * q];
    for i in 0..q {
        let lm: Vec<f64> = (0..p)
            .map(|b| (0..p).map(|a| l[i * p + a] * m[a * p + b]).sum())
            .collect();
        for j in 0..q {
            out[i * q + j] = lm
                .iter()
                .zip(&l[j * p..j * p + p])
                .map(|(x, y)| x * y)
                .sum();
        }
    }
    out
}

impl KenwardRoger<'_> {
    /// Variance lΦ_A lᵀ and KR df of one contrast row.
    pub fn one(&self, l: &[f64]) -> Contrast1 {
        let s = Satterthwaite {
            p: self.p,
            vcov: self.vcov,
            jac: self.jac,
            a: self.w,
        };
        Contrast1 {
            variance: qform(l, self.vcov_adj, self.p),
            df: s.one(l).df,
        }
    }

    /// The KR F test of Lβ = 0 (L q×p). Rows of L that are linearly
    /// dependent under Φ are reduced to an equivalent full-rank set first.
    /// None when LΦLᵀ has rank 0.
    pub fn multi(&self, l: &[f64], q: usize, beta: &[f64]) -> Option<KrTest> {
        let p = self.p;
        let v0 = mat_l(l, self.vcov, q, p);
        let (d, pv) = sym_eigen(&v0, q);
        let tol = (f64::EPSILON.sqrt() * d.first().copied().unwrap_or(0.0)).max(0.0);
        let c = d.iter().filter(|&&x| x > tol).count();
        if c == 0 {
            return None;
        }
        // equivalent full-rank rows: (PᵀL)_m, m < c
        let mut lr = vec![0.0; c * p];
        for mm in 0..c {
            for col in 0..p {
                lr[mm * p + col] = (0..q).map(|i| pv[i * q + mm] * l[i * p + col]).sum();
            }
        }
        let inv0 = pinv_sym(&mat_l(&lr, self.vcov, c, p), c, 0.0).0;
        // M = Lᵀ V0⁻¹ L (p×p)
        let mut mmat = vec![0.0; p * p];
        for a in 0..p {
            for b in 0..p {
                let mut acc = 0.0;
                for i in 0..c {
                    for j in 0..c {
                        acc += lr[i * p + a] * inv0[i * c + j] * lr[j * p + b];
                    }
                }
                mmat[a * p + b] = acc;
            }
        }
        let t: Vec<Vec<f64>> = self
            .jac
            .iter()
            .map(|jh| {
                let mut o = vec![0.0; p * p];
                for a in 0..p {
                    for r in 0..p {
                        let v = mmat[a * p + r];
                        if v != 0.0 {
                            for b in 0..p {
                                o[a * p + b] -= v * jh[r * p + b];
                            }
                        }
                    }
                }
                o
            })
            .collect();
        let k = t.len();
        let tr: Vec<f64> = t
            .iter()
            .map(|x| (0..p).map(|i| x[i * p + i]).sum())
            .collect();
        let (mut a1, mut a2) = (0.0, 0.0);
        for h in 0..k {
            for j in 0..k {
                let w = self.w[h * k + j];
                if w == 0.0 {
                    continue;
                }
                a1 += w * tr[h] * tr[j];
                let tt: f64 = (0..p)
                    .map(|a| {
                        (0..p)
                            .map(|b| t[h][a * p + b] * t[j][b * p + a])
                            .sum::<f64>()
                    })
                    .sum();
                a2 += w * tt;
            }
        }
        let cf = c as f64;
        let (den_df, lambda) = if a2 > 0.0 {
            let b = (a1 + 6.0 * a2) / (2.0 * cf);
            let g = ((cf + 1.0) * a1 - (cf + 4.0) * a2) / ((cf + 2.0) * a2);
            let den = 3.0 * cf + 2.0 * (1.0 - g);
            let (c1, c2, c3) = (g / den, (cf - g) / den, (cf + 2.0 - g) / den);
            let e_star = 1.0 / (1.0 - a2 / cf);
            let v_star = 2.0 / cf * (1.0 + c1 * b) / ((1.0 - c2 * b).powi(2) * (1.0 - c3 * b));
            let rho = v_star / (2.0 * e_star * e_star);
            let m = 4.0 + (cf + 2.0) / (cf * rho - 1.0);
            (m, m / (e_star * (m - 2.0)))
        } else {
            (f64::INFINITY, 1.0)
        };
        let va = mat_l(&lr, self.vcov_adj, c, p);
        let inva = pinv_sym(&va, c, 0.0).0;
        let est: Vec<f64> = (0..c)
            .map(|i| {
                lr[i * p..i * p + p]
                    .iter()
                    .zip(beta)
                    .map(|(x, y)| x * y)
                    .sum()
            })
            .collect();
        let wald: f64 = (0..c)
            .map(|i| est[i] * (0..c).map(|j| inva[i * c + j] * est[j]).sum::<f64>())
            .sum();
        Some(KrTest {
            f: lambda * wald / cf,
            num_df: c,
            den_df,
            lambda,
        })
    }
}

/// lmerTest's `get_Fstat_ddf`: one ν → itself; all equal (1e-8) → their mean;
/// any ν ≤ 2 → 2; else E = Σ ν/(ν−2), df = 2E/(E − q).
pub fn combine_df(nu: &[f64]) -> f64 {
    match nu.len() {
        0 => f64::NAN,
        1 => nu[0],
        q => {
            if nu.windows(2).all(|w| (w[1] - w[0]).abs() < 1e-8) {
                return nu.iter().sum::<f64>() / q as f64;
            }
            if nu.iter().any(|&v| v <= 2.0) {
                return 2.0;
            }
            let e: f64 = nu.iter().map(|v| v / (v - 2.0)).sum();
            2.0 * e / (e - q as f64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eigen_reconstructs() {
        let a = [4.0, 1.0, 0.5, 1.0, 3.0, 0.2, 0.5, 0.2, 1.0];
        let (d, v) = sym_eigen(&a, 3);
        assert!(d[0] >= d[1] && d[1] >= d[2]);
        for i in 0..3 {
            for j in 0..3 {
                let r: f64 = (0..3).map(|k| v[i * 3 + k] * d[k] * v[j * 3 + k]).sum();
                assert!((r - a[i * 3 + j]).abs() < 1e-12);
            }
        }
        let (inv, neg) = pinv_sym(&a, 3, 1e-8);
        assert!(!neg);
        for i in 0..3 {
            let r: f64 = (0..3).map(|k| a[i * 3 + k] * inv[k * 3 + i]).sum();
            assert!((r - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn combination_rules() {
        assert_eq!(combine_df(&[7.0]), 7.0);
        assert!((combine_df(&[5.0, 5.0]) - 5.0).abs() < 1e-12);
        assert_eq!(combine_df(&[1.5, 9.0]), 2.0);
        // E = 10/8 + 20/18; df = 2E/(E-2)
        let e = 10.0 / 8.0 + 20.0 / 18.0;
        assert!((combine_df(&[10.0, 20.0]) - 2.0 * e / (e - 2.0)).abs() < 1e-12);
    }

    #[test]
    fn kr_one_row_is_satterthwaite_with_unit_lambda() {
        let vcov = [2.0, 0.3, 0.3, 1.0];
        let adj = [2.2, 0.35, 0.35, 1.1];
        let jac = vec![vec![1.0, 0.1, 0.1, 0.5], vec![0.2, 0.0, 0.0, 0.4]];
        let w = [0.5, 0.1, 0.1, 0.3];
        let kr = KenwardRoger {
            p: 2,
            vcov: &vcov,
            vcov_adj: &adj,
            jac: &jac,
            w: &w,
        };
        let l = [1.0, -1.0];
        let one = kr.one(&l);
        let t = kr.multi(&l, 1, &[1.0, 0.5]).unwrap();
        assert!((t.lambda - 1.0).abs() < 1e-12);
        assert!((t.den_df - one.df).abs() < 1e-9 * one.df);
        assert!((t.f - 0.25 / one.variance).abs() < 1e-12);
        // a duplicated row is the same hypothesis
        let t2 = kr.multi(&[1.0, -1.0, 2.0, -2.0], 2, &[1.0, 0.5]).unwrap();
        assert_eq!(t2.num_df, 1);
        assert!((t2.f - t.f).abs() < 1e-10 && (t2.den_df - t.den_df).abs() < 1e-8);
    }

    #[test]
    fn one_row_equals_multi_with_one_row() {
        let vcov = [2.0, 0.3, 0.3, 1.0];
        let jac = vec![vec![1.0, 0.1, 0.1, 0.5], vec![0.2, 0.0, 0.0, 0.4]];
        let a = [0.5, 0.1, 0.1, 0.3];
        let s = Satterthwaite {
            p: 2,
            vcov: &vcov,
            jac: &jac,
            a: &a,
        };
        let l = [1.0, -1.0];
        let one = s.one(&l);
        let m = s.multi(&l, 1, &[1.0, 0.5]).unwrap();
        assert!((one.df - m.den_df).abs() < 1e-10);
        assert!((m.f - 0.25 / one.variance).abs() < 1e-12);
    }
}
