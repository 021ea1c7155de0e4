//! Bindings for `rheumstats.ssc` (SSc composites; core in `scores::ssc` and `scores::lung`).

use ndarray::Array2;
use numpy::{IntoPyArray, PyArray2, PyReadonlyArray1};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use super::convert::{dict, f64_out, i8_out, slice, Wrap};
use super::run::run_detached;
use crate::common::NanPolicy;
use crate::scores::lung;
use crate::scores::ssc::{self, CoreSet, EustarItems, Mcid, RcrissOptions};

type Arr<'py> = PyReadonlyArray1<'py, f64>;

fn columns<'a, const K: usize>(cols: &'a [Arr<'_>], what: &str) -> PyResult<[&'a [f64]; K]> {
    if cols.len() != K {
        return Err(PyTypeError::new_err(format!(
            "internal: {what} needs {K} columns, got {}",
            cols.len()
        )));
    }
    let v: Vec<&[f64]> = cols
        .iter()
        .map(|a| slice(a, what))
        .collect::<PyResult<_>>()?;
    Ok(std::array::from_fn(|k| v[k]))
}

fn i8_rows<'py, const K: usize>(
    py: Python<'py>,
    rows: Vec<[i8; K]>,
) -> PyResult<Bound<'py, PyArray2<i8>>> {
    let n = rows.len();
    let flat: Vec<i8> = rows.into_iter().flatten().collect();
    let arr = Array2::from_shape_vec((n, K), flat)
        .map_err(|e| PyTypeError::new_err(format!("internal: {e}")))?;
    Ok(arr.into_pyarray(py))
}

#[pyfunction]
#[pyo3(signature = (baseline, followup, worsening, *, nan_policy))]
fn ssc_criss<'py>(
    py: Python<'py>,
    baseline: Vec<Arr<'py>>,
    followup: Vec<Arr<'py>>,
    worsening: Option<Arr<'py>>,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyDict>> {
    let b = columns::<5>(&baseline, "baseline")?;
    let f = columns::<5>(&followup, "followup")?;
    let w = worsening
        .as_ref()
        .map(|a| slice(a, "worsening"))
        .transpose()?;
    let data = CoreSet {
        baseline: b,
        followup: f,
        worsening: w,
    };
    let (p, i) = run_detached(py, || {
        let p = ssc::criss_probability(data, nan_policy.0)?;
        let i: Vec<i8> = p.iter().map(|&v| ssc::criss_improved(v)).collect();
        Ok((p, i))
    })?;
    Ok(dict!(
        py,
        probability = f64_out(py, p),
        improved = i8_out(py, i),
    ))
}

#[pyfunction]
#[pyo3(signature = (baseline, followup, worsening, *, threshold, min_items, fvc_threshold, nan_policy))]
#[allow(clippy::too_many_arguments)]
fn ssc_rcriss<'py>(
    py: Python<'py>,
    baseline: Vec<Arr<'py>>,
    followup: Vec<Arr<'py>>,
    worsening: Option<Arr<'py>>,
    threshold: f64,
    min_items: usize,
    fvc_threshold: f64,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyArray2<i8>>> {
    let b = columns::<5>(&baseline, "baseline")?;
    let f = columns::<5>(&followup, "followup")?;
    let w = worsening
        .as_ref()
        .map(|a| slice(a, "worsening"))
        .transpose()?;
    let data = CoreSet {
        baseline: b,
        followup: f,
        worsening: w,
    };
    let opts = RcrissOptions {
        threshold,
        min_items,
        fvc_threshold,
    };
    let out = run_detached(py, || ssc::rcriss(data, opts, nan_policy.0))?;
    i8_rows(py, out)
}

