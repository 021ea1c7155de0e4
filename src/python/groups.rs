//! Bindings for `rheumstats.groups`.

use numpy::{IntoPyArray, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::convert::{dict, f64_out, slice, view2, Wrap};
use super::run::{run_detached, run_interruptible};
use crate::common::{nan, Alternative, NanPolicy};
use crate::error::StatsError;
use crate::groups::mannwhitney::{self, Method, MwOptions, MwOutput};
use crate::groups::{anova, kruskal, tables, ttest, GroupedSample};

/// Counts of the non-missing values (what a NaN result under 'propagate' still reports).
fn present(x: &[f64]) -> usize {
    x.iter().filter(|v| !v.is_nan()).count()
}

#[pyfunction]
#[pyo3(signature = (x, y, *, equal_var, alternative, conf_level, nan_policy))]
fn groups_ttest<'py>(
    py: Python<'py>,
    x: PyReadonlyArray1<'py, f64>,
    y: PyReadonlyArray1<'py, f64>,
    equal_var: bool,
    alternative: Wrap<Alternative>,
    conf_level: f64,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyDict>> {
    let (xs, ys) = (slice(&x, "x")?, slice(&y, "y")?);
    let r = run_detached(py, || {
        let o = ttest::TtestOptions {
            equal_var,
            alternative: alternative.0,
            conf_level,
            mu: 0.0,
        };
        let policy = nan_policy.0;
        match (nan::sample(xs, "x", policy)?, nan::sample(ys, "y", policy)?) {
            (Some(a), Some(b)) => ttest::ttest(&a, &b, &o).map(Some),
            _ => Ok(None),
        }
    })?;
    Ok(match r {
        Some(r) => dict!(
            py,
            statistic = r.statistic,
            pvalue = r.pvalue,
            df = r.df,
            mean_x = r.mean_x,
            mean_y = r.mean_y,
            mean_diff = r.mean_diff,
            se = r.se,
            ci_low = r.ci_low,
            ci_high = r.ci_high,
            n_x = r.n_x,
            n_y = r.n_y,
        ),
        None => {
            let nan = f64::NAN;
            dict!(
                py,
                statistic = nan,
                pvalue = nan,
                df = nan,
                mean_x = nan,
                mean_y = nan,
                mean_diff = nan,
                se = nan,
                ci_low = nan,
                ci_high = nan,
                n_x = present(xs),
                n_y = present(ys),
            )
        }
    })
}

fn mw_options(
    alternative: Wrap<Alternative>,
    method: Wrap<Method>,
    correction: bool,
    conf_level: f64,
    conf_int: bool,
) -> MwOptions {
    MwOptions {
        alternative: alternative.0,
        method: method.0,
        correction,
        conf_level,
        conf_int,
    }
}

fn mw_dict<'py>(py: Python<'py>, rs: &[MwOutput]) -> PyResult<Bound<'py, PyDict>> {
    let col = |f: fn(&MwOutput) -> f64| f64_out(py, rs.iter().map(f).collect());
    let flag = |f: fn(&MwOutput) -> bool| rs.iter().map(f).collect::<Vec<bool>>().into_pyarray(py);
    Ok(dict!(
        py,
        statistic = col(|r| r.statistic),
        pvalue = col(|r| r.pvalue),
        exact = flag(|r| r.exact),
        estimate = col(|r| r.estimate),
        ci_low = col(|r| r.ci_low),
        ci_high = col(|r| r.ci_high),
        ci_exact = flag(|r| r.ci_exact),
        n_x = col(|r| r.n_x as f64),
        n_y = col(|r| r.n_y as f64),
    ))
}

#[pyfunction]
#[pyo3(signature = (x, y, *, alternative, method, correction, conf_level, conf_int, nan_policy))]
#[allow(clippy::too_many_arguments)]
fn groups_mannwhitney<'py>(
    py: Python<'py>,
    x: PyReadonlyArray1<'py, f64>,
    y: PyReadonlyArray1<'py, f64>,
    alternative: Wrap<Alternative>,
    method: Wrap<Method>,
    correction: bool,
    conf_level: f64,
    conf_int: bool,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyDict>> {
    let (xs, ys) = (slice(&x, "x")?, slice(&y, "y")?);
    let r = run_detached(py, || {
        let o = mw_options(alternative, method, correction, conf_level, conf_int);
        let policy = nan_policy.0;
        match (nan::sample(xs, "x", policy)?, nan::sample(ys, "y", policy)?) {
            (Some(a), Some(b)) => mannwhitney::mannwhitney(&a, &b, &o),
            _ => Ok(MwOutput {
                statistic: f64::NAN,
                pvalue: f64::NAN,
                exact: o.method == Method::Exact,
                estimate: f64::NAN,
                ci_low: f64::NAN,
                ci_high: f64::NAN,
                ci_exact: false,
                n_x: present(xs),
                n_y: present(ys),
            }),
        }
    })?;
    mw_dict(py, &[r])
}

