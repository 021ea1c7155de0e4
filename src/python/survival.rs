//! Bindings for `rheumstats.survival`.

use numpy::{PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::convert::{f64_out, slice, view2};
use super::run::run_detached;
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
#[pyo3(signature = (time, event, group, conf_level, conf_type))]
fn survival_km<'py>(
    py: Python<'py>,
    time: PyReadonlyArray1<'py, f64>,
    event: PyReadonlyArray1<'py, f64>,
    group: Option<PyReadonlyArray1<'py, f64>>,
    conf_level: f64,
    conf_type: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let (t, e, g) = (
        slice(&time, "time")?,
        slice(&event, "event")?,
        opt_slice(&group, "group")?,
    );
    let o = run_detached(py, || {
        km::kaplan_meier(t, e, g, conf_level, km::ConfType::parse(conf_type)?)
    })?;
    let d = PyDict::new(py);
    d.set_item("group", f64_out(py, u32_to_f64(o.group)))?;
    d.set_item("time", f64_out(py, o.time))?;
    d.set_item("n_risk", f64_out(py, o.n_risk))?;
    d.set_item("n_event", f64_out(py, o.n_event))?;
    d.set_item("n_censor", f64_out(py, o.n_censor))?;
    d.set_item("survival", f64_out(py, o.survival))?;
    d.set_item("std_err", f64_out(py, o.std_err))?;
    d.set_item("ci_low", f64_out(py, o.ci_low))?;
    d.set_item("ci_high", f64_out(py, o.ci_high))?;
    Ok(d)
}

#[pyfunction]
#[pyo3(signature = (time, event, group, strata, rho))]
fn survival_logrank<'py>(
    py: Python<'py>,
    time: PyReadonlyArray1<'py, f64>,
    event: PyReadonlyArray1<'py, f64>,
    group: PyReadonlyArray1<'py, f64>,
    strata: Option<PyReadonlyArray1<'py, f64>>,
    rho: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let (t, e, g, s) = (
        slice(&time, "time")?,
        slice(&event, "event")?,
        slice(&group, "group")?,
        opt_slice(&strata, "strata")?,
    );
    let o = run_detached(py, || logrank::logrank(t, e, g, s, rho))?;
    let d = PyDict::new(py);
    d.set_item("statistic", o.statistic)?;
    d.set_item("df", o.df)?;
    d.set_item("pvalue", o.pvalue)?;
    d.set_item("observed", f64_out(py, o.observed))?;
    d.set_item("expected", f64_out(py, o.expected))?;
    d.set_item("variance", f64_out(py, o.variance))?;
    d.set_item("n", f64_out(py, o.n))?;
    Ok(d)
}

#[pyfunction]
#[pyo3(signature = (time, cause, group, conf_level))]
fn survival_aalen_johansen<'py>(
    py: Python<'py>,
    time: PyReadonlyArray1<'py, f64>,
    cause: PyReadonlyArray1<'py, f64>,
    group: Option<PyReadonlyArray1<'py, f64>>,
    conf_level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let (t, c, g) = (
        slice(&time, "time")?,
        slice(&cause, "cause")?,
        opt_slice(&group, "group")?,
    );
    let o = run_detached(py, || aalen_johansen::aalen_johansen(t, c, g, conf_level))?;
    let d = PyDict::new(py);
    d.set_item("causes", f64_out(py, u32_to_f64(o.causes)))?;
    d.set_item("group", f64_out(py, u32_to_f64(o.group)))?;
    d.set_item("time", f64_out(py, o.time))?;
    d.set_item("n_risk", f64_out(py, o.n_risk))?;
    d.set_item("n_event", f64_out(py, o.n_event))?;
    d.set_item("n_censor", f64_out(py, o.n_censor))?;
    d.set_item("survival", f64_out(py, o.survival))?;
    d.set_item("survival_se", f64_out(py, o.survival_se))?;
    d.set_item("cif", f64_out(py, o.cif))?;
    d.set_item("std_err", f64_out(py, o.std_err))?;
    d.set_item("ci_low", f64_out(py, o.ci_low))?;
    d.set_item("ci_high", f64_out(py, o.ci_high))?;
    Ok(d)
}

