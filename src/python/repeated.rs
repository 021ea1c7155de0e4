//! Bindings of `crate::longitudinal::repeated`. Every function takes the
//! subject codes (int64, `code = subject - base`, negative = missing), the
//! number of codes, the time (float64) and, where it needs values, a
//! (rows × columns) float64 view; it groups once and returns a dict.

use ndarray::ArrayView2;
use numpy::{IntoPyArray, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::convert::{dict, f64_out, slice, view2, Wrap};
use super::run::run_detached;
use crate::common::{Alternative, Choice, NanPolicy};
use crate::error::StatsError;
use crate::longitudinal::repeated::group::{self, spans};
use crate::longitudinal::repeated::helpers::{self, Baseline};
use crate::longitudinal::repeated::ranktests::{self, Blocks, Test};

type I64<'py> = PyReadonlyArray1<'py, i64>;
type F64<'py> = PyReadonlyArray1<'py, f64>;
type M<'py> = PyReadonlyArray2<'py, f64>;

fn codes<'a>(a: &'a I64<'_>) -> PyResult<&'a [i64]> {
    a.as_slice()
        .map_err(|_| PyTypeError::new_err("subject: internal: expected a contiguous int64 array"))
}

/// What `repeated_per_subject` computes (set by the Python layer).
#[derive(Clone, Copy, PartialEq)]
enum PerSubject {
    Auc,
    Slopes,
}

impl Choice for PerSubject {
    const ARG: &'static str = "what";
    const VALUES: &'static [(&'static str, Self)] =
        &[("auc", PerSubject::Auc), ("slopes", PerSubject::Slopes)];
}

/// Which rank test `repeated_test` runs (set by the Python layer).
#[derive(Clone, Copy, PartialEq)]
enum RankTest {
    Friedman,
    Cochran,
    SkillingsMack,
    Page,
}

impl Choice for RankTest {
    const ARG: &'static str = "test";
    const VALUES: &'static [(&'static str, Self)] = &[
        ("friedman", RankTest::Friedman),
        ("cochran_q", RankTest::Cochran),
        ("skillings_mack", RankTest::SkillingsMack),
        ("page_trend", RankTest::Page),
    ];
}

fn check_rows(values: &ArrayView2<'_, f64>, n: usize) -> Result<(), StatsError> {
    if values.nrows() != n {
        return Err(StatsError::length("value", values.nrows(), "time", n));
    }
    Ok(())
}

fn list_f64<'py>(py: Python<'py>, cols: Vec<Vec<f64>>) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, cols.into_iter().map(|c| c.into_pyarray(py)))
}

#[pyfunction]
#[pyo3(signature = (subject, base, n_codes, time, values, *, baseline, nan_policy))]
#[allow(clippy::too_many_arguments)]
fn repeated_change_from_baseline<'py>(
    py: Python<'py>,
    subject: I64<'py>,
    base: i64,
    n_codes: usize,
    time: F64<'py>,
    values: M<'py>,
    baseline: Option<f64>,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyDict>> {
    let (s, t, v) = (codes(&subject)?, slice(&time, "time")?, view2(&values));
    let (cols, no_base, dropped) = run_detached(py, || {
        check_rows(&v, t.len())?;
        // one value column, a baseline time, rows sorted: one pass
        let one = if v.ncols() == 1 {
            v.column(0).to_slice()
        } else {
            None
        };
        if let (Some(b), Some(col)) = (baseline, one) {
            if let Some((cols, nb)) =
                helpers::change_from_baseline_sorted(s, base, n_codes, t, col, b)
            {
                return Ok((cols, nb, 0));
            }
        }
        let g = spans(s, base, n_codes, t, nan_policy.0)?;
        let b = baseline.map_or(Baseline::First, Baseline::At);
        let (cols, nb) = helpers::change_from_baseline(&g, t, v, s, base, b)?;
        Ok((cols, nb, g.n_dropped))
    })?;
    Ok(dict!(
        py,
        columns = list_f64(py, cols)?,
        no_baseline = no_base,
        n_dropped = dropped,
    ))
}

