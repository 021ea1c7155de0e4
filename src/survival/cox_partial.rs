//! Cox partial likelihood from per-partition sums, for data split into
//! partitions (Dask).
//!
//! At a given β, the log partial likelihood, its score and information need,
//! for every stratum s and distinct time t, only sums over the rows with time
//! exactly t: of w = exp(η), w·x and w·xxᵀ over all those rows, and of 1, w,
//! w·x, w·xxᵀ, x and η over those with an event (η = (x − x̄)ᵀβ, x̄ the global
//! covariate means, so that the iterates are those of the in-memory fit). A
//! partition computes one row of these sums per (stratum, time) it holds
//! ([`partial_sums`]); rows of equal (stratum, time) from different
//! partitions add up ([`merge`]), so ties across partitions are exact; the
//! client walks the merged rows in decreasing time per stratum, accumulating
//! the risk-set sums S0, S1, S2 as cumulative sums, and applies the same
//! Efron/Breslow step as the in-memory fit ([`evaluate`]).
//!
//! Traffic per Newton iteration and partition: one row of
//! `width(p) = p² + 4p + 6` numbers per distinct (stratum, time) in the
//! partition, i.e. bounded by (number of distinct times × strata) × O(p²).

use super::cox::Ties;
use super::cox_newton::{add_event_time, symmetrise, Fit};
use super::{check_codes, check_events, check_lengths, check_times};
use crate::error::{Result, StatsError};

/// Numbers per (stratum, time) row: stratum, time, then the sums.
pub fn width(p: usize) -> usize {
    p * p + 4 * p + 6
}

struct Layout {
    p: usize,
    tri: usize,
}

impl Layout {
    fn new(p: usize) -> Layout {
        Layout {
            p,
            tri: p * (p + 1) / 2,
        }
    }
    // offsets of the blocks within a row
    fn w(&self) -> usize {
        2
    }
    fn wx(&self) -> usize {
        3
    }
    fn wxx(&self) -> usize {
        3 + self.p
    }
    fn m(&self) -> usize {
        3 + self.p + self.tri
    }
    fn w_ev(&self) -> usize {
        self.m() + 1
    }
    fn wx_ev(&self) -> usize {
        self.m() + 2
    }
    fn wxx_ev(&self) -> usize {
        self.wx_ev() + self.p
    }
    fn x_ev(&self) -> usize {
        self.wxx_ev() + self.tri
    }
    fn eta_ev(&self) -> usize {
        self.x_ev() + self.p
    }
}

/// Rows sorted by stratum ascending, time descending.
fn order(keys: &mut [(u32, f64, usize)]) {
    keys.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
}

