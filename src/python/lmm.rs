//! Bindings of `crate::longitudinal::lmm` (row-major matrices travel flat).

use numpy::PyReadonlyArray1;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::convert::{dict, f64_out, slice};
use super::run::run_detached;
use crate::common::ddf::Satterthwaite;
use crate::error::StatsError;
use crate::longitudinal::lmm::{fit_blocks, Blocks, FitOptions, LmmFit, Structure};

fn codes(a: &PyReadonlyArray1<'_, i64>) -> PyResult<Vec<usize>> {
    let s = a
        .as_slice()
        .map_err(|_| PyValueError::new_err("group: internal: expected a contiguous int64 array"))?;
    s.iter()
        .enumerate()
        .map(|(i, &v)| {
            usize::try_from(v)
                .map_err(|_| PyValueError::new_err(format!("group[{i}] = {v}: codes must be >= 0")))
        })
        .collect()
}

fn blocks_dict<'py>(py: Python<'py>, b: Blocks) -> PyResult<Bound<'py, PyDict>> {
    Ok(dict!(
        py,
        n = b.n,
        m = b.m,
        p = b.p,
        q = b.q,
        yty = b.yty,
        ztz = f64_out(py, b.ztz),
        ztx = f64_out(py, b.ztx),
        zty = f64_out(py, b.zty),
        xtx = f64_out(py, b.xtx),
        xty = f64_out(py, b.xty),
    ))
}

fn fit_dict<'py>(py: Python<'py>, f: LmmFit) -> PyResult<Bound<'py, PyDict>> {
    Ok(dict!(
        py,
        sigma = f.sigma,
        deviance = f.deviance,
        converged = f.converged,
        iterations = f.iterations,
        evaluations = f.evaluations,
        singular = f.singular,
        hessian_negative = f.hessian_negative,
        theta = f64_out(py, f.theta),
        beta = f64_out(py, f.beta),
        vcov = f64_out(py, f.vcov),
        ranef = f64_out(py, f.ranef),
        condvar = f64_out(py, f.condvar),
        varpar_cov = f64_out(py, f.varpar_cov),
        jac = f64_out(py, f.jac.concat()),
        df = f64_out(py, f.df),
    ))
}

/// Per-subject crossproducts of one grouping factor (for partitions).
#[pyfunction]
#[pyo3(signature = (x, z, y, group, p, q, m))]
#[allow(clippy::too_many_arguments)]
fn lmm_blocks<'py>(
    py: Python<'py>,
    x: PyReadonlyArray1<'py, f64>,
    z: PyReadonlyArray1<'py, f64>,
    y: PyReadonlyArray1<'py, f64>,
    group: PyReadonlyArray1<'py, i64>,
    p: usize,
    q: usize,
    m: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let (x, z, y, g) = (
        slice(&x, "X")?,
        slice(&z, "Z")?,
        slice(&y, "y")?,
        codes(&group)?,
    );
    let b = run_detached(py, || Blocks::from_rows(x, z, y, &g, p, q, m))?;
    blocks_dict(py, b)
}

/// Fit from per-subject crossproducts (see `lmm_blocks`).
#[pyfunction]
#[pyo3(signature = (ztz, ztx, zty, xtx, xty, yty, n, m, p, q, sizes, *, reml, max_iter, satterthwaite, extra=vec![]))]
#[allow(clippy::too_many_arguments)]
fn lmm_fit_blocks<'py>(
    py: Python<'py>,
    ztz: PyReadonlyArray1<'py, f64>,
    ztx: PyReadonlyArray1<'py, f64>,
    zty: PyReadonlyArray1<'py, f64>,
    xtx: PyReadonlyArray1<'py, f64>,
    xty: PyReadonlyArray1<'py, f64>,
    yty: f64,
    n: usize,
    m: usize,
    p: usize,
    q: usize,
    sizes: Vec<usize>,
    reml: bool,
    max_iter: usize,
    satterthwaite: bool,
    extra: Vec<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    let b = Blocks {
        p,
        q,
        n,
        m,
        ztz: slice(&ztz, "ztz")?.to_vec(),
        ztx: slice(&ztx, "ztx")?.to_vec(),
        zty: slice(&zty, "zty")?.to_vec(),
        xtx: slice(&xtx, "xtx")?.to_vec(),
        xty: slice(&xty, "xty")?.to_vec(),
        yty,
    };
    let s = Structure { sizes, extra };
    let opt = FitOptions {
        reml,
        max_iter,
        satterthwaite,
    };
    let f = run_detached(py, || fit_blocks(&b, &s, opt))?;
    fit_dict(py, f)
}

/// Fit from rows: `x` n×p and `z` n×q flat row-major, `group` codes 0..m;
/// `extra`: levels of further scalar terms whose indicator columns lead `x`.
#[pyfunction]
#[pyo3(signature = (x, z, y, group, p, q, m, sizes, *, reml, max_iter, satterthwaite, extra=vec![]))]
#[allow(clippy::too_many_arguments)]
fn lmm_fit<'py>(
    py: Python<'py>,
    x: PyReadonlyArray1<'py, f64>,
    z: PyReadonlyArray1<'py, f64>,
    y: PyReadonlyArray1<'py, f64>,
    group: PyReadonlyArray1<'py, i64>,
    p: usize,
    q: usize,
    m: usize,
    sizes: Vec<usize>,
    reml: bool,
    max_iter: usize,
    satterthwaite: bool,
    extra: Vec<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    let (x, z, y, g) = (
        slice(&x, "X")?,
        slice(&z, "Z")?,
        slice(&y, "y")?,
        codes(&group)?,
    );
    let s = Structure { sizes, extra };
    let opt = FitOptions {
        reml,
        max_iter,
        satterthwaite,
    };
    let f = run_detached(py, || {
        let b = Blocks::from_rows(x, z, y, &g, p, q, m)?;
        fit_blocks(&b, &s, opt)
    })?;
    fit_dict(py, f)
}

/// (estimates, variances, df) of row tests, or the joint (F, num_df, den_df).
type ContrastOut = (Vec<f64>, Vec<f64>, Vec<f64>, Option<(f64, usize, f64)>);

/// Satterthwaite contrasts (lmerTest; shared by the LMM and the MMRM): `l` r×p flat. With `joint=False` one
/// t test per row (`estimate, variance, df` arrays); with `joint=True` the
/// F test of all rows (`F, num_df, den_df`).
#[pyfunction]
#[pyo3(signature = (l, r, beta, vcov, jac, a, joint))]
#[allow(clippy::too_many_arguments)]
fn satterthwaite_contrast<'py>(
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
            "satterthwaite_contrast: inconsistent sizes of L, beta, vcov, jac, a",
        ));
    }
    let jm: Vec<Vec<f64>> = jac.chunks(p * p).map(|c| c.to_vec()).collect();
    let out = run_detached(py, || -> Result<ContrastOut, StatsError> {
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
    if joint {
        let (f, nd, dd) = out.3.unwrap_or((f64::NAN, 0, f64::NAN));
        return Ok(dict!(py, F = f, num_df = nd, den_df = dd));
    }
    Ok(dict!(
        py,
        estimate = f64_out(py, out.0),
        variance = f64_out(py, out.1),
        df = f64_out(py, out.2),
    ))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(lmm_blocks, m)?)?;
    m.add_function(wrap_pyfunction!(lmm_fit_blocks, m)?)?;
    m.add_function(wrap_pyfunction!(lmm_fit, m)?)?;
    m.add_function(wrap_pyfunction!(satterthwaite_contrast, m)?)?;
    Ok(())
}
