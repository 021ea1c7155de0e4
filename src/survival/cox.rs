//! Cox proportional hazards model by Newton–Raphson on the partial
//! likelihood, as R `coxph` (`coxfit6`): start at β = 0, Efron or Breslow
//! handling of tied event times, optional strata (separate baseline hazards,
//! summed likelihoods), step halving when the log-likelihood falls,
//! convergence when |1 − ℓ_old/ℓ_new| ≤ eps (1e-9) after a full step, at most
//! 20 iterations. Newton–Raphson is affine invariant, so centring the
//! covariates (done here, for numerical range) does not change the iterates.
//!
//! After the fit, R's infinite-coefficient check is applied: a coefficient is
//! flagged when one more Newton step would still move it by more than eps and
//! by more than sqrt(eps)·|β| (perfect separation). Harrell's concordance is
//! computed as R's `concordance()` on the linear predictor: pairs compare an
//! event with anyone still at risk later (or censored at the same time) within
//! a stratum; ties in the predictor count one half; tied event times are not
//! comparable.

use ndarray::ArrayView2;
use rayon::prelude::*;

use super::cox_newton::{add_event_time, output, symmetrise, Fit, Newton};
use super::{check_codes, check_events, check_lengths, check_times, split_by};
use crate::common::Choice;
use crate::error::{Result, StatsError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ties {
    Efron,
    Breslow,
}

impl Choice for Ties {
    const ARG: &'static str = "ties";
    const VALUES: &'static [(&'static str, Self)] =
        &[("efron", Ties::Efron), ("breslow", Ties::Breslow)];
}

#[derive(Debug, Clone, Copy)]
pub struct CoxOptions {
    pub ties: Ties,
    pub max_iter: usize,
    pub eps: f64,
    pub toler_chol: f64,
    /// Level of the hazard-ratio limits.
    pub conf_level: f64,
}

