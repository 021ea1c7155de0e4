//! Bindings of `crate::longitudinal::mmrm` (row-major matrices travel flat).

use numpy::PyReadonlyArray1;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::convert::{dict, f64_out, slice, Wrap};
use super::run::run_detached;
use crate::common::ddf::KenwardRoger;
use crate::common::Choice;
use crate::error::StatsError;
use crate::longitudinal::mmrm::{fit_kr, Data, KrOptions, MmrmFit, Structure};

/// The Kenward–Roger `ddf` options (the Python layer passes None for the others).
#[derive(Clone, Copy, PartialEq)]
enum KrDdf {
    Standard,
    Linear,
}

impl Choice for KrDdf {
    const ARG: &'static str = "ddf";
    const VALUES: &'static [(&'static str, Self)] = &[
        ("kenward-roger", KrDdf::Standard),
        ("kenward-roger-linear", KrDdf::Linear),
    ];
}

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
    let d = dict!(
        py,
        theta = f64_out(py, f.theta),
        beta = f64_out(py, f.beta),
        vcov = f64_out(py, f.vcov),
        vcov_jac = f64_out(py, f.vcov_jac.concat()),
        theta_cov = f64_out(py, f.theta_cov),
        m2ll = f.m2ll,
        sigma = f64_out(py, f.sigma.concat()),
        converged = f.converged,
        iterations = f.iterations,
        evaluations = f.evaluations,
        max_grad = f.max_grad,
        n_subjects = f.n_subjects,
        nobs = f.nobs,
        n_patterns = f.n_patterns,
        message = f.message,
    );
    if let Some(k) = f.kr {
        // the Kenward–Roger quantities, when asked for
        d.update(
            dict!(
                py,
                vcov_adj = f64_out(py, k.vcov_adj),
                kr_w = f64_out(py, k.w)
            )
            .as_mapping(),
        )?;
    }
    Ok(d)
}

/// Fit an MMRM: `x` n×p flat, `subject`/`visit` row codes, `group` one code
/// per subject (covariance group), `m` visit levels. `kr`: None,
/// 'kenward-roger' or 'kenward-roger-linear' (adds `vcov_adj` and `kr_w`);
/// `kr_expected`: W from the expected instead of the observed information.
#[pyfunction]
#[pyo3(signature = (x, y, p, subject, visit, group, m, n_groups, *, covariance, reml, kr=None, kr_expected=false))]
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
    covariance: Wrap<Structure>,
    reml: bool,
    kr: Option<Wrap<KrDdf>>,
    kr_expected: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let kr = kr.map(|k| KrOptions {
        linear: k.0 == KrDdf::Linear,
        expected: kr_expected,
    });
    let s = covariance.0;
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
        fit_kr(&d, s, reml, kr)
    })?;
    fit_dict(py, f)
}

/// Kenward–Roger contrasts: `l` r×p flat; `vcov` Φ, `vcov_adj` Φ_A, `jac`
/// ∂Φ/∂θ (k p×p), `w` cov(θ̂) (k×k). `joint=False`: per row estimate,
/// adjusted variance and KR df; `joint=True`: the scaled F (`F, num_df,
/// den_df, lambda`).
#[pyfunction]
#[pyo3(signature = (l, r, beta, vcov, vcov_adj, jac, w, joint))]
#[allow(clippy::too_many_arguments)]
fn kr_contrast<'py>(
    py: Python<'py>,
    l: PyReadonlyArray1<'py, f64>,
    r: usize,
    beta: PyReadonlyArray1<'py, f64>,
    vcov: PyReadonlyArray1<'py, f64>,
    vcov_adj: PyReadonlyArray1<'py, f64>,
    jac: PyReadonlyArray1<'py, f64>,
    w: PyReadonlyArray1<'py, f64>,
    joint: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let (l, beta, vcov, vcov_adj, jac, w) = (
        slice(&l, "L")?,
        slice(&beta, "beta")?,
        slice(&vcov, "vcov")?,
        slice(&vcov_adj, "vcov_adj")?,
        slice(&jac, "jac")?,
        slice(&w, "w")?,
    );
    let p = beta.len();
    let k = (w.len() as f64).sqrt().round() as usize;
    if l.len() != r * p
        || vcov.len() != p * p
        || vcov_adj.len() != p * p
        || jac.len() != k * p * p
        || k * k != w.len()
    {
        return Err(PyValueError::new_err(
            "kr_contrast: inconsistent sizes of L, beta, vcov, vcov_adj, jac, w",
        ));
    }
    let jm: Vec<Vec<f64>> = jac.chunks(p * p).map(|c| c.to_vec()).collect();
    type Out = (Vec<f64>, Vec<f64>, Vec<f64>, Option<(f64, usize, f64, f64)>);
    let out = run_detached(py, || -> Result<Out, StatsError> {
        let kr = KenwardRoger {
            p,
            vcov,
            vcov_adj,
            jac: &jm,
            w,
        };
        if joint {
            let t = kr
                .multi(l, r, beta)
                .map(|t| (t.f, t.num_df, t.den_df, t.lambda));
            return Ok((vec![], vec![], vec![], t));
        }
        let mut est = Vec::with_capacity(r);
        let mut var = Vec::with_capacity(r);
        let mut df = Vec::with_capacity(r);
        for row in l.chunks(p) {
            let c = kr.one(row);
            est.push(row.iter().zip(beta).map(|(x, b)| x * b).sum());
            var.push(c.variance);
            df.push(c.df);
        }
        Ok((est, var, df, None))
    })?;
    Ok(if joint {
        let (f, nd, dd, lam) = out.3.unwrap_or((f64::NAN, 0, f64::NAN, f64::NAN));
        dict!(py, F = f, num_df = nd, den_df = dd, lambda = lam)
    } else {
        dict!(
            py,
            estimate = f64_out(py, out.0),
            variance = f64_out(py, out.1),
            df = f64_out(py, out.2),
        )
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(mmrm_fit, m)?)?;
    m.add_function(wrap_pyfunction!(kr_contrast, m)?)?;
    Ok(())
}