/// One partition's sums at β: row-major (rows × width(p)), one row per
/// distinct (stratum, time), sorted by stratum then decreasing time.
/// `x` is n × p row-major (not centred); `means` the global covariate means.
pub fn partial_sums(
    time: &[f64],
    event: &[f64],
    x: &[f64],
    strata: Option<&[f64]>,
    means: &[f64],
    beta: &[f64],
) -> Result<Vec<f64>> {
    let p = means.len();
    let n = time.len();
    if beta.len() != p {
        return Err(StatsError::argument(
            "beta",
            format!("{} coefficients for {p} covariates", beta.len()),
        ));
    }
    if n == 0 {
        return Ok(Vec::new());
    }
    match strata {
        Some(s) => check_lengths(&[
            ("time", n),
            ("event", event.len()),
            ("covariates", x.len() / p.max(1)),
            ("strata", s.len()),
        ])?,
        None => check_lengths(&[
            ("time", n),
            ("event", event.len()),
            ("covariates", x.len() / p.max(1)),
        ])?,
    };
    if x.len() != n * p {
        return Err(StatsError::argument(
            "covariates",
            "internal error: covariates are not n × p",
        ));
    }
    check_times(time, "time")?;
    let ev = check_events(event, "event")?;
    for (i, &v) in x.iter().enumerate() {
        if !v.is_finite() {
            let reason = if v.is_nan() {
                "missing value"
            } else {
                "not finite"
            };
            return Err(StatsError::invalid_at(
                "covariates",
                i / p,
                i % p,
                v,
                reason,
                "covariates must be finite numbers",
            ));
        }
    }
    let sc: Vec<u32> = match strata {
        Some(s) => check_codes(s, "strata", "strata codes must be integers >= 0")?.0,
        None => vec![0; n],
    };
    let mut keys: Vec<(u32, f64, usize)> = (0..n).map(|i| (sc[i], time[i], i)).collect();
    order(&mut keys);
    let lay = Layout::new(p);
    let wd = width(p);
    let mut out: Vec<f64> = Vec::new();
    let mut xc = vec![0.0; p];
    let mut start = usize::MAX;
    let mut prev: Option<(u32, f64)> = None;
    for &(s, t, i) in &keys {
        if prev != Some((s, t)) {
            start = out.len();
            out.resize(start + wd, 0.0);
            out[start] = f64::from(s);
            out[start + 1] = t;
            prev = Some((s, t));
        }
        let row = &mut out[start..start + wd];
        for j in 0..p {
            xc[j] = x[i * p + j] - means[j];
        }
        let eta: f64 = xc.iter().zip(beta).map(|(a, b)| a * b).sum();
        let w = eta.exp();
        row[lay.w()] += w;
        let mut k = 0;
        for j in 0..p {
            row[lay.wx() + j] += w * xc[j];
            for l in 0..=j {
                row[lay.wxx() + k] += w * xc[j] * xc[l];
                k += 1;
            }
        }
        if ev[i] == 1 {
            row[lay.m()] += 1.0;
            row[lay.w_ev()] += w;
            row[lay.eta_ev()] += eta;
            let mut k = 0;
            for j in 0..p {
                row[lay.wx_ev() + j] += w * xc[j];
                row[lay.x_ev() + j] += xc[j];
                for l in 0..=j {
                    row[lay.wxx_ev() + k] += w * xc[j] * xc[l];
                    k += 1;
                }
            }
        }
    }
    Ok(out)
}

/// Sum tables of [`partial_sums`] (each rows × `wd`) by (stratum, time).
pub fn merge(tables: &[&[f64]], wd: usize) -> Result<Vec<f64>> {
    let mut keys: Vec<(u32, f64, usize)> = Vec::new();
    let mut rows: Vec<&[f64]> = Vec::new();
    for t in tables {
        if wd < 2 || !t.len().is_multiple_of(wd) {
            return Err(StatsError::argument(
                "tables",
                format!("internal error: a table is not rows × {wd}"),
            ));
        }
        for r in t.chunks(wd) {
            let s = r[0];
            if !(s >= 0.0 && s < u32::MAX as f64 && r[1].is_finite()) {
                return Err(StatsError::argument(
                    "tables",
                    "internal error: bad (stratum, time) key",
                ));
            }
            keys.push((s as u32, r[1], rows.len()));
            rows.push(r);
        }
    }
    order(&mut keys);
    let mut out: Vec<f64> = Vec::new();
    let mut prev: Option<(u32, f64)> = None;
    let mut start = 0;
    for &(s, t, i) in &keys {
        if prev != Some((s, t)) {
            start = out.len();
            out.extend_from_slice(rows[i]);
            prev = Some((s, t));
        } else {
            for (a, v) in out[start + 2..start + wd].iter_mut().zip(&rows[i][2..]) {
                *a += v;
            }
        }
    }
    Ok(out)
}

