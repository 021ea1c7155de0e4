//! The Cox model's Newton–Raphson iteration (as R's `coxfit6`) as a stepper
//! that does not own the data: [`Newton::point`] names the β at which the
//! partial likelihood must be evaluated next, [`Newton::observe`] takes its
//! log-likelihood, score and information there. The in-memory fit evaluates
//! on its rows; the Dask fit evaluates on per-time sums merged from the
//! partitions ([`super::cox_partial`]). Both run exactly this iteration, and
//! [`Newton::finish`] + [`output`] turn the last evaluation into the result.

use super::cox::{CoxOptions, CoxOutput, Ties};
use super::z_value;
use crate::common::dist::{chi2_sf, norm_sf};
use crate::common::linalg::{chol_inverse, chol_solve, cholesky};
use crate::error::{Result, StatsError};

/// Log partial likelihood, score and information (lower triangle filled,
/// symmetrised by the evaluator) at one β.
#[derive(Debug, Clone)]
pub struct Fit {
    pub loglik: f64,
    pub u: Vec<f64>,
    pub imat: Vec<f64>,
}

impl Fit {
    pub fn zero(p: usize) -> Fit {
        Fit {
            loglik: 0.0,
            u: vec![0.0; p],
            imat: vec![0.0; p * p],
        }
    }
}

/// Add the contribution of one distinct event time to `f`: `denom`, `a`,
/// `cm` are the risk-set sums of w, w·x, w·xxᵀ (lower triangle), `m` the
/// number of events and `denom2`, `a2`, `cm2` the same sums over the events
/// (Efron: the risk set is thinned by r/m of the events for the r-th event;
/// Breslow: counted m times with the whole risk set). `abar`: scratch of length p.
#[allow(clippy::too_many_arguments)]
pub fn add_event_time(
    f: &mut Fit,
    p: usize,
    ties: Ties,
    denom: f64,
    a: &[f64],
    cm: &[f64],
    m: f64,
    denom2: f64,
    a2: &[f64],
    cm2: &[f64],
    abar: &mut [f64],
) {
    let reps = match ties {
        Ties::Breslow => 1,
        Ties::Efron => m as usize,
    };
    let mult = match ties {
        Ties::Breslow => m,
        Ties::Efron => 1.0,
    };
    for r in 0..reps {
        let frac = match ties {
            Ties::Breslow => 0.0,
            Ties::Efron => r as f64 / m,
        };
        let d = denom - frac * denom2;
        f.loglik -= mult * d.ln();
        for j in 0..p {
            abar[j] = (a[j] - frac * a2[j]) / d;
            f.u[j] -= mult * abar[j];
        }
        for j in 0..p {
            for k in 0..=j {
                f.imat[j * p + k] +=
                    mult * ((cm[j * p + k] - frac * cm2[j * p + k]) / d - abar[j] * abar[k]);
            }
        }
    }
}

/// Copy the lower triangle of the information onto the upper one.
pub fn symmetrise(f: &mut Fit, p: usize) {
    for j in 0..p {
        for k in 0..j {
            f.imat[k * p + j] = f.imat[j * p + k];
        }
    }
}

pub fn singular() -> StatsError {
    StatsError::Singular {
        what: "the information matrix (covariates collinear or constant within strata)".into(),
    }
}

/// The iteration's state (start at β = 0).
#[derive(Debug, Clone)]
pub struct Newton {
    p: usize,
    opts: CoxOptions,
    beta: Vec<f64>,
    newbeta: Vec<f64>,
    loglik: f64,
    loglik_null: f64,
    score_test: f64,
    halving: bool,
    converged: bool,
    iterations: usize,
    started: bool,
    done: bool,
    last: Option<Fit>,
}

/// The converged iteration: β, its covariance and the quantities of the tests.
#[derive(Debug, Clone)]
pub struct NewtonOut {
    pub beta: Vec<f64>,
    pub var: Vec<f64>,
    pub loglik_null: f64,
    pub loglik: f64,
    pub score_test: f64,
    pub wald_test: f64,
    pub infinite: Vec<bool>,
    pub iterations: usize,
    pub converged: bool,
}

/// The largest `max_iter` accepted. Newton–Raphson on the Cox partial
/// likelihood converges in a handful of iterations (R's default `iter.max`
/// is 20) or runs off to an infinite coefficient; a larger cap only spends
/// time (issue 19: `max_iter=1e9` on a fit that never settles was a hang).
pub const MAX_ITER: usize = 1000;

