//! Bindings of `crate::longitudinal::mmrm` (row-major matrices travel flat).

use numpy::PyReadonlyArray1;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::convert::{f64_out, slice};
use super::run::run_detached;
use crate::longitudinal::mmrm::{fit, Data, MmrmFit, Structure};

fn codes(a: &PyReadonlyArray1<'_, i64>, name: &str) -> PyResult<Vec<usize>> {
    let s = a.as_slice().map_err(|_| {
        PyValueError::new_err(format!(
            "{name}: internal: expected a contiguous int64 array"
        ))
    })?;
    s.iter()
        .enumerate()
        .map(|(i, &v)| {
            usize::try_from(v).map_err(|_| {
                PyValueError::new_err(format!("{name}[{i}] = {v}: codes must be >= 0"))
            })
        })
        .collect()
}

fn fit_dict<'py>(py: Python<'py>, f: MmrmFit) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("theta", f64_out(py, f.theta))?;
    d.set_item("beta", f64_out(py, f.beta))?;
    d.set_item("vcov", f64_out(py, f.vcov))?;
    d.set_item("vcov_jac", f64_out(py, f.vcov_jac.concat()))?;
    d.set_item("theta_cov", f64_out(py, f.theta_cov))?;
    d.set_item("m2ll", f.m2ll)?;
    d.set_item("sigma", f64_out(py, f.sigma.concat()))?;
    d.set_item("converged", f.converged)?;
    d.set_item("iterations", f.iterations)?;
    d.set_item("evaluations", f.evaluations)?;
    d.set_item("max_grad", f.max_grad)?;
    d.set_item("n_subjects", f.n_subjects)?;
    d.set_item("nobs", f.nobs)?;
    d.set_item("n_patterns", f.n_patterns)?;
    d.set_item("message", f.message)?;
    Ok(d)
}

/// Fit an MMRM: `x` n×p flat, `subject`/`visit` row codes, `group` one code
/// per subject (covariance group), `m` visit levels.
#[pyfunction]
#[pyo3(signature = (x, y, p, subject, visit, group, m, n_groups, covariance, reml))]
#[allow(clippy::too_many_arguments)]
fn mmrm_fit<'py>(
    py: Python<'py>,
    x: PyReadonlyArray1<'py, f64>,
    y: PyReadonlyArray1<'py, f64>,
    p: usize,
    subject: PyReadonlyArray1<'py, i64>,
    visit: PyReadonlyArray1<'py, i64>,
    group: PyReadonlyArray1<'py, i64>,
    m: usize,
    n_groups: usize,
    covariance: &str,
    reml: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let s = Structure::parse(covariance).ok_or_else(|| {
        PyValueError::new_err(format!(
            "covariance: unknown structure {covariance:?}; allowed: 'us', 'cs', 'csh', 'ar1', 'ar1h', 'toep', 'toeph', 'ad', 'adh'"
        ))
    })?;
    let (x, y) = (slice(&x, "X")?, slice(&y, "y")?);
    let (subj, vis, grp) = (
        codes(&subject, "subject")?,
        codes(&visit, "visit")?,
        codes(&group, "group")?,
    );
    if subj.len() != y.len() || vis.len() != y.len() {
        return Err(PyValueError::new_err(
            "mmrm_fit: subject, visit and y differ in length",
        ));
    }
    if grp.iter().any(|&g| g >= n_groups) {
        return Err(PyValueError::new_err("mmrm_fit: group code >= n_groups"));
    }
    let f = run_detached(py, || {
        let d = Data {
            x,
            y,
            p,
            subject: &subj,
            visit: &vis,
            group: &grp,
            m,
            n_groups,
        };
        fit(&d, s, reml)
    })?;
    fit_dict(py, f)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(mmrm_fit, m)?)?;
    Ok(())
}
