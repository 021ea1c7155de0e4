//! The G-rho family of k-sample tests, as R `survdiff(..., rho)`: weights
//! S(t−)^rho with S the pooled Kaplan–Meier (left-continuous) in each
//! stratum; rho = 0 is the log-rank test, rho = 1 Peto & Peto's.
//! Observed and expected counts are the weighted sums (as R reports them);
//! the statistic drops the first group with expected > 0 and solves with
//! the remaining block of the variance matrix.

use rayon::prelude::*;

use super::tabulate::{tabulate, Tabulation};
use super::{
    check_code_values, check_codes, check_event_values, check_lengths, check_times, split_by,
};
use crate::common::dist::chi2_sf;
use crate::common::linalg::quad_inv;
use crate::error::{Result, StatsError};

#[derive(Debug, Clone, PartialEq)]
pub struct LogrankOutput {
    pub statistic: f64,
    pub df: f64,
    pub pvalue: f64,
    /// Per group code (groups with no rows have 0 observed and expected).
    pub observed: Vec<f64>,
    pub expected: Vec<f64>,
    /// k×k variance of O − E, row-major.
    pub variance: Vec<f64>,
    /// Rows per group code.
    pub n: Vec<f64>,
}

/// One stratum's sums (per group: rows, weighted observed and expected; k×k variance).
pub struct Part {
    n: Vec<f64>,
    obs: Vec<f64>,
    exp: Vec<f64>,
    var: Vec<f64>,
}

/// One stratum from its tabulation (label = 2 * group + event).
pub fn stratum(tab: &Tabulation, k: usize, rho: f64) -> Part {
    let mut risk = vec![0.0f64; k];
    for j in 0..tab.len() {
        let row = tab.row(j);
        for g in 0..k {
            risk[g] += f64::from(row[2 * g] + row[2 * g + 1]);
        }
    }
    let mut part = Part {
        n: risk.clone(),
        obs: vec![0.0; k],
        exp: vec![0.0; k],
        var: vec![0.0; k * k],
    };
    let mut nrisk: f64 = risk.iter().sum();
    let mut km = 1.0f64;
    for j in 0..tab.len() {
        let row = tab.row(j);
        let deaths: f64 = (0..k).map(|g| f64::from(row[2 * g + 1])).sum();
        if deaths > 0.0 {
            let wt = if rho == 0.0 { 1.0 } else { km.powf(rho) };
            for g in 0..k {
                part.obs[g] += wt * f64::from(row[2 * g + 1]);
                part.exp[g] += wt * deaths * risk[g] / nrisk;
            }
            if nrisk > 1.0 {
                let w2 = wt * wt;
                for a in 0..k {
                    let tmp = w2 * deaths * risk[a] * (nrisk - deaths) / (nrisk * (nrisk - 1.0));
                    part.var[a * k + a] += tmp;
                    for b in 0..k {
                        part.var[a * k + b] -= tmp * risk[b] / nrisk;
                    }
                }
            }
            km *= (nrisk - deaths) / nrisk;
        }
        for g in 0..k {
            let out = f64::from(row[2 * g] + row[2 * g + 1]);
            risk[g] -= out;
            nrisk -= out;
        }
    }
    part
}

/// G-rho test across group codes, optionally stratified.
/// `tabulate` returns None when a label falls outside its table: the labels
/// were validated before, so this is a broken invariant, reported as an error
/// (never an empty table).
pub(super) fn tabulated(t: Option<Tabulation>, arg: &'static str) -> Result<Tabulation> {
    t.ok_or_else(|| {
        StatsError::argument(
            arg,
            "internal: a row's label fell outside the tabulation (please report this)",
        )
    })
}

pub fn logrank(
    time: &[f64],
    event: &[f64],
    group: &[f64],
    strata: Option<&[f64]>,
    rho: f64,
    n_groups: usize,
) -> Result<LogrankOutput> {
    match strata {
        Some(s) => check_lengths(&[
            ("time", time.len()),
            ("event", event.len()),
            ("group", group.len()),
            ("strata", s.len()),
        ])?,
        None => check_lengths(&[
            ("time", time.len()),
            ("event", event.len()),
            ("group", group.len()),
        ])?,
    };
    if !(rho.is_finite() && rho >= 0.0) {
        return Err(StatsError::argument(
            "rho",
            format!("{rho} must be a finite number >= 0"),
        ));
    }
    let scan = check_times(time, "time")?;
    // (a bad event indicator is reported first, as when it was checked first)
    let gmax = check_code_values(group, "group", "group codes must be integers >= 0")
        .map_err(|err| check_event_values(event, "event").err().unwrap_or(err))?;
    // one entry per group code below `n_groups` even when the rows of the last
    // codes were all dropped (nan_policy='omit' on a missing stratum): the
    // caller indexes the output by its label codes (issue 19: an IndexError)
    let k = (gmax as usize + 1).max(n_groups);
    let strata_rows: Option<Vec<Vec<usize>>> = match strata {
        None => None,
        Some(s) => {
            let (sc, smax) = check_codes(s, "strata", "strata codes must be integers >= 0")?;
            Some(split_by(&sc, smax as usize + 1))
        }
    };
    // the event indicators are checked in the counting pass: a value other
    // than 0 or 1 gets the label 2k, outside the table, and is then reported
    // with its row (the group codes were checked above)
    let label = |i: usize| {
        let e = event[i];
        let ok = (e == 0.0) | (e == 1.0);
        if ok {
            2 * group[i] as usize + usize::from(e == 1.0)
        } else {
            2 * k
        }
    };
    let tab = |rows: Option<&[usize]>| match tabulate(time, label, rows, 2 * k, scan) {
        Some(t) => Ok(t),
        None => {
            check_event_values(event, "event")?;
            tabulated(None, "group")
        }
    };
    let parts: Vec<Part> = match strata_rows {
        None => vec![stratum(&tab(None)?, k, rho)],
        Some(sr) => sr
            .par_iter()
            .filter(|r| !r.is_empty())
            .map(|rows| Ok(stratum(&tab(Some(rows))?, k, rho)))
            .collect::<Result<Vec<Part>>>()?,
    };
    combine(parts, k)
}

