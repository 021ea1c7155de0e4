//! Bindings of `crate::longitudinal::mmrm` (row-major matrices travel flat).

use numpy::PyReadonlyArray1;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::convert::{f64_out, slice};
use super::run::run_detached;
use crate::common::ddf::Satterthwaite;
use crate::error::StatsError;
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

/// Satterthwaite contrasts: `l` r×p flat. `joint=False`: one t per row
/// (`estimate, variance, df`); `joint=True`: the F test of all rows.
#[pyfunction]
#[pyo3(signature = (l, r, beta, vcov, jac, a, joint))]
#[allow(clippy::too_many_arguments)]
fn mmrm_contrast<'py>(
    py: Python<'py>,
    l: PyReadonlyArray1<'py, f64>,
    r: usize,
    beta: PyReadonlyArray1<'py, f64>,
    vcov: PyReadonlyArray1<'py, f64>,
    jac: PyReadonlyArray1<'py, f64>,
    a: PyReadonlyArray1<'py, f64>,
    joint: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let (l, beta, vcov, jac, a) = (
        slice(&l, "L")?,
        slice(&beta, "beta")?,
        slice(&vcov, "vcov")?,
        slice(&jac, "jac")?,
        slice(&a, "a")?,
    );
    let p = beta.len();
    let k = (a.len() as f64).sqrt().round() as usize;
    if l.len() != r * p || vcov.len() != p * p || jac.len() != k * p * p || k * k != a.len() {
        return Err(PyValueError::new_err(
            "mmrm_contrast: inconsistent sizes of L, beta, vcov, jac, a",
        ));
    }
    let jm: Vec<Vec<f64>> = jac.chunks(p * p).map(|c| c.to_vec()).collect();
    type Out = (Vec<f64>, Vec<f64>, Vec<f64>, Option<(f64, usize, f64)>);
    let out = run_detached(py, || -> Result<Out, StatsError> {
        let st = Satterthwaite {
            p,
            vcov,
            jac: &jm,
            a,
        };
        if joint {
            let f = st.multi(l, r, beta).map(|f| (f.f, f.num_df, f.den_df));
            return Ok((vec![], vec![], vec![], f));
        }
        let mut est = Vec::with_capacity(r);
        let mut var = Vec::with_capacity(r);
        let mut df = Vec::with_capacity(r);
        for row in l.chunks(p) {
            let c = st.one(row);
            est.push(row.iter().zip(beta).map(|(x, b)| x * b).sum());
            var.push(c.variance);
            df.push(c.df);
        }
        Ok((est, var, df, None))
    })?;
    let d = PyDict::new(py);
    if joint {
        let (f, nd, dd) = out.3.unwrap_or((f64::NAN, 0, f64::NAN));
        d.set_item("F", f)?;
        d.set_item("num_df", nd)?;
        d.set_item("den_df", dd)?;
    } else {
        d.set_item("estimate", f64_out(py, out.0))?;
        d.set_item("variance", f64_out(py, out.1))?;
        d.set_item("df", f64_out(py, out.2))?;
    }
    Ok(d)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(mmrm_fit, m)?)?;
    m.add_function(wrap_pyfunction!(mmrm_contrast, m)?)?;
    Ok(())
}
