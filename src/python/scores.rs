//! Bindings for `rheumstats.scores`.

use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use super::convert::{f64_out, f64_out2, i8_out, new_f64, slice, view2, Wrap};
use super::run::run_detached;
use crate::common::{Choice, NanPolicy};
use crate::scores::{acr, cdai, chfs, das28, haq, mrss, shaq};

#[pyfunction]
#[pyo3(signature = (sites, *, nan_policy))]
fn scores_mrss<'py>(
    py: Python<'py>,
    sites: PyReadonlyArray2<'py, f64>,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let v = view2(&sites);
    let out = run_detached(py, || mrss::total(v, nan_policy.0))?;
    Ok(f64_out(py, out))
}

#[pyfunction]
#[pyo3(signature = (sites, *, nan_policy))]
fn scores_skin_subset<'py>(
    py: Python<'py>,
    sites: PyReadonlyArray2<'py, f64>,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyArray1<i8>>> {
    let v = view2(&sites);
    let out = run_detached(py, || mrss::subset(v, nan_policy.0))?;
    Ok(i8_out(py, out))
}

#[pyfunction]
#[pyo3(signature = (kind, tjc, sjc, apr, patient_global, *, nan_policy))]
fn scores_das28<'py>(
    py: Python<'py>,
    kind: Wrap<das28::Reactant>,
    tjc: PyReadonlyArray1<'py, f64>,
    sjc: PyReadonlyArray1<'py, f64>,
    apr: PyReadonlyArray1<'py, f64>,
    patient_global: Option<PyReadonlyArray1<'py, f64>>,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let kind = kind.0;
    let (t, s, a) = (
        slice(&tjc, "tjc")?,
        slice(&sjc, "sjc")?,
        slice(&apr, "apr")?,
    );
    let g = match &patient_global {
        Some(g) => Some(slice(g, "patient_global")?),
        None => None,
    };
    let arr = new_f64(py, t.len());
    {
        let mut w = arr.readwrite();
        let out = w
            .as_slice_mut()
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
        run_detached(py, || {
            das28::das28_into(kind, t, s, a, g, nan_policy.0, out)
        })?;
    }
    Ok(arr)
}

#[pyfunction]
#[pyo3(signature = (das, thresholds, *, nan_policy))]
fn scores_das28_category<'py>(
    py: Python<'py>,
    das: PyReadonlyArray1<'py, f64>,
    thresholds: (f64, f64, f64),
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyArray1<i8>>> {
    let d = slice(&das, "das28")?;
    let t = [thresholds.0, thresholds.1, thresholds.2];
    let out = run_detached(py, || das28::category(d, t, nan_policy.0))?;
    Ok(i8_out(py, out))
}

#[pyfunction]
#[pyo3(signature = (baseline, followup, *, nan_policy))]
fn scores_eular_response<'py>(
    py: Python<'py>,
    baseline: PyReadonlyArray1<'py, f64>,
    followup: PyReadonlyArray1<'py, f64>,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyArray1<i8>>> {
    let (b, f) = (slice(&baseline, "baseline")?, slice(&followup, "followup")?);
    let out = run_detached(py, || das28::eular_response(b, f, nan_policy.0))?;
    Ok(i8_out(py, out))
}

#[pyfunction]
#[pyo3(signature = (tjc, sjc, patient_global, evaluator_global, crp, *, nan_policy))]
fn scores_cdai<'py>(
    py: Python<'py>,
    tjc: PyReadonlyArray1<'py, f64>,
    sjc: PyReadonlyArray1<'py, f64>,
    patient_global: PyReadonlyArray1<'py, f64>,
    evaluator_global: PyReadonlyArray1<'py, f64>,
    crp: Option<PyReadonlyArray1<'py, f64>>,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let (t, s) = (slice(&tjc, "tjc")?, slice(&sjc, "sjc")?);
    let (p, e) = (
        slice(&patient_global, "patient_global")?,
        slice(&evaluator_global, "evaluator_global")?,
    );
    let c = match &crp {
        Some(c) => Some(slice(c, "crp")?),
        None => None,
    };
    let out = run_detached(py, || cdai::cdai_sdai(t, s, p, e, c, nan_policy.0))?;
    Ok(f64_out(py, out))
}

#[pyfunction]
#[pyo3(signature = (values, index, *, nan_policy))]
fn scores_activity_category<'py>(
    py: Python<'py>,
    values: PyReadonlyArray1<'py, f64>,
    index: Wrap<cdai::Index>,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyArray1<i8>>> {
    let idx = index.0;
    let v = slice(&values, idx.name())?;
    let out = run_detached(py, || cdai::category(v, idx, nan_policy.0))?;
    Ok(i8_out(py, out))
}

