//! Bindings for `rheumstats.dask`: per-partition partial results and the
//! estimators that run on merged partials. Tables cross the boundary as
//! (times, counts) float64 arrays so they pickle between Dask workers.

use ndarray::Array2;
use numpy::{PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::convert::{f64_out, f64_out2, slice, Wrap};
use super::run::run_detached;
use crate::common::{Alternative, NanPolicy};
use crate::paired::{partial as paired_partial, ttest};
use crate::survival::km::ConfType;
use crate::survival::partial::{self, Piece};
use crate::survival::tabulate::Tabulation;

type Table<'py> = (
    Bound<'py, numpy::PyArray1<f64>>,
    Bound<'py, numpy::PyArray2<f64>>,
);

fn table_out(py: Python<'_>, tab: Tabulation) -> PyResult<Table<'_>> {
    let m = tab.len();
    let w = tab.width;
    let counts: Vec<f64> = tab.counts.iter().map(|&c| f64::from(c)).collect();
    let arr = Array2::from_shape_vec((m, w), counts)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(format!("internal error: {e}")))?;
    Ok((f64_out(py, tab.times), f64_out2(py, arr)))
}

fn contiguous<'a>(a: &'a PyReadonlyArray2<'_, f64>, name: &str) -> PyResult<&'a [f64]> {
    a.as_slice().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(format!(
            "{name}: internal: expected a C-contiguous float64 array"
        ))
    })
}

/// Merged table -> Tabulation (validated by a one-piece merge).
fn read_table(times: &[f64], counts: &[f64], width: usize) -> crate::error::Result<Tabulation> {
    let colmap: Vec<usize> = (0..width).collect();
    partial::merge(
        &[Piece {
            times,
            counts,
            colmap: &colmap,
        }],
        width,
    )
}

/// Tabulate one partition: (distinct times, counts[time, code * inner + event]).
#[pyfunction]
#[pyo3(signature = (time, event, code, n_codes))]
fn dask_survival_table<'py>(
    py: Python<'py>,
    time: PyReadonlyArray1<'py, f64>,
    event: Option<PyReadonlyArray1<'py, f64>>,
    code: Option<PyReadonlyArray1<'py, f64>>,
    n_codes: usize,
) -> PyResult<Table<'py>> {
    let t = slice(&time, "time")?;
    let e = match &event {
        Some(a) => Some(slice(a, "event")?),
        None => None,
    };
    let c = match &code {
        Some(a) => Some(slice(a, "group")?),
        None => None,
    };
    let tab = run_detached(py, || partial::partial_table(t, e, c, n_codes))?;
    table_out(py, tab)
}

/// Merge tables (times, counts, merged column of each column) into `width` columns.
#[pyfunction]
#[pyo3(signature = (pieces, width))]
fn dask_survival_merge<'py>(
    py: Python<'py>,
    pieces: Vec<(
        PyReadonlyArray1<'py, f64>,
        PyReadonlyArray2<'py, f64>,
        PyReadonlyArray1<'py, i64>,
    )>,
    width: usize,
) -> PyResult<Table<'py>> {
    let mut maps: Vec<Vec<usize>> = Vec::with_capacity(pieces.len());
    for (_, counts, colmap) in &pieces {
        let cm = colmap.as_array();
        if cm.len() != counts.as_array().ncols() {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "colmap: one merged column per column of counts",
            ));
        }
        if cm.iter().any(|&c| c < 0) {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "colmap: columns must be >= 0",
            ));
        }
        maps.push(cm.iter().map(|&c| c as usize).collect());
    }
    let mut list: Vec<Piece> = Vec::with_capacity(pieces.len());
    for ((times, counts, _), colmap) in pieces.iter().zip(&maps) {
        list.push(Piece {
            times: slice(times, "times")?,
            counts: contiguous(counts, "counts")?,
            colmap,
        });
    }
    let tab = run_detached(py, || partial::merge(&list, width))?;
    table_out(py, tab)
}

#[pyfunction]
#[pyo3(signature = (times, counts, n_groups, *, conf_level, conf_type))]
fn dask_survival_km<'py>(
    py: Python<'py>,
    times: PyReadonlyArray1<'py, f64>,
    counts: PyReadonlyArray2<'py, f64>,
    n_groups: usize,
    conf_level: f64,
    conf_type: Wrap<ConfType>,
) -> PyResult<Bound<'py, PyDict>> {
    let (t, c, w) = (
        slice(&times, "times")?,
        contiguous(&counts, "counts")?,
        counts.as_array().ncols(),
    );
    let o = run_detached(py, || {
        let tab = read_table(t, c, w)?;
        partial::km_from_table(&tab, n_groups, conf_level, conf_type.0)
    })?;
    super::survival::km_dict(py, o, true)
}