/// The columns carried by `repeated_visit_window`: float64 ones (NaN where
/// no visit) and int64 ones (float64 with NaN when some subject has no visit,
/// as pandas' `take` with fill does).
fn gather<'py>(
    py: Python<'py>,
    floats: &[F64<'py>],
    ints: &[I64<'py>],
    n: usize,
    rows: &[i64],
    n_missing: usize,
) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyList>)> {
    let fl: Vec<&[f64]> = floats
        .iter()
        .map(|c| slice(c, "data"))
        .collect::<PyResult<_>>()?;
    let il: Vec<&[i64]> = ints.iter().map(codes).collect::<PyResult<_>>()?;
    let (f, i) = run_detached(py, || {
        let lens = fl.iter().map(|c| c.len()).chain(il.iter().map(|c| c.len()));
        if let Some(bad) = lens.into_iter().find(|&l| l != n) {
            return Err(StatsError::length("data", bad, "time", n));
        }
        let f: Vec<Vec<f64>> = fl.iter().map(|c| helpers::gather_f64(c, rows)).collect();
        let i: Vec<Result<Vec<i64>, Vec<f64>>> = il
            .iter()
            .map(|c| match n_missing {
                0 => Ok(helpers::gather_i64(c, rows)),
                _ => Err(helpers::gather_i64_as_f64(c, rows)),
            })
            .collect();
        Ok((f, i))
    })?;
    let ints = PyList::empty(py);
    for c in i {
        match c {
            Ok(v) => ints.append(v.into_pyarray(py))?,
            Err(v) => ints.append(v.into_pyarray(py))?,
        }
    }
    Ok((list_f64(py, f)?, ints))
}

#[pyfunction]
#[pyo3(signature = (subject, base, n_codes, time, targets, *, width, nan_policy, floats, ints))]
#[allow(clippy::too_many_arguments)]
fn repeated_visit_window<'py>(
    py: Python<'py>,
    subject: I64<'py>,
    base: i64,
    n_codes: usize,
    time: F64<'py>,
    targets: F64<'py>,
    width: f64,
    nan_policy: Wrap<NanPolicy>,
    floats: Vec<F64<'py>>,
    ints: Vec<I64<'py>>,
) -> PyResult<Bound<'py, PyDict>> {
    let (s, t, tg) = (
        codes(&subject)?,
        slice(&time, "time")?,
        slice(&targets, "targets")?,
    );
    let (w, dropped) = run_detached(py, || {
        helpers::check_targets(tg, Some(width))?;
        // rows sorted by subject and time: the subjects' runs are enough
        if let Some(runs) = group::sorted_runs(s, base, n_codes, t) {
            return Ok((helpers::visit_window_runs(&runs, s, t, tg, width)?, 0));
        }
        let g = spans(s, base, n_codes, t, nan_policy.0)?;
        Ok((helpers::visit_window(&g, t, tg, width, base)?, g.n_dropped))
    })?;
    let (fl, il) = gather(py, &floats, &ints, t.len(), &w.rows, w.n_missing)?;
    Ok(dict!(
        py,
        ids = w.ids.into_pyarray(py),
        target = f64_out(py, w.target),
        rows = w.rows.into_pyarray(py),
        distance = f64_out(py, w.distance),
        floats = fl,
        ints = il,
        n_missing = w.n_missing,
        n_dropped = dropped,
    ))
}

