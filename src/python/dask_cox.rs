//! Bindings of the Cox model on Dask data: per-partition sums at β, their
//! merge, and the Newton stepper that runs on the client (see
//! `crate::survival::cox_partial` and `crate::survival::cox_newton`).

use ndarray::Array2;
use numpy::{PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::convert::{f64_out, f64_out2, slice, Wrap};
use super::run::run_detached;
use crate::survival::cox::{CoxOptions, Ties};
use crate::survival::cox_newton::{output, Newton};
use crate::survival::cox_partial::{evaluate, merge, partial_sums, width};

fn table_out(py: Python<'_>, v: Vec<f64>, p: usize) -> PyResult<Bound<'_, numpy::PyArray2<f64>>> {
    let wd = width(p);
    let rows = v.len() / wd;
    let arr = Array2::from_shape_vec((rows, wd), v)
        .map_err(|e| PyRuntimeError::new_err(format!("internal error: {e}")))?;
    Ok(f64_out2(py, arr))
}

fn flat<'a>(a: &'a PyReadonlyArray2<'_, f64>, name: &str) -> PyResult<&'a [f64]> {
    a.as_slice().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(format!(
            "{name}: internal: expected a C-contiguous float64 array"
        ))
    })
}

/// One partition's (stratum, time) sums at `beta` (rows × (p² + 4p + 6)).
#[pyfunction]
#[pyo3(signature = (time, event, covariates, strata, means, beta))]
fn dask_cox_sums<'py>(
    py: Python<'py>,
    time: PyReadonlyArray1<'py, f64>,
    event: PyReadonlyArray1<'py, f64>,
    covariates: PyReadonlyArray2<'py, f64>,
    strata: Option<PyReadonlyArray1<'py, f64>>,
    means: PyReadonlyArray1<'py, f64>,
    beta: PyReadonlyArray1<'py, f64>,
) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
    let (t, e, x, m, b) = (
        slice(&time, "time")?,
        slice(&event, "event")?,
        flat(&covariates, "covariates")?,
        slice(&means, "means")?,
        slice(&beta, "beta")?,
    );
    let s = match &strata {
        Some(a) => Some(slice(a, "strata")?),
        None => None,
    };
    let p = m.len();
    let v = run_detached(py, || partial_sums(t, e, x, s, m, b))?;
    table_out(py, v, p)
}

/// Sum sums tables by (stratum, time).
#[pyfunction]
#[pyo3(signature = (tables, p))]
fn dask_cox_merge<'py>(
    py: Python<'py>,
    tables: Vec<PyReadonlyArray2<'py, f64>>,
    p: usize,
) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
    let mut list: Vec<&[f64]> = Vec::with_capacity(tables.len());
    for t in &tables {
        list.push(flat(t, "tables")?);
    }
    let wd = width(p);
    let v = run_detached(py, || merge(&list, wd))?;
    table_out(py, v, p)
}

/// Newton–Raphson of the Cox model, fed with merged sums (client side).
#[pyclass(module = "rheumstats._rheumstats")]
struct DaskCoxNewton {
    newton: Newton,
    p: usize,
    ties: Ties,
    conf_level: f64,
}

#[pymethods]
impl DaskCoxNewton {
    #[new]
    #[pyo3(signature = (p, *, ties, max_iter, conf_level))]
    fn new(p: usize, ties: Wrap<Ties>, max_iter: usize, conf_level: f64) -> PyResult<Self> {
        let ties = ties.0;
        let opts = CoxOptions {
            ties,
            max_iter,
            conf_level,
            ..Default::default()
        };
        let newton = Newton::new(p, opts).map_err(super::error::to_pyerr_attached)?;
        Ok(DaskCoxNewton {
            newton,
            p,
            ties,
            conf_level,
        })
    }

    /// The β at which to compute the next sums, or None when done.
    fn point<'py>(&self, py: Python<'py>) -> Option<Bound<'py, numpy::PyArray1<f64>>> {
        self.newton.point().map(|b| f64_out(py, b.to_vec()))
    }

    /// Evaluate the merged sums at `point()` and take the Newton step.
    fn observe(&mut self, py: Python<'_>, table: PyReadonlyArray2<'_, f64>) -> PyResult<()> {
        let t = flat(&table, "table")?;
        let (p, ties) = (self.p, self.ties);
        let newton = &mut self.newton;
        run_detached(py, || {
            let f = evaluate(t, p, ties)?;
            newton.observe(f)
        })
    }

    /// The fitted model (concordance is not computed: NaN).
    fn result<'py>(&self, py: Python<'py>, n_event: usize) -> PyResult<Bound<'py, PyDict>> {
        let (newton, level) = (&self.newton, self.conf_level);
        let o = run_detached(py, || output(newton.finish()?, f64::NAN, n_event, level))?;
        super::survival::cox_dict(py, o)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(dask_cox_sums, m)?)?;
    m.add_function(wrap_pyfunction!(dask_cox_merge, m)?)?;
    m.add_class::<DaskCoxNewton>()?;
    Ok(())
}