#[pyfunction]
#[pyo3(signature = (delta_skin, mrss, digital_ulcers, tendon_friction_rubs, crp, dlco, *, nan_policy))]
#[allow(clippy::too_many_arguments)]
fn ssc_eustar_ai<'py>(
    py: Python<'py>,
    delta_skin: Arr<'py>,
    mrss: Arr<'py>,
    digital_ulcers: Arr<'py>,
    tendon_friction_rubs: Arr<'py>,
    crp: Arr<'py>,
    dlco: Arr<'py>,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, numpy::PyArray1<f64>>> {
    let items = EustarItems {
        delta_skin: slice(&delta_skin, "delta_skin")?,
        mrss: slice(&mrss, "mrss")?,
        digital_ulcers: slice(&digital_ulcers, "digital_ulcers")?,
        tendon_friction_rubs: slice(&tendon_friction_rubs, "tendon_friction_rubs")?,
        crp: slice(&crp, "crp")?,
        dlco: slice(&dlco, "dlco")?,
    };
    let out = run_detached(py, || ssc::eustar_ai(items, nan_policy.0))?;
    Ok(f64_out(py, out))
}

#[pyfunction]
#[pyo3(signature = (index, *, nan_policy))]
fn ssc_eustar_active<'py>(
    py: Python<'py>,
    index: Arr<'py>,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, numpy::PyArray1<i8>>> {
    let v = slice(&index, "index")?;
    let out = run_detached(py, || ssc::eustar_active(v, nan_policy.0))?;
    Ok(i8_out(py, out))
}

#[pyfunction]
#[pyo3(signature = (items, *, nan_policy))]
fn ssc_acr_eular_2013<'py>(
    py: Python<'py>,
    items: Vec<Arr<'py>>,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyArray2<i8>>> {
    let it = columns::<13>(&items, "items")?;
    let out = run_detached(py, || ssc::acr_eular_2013(it, nan_policy.0))?;
    i8_rows(py, out)
}

#[pyfunction]
#[pyo3(signature = (fvc_base, fvc_follow, dlco_base, dlco_follow, *, definition, nan_policy))]
fn ssc_lung_decline<'py>(
    py: Python<'py>,
    fvc_base: Arr<'py>,
    fvc_follow: Arr<'py>,
    dlco_base: Option<Arr<'py>>,
    dlco_follow: Option<Arr<'py>>,
    definition: Wrap<lung::Definition>,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, numpy::PyArray1<i8>>> {
    let (fb, ff) = (
        slice(&fvc_base, "fvc_base")?,
        slice(&fvc_follow, "fvc_follow")?,
    );
    let d = match (&dlco_base, &dlco_follow) {
        (Some(b), Some(f)) => Some((slice(b, "dlco_base")?, slice(f, "dlco_follow")?)),
        (None, None) => None,
        _ => {
            return Err(PyTypeError::new_err(
                "internal: dlco_base and dlco_follow must be given together",
            ))
        }
    };
    let out = run_detached(py, || lung::decline(fb, ff, d, definition.0, nan_policy.0))?;
    Ok(i8_out(py, out))
}

#[pyfunction]
#[pyo3(signature = (measure, baseline, followup, *, threshold, nan_policy))]
fn ssc_mcid_response<'py>(
    py: Python<'py>,
    measure: Wrap<Mcid>,
    baseline: Arr<'py>,
    followup: Arr<'py>,
    threshold: Option<f64>,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, numpy::PyArray1<i8>>> {
    let (b, f) = (slice(&baseline, "baseline")?, slice(&followup, "followup")?);
    let out = run_detached(py, || {
        ssc::mcid_response(measure.0, b, f, threshold, nan_policy.0)
    })?;
    Ok(i8_out(py, out))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("SSC_CORE", PyTuple::new(py, ssc::CORE)?)?;
    m.add(
        "ACR_EULAR_2013_ITEMS",
        PyTuple::new(py, ssc::ACR_EULAR_ITEMS)?,
    )?;
    m.add_function(wrap_pyfunction!(ssc_criss, m)?)?;
    m.add_function(wrap_pyfunction!(ssc_rcriss, m)?)?;
    m.add_function(wrap_pyfunction!(ssc_eustar_ai, m)?)?;
    m.add_function(wrap_pyfunction!(ssc_eustar_active, m)?)?;
    m.add_function(wrap_pyfunction!(ssc_acr_eular_2013, m)?)?;
    m.add_function(wrap_pyfunction!(ssc_lung_decline, m)?)?;
    m.add_function(wrap_pyfunction!(ssc_mcid_response, m)?)?;
    Ok(())
}
