//! Bindings for `rheumstats.paired` and `rheumstats.multitest`.
//!
//! Paired inputs arrive as 2-D float64 arrays `(endpoints, observations)`
//! (the Python layer moves `axis` last); every function returns a dict of
//! 1-D arrays, one value per endpoint. `strict` marks the 1-D form.

use ndarray::Array2;
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::convert::{dict, f64_out, f64_out2, new_f64, slice, view2, Wrap};
use super::run::{run_detached, run_interruptible};
use crate::common::{Alternative, NanPolicy};
use crate::multitest;
use crate::paired::{bootstrap, mcnemar, permutation, sign, ttest, wilcoxon, Pairs, Sink};

type M<'py> = PyReadonlyArray2<'py, f64>;
type Pair<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>);

fn pairs<'a>(
    x: &'a M<'_>,
    y: &'a Option<M<'_>>,
) -> (
    ndarray::ArrayView2<'a, f64>,
    Option<ndarray::ArrayView2<'a, f64>>,
) {
    (view2(x), y.as_ref().map(view2))
}

#[pyfunction]
#[pyo3(signature = (x, y, *, alternative, conf_level, popmean, nan_policy, strict, means=false))]
#[allow(clippy::too_many_arguments)]
fn paired_ttest<'py>(
    py: Python<'py>,
    x: M<'py>,
    y: Option<M<'py>>,
    alternative: Wrap<Alternative>,
    conf_level: f64,
    popmean: f64,
    nan_policy: Wrap<NanPolicy>,
    strict: bool,
    means: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let (xv, yv) = pairs(&x, &y);
    // numpy-allocated output columns, filled in place (no row structs, no copies)
    let (d, arrays) = columns(py, &ttest::TTEST_FIELDS, xv.nrows())?;
    {
        let mut writers: Vec<_> = arrays.iter().map(|a| a.readwrite()).collect();
        let cols = slices::<13>(&mut writers)?;
        run_detached(py, || {
            let o = ttest::TtestOptions {
                means,
                alternative: alternative.0,
                conf_level,
                popmean,
                nan_policy: nan_policy.0,
                strict,
            };
            ttest::ttest_into(
                &Pairs::new(xv, yv)?,
                &o,
                Sink::Columns(cols, ttest::ttest_fields),
            )
        })?;
    }
    Ok(d)
}

/// A dict of new numpy float64 arrays of length `m`, one per field name (to be filled).
type Columns<'py> = (Bound<'py, PyDict>, Vec<Bound<'py, PyArray1<f64>>>);

fn columns<'py>(py: Python<'py>, names: &[&str], m: usize) -> PyResult<Columns<'py>> {
    let d = PyDict::new(py);
    let mut arrays = Vec::with_capacity(names.len());
    for name in names {
        let a = new_f64(py, m);
        d.set_item(*name, &a)?;
        arrays.push(a);
    }
    Ok((d, arrays))
}

/// The writable slices of K fresh arrays.
fn slices<'a, const K: usize>(
    writers: &'a mut [numpy::PyReadwriteArray1<'_, f64>],
) -> PyResult<[&'a mut [f64]; K]> {
    let v: Vec<&mut [f64]> = writers
        .iter_mut()
        .map(|w| {
            w.as_slice_mut()
                .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))
        })
        .collect::<PyResult<_>>()?;
    v.try_into()
        .map_err(|_| pyo3::exceptions::PyRuntimeError::new_err("internal: output column count"))
}

#[pyfunction]
#[pyo3(signature = (mean, se, df, *, alternative, conf_level))]
fn paired_t_interval<'py>(
    py: Python<'py>,
    mean: PyReadonlyArray1<'py, f64>,
    se: PyReadonlyArray1<'py, f64>,
    df: PyReadonlyArray1<'py, f64>,
    alternative: Wrap<Alternative>,
    conf_level: f64,
) -> PyResult<Pair<'py>> {
    let (m, s, d) = (slice(&mean, "mean")?, slice(&se, "se")?, slice(&df, "df")?);
    let (lo, hi) = run_detached(py, || {
        let alt = alternative.0;
        let mut lo = Vec::with_capacity(m.len());
        let mut hi = Vec::with_capacity(m.len());
        for i in 0..m.len() {
            let (a, b) = ttest::t_interval(m[i], s[i], d[i], alt, conf_level)?;
            lo.push(a);
            hi.push(b);
        }
        Ok((lo, hi))
    })?;
    Ok((f64_out(py, lo), f64_out(py, hi)))
}

