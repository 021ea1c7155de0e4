//! Contingency tables: Pearson's chi-squared test (Yates' correction for 2x2)
//! as R `chisq.test`, and Fisher's exact test as R `fisher.test`: the 2x2
//! conditional MLE odds ratio with its exact CI, and the exact r x c p-value
//! (probabilities <= observed x (1 + 1e-7), summed over all tables with the
//! observed margins by a network algorithm with bounds, after Mehta & Patel).

use ndarray::{Array2, ArrayView2};

use crate::common::alternative::check_conf_level;
use crate::common::exact::{bisect_increasing, ln_fact};
use crate::common::{dist, Alternative};
use crate::error::{Result, StatsError};

/// A checked table of counts: non-negative integers, no empty row or column.
pub struct Table {
    pub counts: Array2<f64>,
    pub row_sums: Vec<f64>,
    pub col_sums: Vec<f64>,
    pub total: f64,
}

pub fn check_table(t: ArrayView2<'_, f64>) -> Result<Table> {
    check_table_margins(t, false)
}

/// As [`check_table`]; `allow_empty_margins` accepts a row or column of zeros
/// (the 2x2 Fisher test, as R `fisher.test`: a degenerate table with p = 1).
fn check_table_margins(t: ArrayView2<'_, f64>, allow_empty_margins: bool) -> Result<Table> {
    let (r, c) = t.dim();
    if r < 2 || c < 2 {
        return Err(StatsError::argument(
            "table",
            format!("expected at least a 2 x 2 table, got {r} x {c}"),
        ));
    }
    for ((i, j), &v) in t.indexed_iter() {
        if !(v >= 0.0 && v.is_finite() && v.fract() == 0.0) {
            let reason = if v.is_nan() {
                "missing"
            } else if v < 0.0 {
                "negative count"
            } else {
                "not an integer count"
            };
            return Err(StatsError::invalid_at(
                "table",
                i,
                j,
                v,
                reason,
                "counts are integers >= 0",
            ));
        }
    }
    let row_sums: Vec<f64> = t.rows().into_iter().map(|r| r.sum()).collect();
    let col_sums: Vec<f64> = t.columns().into_iter().map(|c| c.sum()).collect();
    if !allow_empty_margins {
        check_margins(&row_sums, &col_sums)?;
    }
    let total: f64 = row_sums.iter().sum();
    if !total.is_finite() {
        return Err(StatsError::argument(
            "table",
            "the counts sum beyond the largest double (overflow)",
        ));
    }
    Ok(Table {
        counts: t.to_owned(),
        row_sums,
        col_sums,
        total,
    })
}

fn check_margins(row_sums: &[f64], col_sums: &[f64]) -> Result<()> {
    if let Some(i) = row_sums.iter().position(|&s| s == 0.0) {
        return Err(StatsError::argument(
            "table",
            format!("row {i} sums to 0 (a zero margin); drop empty rows/columns first"),
        ));
    }
    if let Some(j) = col_sums.iter().position(|&s| s == 0.0) {
        return Err(StatsError::argument(
            "table",
            format!("column {j} sums to 0 (a zero margin); drop empty rows/columns first"),
        ));
    }
    Ok(())
}

/// Largest support of the (1,1) cell of a 2x2 table that the exact test and
/// its conditional CI enumerate (memory ~ 8 bytes a point, time ~ 100 passes).
pub const FISHER_2X2_MAX_SUPPORT: f64 = 1e7;

/// Largest table total the exact tests accept (counts are exact in f64 up to 2^53).
pub const MAX_EXACT_COUNT: f64 = 9_007_199_254_740_992.0;

#[derive(Debug, Clone, PartialEq)]
pub struct ChisqOutput {
    pub statistic: f64,
    pub df: f64,
    pub pvalue: f64,
    pub expected: Array2<f64>,
    /// Yates' correction was applied (2x2 and `correction`).
    pub corrected: bool,
}

