//! Sufficient statistics of a one-grouping-factor LMM: per-subject
//! crossproducts ZᵢᵀZᵢ, ZᵢᵀXᵢ, Zᵢᵀyᵢ and the global XᵀX, Xᵀy, yᵀy, n.
//! The profiled deviance needs nothing else, so a fit can start from blocks
//! computed anywhere (e.g. per Dask partition, then concatenated) and
//! [`Blocks::merge`]d.

use rayon::prelude::*;

use crate::error::StatsError;

/// Crossproducts of one grouping factor with `m` levels (row-major blocks).
#[derive(Debug, Clone, PartialEq)]
pub struct Blocks {
    pub p: usize,
    pub q: usize,
    /// Number of observations.
    pub n: usize,
    /// Number of subjects (levels of the grouping factor).
    pub m: usize,
    /// m × (q×q): ZᵢᵀZᵢ.
    pub ztz: Vec<f64>,
    /// m × (q×p): ZᵢᵀXᵢ.
    pub ztx: Vec<f64>,
    /// m × q: Zᵢᵀyᵢ.
    pub zty: Vec<f64>,
    /// p×p: XᵀX.
    pub xtx: Vec<f64>,
    /// p: Xᵀy.
    pub xty: Vec<f64>,
    pub yty: f64,
}

impl Blocks {
    /// Crossproducts from row data: `x` n×p and `z` n×q row-major, `group`
    /// the subject code (0..m) of each row.
    pub fn from_rows(
        x: &[f64],
        z: &[f64],
        y: &[f64],
        group: &[usize],
        p: usize,
        q: usize,
        m: usize,
    ) -> Result<Blocks, StatsError> {
        let n = y.len();
        if x.len() != n * p {
            return Err(StatsError::LengthMismatch {
                arg_a: "X".into(),
                len_a: x.len(),
                arg_b: "y".into(),
                len_b: n,
            });
        }
        if z.len() != n * q || group.len() != n {
            return Err(StatsError::LengthMismatch {
                arg_a: "Z".into(),
                len_a: z.len(),
                arg_b: "y".into(),
                len_b: n,
            });
        }
        for (i, &g) in group.iter().enumerate() {
            if g >= m {
                return Err(StatsError::invalid(
                    "group",
                    i,
                    g as f64,
                    "code out of range",
                    format!("0..{m}"),
                ));
            }
        }
        for (i, v) in y.iter().enumerate() {
            if !v.is_finite() {
                return Err(StatsError::invalid(
                    "y",
                    i,
                    *v,
                    "not finite",
                    "finite values",
                ));
            }
        }
        let mut b = Blocks {
            p,
            q,
            n,
            m,
            ztz: vec![0.0; m * q * q],
            ztx: vec![0.0; m * q * p],
            zty: vec![0.0; m * q],
            xtx: vec![0.0; p * p],
            xty: vec![0.0; p],
            yty: 0.0,
        };
        for r in 0..n {
            let (xr, zr, yr, g) = (
                &x[r * p..(r + 1) * p],
                &z[r * q..(r + 1) * q],
                y[r],
                group[r],
            );
            let ztz = &mut b.ztz[g * q * q..(g + 1) * q * q];
            for a in 0..q {
                for c in 0..q {
                    ztz[a * q + c] += zr[a] * zr[c];
                }
            }
            let ztx = &mut b.ztx[g * q * p..(g + 1) * q * p];
            for a in 0..q {
                for c in 0..p {
                    ztx[a * p + c] += zr[a] * xr[c];
                }
            }
            for (acc, za) in b.zty[g * q..(g + 1) * q].iter_mut().zip(zr) {
                *acc += za * yr;
            }
            for a in 0..p {
                for c in 0..p {
                    b.xtx[a * p + c] += xr[a] * xr[c];
                }
                b.xty[a] += xr[a] * yr;
            }
            b.yty += yr * yr;
        }
        Ok(b)
    }

    /// Concatenate the subjects of several partitions (subjects must not be
    /// split across partitions) and add the global sums.
    pub fn merge(parts: &[Blocks]) -> Result<Blocks, StatsError> {
        let first = parts.first().ok_or(StatsError::TooFew {
            arg: "blocks".into(),
            n: 0,
            min: 1,
        })?;
        let (p, q) = (first.p, first.q);
        let mut out = Blocks {
            p,
            q,
            n: 0,
            m: 0,
            ztz: Vec::new(),
            ztx: Vec::new(),
            zty: Vec::new(),
            xtx: vec![0.0; p * p],
            xty: vec![0.0; p],
            yty: 0.0,
        };
        for b in parts {
            if b.p != p || b.q != q {
                return Err(StatsError::InvalidArgument {
                    arg: "blocks".into(),
                    message: format!(
                        "partitions disagree on (p, q): ({p}, {q}) vs ({}, {})",
                        b.p, b.q
                    ),
                });
            }
            out.n += b.n;
            out.m += b.m;
            out.ztz.extend_from_slice(&b.ztz);
            out.ztx.extend_from_slice(&b.ztx);
            out.zty.extend_from_slice(&b.zty);
            out.xtx.iter_mut().zip(&b.xtx).for_each(|(a, v)| *a += v);
            out.xty.iter_mut().zip(&b.xty).for_each(|(a, v)| *a += v);
            out.yty += b.yty;
        }
        Ok(out)
    }

    /// Check the sizes of externally supplied blocks.
    pub fn validate(&self) -> Result<(), StatsError> {
        let (p, q, m) = (self.p, self.q, self.m);
        let ok = self.ztz.len() == m * q * q
            && self.ztx.len() == m * q * p
            && self.zty.len() == m * q
            && self.xtx.len() == p * p
            && self.xty.len() == p;
        if !ok {
            return Err(StatsError::InvalidArgument {
                arg: "blocks".into(),
                message: "block sizes do not match (m, p, q)".into(),
            });
        }
        let all = self
            .ztz
            .iter()
            .chain(&self.ztx)
            .chain(&self.zty)
            .chain(&self.xtx)
            .chain(&self.xty);
        if all.clone().any(|v| !v.is_finite()) || !self.yty.is_finite() {
            return Err(StatsError::InvalidArgument {
                arg: "blocks".into(),
                message: "non-finite crossproduct".into(),
            });
        }
        Ok(())
    }
}

/// Map `f` over subject indices, in parallel above a size threshold, and
/// sum the fixed-length results. Each chunk of subjects owns one `scratch()`
/// value, passed to `f` for its temporaries. The parallel sum is over fixed
/// chunks of subjects added in chunk order, so it does not depend on the
/// thread schedule: equal data give bit-equal deviances from run to run.
pub fn sum_over_subjects<S, I, F>(m: usize, len: usize, scratch: I, f: F) -> Vec<f64>
where
    S: Send,
    I: Fn() -> S + Sync + Send,
    F: Fn(usize, &mut S, &mut [f64]) + Sync,
{
    const PAR_MIN: usize = 4096;
    const CHUNK: usize = 1024;
    if m < PAR_MIN {
        let mut acc = vec![0.0; len];
        let mut s = scratch();
        for i in 0..m {
            f(i, &mut s, &mut acc);
        }
        acc
    } else {
        let parts: Vec<Vec<f64>> = (0..m.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let mut acc = vec![0.0; len];
                let mut s = scratch();
                for i in c * CHUNK..((c + 1) * CHUNK).min(m) {
                    f(i, &mut s, &mut acc);
                }
                acc
            })
            .collect();
        let mut acc = vec![0.0; len];
        for part in &parts {
            acc.iter_mut().zip(part).for_each(|(x, y)| *x += y);
        }
        acc
    }
}
