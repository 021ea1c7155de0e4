//! Exactly mergeable partial results for out-of-core (Dask) survival analysis.
//!
//! Kaplan–Meier, the G-rho tests and Aalen–Johansen only need, for each
//! distinct time, how many rows carry each label (group × stratum × event or
//! cause). Each partition is tabulated on its own ([`partial_table`]); tables
//! are merged by time ([`merge`], a sum of counts over the union of the
//! distinct times, with each table's columns mapped to the merged label set);
//! the merged table then goes through the same per-group / per-stratum code as
//! the in-memory estimators ([`km_from_table`], [`logrank_from_table`],
//! [`aj_from_table`]), so both paths give bit-identical results.
//!
//! Column layout of a table with `n_codes` outer codes and `inner` labels per
//! code: column `code * inner + label`.

use super::aalen_johansen::{group_table, AjOutput};
use super::km::{curve, ConfType, KmOutput};
use super::logrank::{combine, stratum, LogrankOutput};
use super::tabulate::{tabulate, Tabulation};
use super::{check_codes, check_event_values, check_times, z_value};
use crate::common::whole::is_small_whole;
use crate::error::{Result, StatsError};

/// Tabulate one partition: label of row i = `code[i] * inner + event[i]`
/// (inner = 2 with events, 1 without). An empty partition gives an empty table.
pub fn partial_table(
    time: &[f64],
    event: Option<&[f64]>,
    code: Option<&[f64]>,
    n_codes: usize,
) -> Result<Tabulation> {
    let n = time.len();
    for (name, len) in [
        ("event", event.map(|e| e.len())),
        ("group", code.map(|c| c.len())),
    ] {
        if let Some(len) = len {
            if len != n {
                return Err(StatsError::length("time", n, name, len));
            }
        }
    }
    let scan = check_times(time, "time")?;
    if let Some(e) = event {
        check_event_values(e, "event")?;
    }
    let codes: Option<Vec<u32>> = match code {
        Some(c) => {
            let (c, max) = check_codes(c, "group", "codes must be integers >= 0")?;
            if n > 0 && max as usize >= n_codes {
                return Err(StatsError::argument(
                    "n_codes",
                    format!("a code {max} is >= the number of codes {n_codes}"),
                ));
            }
            Some(c)
        }
        None => None,
    };
    let inner = if event.is_some() { 2 } else { 1 };
    let width = if code.is_some() {
        n_codes * inner
    } else {
        inner
    };
    let label = |i: usize| {
        let c = codes.as_ref().map_or(0, |c| c[i] as usize);
        let e = event.map_or(0, |e| usize::from(e[i] == 1.0));
        c * inner + e
    };
    if n == 0 {
        return Ok(Tabulation {
            width,
            ..Default::default()
        });
    }
    tabulate(time, label, None, width, scan)
        .ok_or_else(|| StatsError::argument("group", "a label is out of range"))
}

/// One table to merge: ascending distinct times, row-major counts
/// (`times.len()` rows × `colmap.len()` columns), and the merged column of each column.
pub struct Piece<'a> {
    pub times: &'a [f64],
    pub counts: &'a [f64],
    pub colmap: &'a [usize],
}