impl Newton {
    /// The stepper for `p` coefficients; `opts.max_iter` above [`MAX_ITER`] is refused.
    pub fn new(p: usize, opts: CoxOptions) -> Result<Newton> {
        if opts.max_iter > MAX_ITER {
            return Err(StatsError::argument(
                "max_iter",
                format!(
                    "{} is more than {MAX_ITER}; Newton-Raphson on the Cox partial likelihood converges in well under 100 iterations or not at all",
                    opts.max_iter
                ),
            ));
        }
        Ok(Newton {
            p,
            opts,
            beta: vec![0.0; p],
            newbeta: vec![0.0; p],
            loglik: 0.0,
            loglik_null: 0.0,
            score_test: 0.0,
            halving: false,
            converged: false,
            iterations: 0,
            started: false,
            done: false,
            last: None,
        })
    }

    /// The β to evaluate next, `None` when the iteration is over.
    pub fn point(&self) -> Option<&[f64]> {
        if self.done {
            None
        } else if !self.started {
            Some(&self.beta)
        } else {
            Some(&self.newbeta)
        }
    }

    /// The evaluation at [`Newton::point`].
    pub fn observe(&mut self, f: Fit) -> Result<()> {
        let p = self.p;
        if self.done {
            return Err(StatsError::argument(
                "fit",
                "internal error: the iteration is over",
            ));
        }
        if f.u.len() != p || f.imat.len() != p * p {
            return Err(StatsError::argument(
                "fit",
                "internal error: score/information of the wrong size",
            ));
        }
        if !self.started {
            self.started = true;
            self.loglik_null = f.loglik;
            let l0 = cholesky(&f.imat, p, self.opts.toler_chol).ok_or_else(singular)?;
            let step0 = chol_solve(&l0, &f.u, p);
            self.score_test = step0.iter().zip(&f.u).map(|(a, b)| a * b).sum();
            self.loglik = self.loglik_null;
            self.newbeta = self.beta.iter().zip(&step0).map(|(b, s)| b + s).collect();
            self.last = Some(f);
            self.done = self.opts.max_iter == 0;
            return Ok(());
        }
        crate::common::cancel::check()?;
        let iter = self.iterations + 1;
        self.iterations = iter;
        let finite = f.loglik.is_finite();
        if finite && !self.halving && (1.0 - self.loglik / f.loglik).abs() <= self.opts.eps {
            self.beta = self.newbeta.clone();
            self.loglik = f.loglik;
            self.last = Some(f);
            self.converged = true;
            self.done = true;
            return Ok(());
        }
        if iter == self.opts.max_iter {
            self.beta = self.newbeta.clone();
            self.loglik = f.loglik;
            self.last = Some(f);
            self.done = true;
            return Ok(());
        }
        if !finite || f.loglik < self.loglik {
            self.halving = true;
            for j in 0..p {
                self.newbeta[j] = (self.newbeta[j] + self.beta[j]) / 2.0;
            }
            if self.newbeta == self.beta {
                // halved back onto the accepted beta: no step can improve the
                // fit, so stop (not converged) instead of repeating the cycle
                self.done = true;
            }
        } else {
            self.halving = false;
            self.loglik = f.loglik;
            let l = cholesky(&f.imat, p, self.opts.toler_chol).ok_or_else(singular)?;
            let step = chol_solve(&l, &f.u, p);
            self.beta = self.newbeta.clone();
            for j in 0..p {
                self.newbeta[j] += step[j];
            }
            self.last = Some(f);
        }
        Ok(())
    }