#[pyfunction]
#[pyo3(signature = (subject, base, n_codes, time, values, targets, *, nan_policy))]
#[allow(clippy::too_many_arguments)]
fn repeated_locf<'py>(
    py: Python<'py>,
    subject: I64<'py>,
    base: i64,
    n_codes: usize,
    time: F64<'py>,
    values: M<'py>,
    targets: Option<F64<'py>>,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyDict>> {
    let (s, t, v) = (codes(&subject)?, slice(&time, "time")?, view2(&values));
    let tg = match &targets {
        Some(a) => Some(slice(a, "targets")?),
        None => None,
    };
    let (subj, vals, times, dropped) = run_detached(py, || {
        check_rows(&v, t.len())?;
        if let Some(tg) = tg {
            helpers::check_targets(tg, None)?;
        }
        let g = group::group(s, base, n_codes, t, nan_policy.0)?;
        Ok(match tg {
            Some(tg) => {
                let (a, b, c) = helpers::locf_targets(&g, t, v, tg)?;
                (Some(a), b, c, g.n_dropped)
            }
            None => (None, helpers::locf_rows(&g, v), Vec::new(), g.n_dropped),
        })
    })?;
    Ok(dict!(
        py,
        subjects = subj.map(|a| a.into_pyarray(py)),
        values = list_f64(py, vals)?,
        times = list_f64(py, times)?,
        n_dropped = dropped,
    ))
}

#[pyfunction]
#[pyo3(signature = (subject, base, n_codes, time, values, *, what, normalise, nan_policy))]
#[allow(clippy::too_many_arguments)]
fn repeated_per_subject<'py>(
    py: Python<'py>,
    subject: I64<'py>,
    base: i64,
    n_codes: usize,
    time: F64<'py>,
    values: M<'py>,
    what: Wrap<PerSubject>,
    normalise: bool,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyDict>> {
    let (s, t, v) = (codes(&subject)?, slice(&time, "time")?, view2(&values));
    let ((subj, cols), dropped) = run_detached(py, || {
        check_rows(&v, t.len())?;
        let policy = nan_policy.0;
        let g = group::group(s, base, n_codes, t, policy)?;
        let out = match what.0 {
            PerSubject::Auc => helpers::auc(&g, t, v, normalise, policy)?,
            PerSubject::Slopes => helpers::slopes(&g, t, v, policy)?,
        };
        Ok((out, g.n_dropped))
    })?;
    Ok(dict!(
        py,
        subjects = subj.into_pyarray(py),
        columns = list_f64(py, cols)?,
        n_dropped = dropped,
    ))
}

#[pyfunction]
#[pyo3(signature = (subject, base, n_codes, time, values, *, test, alternative, nan_policy))]
#[allow(clippy::too_many_arguments)]
fn repeated_test<'py>(
    py: Python<'py>,
    subject: I64<'py>,
    base: i64,
    n_codes: usize,
    time: F64<'py>,
    values: M<'py>,
    test: Wrap<RankTest>,
    alternative: Wrap<Alternative>,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyDict>> {
    let (s, t, v) = (codes(&subject)?, slice(&time, "time")?, view2(&values));
    let (outs, k, dropped) = run_detached(py, || {
        check_rows(&v, t.len())?;
        let test = match test.0 {
            RankTest::Friedman => Test::Friedman,
            RankTest::Cochran => Test::Cochran,
            RankTest::SkillingsMack => Test::SkillingsMack,
            RankTest::Page => Test::Page(alternative.0),
        };
        let policy = nan_policy.0;
        let g = group::group(s, base, n_codes, t, policy)?;
        let b = Blocks::new(&g, t);
        Ok((ranktests::run(&b, v, test, policy)?, b.k(), g.n_dropped))
    })?;
    let col = |f: fn(&ranktests::TestOutput) -> f64| f64_out(py, outs.iter().map(f).collect());
    Ok(dict!(
        py,
        statistic = col(|o| o.statistic),
        df = col(|o| o.df),
        pvalue = col(|o| o.pvalue),
        z = col(|o| o.z),
        n = col(|o| o.n as f64),
        n_dropped = col(|o| o.n_dropped as f64),
        n_missing = col(|o| o.n_missing as f64),
        k = k,
        rows_dropped = dropped,
    ))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(repeated_change_from_baseline, m)?)?;
    m.add_function(wrap_pyfunction!(repeated_visit_window, m)?)?;
    m.add_function(wrap_pyfunction!(repeated_locf, m)?)?;
    m.add_function(wrap_pyfunction!(repeated_per_subject, m)?)?;
    m.add_function(wrap_pyfunction!(repeated_test, m)?)?;
    Ok(())
}
