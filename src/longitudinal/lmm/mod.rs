//! Linear mixed models as lme4 fits them (profiled REML/ML deviance over the
//! relative covariance factor θ, penalised least squares with a Cholesky
//! factor), with one grouping factor: the system is block-diagonal per
//! subject, so each deviance evaluation costs O(subjects × q³) and runs in
//! parallel over subjects above a size threshold. A fit needs only the
//! per-subject crossproducts ([`Blocks`]), so partitions of a distributed data
//! frame can compute their blocks and [`Blocks::merge`] them into one fit.

pub mod blocks;
pub mod deviance;
pub mod fit;
pub mod gradient;
pub mod hessian;
pub mod patterns;

pub use blocks::Blocks;
pub use deviance::{pls, Structure};
pub use fit::{fit_blocks, profiled_deviance, FitOptions, LmmFit};

#[cfg(test)]
mod tests {
    use super::*;

    /// sleepstudy (lme4), Reaction ~ Days + (Days | Subject), REML; values
    /// from tests/reference/longitudinal/lmm_sleepstudy.json (lme4 with
    /// tightened optimiser settings).
    #[test]
    fn tiny_balanced_fit_is_consistent() {
        // 3 subjects × 4 visits, random intercept only; profiled deviance at
        // the optimum is below the deviance at the start
        let y = [1.0, 2.1, 2.9, 4.2, 2.0, 3.1, 3.8, 5.1, 0.5, 1.4, 2.6, 3.3];
        let t = [0.0, 1.0, 2.0, 3.0, 0.0, 1.0, 2.0, 3.0, 0.0, 1.0, 2.0, 3.0];
        let g: Vec<usize> = (0..12).map(|i| i / 4).collect();
        let x: Vec<f64> = t.iter().flat_map(|&v| [1.0, v]).collect();
        let z = vec![1.0; 12];
        let b = Blocks::from_rows(&x, &z, &y, &g, 2, 1, 3).unwrap();
        let s = Structure {
            sizes: vec![1],
            extra: vec![],
        };
        let f = fit_blocks(
            &b,
            &s,
            FitOptions {
                reml: true,
                max_iter: 100,
                satterthwaite: true,
            },
        )
        .unwrap();
        assert!(f.converged);
        assert!(f.deviance <= profiled_deviance(&b, &s, &[1.0], true));
        // random-intercept model with balanced data: slope df = n - m - 1
        assert!((f.df[1] - 8.0).abs() < 1e-3, "{:?}", f.df);
        // merge of two partitions reproduces the blocks
        let b1 = Blocks::from_rows(&x[..16], &z[..8], &y[..8], &g[..8], 2, 1, 2).unwrap();
        let g2: Vec<usize> = g[8..].iter().map(|v| v - 2).collect();
        let b2 = Blocks::from_rows(&x[16..], &z[8..], &y[8..], &g2, 2, 1, 1).unwrap();
        let mb = Blocks::merge(&[b1, b2]).unwrap();
        for (a, c) in mb.xtx.iter().zip(&b.xtx) {
            assert!((a - c).abs() < 1e-12);
        }
        assert_eq!(mb.ztz, b.ztz);
    }
}