impl Default for CoxOptions {
    fn default() -> Self {
        CoxOptions {
            ties: Ties::Efron,
            max_iter: 20,
            eps: 1e-9,
            toler_chol: f64::EPSILON.powf(0.75),
            conf_level: 0.95,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CoxOutput {
    pub coef: Vec<f64>,
    /// p×p covariance of the coefficients, row-major.
    pub var: Vec<f64>,
    pub loglik_null: f64,
    pub loglik: f64,
    pub score_test: f64,
    pub wald_test: f64,
    pub iterations: usize,
    pub converged: bool,
    /// Coefficients that look infinite (R's check; perfect separation).
    pub infinite: Vec<bool>,
    pub concordance: f64,
    pub n_event: usize,
    /// Per coefficient: standard error, Wald z, two-sided p, hazard-ratio limits.
    pub se: Vec<f64>,
    pub z: Vec<f64>,
    pub p: Vec<f64>,
    pub hr_low: Vec<f64>,
    pub hr_high: Vec<f64>,
    /// 2 (ℓ − ℓ₀) and the p-values of the three global tests (chi-squared, p df).
    pub lr_test: f64,
    pub lr_p: f64,
    pub wald_p: f64,
    pub score_p: f64,
}

/// One stratum's rows in time-descending order, covariates centred.
struct Stratum {
    time: Vec<f64>,
    event: Vec<u8>,
    x: Vec<f64>, // n × p row-major
}

fn stratum_fit(s: &Stratum, beta: &[f64], p: usize, ties: Ties) -> Fit {
    let n = s.time.len();
    let mut f = Fit::zero(p);
    let mut denom = 0.0;
    let mut a = vec![0.0; p];
    let mut cm = vec![0.0; p * p];
    let mut a2 = vec![0.0; p];
    let mut cm2 = vec![0.0; p * p];
    let mut abar = vec![0.0; p];
    let mut i = 0;
    while i < n {
        let t = s.time[i];
        let mut m = 0.0;
        let mut denom2 = 0.0;
        a2.iter_mut().for_each(|v| *v = 0.0);
        cm2.iter_mut().for_each(|v| *v = 0.0);
        while i < n && s.time[i] == t {
            let xi = &s.x[i * p..(i + 1) * p];
            let eta: f64 = xi.iter().zip(beta).map(|(x, b)| x * b).sum();
            let w = eta.exp();
            denom += w;
            for j in 0..p {
                a[j] += w * xi[j];
                for k in 0..=j {
                    cm[j * p + k] += w * xi[j] * xi[k];
                }
            }
            if s.event[i] == 1 {
                m += 1.0;
                denom2 += w;
                f.loglik += eta;
                for j in 0..p {
                    f.u[j] += xi[j];
                    a2[j] += w * xi[j];
                    for k in 0..=j {
                        cm2[j * p + k] += w * xi[j] * xi[k];
                    }
                }
            }
            i += 1;
        }
        if m == 0.0 {
            continue;
        }
        add_event_time(
            &mut f, p, ties, denom, &a, &cm, m, denom2, &a2, &cm2, &mut abar,
        );
    }
    f
}

fn full_fit(strata: &[Stratum], beta: &[f64], p: usize, ties: Ties) -> Fit {
    let parts: Vec<Fit> = strata
        .par_iter()
        .map(|s| stratum_fit(s, beta, p, ties))
        .collect();
    let mut f = Fit::zero(p);
    for q in parts {
        f.loglik += q.loglik;
        for j in 0..p {
            f.u[j] += q.u[j];
        }
        for j in 0..p * p {
            f.imat[j] += q.imat[j];
        }
    }
    symmetrise(&mut f, p);
    f
}

/// Fenwick tree over ranks, counting.
struct Fenwick(Vec<f64>);
impl Fenwick {
    fn add(&mut self, mut i: usize) {
        i += 1;
        while i < self.0.len() {
            self.0[i] += 1.0;
            i += i & i.wrapping_neg();
        }
    }
    /// Count of ranks < i.
    fn below(&self, mut i: usize) -> f64 {
        let mut s = 0.0;
        while i > 0 {
            s += self.0[i];
            i -= i & i.wrapping_neg();
        }
        s
    }
}

/// (concordant + tied/2, concordant + discordant + tied) for one stratum.
fn concordance_counts(s: &Stratum, lp: &[f64]) -> (f64, f64) {
    let n = s.time.len();
    let mut sorted: Vec<f64> = lp.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    sorted.dedup();
    let rank = |v: f64| sorted.partition_point(|&x| x < v);
    let mut tree = Fenwick(vec![0.0; sorted.len() + 1]);
    let mut in_tree = 0.0;
    let (mut num, mut den) = (0.0, 0.0);
    // rows are in time-descending order
    let mut i = 0;
    while i < n {
        let t = s.time[i];
        let mut j = i;
        while j < n && s.time[j] == t {
            j += 1;
        }
        for r in i..j {
            if s.event[r] == 0 {
                tree.add(rank(lp[r]));
                in_tree += 1.0;
            }
        }
        for r in i..j {
            if s.event[r] == 1 {
                let k = rank(lp[r]);
                let below = tree.below(k);
                let below_eq = tree.below(k + 1);
                let tied = below_eq - below;
                let above = in_tree - below_eq;
                num += below + tied / 2.0;
                den += below + above + tied;
            }
        }
        for r in i..j {
            if s.event[r] == 1 {
                tree.add(rank(lp[r]));
                in_tree += 1.0;
            }
        }
        i = j;
    }
    (num, den)
}

/// Fit the model. `x` is n × p (rows = subjects).
pub fn coxph(
    time: &[f64],
    event: &[f64],
    x: ArrayView2<'_, f64>,
    strata: Option<&[f64]>,
    opts: CoxOptions,
) -> Result<CoxOutput> {
    let (n, p) = x.dim();
    match strata {
        Some(s) => check_lengths(&[
            ("duration", time.len()),
            ("event", event.len()),
            ("covariates", n),
            ("strata", s.len()),
        ])?,
        None => check_lengths(&[
            ("duration", time.len()),
            ("event", event.len()),
            ("covariates", n),
        ])?,
    };
    if p == 0 {
        return Err(StatsError::argument(
            "covariates",
            "at least one covariate is needed",
        ));
    }
    check_times(time, "duration")?;
    let ev = check_events(event, "event")?;
    for ((r, c), &v) in x.indexed_iter() {
        if !v.is_finite() {
            let reason = if v.is_nan() {
                "missing value"
            } else {
                "not finite"
            };
            return Err(StatsError::invalid_at(
                "covariates",
                r,
                c,
                v,
                reason,
                "covariates must be finite numbers",
            ));
        }
    }
    let n_event = ev.iter().filter(|&&e| e == 1).count();
    if n_event == 0 {
        return Err(StatsError::argument(
            "event",
            "no events; a Cox model needs at least one",
        ));
    }
    let means: Vec<f64> = (0..p).map(|j| x.column(j).sum() / n as f64).collect();
    let groups: Vec<Vec<usize>> = match strata {
        None => vec![(0..n).collect()],
        Some(s) => {
            let (sc, smax) = check_codes(s, "strata", "strata codes must be integers >= 0")?;
            split_by(&sc, smax as usize + 1)
                .into_iter()
                .filter(|g| !g.is_empty())
                .collect()
        }
    };
    let strata_data: Vec<Stratum> = groups
        .into_par_iter()
        .map(|mut rows| {
            rows.sort_unstable_by(|&a, &b| time[b].total_cmp(&time[a]));
            let mut xs = Vec::with_capacity(rows.len() * p);
            for &r in &rows {
                for j in 0..p {
                    xs.push(x[[r, j]] - means[j]);
                }
            }
            Stratum {
                time: rows.iter().map(|&r| time[r]).collect(),
                event: rows.iter().map(|&r| ev[r]).collect(),
                x: xs,
            }
        })
        .collect();

    // Newton–Raphson as coxfit6 (the stepper shared with the Dask fit)
    let mut newton = Newton::new(p, opts)?;
    while let Some(b) = newton.point() {
        let f = full_fit(&strata_data, b, p, opts.ties);
        newton.observe(f)?;
    }
    let core = newton.finish()?;
    let beta = core.beta.clone();
    let counts: Vec<(f64, f64)> = strata_data
        .par_iter()
        .map(|s| {
            let lp: Vec<f64> = (0..s.time.len())
                .map(|r| {
                    s.x[r * p..(r + 1) * p]
                        .iter()
                        .zip(&beta)
                        .map(|(x, b)| x * b)
                        .sum()
                })
                .collect();
            concordance_counts(s, &lp)
        })
        .collect();
    let (num, den) = counts
        .iter()
        .fold((0.0, 0.0), |acc, c| (acc.0 + c.0, acc.1 + c.1));
    let concordance = if den > 0.0 { num / den } else { f64::NAN };
    output(core, concordance, n_event, opts.conf_level)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn two_subjects_closed_form() {
        // Breslow, no ties, all events:
        // x = (1, 0, 1), t = (1, 2, 3), events all. Score at 0: (1 − 2/3) + (0 − 1/2) + 0 = −1/6
        let x = Array2::from_shape_vec((3, 1), vec![1.0, 0.0, 1.0]).unwrap();
        let o = coxph(
            &[1.0, 2.0, 3.0],
            &[1.0, 1.0, 1.0],
            x.view(),
            None,
            CoxOptions {
                ties: Ties::Breslow,
                ..Default::default()
            },
        )
        .unwrap();
        // information at 0: 2/9 + 1/4 = 17/36; score test = (1/36) / (17/36) = 1/17
        assert!((o.score_test - 1.0 / 17.0).abs() < 1e-12);
        assert!(o.converged);
        // at the optimum the score is zero: 1 − 2e^b/(1+2e^b) − e^b/(1+e^b) = 0
        let e = o.coef[0].exp();
        assert!((1.0 - 2.0 * e / (1.0 + 2.0 * e) - e / (1.0 + e)).abs() < 1e-8);
    }

    #[test]
    fn efron_equals_breslow_without_ties() {
        let x = Array2::from_shape_vec((5, 1), vec![0.5, -1.0, 2.0, 0.0, 1.0]).unwrap();
        let t = [5.0, 3.0, 1.0, 4.0, 2.0];
        let e = [1.0, 0.0, 1.0, 1.0, 1.0];
        let a = coxph(
            &t,
            &e,
            x.view(),
            None,
            CoxOptions {
                ties: Ties::Breslow,
                ..Default::default()
            },
        )
        .unwrap();
        let b = coxph(&t, &e, x.view(), None, CoxOptions::default()).unwrap();
        assert!((a.coef[0] - b.coef[0]).abs() < 1e-12);
        assert!((a.loglik - b.loglik).abs() < 1e-12);
    }

    #[test]
    fn concordance_of_perfect_ordering_is_one() {
        let s = Stratum {
            time: vec![4.0, 3.0, 2.0, 1.0],
            event: vec![1, 1, 1, 1],
            x: vec![],
        };
        let (num, den) = concordance_counts(&s, &[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(den, 6.0);
        assert_eq!(num, 6.0);
        let (num, den) = concordance_counts(&s, &[1.0, 1.0, 1.0, 1.0]);
        assert_eq!((num, den), (3.0, 6.0));
    }

    #[test]
    fn collinear_covariates_are_singular_and_separation_is_flagged() {
        let x =
            Array2::from_shape_vec((4, 2), vec![1.0, 2.0, 2.0, 4.0, 3.0, 6.0, 4.0, 8.0]).unwrap();
        let e = coxph(
            &[1.0, 2.0, 3.0, 4.0],
            &[1.0, 1.0, 1.0, 1.0],
            x.view(),
            None,
            CoxOptions::default(),
        );
        assert!(matches!(e, Err(StatsError::Singular { .. })));
        // x = 1 always fails first: coefficient runs off to infinity
        let x = Array2::from_shape_vec((6, 1), vec![1.0, 1.0, 1.0, 0.0, 0.0, 0.0]).unwrap();
        let o = coxph(
            &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            &[1.0, 1.0, 1.0, 1.0, 1.0, 0.0],
            x.view(),
            None,
            CoxOptions::default(),
        )
        .unwrap();
        assert!(o.infinite[0] || !o.converged);
    }
}
