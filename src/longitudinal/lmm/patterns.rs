//! Subjects that share ZᵢᵀZᵢ (the same visit pattern: balanced designs, or
//! the few dropout patterns of a cohort) share the factor Lᵢ of
//! ΛᵀZᵢᵀZᵢΛ + I. With W = Λ(LLᵀ)⁻¹Λᵀ the per-subject terms of the profiled
//! deviance are contractions of W with sums over the pattern's subjects,
//! CᵢᵀCᵢ = ZᵢᵀXᵢᵀ W ZᵢᵀXᵢ etc., so after one pass to sum
//! S = Σ ZᵀX ⊗ ZᵀX, T = Σ ZᵀX ⊗ Zᵀy, U = Σ Zᵀy ⊗ Zᵀy per pattern, each
//! deviance evaluation costs O(patterns · q²p²) instead of O(subjects).

use std::collections::HashMap;

use super::blocks::Blocks;
use crate::common::linalg::{chol_inverse_into, cholesky_into};

/// Per-pattern sums (row-major, see the module text).
#[derive(Debug, Clone)]
pub struct Patterns {
    pub g: usize,
    pub count: Vec<f64>,
    pub ztz: Vec<f64>,
    /// g × [a][b][c][d] = Σ ZᵀX[a,c]·ZᵀX[b,d]  (q·q·p·p)
    pub s: Vec<f64>,
    /// g × [a][b][c] = Σ ZᵀX[a,c]·Zᵀy[b]  (q·q·p)
    pub t: Vec<f64>,
    /// g × [a][b] = Σ Zᵀy[a]·Zᵀy[b]  (q·q)
    pub u: Vec<f64>,
}

impl Patterns {
    /// Group the subjects by ZᵢᵀZᵢ; None when there are too many patterns for
    /// the grouping to pay (g·q·p > m).
    pub fn build(b: &Blocks) -> Option<Patterns> {
        let (p, q, m) = (b.p, b.q, b.m);
        let mut ids: HashMap<Vec<u64>, usize> = HashMap::new();
        let mut of = Vec::with_capacity(m);
        for i in 0..m {
            let key: Vec<u64> = b.ztz[i * q * q..(i + 1) * q * q]
                .iter()
                .map(|v| v.to_bits())
                .collect();
            let next = ids.len();
            let id = *ids.entry(key).or_insert(next);
            of.push(id);
            if ids.len() * q * p > m {
                return None;
            }
        }
        let g = ids.len();
        let (qq, qqp, qqpp) = (q * q, q * q * p, q * q * p * p);
        let mut pt = Patterns {
            g,
            count: vec![0.0; g],
            ztz: vec![0.0; g * qq],
            s: vec![0.0; g * qqpp],
            t: vec![0.0; g * qqp],
            u: vec![0.0; g * qq],
        };
        for (i, &k) in of.iter().enumerate() {
            if pt.count[k] == 0.0 {
                pt.ztz[k * qq..(k + 1) * qq].copy_from_slice(&b.ztz[i * qq..(i + 1) * qq]);
            }
            pt.count[k] += 1.0;
            let zx = &b.ztx[i * q * p..(i + 1) * q * p];
            let zy = &b.zty[i * q..(i + 1) * q];
            let s = &mut pt.s[k * qqpp..(k + 1) * qqpp];
            let t = &mut pt.t[k * qqp..(k + 1) * qqp];
            let u = &mut pt.u[k * qq..(k + 1) * qq];
            for a in 0..q {
                for bb in 0..q {
                    for c in 0..p {
                        let v = zx[a * p + c];
                        if v == 0.0 {
                            continue;
                        }
                        let row =
                            &mut s[((a * q + bb) * p + c) * p..((a * q + bb) * p + c + 1) * p];
                        for d in 0..p {
                            row[d] += v * zx[bb * p + d];
                        }
                        t[(a * q + bb) * p + c] += v * zy[bb];
                    }
                    u[a * q + bb] += zy[a] * zy[bb];
                }
            }
        }
        Some(pt)
    }

    /// The sums the profiled deviance needs, in the layout of
    /// `deviance::pls`: [ld_l2, cc, fail, CᵀC (p×p, lower filled), Cᵀc (p)].
    pub fn accumulate(&self, lam: &[f64], q: usize, p: usize) -> Vec<f64> {
        let mut acc = vec![0.0; 3 + p * p + p];
        let (qq, qqp, qqpp) = (q * q, q * q * p, q * q * p * p);
        // scratch reused across patterns (no allocation per evaluation and pattern)
        let mut mm = vec![0.0; qq];
        let mut l = vec![0.0; qq];
        let mut minv = vec![0.0; qq];
        let mut w = vec![0.0; qq];
        let mut e = vec![0.0; q];
        for k in 0..self.g {
            let a = &self.ztz[k * qq..(k + 1) * qq];
            // M = ΛᵀAΛ + I
            for r in 0..q {
                for c in 0..q {
                    let mut v = 0.0;
                    for i in 0..q {
                        for j in 0..q {
                            v += lam[i * q + r] * a[i * q + j] * lam[j * q + c];
                        }
                    }
                    mm[r * q + c] = v + if r == c { 1.0 } else { 0.0 };
                }
            }
            if !cholesky_into(&mm, q, 0.0, &mut l) {
                acc[2] += 1.0;
                continue;
            }
            let n_k = self.count[k];
            acc[0] += n_k * 2.0 * (0..q).map(|r| l[r * q + r].ln()).sum::<f64>();
            chol_inverse_into(&l, q, &mut minv, &mut e);
            // W = Λ M⁻¹ Λᵀ
            for r in 0..q {
                for c in 0..q {
                    let mut v = 0.0;
                    for i in 0..q {
                        for j in 0..q {
                            v += lam[r * q + i] * minv[i * q + j] * lam[c * q + j];
                        }
                    }
                    w[r * q + c] = v;
                }
            }
            let s = &self.s[k * qqpp..(k + 1) * qqpp];
            let t = &self.t[k * qqp..(k + 1) * qqp];
            let u = &self.u[k * qq..(k + 1) * qq];
            for ab in 0..qq {
                let wv = w[ab];
                if wv == 0.0 {
                    continue;
                }
                acc[1] += wv * u[ab];
                for c in 0..p {
                    for d in 0..=c {
                        acc[3 + c * p + d] += wv * s[(ab * p + c) * p + d];
                    }
                    acc[3 + p * p + c] += wv * t[ab * p + c];
                }
            }
        }
        acc
    }
}
