//! Paired / one-sample t-test (R `t.test(paired = TRUE)`, scipy `ttest_rel`).

use rayon::prelude::*;

use super::{each_endpoint, finite_mean_sd, general, mean_sd, Endpoint, NanRow, Pairs, CHUNK};
use crate::common::tdist::TTails;
use crate::common::{alternative::check_conf_level, dist, Alternative, NanPolicy};
use crate::error::{Result, StatsError};

#[derive(Debug, Clone, Copy)]
pub struct TtestOptions {
    pub alternative: Alternative,
    pub conf_level: f64,
    /// Null value of the mean difference.
    pub popmean: f64,
    pub nan_policy: NanPolicy,
    /// 1-D form: degenerate data is an error rather than a NaN row.
    pub strict: bool,
    /// Also compute the means of x and y over the pairs used (else NaN).
    pub means: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TtestOutput {
    pub statistic: f64,
    pub pvalue: f64,
    pub df: f64,
    pub n: f64,
    pub mean_diff: f64,
    pub sd_diff: f64,
    pub se: f64,
    /// (mean_diff - popmean) / sd_diff: the effect against the null.
    pub cohen_dz: f64,
    /// mean_diff / sd_diff: the standardized response mean.
    pub srm: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Means of x and y over the pairs used.
    pub mean_x: f64,
    pub mean_y: f64,
}

impl NanRow for TtestOutput {
    fn nan_row() -> Self {
        let n = f64::NAN;
        TtestOutput {
            statistic: n, pvalue: n, df: n, n, mean_diff: n, sd_diff: n, se: n,
            cohen_dz: n, srm: n, ci_low: n, ci_high: n, mean_x: n, mean_y: n,
        }
    }
}

/// The t quantile an interval needs: `(1 + conf) / 2` two-sided, `conf` one-sided.
fn t_quantile(df: f64, alternative: Alternative, conf_level: f64) -> Result<f64> {
    match alternative {
        Alternative::TwoSided => dist::t_ppf(1.0 - (1.0 - conf_level) / 2.0, df),
        _ => dist::t_ppf(conf_level, df),
    }
}

fn interval_from(mean: f64, se: f64, q: f64, alternative: Alternative) -> (f64, f64) {
    match alternative {
        Alternative::TwoSided => (mean - q * se, mean + q * se),
        Alternative::Less => (f64::NEG_INFINITY, mean + q * se),
        Alternative::Greater => (mean - q * se, f64::INFINITY),
    }
}

/// Confidence interval for a mean with standard error `se` on `df` degrees of
/// freedom (one-sided alternatives give a half-infinite interval, as R).
pub fn t_interval(mean: f64, se: f64, df: f64, alternative: Alternative, conf_level: f64) -> Result<(f64, f64)> {
    check_conf_level(conf_level)?;
    if df.is_nan() || df <= 0.0 || !se.is_finite() {
        return Ok((f64::NAN, f64::NAN));
    }
    Ok(interval_from(mean, se, t_quantile(df, alternative, conf_level)?, alternative))
}

/// p-value of `t` on `df` degrees of freedom (statrs' method, organised so
/// that a batch on one df gives the same bits: `common::tdist`).
fn t_pvalue(t: f64, df: f64, alternative: Alternative) -> Result<f64> {
    crate::common::tdist::pvalue(t, df, alternative)
}

/// The t-test on one endpoint's differences; `q_cache = (df, quantile)` saves
/// the quantile (an iterative inversion) when many endpoints share one df.
pub fn ttest_one(ep: &Endpoint<'_>, o: &TtestOptions, q_cache: Option<(f64, f64)>) -> Result<TtestOutput> {
    let d = ep.d;
    let n = d.len();
    if n < 2 {
        return Err(StatsError::too_few("x", n, 2));
    }
    let (mean, sd) = mean_sd(d);
    let mut r = from_stats(n, mean, sd, o, q_cache)?;
    r.pvalue = if r.statistic.is_nan() { f64::NAN } else { t_pvalue(r.statistic, r.df, o.alternative)? };
    if o.means {
        (r.mean_x, r.mean_y) = ep.means();
    }
    Ok(r)
}

/// Everything but the p-value (NaN) and the means of x and y (NaN), from n >= 2,
/// the mean and the sd of the differences.
fn from_stats(n: usize, mean: f64, sd: f64, o: &TtestOptions, q_cache: Option<(f64, f64)>) -> Result<TtestOutput> {
    let df = (n - 1) as f64;
    let se = sd / (n as f64).sqrt();
    let t = (mean - o.popmean) / se;
    let (ci_low, ci_high) = if se > 0.0 && se.is_finite() {
        let q = match q_cache {
            Some((cdf, q)) if cdf == df => q,
            _ => t_quantile(df, o.alternative, o.conf_level)?,
        };
        interval_from(mean, se, q, o.alternative)
    } else {
        (mean, mean)
    };
    Ok(TtestOutput {
        statistic: t,
        pvalue: f64::NAN,
        df,
        n: n as f64,
        mean_diff: mean,
        sd_diff: sd,
        se,
        cohen_dz: (mean - o.popmean) / sd,
        srm: mean / sd,
        ci_low,
        ci_high,
        mean_x: f64::NAN,
        mean_y: f64::NAN,
    })
}

/// Every endpoint of `p` (rows), in parallel.
pub fn ttest(p: &Pairs<'_>, o: &TtestOptions) -> Result<Vec<TtestOutput>> {
    check_conf_level(o.conf_level)?;
    if !o.popmean.is_finite() {
        return Err(StatsError::argument("popmean", format!("{} is not a finite number", o.popmean)));
    }
    let full_df = p.len() as f64 - 1.0;
    let q_cache = if p.endpoints() > 1 && full_df > 0.0 { Some((full_df, t_quantile(full_df, o.alternative, o.conf_level)?)) } else { None };
    let one = |_: usize, ep: &Endpoint<'_>| ttest_one(ep, o, q_cache);
    let tails = if full_df > 0.0 { TTails::new(full_df) } else { None };
    let tails = match tails {
        Some(t) if p.endpoints() > 1 => t,
        _ => return each_endpoint(p, o.nan_policy, o.strict, one),
    };
    // matrix mode: endpoints with every value finite go through one fused pass
    // (differences, mean, sd) and get their p-values in batches on the shared
    // df; the others take the general path (NaN policy, errors)
    let n = p.len();
    let mut out = vec![TtestOutput::nan_row(); p.endpoints()];
    let res: Vec<Result<()>> = out
        .par_chunks_mut(CHUNK)
        .enumerate()
        .map_init(
            || (Vec::with_capacity(n), Vec::with_capacity(CHUNK), Vec::with_capacity(CHUNK)),
            |(buf, idx, ts), (c, chunk)| -> Result<()> {
                idx.clear();
                ts.clear();
                for (j, slot) in chunk.iter_mut().enumerate() {
                    let e = c * CHUNK + j;
                    match finite_mean_sd(p, e, buf) {
                        Some((mean, sd)) => {
                            *slot = from_stats(n, mean, sd, o, q_cache)?;
                            if o.means {
                                let ep = Endpoint { d: buf, x: p.x.row(e), y: p.y.as_ref().map(|y| y.row(e)) };
                                (slot.mean_x, slot.mean_y) = ep.means();
                            }
                            if !slot.statistic.is_nan() {
                                idx.push(j);
                                ts.push(slot.statistic);
                            }
                        }
                        None => *slot = general(p, e, o.nan_policy, o.strict, buf, &one)?,
                    }
                }
                let mut pv = [0.0; CHUNK];
                tails.pvalues(ts, o.alternative, &mut pv[..ts.len()])?;
                for (&j, &v) in idx.iter().zip(&pv) {
                    chunk[j].pvalue = v;
                }
                Ok(())
            },
        )
        .collect();
    res.into_iter().collect::<Result<Vec<()>>>()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn opts() -> TtestOptions {
        TtestOptions { alternative: Alternative::TwoSided, conf_level: 0.95, popmean: 0.0, nan_policy: NanPolicy::Propagate, strict: true, means: true }
    }

    #[test]
    fn hand_solved_paired_t() {
        // d = 1, 2, 3: mean 2, sd 1, se 1/sqrt(3), t = 2 sqrt(3), df 2
        let x = array![[0.0, 0.0, 0.0]];
        let y = array![[1.0, 2.0, 3.0]];
        let p = Pairs::new(x.view(), Some(y.view())).unwrap();
        let r = ttest(&p, &opts()).unwrap()[0];
        assert!((r.statistic - 2.0 * 3f64.sqrt()).abs() < 1e-12);
        assert_eq!(r.df, 2.0);
        // 2 * pt(-3.4641016, 2) = 0.07417990022744858 (R)
        assert!((r.pvalue - 0.07417990022744858).abs() < 1e-12);
        assert_eq!((r.mean_x, r.mean_y), (0.0, 2.0));
        assert!((r.cohen_dz - 2.0).abs() < 1e-15);
        // the interval contains the mean symmetrically
        assert!(((r.ci_low + r.ci_high) / 2.0 - 2.0).abs() < 1e-12);
    }

    #[test]
    fn swapping_x_and_y_flips_the_sign() {
        let x = array![[1.0, 4.0, 2.0, 8.0]];
        let y = array![[2.0, 3.0, 5.0, 9.0]];
        let a = ttest(&Pairs::new(x.view(), Some(y.view())).unwrap(), &opts()).unwrap()[0];
        let b = ttest(&Pairs::new(y.view(), Some(x.view())).unwrap(), &opts()).unwrap()[0];
        assert!((a.statistic + b.statistic).abs() < 1e-14);
        assert!((a.pvalue - b.pvalue).abs() < 1e-14);
    }

    #[test]
    fn one_pair_is_too_few_and_constant_differences_give_nan() {
        let x = array![[1.0]];
        assert!(ttest(&Pairs::new(x.view(), None).unwrap(), &opts()).is_err());
        let z = array![[0.0, 0.0, 0.0]];
        let r = ttest(&Pairs::new(z.view(), None).unwrap(), &opts()).unwrap()[0];
        assert!(r.statistic.is_nan() && r.pvalue.is_nan());
        let mut o = opts();
        o.conf_level = 1.0;
        assert!(ttest(&Pairs::new(z.view(), None).unwrap(), &o).is_err());
    }
}
