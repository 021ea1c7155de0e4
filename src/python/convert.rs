//! numpy <-> Rust conversions shared by the bindings.

use ndarray::{Array2, ArrayView2};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyString;

use super::error::to_pyerr;
use crate::common::Choice;

/// A string option at the binding boundary: `alternative: Wrap<Alternative>`.
/// Extraction parses it with [`Choice::parse`], so every option gives the same
/// error: an unknown string is a `rheumstats.InvalidInputError` (a `ValueError`,
/// `.arg` = the option) listing the allowed values; a non-string a `TypeError`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wrap<T>(pub T);

impl<'a, 'py, T: Choice> FromPyObject<'a, 'py> for Wrap<T> {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let Ok(s) = obj.cast::<PyString>() else {
            let got = obj
                .get_type()
                .name()
                .map_or_else(|_| "?".to_string(), |n| n.to_string());
            return Err(PyTypeError::new_err(format!(
                "{}: expected one of {}, got {got}",
                T::ARG,
                T::allowed()
            )));
        };
        T::parse(&s.to_cow()?)
            .map(Wrap)
            .map_err(|e| to_pyerr(obj.py(), e))
    }
}

/// Zero-copy slice of a contiguous float64 array (the Python layer makes inputs contiguous).
pub fn slice<'a>(a: &'a PyReadonlyArray1<'_, f64>, name: &str) -> PyResult<&'a [f64]> {
    a.as_slice().map_err(|_| {
        PyTypeError::new_err(format!(
            "{name}: internal: expected a contiguous float64 array"
        ))
    })
}

pub fn view2<'a>(a: &'a PyReadonlyArray2<'_, f64>) -> ArrayView2<'a, f64> {
    a.as_array()
}

/// A new numpy float64 array of length `n` for a kernel to fill (numpy's
/// allocator: large outputs get huge pages, which halves the cost of
/// first-touch page faults on 10M-row outputs).
pub fn new_f64<'py>(py: Python<'py>, n: usize) -> Bound<'py, PyArray1<f64>> {
    // SAFETY: every f64 bit pattern is valid; callers fill the whole array
    // before returning it, and drop it on error.
    unsafe { PyArray1::<f64>::new(py, n, false) }
}

pub fn f64_out<'py>(py: Python<'py>, v: Vec<f64>) -> Bound<'py, PyArray1<f64>> {
    v.into_pyarray(py)
}

pub fn i8_out<'py>(py: Python<'py>, v: Vec<i8>) -> Bound<'py, PyArray1<i8>> {
    v.into_pyarray(py)
}

pub fn f64_out2<'py>(py: Python<'py>, v: Array2<f64>) -> Bound<'py, PyArray2<f64>> {
    v.into_pyarray(py)
}

/// The one way to return a result's fields: `dict!(py, name = value, ...)`
/// builds a `dict` (each value anything pyo3 converts: numbers, bools,
/// numpy arrays, tuples).
macro_rules! dict {
    ($py:expr, $($name:ident = $value:expr),+ $(,)?) => {{
        let d = pyo3::types::PyDict::new($py);
        $( pyo3::types::PyDictMethods::set_item(&d, stringify!($name), $value)?; )+
        d
    }};
}
pub(crate) use dict;