/// Log partial likelihood, score and information from a merged table.
pub fn evaluate(table: &[f64], p: usize, ties: Ties) -> Result<Fit> {
    let wd = width(p);
    if !table.len().is_multiple_of(wd) {
        return Err(StatsError::argument(
            "table",
            format!("internal error: the table is not rows × {wd}"),
        ));
    }
    let lay = Layout::new(p);
    let unpack = |src: &[f64], dst: &mut [f64]| {
        let mut k = 0;
        for j in 0..p {
            for l in 0..=j {
                dst[j * p + l] = src[k];
                k += 1;
            }
        }
    };
    let mut f = Fit::zero(p);
    let (mut a, mut cm, mut cm_t) = (vec![0.0; p], vec![0.0; p * p], vec![0.0; p * p]);
    let mut cm2 = vec![0.0; p * p];
    let mut abar = vec![0.0; p];
    let mut denom = 0.0;
    let mut stratum: Option<f64> = None;
    for r in table.chunks(wd) {
        if stratum != Some(r[0]) {
            stratum = Some(r[0]);
            denom = 0.0;
            a.iter_mut().for_each(|v| *v = 0.0);
            cm.iter_mut().for_each(|v| *v = 0.0);
        }
        denom += r[lay.w()];
        for j in 0..p {
            a[j] += r[lay.wx() + j];
        }
        unpack(&r[lay.wxx()..lay.wxx() + lay.tri], &mut cm_t);
        for (c, v) in cm.iter_mut().zip(&cm_t) {
            *c += v;
        }
        let m = r[lay.m()];
        if m == 0.0 {
            continue;
        }
        f.loglik += r[lay.eta_ev()];
        for j in 0..p {
            f.u[j] += r[lay.x_ev() + j];
        }
        unpack(&r[lay.wxx_ev()..lay.wxx_ev() + lay.tri], &mut cm2);
        add_event_time(
            &mut f,
            p,
            ties,
            denom,
            &a,
            &cm,
            m,
            r[lay.w_ev()],
            &r[lay.wx_ev()..lay.wx_ev() + p],
            &cm2,
            &mut abar,
        );
    }
    symmetrise(&mut f, p);
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::super::cox::{coxph, CoxOptions};
    use super::super::cox_newton::{output, Newton};
    use super::*;
    use ndarray::Array2;

    /// The fit from sums over three partitions (tied times across them,
    /// strata, an empty partition) equals the in-memory fit.
    #[test]
    fn partitioned_fit_equals_in_memory() {
        let n = 60;
        let time: Vec<f64> = (0..n).map(|i| ((i * 7) % 13) as f64).collect();
        let event: Vec<f64> = (0..n).map(|i| ((i % 3) != 0) as u8 as f64).collect();
        let x: Vec<f64> = (0..n)
            .flat_map(|i| [((i * 5) % 11) as f64 / 4.0, (i % 2) as f64])
            .collect();
        let strata: Vec<f64> = (0..n)
            .map(|i| (i % 2 == 0 && i % 5 == 0) as u8 as f64)
            .collect();
        let p = 2;
        for ties in [Ties::Efron, Ties::Breslow] {
            let opts = CoxOptions {
                ties,
                ..Default::default()
            };
            let xa = Array2::from_shape_vec((n, p), x.clone()).unwrap();
            let mem = coxph(&time, &event, xa.view(), Some(&strata), opts).unwrap();
            let means: Vec<f64> = (0..p)
                .map(|j| (0..n).map(|i| x[i * p + j]).sum::<f64>() / n as f64)
                .collect();
            let cuts = [0, 25, 25, 41, n];
            let mut nt = Newton::new(p, opts).unwrap();
            while let Some(b) = nt.point() {
                let b = b.to_vec();
                let parts: Vec<Vec<f64>> = cuts
                    .windows(2)
                    .map(|c| {
                        partial_sums(
                            &time[c[0]..c[1]],
                            &event[c[0]..c[1]],
                            &x[c[0] * p..c[1] * p],
                            Some(&strata[c[0]..c[1]]),
                            &means,
                            &b,
                        )
                        .unwrap()
                    })
                    .collect();
                let refs: Vec<&[f64]> = parts.iter().map(|v| v.as_slice()).collect();
                let t = merge(&refs, width(p)).unwrap();
                nt.observe(evaluate(&t, p, ties).unwrap()).unwrap();
            }
            let o = output(nt.finish().unwrap(), f64::NAN, 0, 0.95).unwrap();
            for j in 0..p {
                assert!((o.coef[j] - mem.coef[j]).abs() <= 1e-10 * mem.coef[j].abs());
                assert!((o.se[j] - mem.se[j]).abs() <= 1e-10 * mem.se[j]);
            }
            assert!((o.loglik - mem.loglik).abs() <= 1e-12 * mem.loglik.abs());
            assert_eq!(o.iterations, mem.iterations);
        }
    }
}
