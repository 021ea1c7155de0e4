//! Bindings for `rheumstats.survival`.

use numpy::{PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::convert::{dict, f64_out, slice, view2, Wrap};
use super::run::{run_detached, run_interruptible};
use crate::common::{nan, NanPolicy};
use crate::survival::{aalen_johansen, cox, gray, km, logrank};

fn opt_slice<'a>(
    a: &'a Option<PyReadonlyArray1<'_, f64>>,
    name: &str,
) -> PyResult<Option<&'a [f64]>> {
    match a {
        Some(a) => Ok(Some(slice(a, name)?)),
        None => Ok(None),
    }
}

fn u32_to_f64(v: Vec<u32>) -> Vec<f64> {
    v.into_iter().map(f64::from).collect()
}

#[pyfunction]
#[pyo3(signature = (time, event, group, *, conf_level, conf_type, nan_policy))]
fn survival_km<'py>(
    py: Python<'py>,
    time: PyReadonlyArray1<'py, f64>,
    event: PyReadonlyArray1<'py, f64>,
    group: Option<PyReadonlyArray1<'py, f64>>,
    conf_level: f64,
    conf_type: Wrap<km::ConfType>,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyDict>> {
    let (t, e, g) = (
        slice(&time, "time")?,
        slice(&event, "event")?,
        opt_slice(&group, "group")?,
    );
    let o = run_detached(py, || {
        let ct = conf_type.0;
        let cols = [("time", Some(t)), ("event", Some(e)), ("group", g)];
        match nan::omit_rows(&cols, nan_policy.0, "a survival curve")? {
            None => km::kaplan_meier(t, e, g, conf_level, ct),
            Some(k) => {
                let gk = g.map(|g| k.take(g));
                km::kaplan_meier(&k.take(t), &k.take(e), gk.as_deref(), conf_level, ct)
                    .map_err(|err| k.remap(err))
            }
        }
    })?;
    km_dict(py, o, g.is_some())
}

/// The fields of a Kaplan–Meier table (in-memory and Dask), one place.
/// Ungrouped (`grouped = false`): every code is 0 and the caller does not read them.
pub(super) fn km_dict(
    py: Python<'_>,
    o: km::KmOutput,
    grouped: bool,
) -> PyResult<Bound<'_, PyDict>> {
    let group = if grouped {
        u32_to_f64(o.group)
    } else {
        Vec::new()
    };
    Ok(dict!(
        py,
        group = f64_out(py, group),
        time = f64_out(py, o.time),
        n_risk = f64_out(py, o.n_risk),
        n_event = f64_out(py, o.n_event),
        n_censor = f64_out(py, o.n_censor),
        survival = f64_out(py, o.survival),
        se = f64_out(py, o.std_err),
        ci_low = f64_out(py, o.ci_low),
        ci_high = f64_out(py, o.ci_high),
    ))
}

#[pyfunction]
#[pyo3(signature = (time, event, group, strata, *, rho, nan_policy, n_groups=0))]
#[allow(clippy::too_many_arguments)]
fn survival_logrank<'py>(
    py: Python<'py>,
    time: PyReadonlyArray1<'py, f64>,
    event: PyReadonlyArray1<'py, f64>,
    group: PyReadonlyArray1<'py, f64>,
    strata: Option<PyReadonlyArray1<'py, f64>>,
    rho: f64,
    nan_policy: Wrap<NanPolicy>,
    n_groups: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let (t, e, g, s) = (
        slice(&time, "time")?,
        slice(&event, "event")?,
        slice(&group, "group")?,
        opt_slice(&strata, "strata")?,
    );
    let o = run_detached(py, || {
        let cols = [
            ("time", Some(t)),
            ("event", Some(e)),
            ("group", Some(g)),
            ("strata", s),
        ];
        match nan::omit_rows(&cols, nan_policy.0, "a log-rank test")? {
            None => logrank::logrank(t, e, g, s, rho, n_groups),
            Some(k) => {
                let sk = s.map(|s| k.take(s));
                logrank::logrank(
                    &k.take(t),
                    &k.take(e),
                    &k.take(g),
                    sk.as_deref(),
                    rho,
                    n_groups,
                )
                .map_err(|err| k.remap(err))
            }
        }
    })?;
    logrank_dict(py, o)
}

/// The fields of a log-rank test (in-memory and Dask), one place.
pub(super) fn logrank_dict(
    py: Python<'_>,
    o: logrank::LogrankOutput,
) -> PyResult<Bound<'_, PyDict>> {
    Ok(dict!(
        py,
        statistic = o.statistic,
        df = o.df,
        pvalue = o.pvalue,
        observed = f64_out(py, o.observed),
        expected = f64_out(py, o.expected),
        variance = f64_out(py, o.variance),
        n = f64_out(py, o.n),
    ))
}