/// The test from the strata's sums (shared by the in-memory and the merged-table paths).
pub fn combine(parts: Vec<Part>, k: usize) -> Result<LogrankOutput> {
    let mut obs = vec![0.0; k];
    let mut exp = vec![0.0; k];
    let mut nn = vec![0.0; k];
    let mut var = vec![0.0; k * k];
    for p in parts {
        for a in 0..k {
            nn[a] += p.n[a];
            obs[a] += p.obs[a];
            exp[a] += p.exp[a];
        }
        for (v, pv) in var.iter_mut().zip(&p.var) {
            *v += pv;
        }
    }
    let keep: Vec<usize> = (0..k).filter(|&a| exp[a] > 0.0).collect();
    if keep.len() < 2 {
        return Err(StatsError::argument(
            "group",
            "fewer than two groups have subjects at risk at an event time; nothing to compare",
        ));
    }
    let sub: Vec<usize> = keep[1..].to_vec();
    let m = sub.len();
    let mut vv = vec![0.0; m * m];
    let mut diff = vec![0.0; m];
    for (a, &ga) in sub.iter().enumerate() {
        diff[a] = obs[ga] - exp[ga];
        for (b, &gb) in sub.iter().enumerate() {
            vv[a * m + b] = var[ga * k + gb];
        }
    }
    let statistic = quad_inv(&vv, &diff, m).ok_or_else(|| StatsError::Singular {
        what: "log-rank variance matrix (groups confounded with strata?)".into(),
    })?;
    let df = m as f64;
    let pvalue = chi2_sf(statistic, df)?;
    Ok(LogrankOutput {
        statistic,
        df,
        pvalue,
        observed: obs,
        expected: exp,
        variance: var,
        n: nn,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_groups_one_event_each_by_hand() {
        // t: 1 (g0, event), 2 (g1, event), 3 (g0, cens), 4 (g1, cens)
        // time 1: n = 4, risk (2, 2): E0 = 0.5, V = 1*(2*2)*(3)/(16*3) = 0.25
        // time 2: n = 3, risk (1, 2): E0 = 1/3, V = 1*2*2/(9*2)... (n-d)/(n-1) = 1, so 1*2/9
        let o = logrank(
            &[1.0, 2.0, 3.0, 4.0],
            &[1.0, 1.0, 0.0, 0.0],
            &[0.0, 1.0, 0.0, 1.0],
            None,
            0.0,
            0,
        )
        .unwrap();
        assert!((o.expected[0] - (0.5 + 1.0 / 3.0)).abs() < 1e-15);
        assert_eq!(o.observed, vec![1.0, 1.0]);
        let v = 0.25 + 2.0 / 9.0;
        let d = 1.0 - (0.5 + 2.0 / 3.0);
        assert!((o.statistic - d * d / v).abs() < 1e-14);
        assert_eq!(o.df, 1.0);
    }

    #[test]
    fn observed_and_expected_totals_agree() {
        let t = [1.0, 2.0, 2.0, 3.0, 4.0, 5.0, 5.0, 6.0];
        let e = [1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0];
        let g = [0.0, 1.0, 2.0, 0.0, 1.0, 2.0, 0.0, 1.0];
        for rho in [0.0, 1.0] {
            let o = logrank(&t, &e, &g, None, rho, 0).unwrap();
            let so: f64 = o.observed.iter().sum();
            let se: f64 = o.expected.iter().sum();
            assert!((so - se).abs() < 1e-12);
            assert_eq!(o.df, 2.0);
        }
    }

    #[test]
    fn single_group_is_an_error() {
        assert!(logrank(&[1.0, 2.0], &[1.0, 1.0], &[0.0, 0.0], None, 0.0, 0).is_err());
        assert!(logrank(&[1.0, 2.0], &[1.0, 1.0], &[0.0, 1.0], None, -1.0, 0).is_err());
    }

    #[test]
    fn output_covers_every_group_code_asked_for() {
        // codes 0 and 1 only, 4 groups asked: codes 2 and 3 are empty groups
        let o = logrank(
            &[1.0, 2.0, 3.0],
            &[1.0, 1.0, 0.0],
            &[0.0, 1.0, 0.0],
            None,
            0.0,
            4,
        )
        .unwrap();
        assert_eq!(o.observed, vec![1.0, 1.0, 0.0, 0.0]);
        assert_eq!(o.n, vec![2.0, 1.0, 0.0, 0.0]);
        assert_eq!(o.df, 1.0);
    }
}
