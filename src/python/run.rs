//! `run_detached`: release the GIL, run a core call, stop panics, map errors.

use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use super::error::to_pyerr;
use crate::error::StatsError;

/// The only caller of `py.detach`. A panic in the core becomes a
/// `RuntimeError` (never PyO3's `PanicException`, a `BaseException`).
pub fn run_detached<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> Result<T, StatsError> + Send,
{
    match py.detach(move || catch_unwind(AssertUnwindSafe(f))) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(to_pyerr(py, e)),
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(PyRuntimeError::new_err(format!(
                "internal error in rheumstats ({what}); please report it with the input that caused it"
            )))
        }
    }
}

/// Test hook: proves that a core panic surfaces as RuntimeError.
#[pyfunction]
pub fn _debug_panic(py: Python<'_>) -> PyResult<()> {
    run_detached(py, || -> Result<(), StatsError> {
        panic!("deliberate test panic")
    })
}
