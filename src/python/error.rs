//! StatsError -> Python exception: the one mapping.

use pyo3::create_exception;
use pyo3::exceptions::{PyKeyboardInterrupt, PyValueError};
use pyo3::prelude::*;

use crate::error::StatsError;

// Module "rheumstats" (not "_rheumstats") so that the classes pickle by the
// public path `rheumstats.InvalidInputError` (Dask ships exceptions by pickle).
create_exception!(
    rheumstats,
    InvalidInputError,
    PyValueError,
    "Bad input: a value out of range, mismatched lengths, too few observations or a bad option. Carries .arg, .row, .col and .value."
);
create_exception!(
    rheumstats,
    ConvergenceError,
    PyValueError,
    "An iterative fit did not converge or the problem is singular."
);

pub fn to_pyerr(py: Python<'_>, e: StatsError) -> PyErr {
    if crate::common::cancel::is_interrupted(&e) {
        // a call stopped by another call's Ctrl-C (the flag is process-wide)
        return PyKeyboardInterrupt::new_err("interrupted");
    }
    let msg = e.to_string();
    let err = match &e {
        StatsError::NotConverged { .. } | StatsError::Singular { .. } => {
            ConvergenceError::new_err(msg)
        }
        _ => InvalidInputError::new_err(msg),
    };
    let (arg, row, col, value): (Option<String>, Option<usize>, Option<usize>, Option<f64>) =
        match &e {
            StatsError::InvalidValue {
                arg,
                row,
                col,
                value,
                ..
            } => (Some(arg.to_string()), Some(*row), *col, Some(*value)),
            StatsError::LengthMismatch { arg_a, .. } => (Some(arg_a.to_string()), None, None, None),
            StatsError::TooFew { arg, .. } | StatsError::InvalidArgument { arg, .. } => {
                (Some(arg.to_string()), None, None, None)
            }
            _ => (None, None, None, None),
        };
    let v = err.value(py);
    // Setting attributes on a fresh exception instance cannot fail in practice;
    // if it did, the message alone still reaches the user.
    let _ = v.setattr("arg", arg);
    let _ = v.setattr("row", row);
    let _ = v.setattr("col", col);
    let _ = v.setattr("value", value);
    err
}

/// `to_pyerr` for code that has no `Python` token at hand.
pub fn to_pyerr_attached(e: StatsError) -> PyErr {
    Python::attach(|py| to_pyerr(py, e))
}
