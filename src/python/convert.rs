//! numpy <-> Rust conversions shared by the bindings.

use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use ndarray::{Array2, ArrayView2};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

/// Zero-copy slice of a contiguous float64 array (the Python layer makes inputs contiguous).
pub fn slice<'a>(a: &'a PyReadonlyArray1<'_, f64>, name: &str) -> PyResult<&'a [f64]> {
    a.as_slice()
        .map_err(|_| PyTypeError::new_err(format!("{name}: internal: expected a contiguous float64 array")))
}

pub fn view2<'a>(a: &'a PyReadonlyArray2<'_, f64>) -> ArrayView2<'a, f64> {
    a.as_array()
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
