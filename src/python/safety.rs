//! Bindings for `rheumstats.safety`.

use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::convert::{dict, f64_out2, slice, Wrap};
use super::run::run_detached;
use crate::common::{Alternative, NanPolicy};
use crate::safety::{incidence, poisson};

#[pyfunction]
#[pyo3(signature = (events, exposure, codes, *, n_groups, per, conf_level, nan_policy))]
#[allow(clippy::too_many_arguments)]
fn safety_incidence_rate<'py>(
    py: Python<'py>,
    events: numpy::PyReadonlyArray1<'py, f64>,
    exposure: numpy::PyReadonlyArray1<'py, f64>,
    codes: numpy::PyReadonlyArray1<'py, f64>,
    n_groups: usize,
    per: f64,
    conf_level: f64,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyDict>> {
    let (e, t, c) = (
        slice(&events, "events")?,
        slice(&exposure, "exposure")?,
        slice(&codes, "group")?,
    );
    let (rs, keep) = run_detached(py, || {
        incidence::incidence_rates(e, t, c, n_groups, per, conf_level, nan_policy.0)
    })?;
    // one (groups x 5) array, columns events, exposure, rate, ci_low, ci_high:
    // the caller's DataFrame is then one block (no per-column arrays)
    let flat: Vec<f64> = rs
        .iter()
        .flat_map(|r| [r.events, r.exposure, r.rate, r.ci_low, r.ci_high])
        .collect();
    let table = ndarray::Array2::from_shape_vec((rs.len(), 5), flat)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
    Ok(dict!(py, table = f64_out2(py, table), kept = keep))
}

#[pyfunction]
#[pyo3(signature = (events, exposure, *, alternative, conf_level))]
fn safety_rate_ratio<'py>(
    py: Python<'py>,
    events: (f64, f64),
    exposure: (f64, f64),
    alternative: Wrap<Alternative>,
    conf_level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let r = run_detached(py, || {
        poisson::rate_ratio(
            [events.0, events.1],
            [exposure.0, exposure.1],
            alternative.0,
            conf_level,
        )
    })?;
    Ok(dict!(
        py,
        estimate = r.estimate,
        pvalue = r.pvalue,
        ci_low = r.ci_low,
        ci_high = r.ci_high
    ))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(safety_incidence_rate, m)?)?;
    m.add_function(wrap_pyfunction!(safety_rate_ratio, m)?)?;
    Ok(())
}