/// Pearson's chi-squared test of independence; Yates' correction
/// `min(0.5, |O - E|)` for a 2x2 table when `correction`.
pub fn chisq(t: ArrayView2<'_, f64>, correction: bool) -> Result<ChisqOutput> {
    let tab = check_table(t)?;
    let (r, c) = tab.counts.dim();
    let expected = Array2::from_shape_fn((r, c), |(i, j)| {
        tab.row_sums[i] * tab.col_sums[j] / tab.total
    });
    let corrected = correction && r == 2 && c == 2;
    let mut stat = 0.0;
    for ((i, j), &o) in tab.counts.indexed_iter() {
        let e = expected[[i, j]];
        let mut d = (o - e).abs();
        if corrected {
            d -= d.min(0.5);
        }
        stat += d * d / e;
    }
    let df = ((r - 1) * (c - 1)) as f64;
    Ok(ChisqOutput {
        statistic: stat,
        df,
        pvalue: dist::chi2_sf(stat, df)?,
        expected,
        corrected,
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FisherOutput {
    pub pvalue: f64,
    /// Conditional MLE of the odds ratio (2x2 only; NaN otherwise).
    pub estimate: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// The noncentral hypergeometric distribution of the (1,1) cell of a 2x2 table.
struct NcHyper {
    lo: f64,
    hi: f64,
    logdc: Vec<f64>,
}

impl NcHyper {
    fn new(m: f64, n: f64, k: f64) -> Self {
        let lo = (k - n).max(0.0);
        let hi = k.min(m);
        let mut logdc = Vec::new();
        let lt = ln_fact(m + n) - ln_fact(k) - ln_fact(m + n - k);
        let count = (hi - lo + 1.0).max(0.0) as usize;
        for i in 0..count {
            let x = lo + i as f64;
            // dhyper(x, m, n, k) = C(m, x) C(n, k - x) / C(m + n, k)
            logdc.push(
                ln_fact(m) - ln_fact(x) - ln_fact(m - x) + ln_fact(n)
                    - ln_fact(k - x)
                    - ln_fact(n - k + x)
                    - lt,
            );
        }
        NcHyper { lo, hi, logdc }
    }
    /// The log-density under `ncp` (unnormalised) at support index `i`.
    fn log_density(&self, i: usize, lncp: f64) -> f64 {
        let l = self.logdc.get(i).copied().unwrap_or(f64::NEG_INFINITY);
        if lncp == 0.0 {
            l
        } else {
            l + lncp * (self.lo + i as f64)
        }
    }
    /// `(first, d)`: the normalised density under `ncp` on the support indices
    /// `first..first + d.len()`, the only ones where it is not 0 in double
    /// precision (exp underflows to 0 below -745.2). The log-density is concave
    /// (log-concave distribution), so the mode is found by bisection and the
    /// window by walking out from it: each call costs the window (~ 80 sd),
    /// not the support (a 2 x 2 table with margins of 1e6 has a support of 1e6
    /// points and its CI search makes hundreds of calls).
    fn density(&self, ncp: f64) -> (usize, Vec<f64>) {
        let lncp = ncp.ln();
        let len = self.logdc.len();
        if len == 0 {
            return (0, Vec::new());
        }
        let f = |i: usize| self.log_density(i, lncp);
        let (mut a, mut b) = (0usize, len - 1);
        while a < b {
            let m = a + (b - a) / 2;
            if f(m + 1) > f(m) {
                a = m + 1;
            } else {
                b = m;
            }
        }
        let mx = f(a);
        let cut = mx - 746.0;
        let (mut lo, mut hi) = (a, a);
        while lo > 0 && f(lo - 1) >= cut {
            lo -= 1;
        }
        while hi + 1 < len && f(hi + 1) >= cut {
            hi += 1;
        }
        let e: Vec<f64> = (lo..=hi).map(|i| (f(i) - mx).exp()).collect();
        let s: f64 = e.iter().sum();
        (lo, e.into_iter().map(|v| v / s).collect())
    }
    /// `(x, density)` pairs of the window of `density(ncp)`.
    fn points(&self, ncp: f64) -> impl Iterator<Item = (f64, f64)> {
        let (first, d) = self.density(ncp);
        let lo = self.lo;
        d.into_iter()
            .enumerate()
            .map(move |(i, p)| (lo + (first + i) as f64, p))
    }
    fn mean(&self, ncp: f64) -> f64 {
        if ncp == 0.0 {
            return self.lo;
        }
        if ncp.is_infinite() {
            return self.hi;
        }
        self.points(ncp).map(|(x, p)| p * x).sum()
    }
    /// P(X <= q) (or P(X >= q) with `upper`) under `ncp`.
    fn tail(&self, q: f64, ncp: f64, upper: bool) -> f64 {
        if ncp == 0.0 {
            return if upper {
                (q <= self.lo) as u8 as f64
            } else {
                (q >= self.lo) as u8 as f64
            };
        }
        if ncp.is_infinite() {
            return if upper {
                (q <= self.hi) as u8 as f64
            } else {
                (q >= self.hi) as u8 as f64
            };
        }
        self.points(ncp)
            .filter(|(x, _)| if upper { *x >= q } else { *x <= q })
            .map(|(_, p)| p)
            .sum()
    }
}

/// Fisher's exact test for a 2x2 table, as R `fisher.test` (odds ratio 1 under the null).
pub fn fisher_2x2(
    t: ArrayView2<'_, f64>,
    alt: Alternative,
    conf_level: f64,
) -> Result<FisherOutput> {
    check_conf_level(conf_level)?;
    if t.dim() != (2, 2) {
        return Err(StatsError::argument("table", "expected a 2 x 2 table"));
    }
    // an empty row or column leaves one possible table: p = 1, estimate 0,
    // CI [0, Inf] (R fisher.test; e.g. no events in either arm)
    let tab = check_table_margins(t, true)?;
    let x = tab.counts[[0, 0]];
    let (m, n, k) = (tab.col_sums[0], tab.col_sums[1], tab.row_sums[0]);
    // counts must be exact integers in f64 (issue 19: a margin of 1e300 made
    // the support walk `x += 1.0` stand still - a hang)
    if tab.total > MAX_EXACT_COUNT {
        return Err(StatsError::argument(
            "table",
            format!(
                "a total of {} is beyond exact integer counts (2^53); use chisq()",
                tab.total
            ),
        ));
    }
    let support = k.min(m) - (k - n).max(0.0) + 1.0;
    if support > FISHER_2X2_MAX_SUPPORT {
        return Err(StatsError::argument(
            "table",
            format!(
                "the exact 2 x 2 test would enumerate {support} tables (limit {FISHER_2X2_MAX_SUPPORT}); \
                 use chisq() for counts this large"
            ),
        ));
    }
    let h = NcHyper::new(m, n, k);
    let pvalue = match alt {
        Alternative::Less => h.tail(x, 1.0, false),
        Alternative::Greater => h.tail(x, 1.0, true),
        Alternative::TwoSided => {
            // outside the window the density is 0 (and adds 0)
            let (first, d1) = h.density(1.0);
            let at = ((x - h.lo) as usize).checked_sub(first);
            let dx = at.and_then(|i| d1.get(i)).copied().unwrap_or(0.0) * (1.0 + 1e-7);
            d1.iter().filter(|&&d| d <= dx).sum::<f64>()
        }
    }
    .min(1.0);
    // conditional MLE: mean(ncp) = x
    let estimate = if x == h.lo {
        0.0
    } else if x == h.hi {
        f64::INFINITY
    } else {
        let mu = h.mean(1.0);
        if mu > x {
            bisect_increasing(|t| h.mean(t), x, 0.0, 1.0)
        } else if mu < x {
            1.0 / bisect_increasing(|t| -h.mean(1.0 / t), -x, f64::EPSILON, 1.0)
        } else {
            1.0
        }
    };
    // P(X <= x; ncp) decreases and P(X >= x; ncp) increases in ncp
    let ncp_upper = |alpha: f64| -> f64 {
        if x == h.hi {
            return f64::INFINITY;
        }
        let p = h.tail(x, 1.0, false);
        if p < alpha {
            bisect_increasing(|t| -h.tail(x, t, false), -alpha, 0.0, 1.0)
        } else if p > alpha {
            1.0 / bisect_increasing(|t| h.tail(x, 1.0 / t, false), alpha, f64::EPSILON, 1.0)
        } else {
            1.0
        }
    };
    let ncp_lower = |alpha: f64| -> f64 {
        if x == h.lo {
            return 0.0;
        }
        let p = h.tail(x, 1.0, true);
        if p > alpha {
            bisect_increasing(|t| h.tail(x, t, true), alpha, 0.0, 1.0)
        } else if p < alpha {
            1.0 / bisect_increasing(|t| -h.tail(x, 1.0 / t, true), -alpha, f64::EPSILON, 1.0)
        } else {
            1.0
        }
    };
    let (ci_low, ci_high) = match alt {
        Alternative::Less => (0.0, ncp_upper(1.0 - conf_level)),
        Alternative::Greater => (ncp_lower(1.0 - conf_level), f64::INFINITY),
        Alternative::TwoSided => {
            let a = (1.0 - conf_level) / 2.0;
            (ncp_lower(a), ncp_upper(a))
        }
    };
    Ok(FisherOutput {
        pvalue,
        estimate,
        ci_low,
        ci_high,
    })
}

mod bounds;
mod fisher;
mod network;
mod pasts;
mod simulate;

pub use fisher::fisher;
pub use network::fisher_rxc;
pub use simulate::fisher_rxc_simulated;

#[cfg(test)]
mod tests;