#[pyfunction]
#[pyo3(signature = (baseline, followup, *, apr, level, nan_policy))]
fn scores_acr_response<'py>(
    py: Python<'py>,
    baseline: Vec<PyReadonlyArray1<'py, f64>>,
    followup: Vec<PyReadonlyArray1<'py, f64>>,
    apr: Wrap<acr::Apr>,
    level: f64,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyArray1<i8>>> {
    if baseline.len() != 7 || followup.len() != 7 {
        return Err(pyo3::exceptions::PyTypeError::new_err(
            "internal: acr_response needs 7 columns per visit",
        ));
    }
    let b: Vec<&[f64]> = baseline
        .iter()
        .map(|a| slice(a, "baseline"))
        .collect::<PyResult<_>>()?;
    let f: Vec<&[f64]> = followup
        .iter()
        .map(|a| slice(a, "followup"))
        .collect::<PyResult<_>>()?;
    let bb: [&[f64]; 7] = std::array::from_fn(|k| b[k]);
    let ff: [&[f64]; 7] = std::array::from_fn(|k| f[k]);
    let out = run_detached(py, || acr::response(bb, ff, apr.0, level, nan_policy.0))?;
    Ok(i8_out(py, out))
}

#[pyfunction]
#[pyo3(signature = (items, aids, aids_category, help, help_category, *, method, nan_policy))]
#[allow(clippy::too_many_arguments)]
fn scores_haq_di<'py>(
    py: Python<'py>,
    items: PyReadonlyArray2<'py, f64>,
    aids: Option<PyReadonlyArray2<'py, f64>>,
    aids_category: Vec<usize>,
    help: Option<PyReadonlyArray2<'py, f64>>,
    help_category: Vec<usize>,
    method: Wrap<haq::Method>,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let it = view2(&items);
    let a = aids.as_ref().map(|x| haq::Ticks {
        values: view2(x),
        category: aids_category,
    });
    let h = help.as_ref().map(|x| haq::Ticks {
        values: view2(x),
        category: help_category,
    });
    let out = run_detached(py, || haq::haq_di(it, a, h, method.0, nan_policy.0))?;
    Ok(f64_out(py, out))
}

#[pyfunction]
#[pyo3(signature = (arg, values, *, unit, nan_policy))]
fn scores_shaq_scale<'py>(
    py: Python<'py>,
    arg: String,
    values: PyReadonlyArray1<'py, f64>,
    unit: Wrap<shaq::Unit>,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let v = slice(&values, &arg)?;
    let out = run_detached(py, || shaq::scale(arg.into(), v, unit.0, nan_policy.0))?;
    Ok(f64_out(py, out))
}

#[pyfunction]
#[pyo3(signature = (items, *, nan_policy))]
fn scores_chfs<'py>(
    py: Python<'py>,
    items: PyReadonlyArray2<'py, f64>,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let v = view2(&items);
    let out = run_detached(py, || chfs::chfs(v, nan_policy.0))?;
    Ok(f64_out2(py, out))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("MRSS_SITES", PyTuple::new(py, mrss::SITES)?)?;
    m.add("HAQ_ITEMS", PyTuple::new(py, haq::ITEMS)?)?;
    m.add("HAQ_CATEGORIES", PyTuple::new(py, haq::CATEGORIES)?)?;
    m.add("SHAQ_SCALES", PyTuple::new(py, shaq::SCALES)?)?;
    m.add("CHFS_DOMAINS", PyTuple::new(py, chfs::DOMAINS)?)?;
    m.add("ACR_CORE", PyTuple::new(py, &acr::CORE[..6])?)?;
    m.add_function(wrap_pyfunction!(scores_mrss, m)?)?;
    m.add_function(wrap_pyfunction!(scores_skin_subset, m)?)?;
    m.add_function(wrap_pyfunction!(scores_das28, m)?)?;
    m.add_function(wrap_pyfunction!(scores_das28_category, m)?)?;
    m.add_function(wrap_pyfunction!(scores_eular_response, m)?)?;
    m.add_function(wrap_pyfunction!(scores_cdai, m)?)?;
    m.add_function(wrap_pyfunction!(scores_activity_category, m)?)?;
    m.add_function(wrap_pyfunction!(scores_acr_response, m)?)?;
    m.add_function(wrap_pyfunction!(scores_haq_di, m)?)?;
    m.add_function(wrap_pyfunction!(scores_shaq_scale, m)?)?;
    m.add_function(wrap_pyfunction!(scores_chfs, m)?)?;
    Ok(())
}