    /// Covariance, separation check and Wald statistic from the last evaluation.
    pub fn finish(&self) -> Result<NewtonOut> {
        let p = self.p;
        let last = match (&self.last, self.done) {
            (Some(l), true) => l,
            _ => {
                return Err(StatsError::argument(
                    "fit",
                    "internal error: the iteration is not over",
                ))
            }
        };
        let beta = self.beta.clone();
        let l = cholesky(&last.imat, p, self.opts.toler_chol).ok_or_else(singular)?;
        let var = chol_inverse(&l, p);
        if beta.iter().any(|b| !b.is_finite()) || var.iter().any(|v| !v.is_finite()) {
            return Err(StatsError::NotConverged {
                what: "Cox model (numeric overflow; perfect separation?)".into(),
                iterations: self.iterations,
            });
        }
        let (eps, converged) = (self.opts.eps, self.converged);
        let infinite: Vec<bool> = (0..p)
            .map(|j| {
                let d: f64 = (0..p)
                    .map(|k| last.u[k] * var[k * p + j])
                    .sum::<f64>()
                    .abs();
                converged && self.opts.max_iter > 1 && d > eps && d > eps.sqrt() * beta[j].abs()
            })
            .collect();
        // Wald: b' V^{-1} b = b' I b
        let wald_test: f64 = (0..p)
            .map(|j| {
                (0..p)
                    .map(|k| beta[j] * last.imat[j * p + k] * beta[k])
                    .sum::<f64>()
            })
            .sum();
        Ok(NewtonOut {
            beta,
            var,
            loglik_null: self.loglik_null,
            loglik: self.loglik,
            score_test: self.score_test,
            wald_test,
            infinite,
            iterations: self.iterations,
            converged,
        })
    }
}

/// The reported model: standard errors, Wald z and p, hazard-ratio limits, global tests.
pub fn output(
    o: NewtonOut,
    concordance: f64,
    n_event: usize,
    conf_level: f64,
) -> Result<CoxOutput> {
    let p = o.beta.len();
    let zq = z_value(conf_level)?;
    let se: Vec<f64> = (0..p).map(|j| o.var[j * p + j].sqrt()).collect();
    let z: Vec<f64> = o.beta.iter().zip(&se).map(|(b, s)| b / s).collect();
    let pv: Vec<f64> = z.iter().map(|z| 2.0 * norm_sf(z.abs())).collect();
    let hr_low = o
        .beta
        .iter()
        .zip(&se)
        .map(|(b, s)| (b - zq * s).exp())
        .collect();
    let hr_high = o
        .beta
        .iter()
        .zip(&se)
        .map(|(b, s)| (b + zq * s).exp())
        .collect();
    let df = p as f64;
    let lr_test = 2.0 * (o.loglik - o.loglik_null);
    Ok(CoxOutput {
        lr_p: chi2_sf(lr_test.max(0.0), df)?,
        wald_p: chi2_sf(o.wald_test.max(0.0), df)?,
        score_p: chi2_sf(o.score_test.max(0.0), df)?,
        lr_test,
        coef: o.beta,
        var: o.var,
        loglik_null: o.loglik_null,
        loglik: o.loglik,
        score_test: o.score_test,
        wald_test: o.wald_test,
        iterations: o.iterations,
        converged: o.converged,
        infinite: o.infinite,
        concordance,
        n_event,
        se,
        z,
        p: pv,
        hr_low,
        hr_high,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fit(loglik: f64) -> Fit {
        Fit {
            loglik,
            u: vec![1.0],
            imat: vec![1.0],
        }
    }

    #[test]
    fn max_iter_above_the_cap_is_refused() {
        let opts = |max_iter| CoxOptions {
            max_iter,
            ..Default::default()
        };
        assert!(Newton::new(1, opts(MAX_ITER)).is_ok());
        let e = Newton::new(1, opts(1_000_000_000)).unwrap_err();
        assert!(e.to_string().contains("max_iter"), "{e}");
    }

    #[test]
    fn halving_back_onto_the_accepted_beta_stops() {
        // accept beta = 1 (next 2), then every point is non-finite: the halving
        // reaches beta = 1 itself after ~53 steps and the iteration ends there
        // (before: accept again, step, halve ... until max_iter)
        let mut nt = Newton::new(
            1,
            CoxOptions {
                max_iter: MAX_ITER,
                ..Default::default()
            },
        )
        .unwrap();
        nt.observe(fit(-10.0)).unwrap();
        nt.observe(fit(-5.0)).unwrap();
        let mut evals = 0;
        while nt.point().is_some() {
            nt.observe(fit(f64::NAN)).unwrap();
            evals += 1;
            assert!(evals < 100, "no stop after {evals} halvings");
        }
        let out = nt.finish().unwrap();
        assert!(!out.converged);
        assert_eq!(out.beta, vec![1.0]);
        assert_eq!(out.loglik, -5.0);
    }
}