/// Many endpoints: with `by_column` (the user's axis=0) endpoints are the columns
/// of `x` (n_x, endpoints) and `y`; otherwise the rows.
#[pyfunction]
#[pyo3(signature = (x, y, *, alternative, method, correction, conf_level, conf_int, nan_policy, by_column))]
#[allow(clippy::too_many_arguments)]
fn groups_mannwhitney_rows<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    y: PyReadonlyArray2<'py, f64>,
    alternative: Wrap<Alternative>,
    method: Wrap<Method>,
    correction: bool,
    conf_level: f64,
    conf_int: bool,
    nan_policy: Wrap<NanPolicy>,
    by_column: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let (xv, yv) = (view2(&x), view2(&y));
    let r = run_detached(py, || {
        let o = mw_options(alternative, method, correction, conf_level, conf_int);
        mannwhitney::mannwhitney_rows(xv, yv, by_column, &o, nan_policy.0)
    })?;
    mw_dict(py, &r)
}

/// A k-group test on `values` with group `codes` under `nan_policy`: the
/// statistic, its df (numerator and, for F, denominator), p, n and the input
/// codes of the groups that took part (`levels`).
fn k_groups<'py, F>(
    py: Python<'py>,
    values: PyReadonlyArray1<'py, f64>,
    codes: PyReadonlyArray1<'py, f64>,
    nan_policy: Wrap<NanPolicy>,
    test: F,
) -> PyResult<Bound<'py, PyDict>>
where
    F: Fn(&GroupedSample) -> Result<(f64, f64, f64, f64, usize), StatsError> + Send + Sync,
{
    let (v, c) = (slice(&values, "values")?, slice(&codes, "group")?);
    let r = run_detached(py, || match nan::grouped(v, c, nan_policy.0)? {
        Some(g) => Ok((test(&GroupedSample::new(&g.values, &g.codes)?)?, g.levels)),
        None => {
            let nan = f64::NAN;
            let n = (0..v.len())
                .filter(|&i| !v[i].is_nan() && !c[i].is_nan())
                .count();
            Ok(((nan, nan, nan, nan, n), Vec::new()))
        }
    })?;
    let ((statistic, df, df_denom, pvalue, n), levels) = r;
    Ok(dict!(
        py,
        statistic = statistic,
        df = df,
        df_denom = df_denom,
        pvalue = pvalue,
        n = n,
        levels = levels
    ))
}

#[pyfunction]
#[pyo3(signature = (values, group, *, nan_policy))]
fn groups_kruskal<'py>(
    py: Python<'py>,
    values: PyReadonlyArray1<'py, f64>,
    group: PyReadonlyArray1<'py, f64>,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyDict>> {
    k_groups(py, values, group, nan_policy, |s| {
        let r = kruskal::kruskal(s)?;
        Ok((r.statistic, r.df, f64::NAN, r.pvalue, r.n))
    })
}

#[pyfunction]
#[pyo3(signature = (values, group, *, nan_policy))]
fn groups_anova_oneway<'py>(
    py: Python<'py>,
    values: PyReadonlyArray1<'py, f64>,
    group: PyReadonlyArray1<'py, f64>,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyDict>> {
    k_groups(py, values, group, nan_policy, |s| {
        let r = anova::anova_oneway(s)?;
        Ok((r.statistic, r.df_between, r.df_within, r.pvalue, r.n))
    })
}

#[pyfunction]
#[pyo3(signature = (table, *, correction))]
fn groups_chisq<'py>(
    py: Python<'py>,
    table: PyReadonlyArray2<'py, f64>,
    correction: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let t = view2(&table);
    let r = run_detached(py, || tables::chisq(t, correction))?;
    Ok(dict!(
        py,
        statistic = r.statistic,
        df = r.df,
        pvalue = r.pvalue,
        corrected = r.corrected,
        expected = r.expected.into_pyarray(py),
    ))
}

#[pyfunction]
#[pyo3(signature = (table, *, alternative, conf_level, n_resamples=None, seed=0))]
fn groups_fisher_exact<'py>(
    py: Python<'py>,
    table: PyReadonlyArray2<'py, f64>,
    alternative: Wrap<Alternative>,
    conf_level: f64,
    n_resamples: Option<u64>,
    seed: u64,
) -> PyResult<Bound<'py, PyDict>> {
    let t = view2(&table);
    if let Some(b) = n_resamples {
        // Monte Carlo p-value (r x c only; the Python layer checks the shape)
        // thousands of resamples of a large table take seconds: Ctrl-C stops them
        let long = b.saturating_mul(t.sum().max(0.0) as u64) > 10_000_000;
        let (p, count) = run_interruptible(py, long, || tables::fisher_rxc_simulated(t, b, seed))?;
        return Ok(dict!(py, pvalue = p, count = count));
    }
    // the exact r x c enumeration may run for seconds: Ctrl-C stops it
    let r = run_interruptible(py, t.dim() != (2, 2), || {
        tables::fisher(t, alternative.0, conf_level)
    })?;
    Ok(dict!(
        py,
        pvalue = r.pvalue,
        estimate = r.estimate,
        ci_low = r.ci_low,
        ci_high = r.ci_high,
    ))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(groups_ttest, m)?)?;
    m.add_function(wrap_pyfunction!(groups_mannwhitney, m)?)?;
    m.add_function(wrap_pyfunction!(groups_mannwhitney_rows, m)?)?;
    m.add_function(wrap_pyfunction!(groups_kruskal, m)?)?;
    m.add_function(wrap_pyfunction!(groups_anova_oneway, m)?)?;
    m.add_function(wrap_pyfunction!(groups_chisq, m)?)?;
    m.add_function(wrap_pyfunction!(groups_fisher_exact, m)?)?;
    Ok(())
}