#[pyfunction]
#[pyo3(signature = (times, counts, n_strata, *, k, rho))]
fn dask_survival_logrank<'py>(
    py: Python<'py>,
    times: PyReadonlyArray1<'py, f64>,
    counts: PyReadonlyArray2<'py, f64>,
    n_strata: usize,
    k: usize,
    rho: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let (t, c, w) = (
        slice(&times, "times")?,
        contiguous(&counts, "counts")?,
        counts.as_array().ncols(),
    );
    let o = run_detached(py, || {
        let tab = read_table(t, c, w)?;
        partial::logrank_from_table(&tab, n_strata, k, rho)
    })?;
    super::survival::logrank_dict(py, o)
}

#[pyfunction]
#[pyo3(signature = (times, counts, n_groups, causes, *, conf_level))]
fn dask_survival_aj<'py>(
    py: Python<'py>,
    times: PyReadonlyArray1<'py, f64>,
    counts: PyReadonlyArray2<'py, f64>,
    n_groups: usize,
    causes: Vec<u32>,
    conf_level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let (t, c, w) = (
        slice(&times, "times")?,
        contiguous(&counts, "counts")?,
        counts.as_array().ncols(),
    );
    let o = run_detached(py, || {
        let tab = read_table(t, c, w)?;
        partial::aj_from_table(&tab, n_groups, causes, conf_level)
    })?;
    super::survival::aj_dict(py, o)
}

type M<'py> = PyReadonlyArray2<'py, f64>;

/// Moments of each endpoint of one partition (endpoints in rows of `x`).
#[pyfunction]
#[pyo3(signature = (x, y))]
fn dask_paired_moments<'py>(
    py: Python<'py>,
    x: M<'py>,
    y: Option<M<'py>>,
) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
    let (xv, yv) = (x.as_array(), y.as_ref().map(|y| y.as_array()));
    let m = run_detached(py, || paired_partial::moments(xv, yv))?;
    Ok(f64_out2(py, m))
}

/// Merge moments tables (Chan's formula).
#[pyfunction]
#[pyo3(signature = (parts,))]
fn dask_paired_merge<'py>(
    py: Python<'py>,
    parts: Vec<M<'py>>,
) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
    let views: Vec<_> = parts.iter().map(|p| p.as_array()).collect();
    let m = run_detached(py, || paired_partial::merge(&views))?;
    Ok(f64_out2(py, m))
}

/// The t-test of each endpoint from merged moments: a dict of columns.
#[pyfunction]
#[pyo3(signature = (moments, *, alternative, conf_level, popmean, propagate, strict))]
fn dask_paired_ttest<'py>(
    py: Python<'py>,
    moments: M<'py>,
    alternative: Wrap<Alternative>,
    conf_level: f64,
    popmean: f64,
    propagate: bool,
    strict: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let mv = moments.as_array();
    let rows = run_detached(py, || {
        let o = ttest::TtestOptions {
            means: true,
            alternative: alternative.0,
            conf_level,
            popmean,
            nan_policy: NanPolicy::Omit,
            strict,
        };
        paired_partial::ttest_table(mv, &o, propagate, strict)
    })?;
    let d = PyDict::new(py);
    for (k, name) in ttest::TTEST_FIELDS.iter().enumerate() {
        let col: Vec<f64> = rows.iter().map(|r| ttest::ttest_fields(r)[k]).collect();
        d.set_item(*name, f64_out(py, col))?;
    }
    Ok(d)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(dask_survival_table, m)?)?;
    m.add_function(wrap_pyfunction!(dask_survival_merge, m)?)?;
    m.add_function(wrap_pyfunction!(dask_survival_km, m)?)?;
    m.add_function(wrap_pyfunction!(dask_survival_logrank, m)?)?;
    m.add_function(wrap_pyfunction!(dask_survival_aj, m)?)?;
    m.add_function(wrap_pyfunction!(dask_paired_moments, m)?)?;
    m.add_function(wrap_pyfunction!(dask_paired_merge, m)?)?;
    m.add_function(wrap_pyfunction!(dask_paired_ttest, m)?)?;
    Ok(())
}