#[pyfunction]
#[pyo3(signature = (x, y, *, alternative, method, zero_method, correction, conf_level, popmean, conf_int, nan_policy, strict))]
#[allow(clippy::too_many_arguments)]
fn paired_wilcoxon<'py>(
    py: Python<'py>,
    x: M<'py>,
    y: Option<M<'py>>,
    alternative: Wrap<Alternative>,
    method: Wrap<wilcoxon::Method>,
    zero_method: Wrap<wilcoxon::ZeroMethod>,
    correction: bool,
    conf_level: f64,
    popmean: f64,
    conf_int: bool,
    nan_policy: Wrap<NanPolicy>,
    strict: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let (xv, yv) = pairs(&x, &y);
    let (d, cols) = columns(py, &wilcoxon::WILCOXON_FIELDS, xv.nrows())?;
    let mut writers: Vec<_> = cols.iter().map(|a| a.readwrite()).collect();
    let cols = slices::<10>(&mut writers)?;
    run_detached(py, || {
        let o = wilcoxon::WilcoxonOptions {
            alternative: alternative.0,
            method: method.0,
            zero_method: zero_method.0,
            correction,
            conf_level,
            popmean,
            conf_int,
            nan_policy: nan_policy.0,
            strict,
        };
        wilcoxon::wilcoxon_into(
            &Pairs::new(xv, yv)?,
            &o,
            Sink::Columns(cols, wilcoxon::wilcoxon_fields),
        )
    })?;
    Ok(d)
}

#[pyfunction]
#[pyo3(signature = (x, y, *, alternative, conf_level, popmean, nan_policy, strict))]
#[allow(clippy::too_many_arguments)]
fn paired_sign_test<'py>(
    py: Python<'py>,
    x: M<'py>,
    y: Option<M<'py>>,
    alternative: Wrap<Alternative>,
    conf_level: f64,
    popmean: f64,
    nan_policy: Wrap<NanPolicy>,
    strict: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let (xv, yv) = pairs(&x, &y);
    let rows = run_detached(py, || {
        let o = sign::SignOptions {
            alternative: alternative.0,
            conf_level,
            popmean,
            nan_policy: nan_policy.0,
            strict,
        };
        sign::sign_test(&Pairs::new(xv, yv)?, &o)
    })?;
    {
        let col = |f: fn(&_) -> f64| f64_out(py, rows.iter().map(f).collect());
        Ok(dict!(
            py,
            statistic = col(|r| r.statistic),
            pvalue = col(|r| r.pvalue),
            n_pos = col(|r| r.n_pos),
            n_neg = col(|r| r.n_neg),
            n_zero = col(|r| r.n_zero),
            estimate = col(|r| r.estimate),
            ci_low = col(|r| r.ci_low),
            ci_high = col(|r| r.ci_high),
            ci_level = col(|r| r.ci_level),
        ))
    }
}

#[pyfunction]
#[pyo3(signature = (x, y, *, statistic, alternative, n_resamples, seed, popmean, nan_policy, strict))]
#[allow(clippy::too_many_arguments)]
fn paired_permutation_test<'py>(
    py: Python<'py>,
    x: M<'py>,
    y: Option<M<'py>>,
    statistic: Wrap<permutation::Statistic>,
    alternative: Wrap<Alternative>,
    n_resamples: Option<u64>,
    seed: u64,
    popmean: f64,
    nan_policy: Wrap<NanPolicy>,
    strict: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let (xv, yv) = pairs(&x, &y);
    // sign vectors (exact: 2^n per endpoint) or resamples, times the values: Ctrl-C stops a
    // call of seconds (1e9 resamples of n = 20 take a minute)
    let per = n_resamples.unwrap_or(1u64 << xv.ncols().min(40));
    let long = per.saturating_mul(xv.len() as u64) > 50_000_000;
    let rows = run_interruptible(py, long, || {
        let o = permutation::PermutationOptions {
            statistic: statistic.0,
            alternative: alternative.0,
            n_resamples,
            seed,
            popmean,
            nan_policy: nan_policy.0,
            strict,
        };
        permutation::permutation_test(&Pairs::new(xv, yv)?, &o)
    })?;
    {
        let col = |f: fn(&_) -> f64| f64_out(py, rows.iter().map(f).collect());
        Ok(dict!(
            py,
            statistic = col(|r| r.statistic),
            pvalue = col(|r| r.pvalue),
            n_resamples = col(|r| r.n_resamples),
            exact = col(|r| r.exact),
            n = col(|r| r.n),
        ))
    }
}

