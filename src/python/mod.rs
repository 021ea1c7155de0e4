//! The binding layer: the only place pyo3 and numpy are named.
//! Each `#[pyfunction]` borrows numpy arrays, runs one core call through
//! [`run::run_detached`] and returns numpy arrays or a dict of fields.

use pyo3::prelude::*;

mod convert;
mod dask;
mod dask_cox;
mod error;
mod groups;
mod lmm;
mod mmrm;
mod paired;
mod repeated;
mod run;
mod safety;
mod scores;
mod ssc;
mod survival;

/// Student t quantile (statrs); a microsecond scalar helper, so it stays attached.
#[pyfunction]
fn dist_t_ppf(p: f64, df: f64) -> PyResult<f64> {
    crate::common::dist::t_ppf(p, df).map_err(error::to_pyerr_attached)
}

#[pymodule]
fn _rheumstats(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add(
        "InvalidInputError",
        py.get_type::<error::InvalidInputError>(),
    )?;
    m.add("ConvergenceError", py.get_type::<error::ConvergenceError>())?;
    m.add_function(wrap_pyfunction!(run::_debug_panic, m)?)?;
    m.add_function(wrap_pyfunction!(dist_t_ppf, m)?)?;
    scores::register(m)?;
    ssc::register(m)?;
    paired::register(m)?;
    survival::register(m)?;
    dask::register(m)?;
    dask_cox::register(m)?;
    groups::register(m)?;
    safety::register(m)?;
    lmm::register(m)?;
    mmrm::register(m)?;
    repeated::register(m)?;
    Ok(())
}