/// Merge tables by time: the union of their distinct times, counts summed
/// into `width` columns. Counts must be whole numbers >= 0.
pub fn merge(pieces: &[Piece<'_>], width: usize) -> Result<Tabulation> {
    let mut all: Vec<f64> = Vec::new();
    for (p, piece) in pieces.iter().enumerate() {
        let w = piece.colmap.len();
        if piece.counts.len() != piece.times.len() * w {
            return Err(StatsError::argument(
                "counts",
                format!(
                    "table {p}: {} counts for {} times × {w} columns",
                    piece.counts.len(),
                    piece.times.len()
                ),
            ));
        }
        if let Some(&c) = piece.colmap.iter().find(|&&c| c >= width) {
            return Err(StatsError::argument(
                "colmap",
                format!("table {p}: column {c} is >= the merged width {width}"),
            ));
        }
        if piece.times.windows(2).any(|t| !(t[0] < t[1]))
            || piece.times.iter().any(|t| !(t.is_finite() && *t >= 0.0))
        {
            return Err(StatsError::argument(
                "times",
                format!("table {p}: times must be distinct, finite, >= 0 and ascending"),
            ));
        }
        if piece
            .counts
            .iter()
            .any(|&c| !(is_small_whole(c) && c <= u32::MAX as f64))
        {
            return Err(StatsError::argument(
                "counts",
                format!("table {p}: counts must be whole numbers >= 0"),
            ));
        }
        all.extend_from_slice(piece.times);
    }
    all.sort_unstable_by(|a, b| a.total_cmp(b));
    all.dedup_by(|a, b| *a == *b);
    let m = all.len();
    let mut acc = vec![0u64; m * width];
    for piece in pieces {
        let w = piece.colmap.len();
        let mut j = 0usize;
        for (r, &t) in piece.times.iter().enumerate() {
            // both lists ascending: advance to t (it is in `all`)
            while all[j] < t {
                j += 1;
            }
            let row = &piece.counts[r * w..(r + 1) * w];
            for (c, &v) in row.iter().enumerate() {
                acc[j * width + piece.colmap[c]] += v as u64;
            }
        }
    }
    if acc.iter().any(|&c| c > u64::from(u32::MAX)) {
        return Err(StatsError::argument(
            "counts",
            "more than 4294967295 rows at one time and label",
        ));
    }
    Ok(Tabulation {
        times: all,
        counts: acc.into_iter().map(|c| c as u32).collect(),
        width,
    })
}

/// Columns `start..start + w` of a table, keeping the rows with a non-zero count.
pub fn block(tab: &Tabulation, start: usize, w: usize) -> Tabulation {
    let mut out = Tabulation {
        width: w,
        ..Default::default()
    };
    for j in 0..tab.len() {
        let cells = &tab.row(j)[start..start + w];
        if cells.iter().any(|&c| c != 0) {
            out.times.push(tab.times[j]);
            out.counts.extend_from_slice(cells);
        }
    }
    out
}

fn check_width(tab: &Tabulation, want: usize) -> Result<()> {
    if tab.width != want {
        return Err(StatsError::argument(
            "counts",
            format!("the table has {} columns, expected {want}", tab.width),
        ));
    }
    Ok(())
}

/// Kaplan–Meier curves from a merged table with columns (group, censored/event).
pub fn km_from_table(
    tab: &Tabulation,
    n_groups: usize,
    conf_level: f64,
    conf_type: ConfType,
) -> Result<KmOutput> {
    check_width(tab, 2 * n_groups)?;
    let z = z_value(conf_level)?;
    let mut out = KmOutput::default();
    for g in 0..n_groups {
        let b = block(tab, 2 * g, 2);
        if !b.is_empty() {
            curve(&b, g as u32, z, conf_type, &mut out);
        }
    }
    if out.time.is_empty() {
        return Err(StatsError::too_few("time", 0, 1));
    }
    Ok(out)
}

/// G-rho test from a merged table with columns (stratum, group, censored/event).
pub fn logrank_from_table(
    tab: &Tabulation,
    n_strata: usize,
    k: usize,
    rho: f64,
) -> Result<LogrankOutput> {
    check_width(tab, 2 * k * n_strata)?;
    if !(rho.is_finite() && rho >= 0.0) {
        return Err(StatsError::argument(
            "rho",
            format!("{rho} must be a finite number >= 0"),
        ));
    }
    let parts = (0..n_strata)
        .map(|s| block(tab, 2 * k * s, 2 * k))
        .filter(|b| !b.is_empty())
        .map(|b| stratum(&b, k, rho))
        .collect();
    combine(parts, k)
}

/// Aalen–Johansen tables from a merged table with columns (group, cause
/// index: 0 = censored, 1..=K the causes listed in `causes`).
pub fn aj_from_table(
    tab: &Tabulation,
    n_groups: usize,
    causes: Vec<u32>,
    conf_level: f64,
) -> Result<AjOutput> {
    let k = causes.len();
    if k == 0 {
        return Err(StatsError::argument(
            "cause",
            "no events (every cause is 0 = censored)",
        ));
    }
    check_width(tab, (k + 1) * n_groups)?;
    let z = z_value(conf_level)?;
    let mut out = AjOutput {
        causes,
        ..Default::default()
    };
    for g in 0..n_groups {
        let b = block(tab, (k + 1) * g, k + 1);
        if !b.is_empty() {
            group_table(&b, g as u32, k, z, &mut out);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::{aalen_johansen::aalen_johansen, km::kaplan_meier, logrank::logrank};
    use super::*;

    fn data() -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
        let mut next = crate::common::rng::lcg(11u64, |s| (s >> 33) as f64 / (1u64 << 31) as f64);
        let n = 300;
        let t: Vec<f64> = (0..n).map(|_| (next() * 40.0).floor() + 0.5).collect();
        let e: Vec<f64> = (0..n).map(|_| f64::from(next() < 0.6)).collect();
        let g: Vec<f64> = (0..n).map(|_| (next() * 3.0).floor()).collect();
        let c: Vec<f64> = (0..n).map(|_| (next() * 3.0).floor()).collect();
        (t, e, g, c)
    }

    /// Split rows 0..n into `k` uneven pieces (one empty), tabulate, merge.
    fn split_merge(t: &[f64], e: Option<&[f64]>, code: &[f64], n_codes: usize) -> Tabulation {
        let cuts = [0, 0, 37, 150, 151, t.len()];
        let tabs: Vec<Tabulation> = cuts
            .windows(2)
            .map(|w| {
                partial_table(
                    &t[w[0]..w[1]],
                    e.map(|e| &e[w[0]..w[1]]),
                    Some(&code[w[0]..w[1]]),
                    n_codes,
                )
                .unwrap()
            })
            .collect();
        let counts: Vec<Vec<f64>> = tabs
            .iter()
            .map(|t| t.counts.iter().map(|&c| f64::from(c)).collect())
            .collect();
        let colmap: Vec<usize> = (0..tabs[0].width).collect();
        let pieces: Vec<Piece> = tabs
            .iter()
            .zip(&counts)
            .map(|(t, c)| Piece {
                times: &t.times,
                counts: c,
                colmap: &colmap,
            })
            .collect();
        merge(&pieces, colmap.len()).unwrap()
    }

    #[test]
    fn merged_km_equals_in_memory() {
        let (t, e, g, _) = data();
        let whole = kaplan_meier(&t, &e, Some(&g), 0.95, ConfType::LogLog).unwrap();
        let tab = split_merge(&t, Some(&e), &g, 3);
        assert_eq!(
            km_from_table(&tab, 3, 0.95, ConfType::LogLog).unwrap(),
            whole
        );
    }

    #[test]
    fn merged_logrank_equals_in_memory() {
        let (t, e, g, s) = data();
        for rho in [0.0, 1.0] {
            let whole = logrank(&t, &e, &g, Some(&s), rho, 0).unwrap();
            // combined code = stratum * 3 + group
            let code: Vec<f64> = s.iter().zip(&g).map(|(s, g)| s * 3.0 + g).collect();
            let tab = split_merge(&t, Some(&e), &code, 9);
            assert_eq!(logrank_from_table(&tab, 3, 3, rho).unwrap(), whole);
        }
    }

    #[test]
    fn merged_aj_equals_in_memory() {
        let (t, _, g, c) = data();
        let whole = aalen_johansen(&t, &c, Some(&g), 0.9).unwrap();
        let code: Vec<f64> = g.iter().zip(&c).map(|(g, c)| g * 3.0 + c).collect();
        let tab = split_merge(&t, None, &code, 9);
        let got = aj_from_table(&tab, 3, vec![1, 2], 0.9).unwrap();
        // NaN limits: compare the printed values (NaN == NaN there), i.e. bit for bit
        assert_eq!(format!("{got:?}"), format!("{whole:?}"));
    }

    #[test]
    fn merge_rejects_bad_tables() {
        let p = Piece {
            times: &[2.0, 1.0],
            counts: &[1.0, 1.0],
            colmap: &[0],
        };
        assert!(merge(&[p], 1).is_err());
        let p = Piece {
            times: &[1.0],
            counts: &[0.5],
            colmap: &[0],
        };
        assert!(merge(&[p], 1).is_err());
        let p = Piece {
            times: &[1.0],
            counts: &[1.0],
            colmap: &[3],
        };
        assert!(merge(&[p], 1).is_err());
        assert!(partial_table(&[1.0], Some(&[2.0]), None, 1).is_err());
        assert!(partial_table(&[-1.0], None, None, 1).is_err());
        assert!(partial_table(&[], None, None, 1).unwrap().is_empty());
    }
}