#[pyfunction]
#[pyo3(signature = (x, y, *, statistic, method, n_resamples, conf_level, seed, endpoint_offset, nan_policy, strict))]
#[allow(clippy::too_many_arguments)]
fn paired_bootstrap<'py>(
    py: Python<'py>,
    x: M<'py>,
    y: Option<M<'py>>,
    statistic: Wrap<permutation::Statistic>,
    method: Wrap<bootstrap::Method>,
    n_resamples: u64,
    conf_level: f64,
    seed: u64,
    endpoint_offset: u64,
    nan_policy: Wrap<NanPolicy>,
    strict: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let (xv, yv) = pairs(&x, &y);
    let rows = run_detached(py, || {
        let o = bootstrap::BootstrapOptions {
            statistic: statistic.0,
            method: method.0,
            n_resamples,
            conf_level,
            seed,
            endpoint_offset,
            nan_policy: nan_policy.0,
            strict,
        };
        bootstrap::bootstrap(&Pairs::new(xv, yv)?, &o)
    })?;
    bootstrap_dict(py, &rows)
}

/// The fields of bootstrap results (per endpoint, or one interval), one place.
fn bootstrap_dict<'py>(
    py: Python<'py>,
    rows: &[bootstrap::BootstrapOutput],
) -> PyResult<Bound<'py, PyDict>> {
    let col = |f: fn(&bootstrap::BootstrapOutput) -> f64| f64_out(py, rows.iter().map(f).collect());
    Ok(dict!(
        py,
        estimate = col(|r| r.estimate),
        ci_low = col(|r| r.ci_low),
        ci_high = col(|r| r.ci_high),
        se = col(|r| r.se),
        n_resamples = col(|r| r.n_resamples),
        n = col(|r| r.n),
    ))
}

/// Differences of the single endpoint (1-D form) after the NaN policy.
fn one_endpoint(
    xv: ndarray::ArrayView2<'_, f64>,
    yv: Option<ndarray::ArrayView2<'_, f64>>,
    nan_policy: Wrap<NanPolicy>,
) -> Result<Vec<f64>, crate::StatsError> {
    let p = Pairs::new(xv, yv)?;
    let v =
        crate::paired::each_endpoint(&p, nan_policy.0, true, 1, |_, ep| Ok(Diffs(ep.d.to_vec())))?;
    Ok(v.into_iter().next().map(|d| d.0).unwrap_or_default())
}

struct Diffs(Vec<f64>);
impl crate::paired::NanRow for Diffs {
    fn nan_row() -> Self {
        Diffs(vec![f64::NAN])
    }
}

/// Bootstrap statistics of resamples `lo..hi` of the one endpoint (progress-bar chunks).
#[pyfunction]
#[pyo3(signature = (x, y, *, statistic, seed, lo, hi, nan_policy))]
#[allow(clippy::too_many_arguments)]
fn paired_bootstrap_distribution<'py>(
    py: Python<'py>,
    x: M<'py>,
    y: Option<M<'py>>,
    statistic: Wrap<permutation::Statistic>,
    seed: u64,
    lo: u64,
    hi: u64,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let (xv, yv) = pairs(&x, &y);
    let out = run_detached(py, || {
        let st = statistic.0;
        bootstrap::check_resamples(hi)?;
        if lo > hi {
            return Err(crate::error::StatsError::argument(
                "lo",
                "must not exceed hi",
            ));
        }
        let d = one_endpoint(xv, yv, nan_policy)?;
        if d.iter().any(|v| v.is_nan()) {
            return Ok(vec![f64::NAN; (hi.saturating_sub(lo)) as usize]);
        }
        Ok(bootstrap::distribution_range(&d, st, seed, 0, lo, hi))
    })?;
    Ok(f64_out(py, out))
}