/// Gray's test per cause. `cause` and `group` are already validated codes
/// (from `survival_aalen_johansen`'s mapping and pandas factorize).
#[pyfunction]
#[pyo3(signature = (time, cause, group, rho))]
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
    let out = run_detached(py, || {
        crate::survival::check_lengths(&[
            ("time", t.len()),
            ("cause", c.len()),
            ("group", g.len()),
        ])?;
        let (cm, causes) = aalen_johansen::map_causes(c)?;
        let (gc, gmax) =
            crate::survival::check_codes(g, "group", "group codes must be integers >= 0")?;
        // compact group codes to the groups present
        let mut present = vec![usize::MAX; gmax as usize + 1];
        let mut k = 0;
        for &v in &gc {
            if present[v as usize] == usize::MAX {
                present[v as usize] = 0;
            }
        }
        for slot in present.iter_mut() {
            if *slot == 0 {
                *slot = k;
                k += 1;
            }
        }
        let gm: Vec<u32> = gc.iter().map(|&v| present[v as usize] as u32).collect();
        let tests = gray::gray_tests(t, &cm, &gm, causes.len(), k, rho)?;
        Ok((causes, tests, k))
    })?;
    let (causes, tests, _k) = out;
    let d = PyDict::new(py);
    d.set_item("cause", f64_out(py, u32_to_f64(causes)))?;
    d.set_item(
        "statistic",
        f64_out(py, tests.iter().map(|t| t.statistic).collect()),
    )?;
    d.set_item("df", f64_out(py, tests.iter().map(|t| t.df).collect()))?;
    d.set_item(
        "pvalue",
        f64_out(py, tests.iter().map(|t| t.pvalue).collect()),
    )?;
    Ok(d)
}

#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (duration, event, covariates, strata, ties, max_iter, conf_level))]
fn survival_coxph<'py>(
    py: Python<'py>,
    duration: PyReadonlyArray1<'py, f64>,
    event: PyReadonlyArray1<'py, f64>,
    covariates: PyReadonlyArray2<'py, f64>,
    strata: Option<PyReadonlyArray1<'py, f64>>,
    ties: &str,
    max_iter: usize,
    conf_level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let (t, e, s) = (
        slice(&duration, "duration")?,
        slice(&event, "event")?,
        opt_slice(&strata, "strata")?,
    );
    let x = view2(&covariates);
    let o = run_detached(py, || {
        let opts = cox::CoxOptions {
            ties: cox::Ties::parse(ties)?,
            max_iter,
            conf_level,
            ..Default::default()
        };
        cox::coxph(t, e, x, s, opts)
    })?;
    let d = PyDict::new(py);
    d.set_item("coef", f64_out(py, o.coef))?;
    d.set_item("var", f64_out(py, o.var))?;
    d.set_item("loglik_null", o.loglik_null)?;
    d.set_item("loglik", o.loglik)?;
    d.set_item("score_test", o.score_test)?;
    d.set_item("wald_test", o.wald_test)?;
    d.set_item("iterations", o.iterations)?;
    d.set_item("converged", o.converged)?;
    d.set_item("infinite", o.infinite)?;
    d.set_item("concordance", o.concordance)?;
    d.set_item("n_event", o.n_event)?;
    d.set_item("se", f64_out(py, o.se))?;
    d.set_item("z", f64_out(py, o.z))?;
    d.set_item("p", f64_out(py, o.p))?;
    d.set_item("hr_low", f64_out(py, o.hr_low))?;
    d.set_item("hr_high", f64_out(py, o.hr_high))?;
    d.set_item("lr_test", o.lr_test)?;
    d.set_item("lr_test_p", o.lr_p)?;
    d.set_item("wald_test_p", o.wald_p)?;
    d.set_item("score_test_p", o.score_p)?;
    Ok(d)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(survival_km, m)?)?;
    m.add_function(wrap_pyfunction!(survival_logrank, m)?)?;
    m.add_function(wrap_pyfunction!(survival_aalen_johansen, m)?)?;
    m.add_function(wrap_pyfunction!(survival_gray, m)?)?;
    m.add_function(wrap_pyfunction!(survival_coxph, m)?)?;
    Ok(())
}