#[pyfunction]
#[pyo3(signature = (time, cause, group, *, conf_level, nan_policy))]
fn survival_aalen_johansen<'py>(
    py: Python<'py>,
    time: PyReadonlyArray1<'py, f64>,
    cause: PyReadonlyArray1<'py, f64>,
    group: Option<PyReadonlyArray1<'py, f64>>,
    conf_level: f64,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyDict>> {
    let (t, c, g) = (
        slice(&time, "time")?,
        slice(&cause, "cause")?,
        opt_slice(&group, "group")?,
    );
    let o = run_detached(py, || {
        let cols = [("time", Some(t)), ("cause", Some(c)), ("group", g)];
        match nan::omit_rows(&cols, nan_policy.0, "a cumulative incidence")? {
            None => aalen_johansen::aalen_johansen(t, c, g, conf_level),
            Some(k) => {
                let gk = g.map(|g| k.take(g));
                aalen_johansen::aalen_johansen(&k.take(t), &k.take(c), gk.as_deref(), conf_level)
                    .map_err(|err| k.remap(err))
            }
        }
    })?;
    aj_dict(py, o)
}

/// The fields of a cumulative incidence table (in-memory and Dask), one place.
pub(super) fn aj_dict(py: Python<'_>, o: aalen_johansen::AjOutput) -> PyResult<Bound<'_, PyDict>> {
    Ok(dict!(
        py,
        causes = f64_out(py, u32_to_f64(o.causes)),
        group = f64_out(py, u32_to_f64(o.group)),
        time = f64_out(py, o.time),
        n_risk = f64_out(py, o.n_risk),
        n_event = f64_out(py, o.n_event),
        n_censor = f64_out(py, o.n_censor),
        survival = f64_out(py, o.survival),
        survival_se = f64_out(py, o.survival_se),
        cif = f64_out(py, o.cif),
        se = f64_out(py, o.std_err),
        ci_low = f64_out(py, o.ci_low),
        ci_high = f64_out(py, o.ci_high),
    ))
}

/// Gray's test per cause. `cause` and `group` are already validated codes
/// (from `survival_aalen_johansen`'s mapping and pandas factorize).
#[pyfunction]
#[pyo3(signature = (time, cause, group, *, rho))]
fn survival_gray<'py>(
    py: Python<'py>,
    time: PyReadonlyArray1<'py, f64>,
    cause: PyReadonlyArray1<'py, f64>,
    group: PyReadonlyArray1<'py, f64>,
    rho: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let (t, c, g) = (
        slice(&time, "time")?,
        slice(&cause, "cause")?,
        slice(&group, "group")?,
    );
    let (causes, tests) = run_detached(py, || gray::gray(t, c, g, rho))?;
    let col = |f: fn(&gray::GrayOutput) -> f64| f64_out(py, tests.iter().map(f).collect());
    Ok(dict!(
        py,
        cause = f64_out(py, u32_to_f64(causes)),
        statistic = col(|t| t.statistic),
        df = col(|t| t.df),
        pvalue = col(|t| t.pvalue),
    ))
}

#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (time, event, covariates, strata, *, ties, max_iter, conf_level))]
fn survival_coxph<'py>(
    py: Python<'py>,
    time: PyReadonlyArray1<'py, f64>,
    event: PyReadonlyArray1<'py, f64>,
    covariates: PyReadonlyArray2<'py, f64>,
    strata: Option<PyReadonlyArray1<'py, f64>>,
    ties: Wrap<cox::Ties>,
    max_iter: usize,
    conf_level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let (t, e, s) = (
        slice(&time, "time")?,
        slice(&event, "event")?,
        opt_slice(&strata, "strata")?,
    );
    let x = view2(&covariates);
    // a registry-size fit takes seconds: Ctrl-C stops it between Newton steps
    let long = t.len().saturating_mul(x.ncols().max(1)) >= 1 << 20;
    let o = run_interruptible(py, long, || {
        let opts = cox::CoxOptions {
            ties: ties.0,
            max_iter,
            conf_level,
            ..Default::default()
        };
        cox::coxph(t, e, x, s, opts)
    })?;
    cox_dict(py, o)
}

/// The fields of a Cox fit (in-memory and Dask), one place.
pub(super) fn cox_dict(py: Python<'_>, o: cox::CoxOutput) -> PyResult<Bound<'_, PyDict>> {
    Ok(dict!(
        py,
        coef = f64_out(py, o.coef),
        var = f64_out(py, o.var),
        loglik_null = o.loglik_null,
        loglik = o.loglik,
        score_test = o.score_test,
        wald_test = o.wald_test,
        iterations = o.iterations,
        converged = o.converged,
        infinite = o.infinite,
        concordance = o.concordance,
        n_event = o.n_event,
        se = f64_out(py, o.se),
        z = f64_out(py, o.z),
        p = f64_out(py, o.p),
        hr_low = f64_out(py, o.hr_low),
        hr_high = f64_out(py, o.hr_high),
        lr_test = o.lr_test,
        lr_test_p = o.lr_p,
        wald_test_p = o.wald_p,
        score_test_p = o.score_p,
    ))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(survival_km, m)?)?;
    m.add_function(wrap_pyfunction!(survival_logrank, m)?)?;
    m.add_function(wrap_pyfunction!(survival_aalen_johansen, m)?)?;
    m.add_function(wrap_pyfunction!(survival_gray, m)?)?;
    m.add_function(wrap_pyfunction!(survival_coxph, m)?)?;
    Ok(())
}
