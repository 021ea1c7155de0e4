//! Bindings for `rheumstats.safety`.

use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::convert::{f64_out, slice};
use super::run::run_detached;
use crate::common::Alternative;
use crate::error::StatsError;
use crate::safety::poisson;

#[pyfunction]
#[pyo3(signature = (events, exposure, codes, n_groups, per, conf_level))]
fn safety_incidence_rate<'py>(
    py: Python<'py>,
    events: numpy::PyReadonlyArray1<'py, f64>,
    exposure: numpy::PyReadonlyArray1<'py, f64>,
    codes: numpy::PyReadonlyArray1<'py, f64>,
    n_groups: usize,
    per: f64,
    conf_level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let (e, t, c) = (
        slice(&events, "events")?,
        slice(&exposure, "exposure")?,
        slice(&codes, "by")?,
    );
    let rs = run_detached(py, || {
        let mut cu = Vec::with_capacity(c.len());
        for (i, &g) in c.iter().enumerate() {
            if !(g >= 0.0 && g.fract() == 0.0 && (g as usize) < n_groups) {
                return Err(StatsError::invalid(
                    "by",
                    i,
                    g,
                    "not a group code",
                    "internal group codes",
                ));
            }
            cu.push(g as usize);
        }
        poisson::incidence(e, t, &cu, n_groups, per, conf_level)
    })?;
    let d = PyDict::new(py);
    let col = |f: fn(&poisson::Rate) -> f64| rs.iter().map(f).collect::<Vec<f64>>();
    d.set_item("events", f64_out(py, col(|r| r.events)))?;
    d.set_item("exposure", f64_out(py, col(|r| r.exposure)))?;
    d.set_item("rate", f64_out(py, col(|r| r.rate)))?;
    d.set_item("ci_low", f64_out(py, col(|r| r.ci_low)))?;
    d.set_item("ci_high", f64_out(py, col(|r| r.ci_high)))?;
    Ok(d)
}

#[pyfunction]
fn safety_rate_ratio<'py>(
    py: Python<'py>,
    events: (f64, f64),
    exposure: (f64, f64),
    alternative: &str,
    conf_level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let r = run_detached(py, || {
        poisson::rate_ratio(
            [events.0, events.1],
            [exposure.0, exposure.1],
            Alternative::parse(alternative)?,
            conf_level,
        )
    })?;
    let d = PyDict::new(py);
    d.set_item("estimate", r.estimate)?;
    d.set_item("pvalue", r.pvalue)?;
    d.set_item("ci_low", r.ci_low)?;
    d.set_item("ci_high", r.ci_high)?;
    Ok(d)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(safety_incidence_rate, m)?)?;
    m.add_function(wrap_pyfunction!(safety_rate_ratio, m)?)?;
    Ok(())
}
