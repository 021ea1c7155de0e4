//! Paired / one-sample t-test (R `t.test(paired = TRUE)`, scipy `ttest_rel`).

use super::{fill_chunked, finite_mean_sd, general, mean_sd, Endpoint, NanRow, Pairs, Sink, CHUNK};
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
            statistic: n,
            pvalue: n,
            df: n,
            n,
            mean_diff: n,
            sd_diff: n,
            se: n,
            cohen_dz: n,
            srm: n,
            ci_low: n,
            ci_high: n,
            mean_x: n,
            mean_y: n,
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
pub fn t_interval(
    mean: f64,
    se: f64,
    df: f64,
    alternative: Alternative,
    conf_level: f64,
) -> Result<(f64, f64)> {
    check_conf_level(conf_level)?;
    if df.is_nan() || df <= 0.0 || !se.is_finite() {
        return Ok((f64::NAN, f64::NAN));
    }
    Ok(interval_from(
        mean,
        se,
        t_quantile(df, alternative, conf_level)?,
        alternative,
    ))
}

/// p-value of `t` on `df` degrees of freedom (statrs' method, organised so
/// that a batch on one df gives the same bits: `common::tdist`).
pub fn t_pvalue(t: f64, df: f64, alternative: Alternative) -> Result<f64> {
    crate::common::tdist::pvalue(t, df, alternative)
}

/// The t-test on one endpoint's differences; `q_cache = (df, quantile)` saves
/// the quantile (an iterative inversion) when many endpoints share one df.
pub fn ttest_one(
    ep: &Endpoint<'_>,
    o: &TtestOptions,
    q_cache: Option<(f64, f64)>,
) -> Result<TtestOutput> {
    let d = ep.d;
    let n = d.len();
    if n < 2 {
        return Err(StatsError::too_few("x", n, 2));
    }
    let (mean, sd) = mean_sd(d);
    let mut r = from_stats(n, mean, sd, o, q_cache)?;
    r.pvalue = if r.statistic.is_nan() {
        f64::NAN
    } else {
        t_pvalue(r.statistic, r.df, o.alternative)?
    };
    if o.means {
        (r.mean_x, r.mean_y) = ep.means();
    }
    Ok(r)
}

/// Everything but the p-value (NaN) and the means of x and y (NaN), from n >= 2,
/// the mean and the sd of the differences.
pub fn from_stats(
    n: usize,
    mean: f64,
    sd: f64,
    o: &TtestOptions,
    q_cache: Option<(f64, f64)>,
) -> Result<TtestOutput> {
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
    let mut out = Vec::new();
    ttest_into(p, o, Sink::Rows(&mut out))?;
    Ok(out)
}

/// The fields of a row in [`TTEST_FIELDS`] order.
pub fn ttest_fields(r: &TtestOutput) -> [f64; 13] {
    [
        r.statistic,
        r.pvalue,
        r.df,
        r.n,
        r.mean_diff,
        r.sd_diff,
        r.se,
        r.cohen_dz,
        r.srm,
        r.ci_low,
        r.ci_high,
        r.mean_x,
        r.mean_y,
    ]
}

/// Field names for [`Sink::Columns`] output.
pub const TTEST_FIELDS: [&str; 13] = [
    "statistic",
    "pvalue",
    "df",
    "n",
    "mean_diff",
    "sd_diff",
    "se",
    "cohen_dz",
    "srm",
    "ci_low",
    "ci_high",
    "mean_x",
    "mean_y",
];

/// As [`ttest`], into a [`Sink`].
pub fn ttest_into(p: &Pairs<'_>, o: &TtestOptions, sink: Sink<'_, TtestOutput, 13>) -> Result<()> {
    check_conf_level(o.conf_level)?;
    if !o.popmean.is_finite() {
        return Err(StatsError::argument(
            "popmean",
            format!("{} is not a finite number", o.popmean),
        ));
    }
    let full_df = p.len() as f64 - 1.0;
    let q_cache = if p.endpoints() > 1 && full_df > 0.0 {
        Some((full_df, t_quantile(full_df, o.alternative, o.conf_level)?))
    } else {
        None
    };
    let one = |_: usize, ep: &Endpoint<'_>| ttest_one(ep, o, q_cache);
    let tails = if full_df > 0.0 && p.endpoints() > 1 {
        TTails::new(full_df)
    } else {
        None
    };
    let n = p.len();
    // endpoints with every value finite go through one fused pass (differences,
    // mean, sd) and get their p-values in batches on the shared df; the others
    // (and the 1-D form) take the general path (NaN policy, errors)
    fill_chunked(
        p.endpoints(),
        p.endpoints() * p.len(),
        sink,
        |first, chunk: &mut [TtestOutput]| -> Result<()> {
            let mut buf = Vec::with_capacity(n);
            let tails = match &tails {
                Some(t) => t,
                None => {
                    for (j, slot) in chunk.iter_mut().enumerate() {
                        *slot = general(p, first + j, o.nan_policy, o.strict, &mut buf, &one)?;
                    }
                    return Ok(());
                }
            };
            let mut idx = [0usize; CHUNK];
            let mut ts = [0.0; CHUNK];
            let mut k = 0;
            for (j, slot) in chunk.iter_mut().enumerate() {
                let e = first + j;
                match finite_mean_sd(p, e, &mut buf) {
                    Some((mean, sd)) => {
                        *slot = from_stats(n, mean, sd, o, q_cache)?;
                        if o.means {
                            let ep = Endpoint {
                                d: &buf,
                                x: p.x.row(e),
                                y: p.y.as_ref().map(|y| y.row(e)),
                            };
                            (slot.mean_x, slot.mean_y) = ep.means();
                        }
                        if !slot.statistic.is_nan() {
                            idx[k] = j;
                            ts[k] = slot.statistic;
                            k += 1;
                        }
                    }
                    None => *slot = general(p, e, o.nan_policy, o.strict, &mut buf, &one)?,
                }
            }
            let mut pv = [0.0; CHUNK];
            tails.pvalues(&ts[..k], o.alternative, &mut pv[..k])?;
            for (&j, &v) in idx[..k].iter().zip(&pv) {
                chunk[j].pvalue = v;
            }
            Ok(())
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn opts() -> TtestOptions {
        TtestOptions {
            alternative: Alternative::TwoSided,
            conf_level: 0.95,
            popmean: 0.0,
            nan_policy: NanPolicy::Propagate,
            strict: true,
            means: true,
        }
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