/// The interval from a given bootstrap distribution (used after chunked runs,
/// and by the tests to check the formulas against scipy's distribution).
#[pyfunction]
#[pyo3(signature = (x, y, theta_b, *, statistic, method, conf_level, nan_policy))]
#[allow(clippy::too_many_arguments)]
fn paired_bootstrap_interval<'py>(
    py: Python<'py>,
    x: M<'py>,
    y: Option<M<'py>>,
    theta_b: PyReadonlyArray1<'py, f64>,
    statistic: Wrap<permutation::Statistic>,
    method: Wrap<bootstrap::Method>,
    conf_level: f64,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyDict>> {
    let (xv, yv) = pairs(&x, &y);
    let tb = slice(&theta_b, "theta_b")?;
    let r = run_detached(py, || {
        let st = statistic.0;
        let m = method.0;
        let d = one_endpoint(xv, yv, nan_policy)?;
        if d.iter().any(|v| v.is_nan()) {
            return Ok(<bootstrap::BootstrapOutput as crate::paired::NanRow>::nan_row());
        }
        bootstrap::interval(tb, &d, st, m, conf_level)
    })?;
    let rows = [r];
    bootstrap_dict(py, &rows)
}

#[pyfunction]
#[pyo3(signature = (x, y, *, exact, correction, nan_policy))]
fn paired_mcnemar<'py>(
    py: Python<'py>,
    x: PyReadonlyArray1<'py, f64>,
    y: PyReadonlyArray1<'py, f64>,
    exact: Option<bool>,
    correction: bool,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyDict>> {
    let (a, b) = (slice(&x, "x")?, slice(&y, "y")?);
    let r = run_detached(py, || {
        mcnemar::mcnemar(a, b, exact, correction, nan_policy.0)
    })?;
    Ok(dict!(
        py,
        statistic = r.statistic,
        pvalue = r.pvalue,
        b = r.b,
        c = r.c,
        exact = r.exact,
    ))
}

#[pyfunction]
#[pyo3(signature = (x, y, *, k, nan_policy))]
fn paired_stuart_maxwell<'py>(
    py: Python<'py>,
    x: PyReadonlyArray1<'py, f64>,
    y: PyReadonlyArray1<'py, f64>,
    k: usize,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyDict>> {
    let (a, b) = (slice(&x, "x")?, slice(&y, "y")?);
    let r = run_detached(py, || mcnemar::stuart_maxwell(a, b, k, nan_policy.0))?;
    let t = Array2::from_shape_vec((r.k, r.k), r.table).map_err(|e| {
        pyo3::exceptions::PyRuntimeError::new_err(format!("internal: table shape ({e})"))
    })?;
    Ok(dict!(
        py,
        statistic = r.statistic,
        df = r.df,
        pvalue = r.pvalue,
        table = f64_out2(py, t),
    ))
}

#[pyfunction]
#[pyo3(signature = (pvalues, *, method))]
fn multitest_adjust<'py>(
    py: Python<'py>,
    pvalues: PyReadonlyArray1<'py, f64>,
    method: Wrap<multitest::Adjust>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let p = slice(&pvalues, "pvalues")?;
    let out = run_detached(py, || multitest::adjust(p, method.0))?;
    Ok(f64_out(py, out))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("WILCOXON_AUTO_EXACT_MAX", wilcoxon::AUTO_EXACT_MAX)?;
    m.add("MCNEMAR_AUTO_EXACT_BELOW", mcnemar::AUTO_EXACT_BELOW)?;
    m.add("BOOTSTRAP_TASK", bootstrap::TASK)?;
    m.add("BOOTSTRAP_MAX_RESAMPLES", bootstrap::MAX_RESAMPLES)?;
    m.add_function(wrap_pyfunction!(paired_ttest, m)?)?;
    m.add_function(wrap_pyfunction!(paired_t_interval, m)?)?;
    m.add_function(wrap_pyfunction!(paired_wilcoxon, m)?)?;
    m.add_function(wrap_pyfunction!(paired_sign_test, m)?)?;
    m.add_function(wrap_pyfunction!(paired_permutation_test, m)?)?;
    m.add_function(wrap_pyfunction!(paired_bootstrap, m)?)?;
    m.add_function(wrap_pyfunction!(paired_bootstrap_distribution, m)?)?;
    m.add_function(wrap_pyfunction!(paired_bootstrap_interval, m)?)?;
    m.add_function(wrap_pyfunction!(paired_mcnemar, m)?)?;
    m.add_function(wrap_pyfunction!(paired_stuart_maxwell, m)?)?;
    m.add_function(wrap_pyfunction!(multitest_adjust, m)?)?;
    Ok(())
}
