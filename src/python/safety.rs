//! Bindings for `rheumstats.safety`.

use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::convert::{dict, f64_out, slice, Wrap};
use super::run::run_detached;
use crate::common::{check, nan, Alternative, NanPolicy};
use crate::safety::poisson;

#[pyfunction]
#[pyo3(signature = (events, exposure, codes, *, n_groups, per, conf_level, nan_policy))]
#[allow(clippy::too_many_arguments)]
fn safety_incidence_rate<'py>(
    py: Python<'py>,
    events: numpy::PyReadonlyArray1<'py, f64>,
    exposure: numpy::PyReadonlyArray1<'py, f64>,
    codes: numpy::PyReadonlyArray1<'py, f64>,
    n_groups: usize,
    per: f64,
    conf_level: f64,
    nan_policy: Wrap<NanPolicy>,
) -> PyResult<Bound<'py, PyDict>> {
    let (e, t, c) = (
        slice(&events, "events")?,
        slice(&exposure, "exposure")?,
        slice(&codes, "group")?,
    );
    let rs = run_detached(py, || {
        let policy = nan_policy.0;
        let cu = check::group_codes(c, "group", n_groups)?;
        let miss = nan::missing_rows(&[("events", e), ("exposure", t)], policy)?;
        if !miss.contains(&true) {
            let out = poisson::incidence(e, t, &cu, n_groups, per, conf_level)?;
            return Ok((out, vec![true; n_groups]));
        }
        // a missing row counts 0 events over 0 exposure ('omit'; rows keep their
        // positions, so an error names the input row) or is made NaN afterwards
        // ('propagate'); a group with no row left is left out ('omit') or NaN
        let mut left = vec![0usize; n_groups];
        for (i, &g) in cu.iter().enumerate() {
            left[g] += usize::from(!miss[i]);
        }
        let ev: Vec<f64> = (0..e.len())
            .map(|i| if miss[i] { 0.0 } else { e[i] })
            .collect();
        let ex: Vec<f64> = (0..t.len())
            .map(|i| match (miss[i], left[cu[i]] == 0) {
                (false, _) => t[i],
                (true, true) => 1.0,
                (true, false) => 0.0,
            })
            .collect();
        let mut out = poisson::incidence(&ev, &ex, &cu, n_groups, per, conf_level)?;
        let keep: Vec<bool> = left
            .iter()
            .map(|&k| policy == NanPolicy::Propagate || k > 0)
            .collect();
        if policy == NanPolicy::Propagate {
            for (i, _) in miss.iter().enumerate().filter(|(_, m)| **m) {
                let r = &mut out[cu[i]];
                (r.events, r.exposure, r.rate, r.ci_low, r.ci_high) =
                    (f64::NAN, f64::NAN, f64::NAN, f64::NAN, f64::NAN);
            }
        }
        Ok((out, keep))
    })?;
    let (rs, keep) = rs;
    let col = |f: fn(&poisson::Rate) -> f64| f64_out(py, rs.iter().map(f).collect());
    Ok(dict!(
        py,
        events = col(|r| r.events),
        exposure = col(|r| r.exposure),
        rate = col(|r| r.rate),
        ci_low = col(|r| r.ci_low),
        ci_high = col(|r| r.ci_high),
        kept = keep,
    ))
}

#[pyfunction]
#[pyo3(signature = (events, exposure, *, alternative, conf_level))]
fn safety_rate_ratio<'py>(
    py: Python<'py>,
    events: (f64, f64),
    exposure: (f64, f64),
    alternative: Wrap<Alternative>,
    conf_level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let r = run_detached(py, || {
        poisson::rate_ratio(
            [events.0, events.1],
            [exposure.0, exposure.1],
            alternative.0,
            conf_level,
        )
    })?;
    Ok(dict!(
        py,
        estimate = r.estimate,
        pvalue = r.pvalue,
        ci_low = r.ci_low,
        ci_high = r.ci_high
    ))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(safety_incidence_rate, m)?)?;
    m.add_function(wrap_pyfunction!(safety_rate_ratio, m)?)?;
    Ok(())
}
