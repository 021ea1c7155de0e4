//! Monte Carlo p-value of Fisher's r x c test, as R `fisher.test(simulate.p.value
//! = TRUE, B)`: tables with the observed margins are drawn uniformly from the
//! null (a random permutation of the column labels over the individuals, i.e.
//! the multiple hypergeometric distribution), and `p = (1 + #{P(T) <= P(obs)
//! (1 + 1e-7)}) / (B + 1)`, the same rule for "as extreme" as the exact test.
//!
//! Resamples are drawn in fixed blocks, each from its own stream
//! `Rng::stream(seed, 0, block)`, so the result does not depend on the thread count.

use ndarray::ArrayView2;
use rayon::prelude::*;

use super::check_table;
use crate::common::exact::ln_fact;
use crate::common::rng::Rng;
use crate::error::{Result, StatsError};

const BLOCK: u64 = 256;
/// Individuals times resamples beyond which the simulation is refused (~10 s
/// of work; issue 19: 2e11 let a 4 x 2 table of 1.3e8 individuals run for
/// many minutes).
const MAX_DRAWS: f64 = 2e9;
/// Individuals beyond which the simulation is refused (it holds two labels and
/// a log-factorial per individual: 16 bytes each).
const MAX_INDIVIDUALS: f64 = 1e7;

/// `(pvalue, count)`: the Monte Carlo p-value and how many resampled tables
/// were at least as extreme as the observed one.
pub fn fisher_rxc_simulated(
    t: ArrayView2<'_, f64>,
    n_resamples: u64,
    seed: u64,
) -> Result<(f64, u64)> {
    let tab = check_table(t)?;
    if n_resamples == 0 {
        return Err(StatsError::argument(
            "n_resamples",
            "must be a positive integer",
        ));
    }
    if tab.total > MAX_INDIVIDUALS {
        return Err(StatsError::argument(
            "table",
            format!("the Monte Carlo test draws each of the {} individuals (limit {MAX_INDIVIDUALS:e}); use chisq() for counts this large", tab.total),
        ));
    }
    let n = tab.total as usize;
    if tab.total * n_resamples as f64 > MAX_DRAWS {
        return Err(StatsError::argument(
            "n_resamples",
            format!("{n_resamples} resamples of {n} individuals is too much work (over {MAX_DRAWS:e} draws); use fewer resamples or chisq()"),
        ));
    }
    let (r, c) = tab.counts.dim();
    let lf: Vec<f64> = (0..=n + 1).map(|v| ln_fact(v as f64)).collect();
    let s_obs: f64 = tab.counts.iter().map(|&v| lf[v as usize]).sum();
    let thr = s_obs - (1e-7f64).ln_1p();
    // individual i belongs to row row_of[i]; its column is a shuffled label
    let mut row_of = Vec::with_capacity(n);
    let mut labels = Vec::with_capacity(n);
    for i in 0..r {
        row_of.extend(std::iter::repeat_n(i as u32, tab.row_sums[i] as usize));
    }
    for j in 0..c {
        labels.extend(std::iter::repeat_n(j as u32, tab.col_sums[j] as usize));
    }
    let blocks = n_resamples.div_ceil(BLOCK);
    let count: u64 = (0..blocks)
        .into_par_iter()
        .map(|b| -> Result<u64> {
            crate::common::cancel::check()?;
            let mut rng = Rng::stream(seed, 0, b);
            let mut lab = labels.clone();
            let mut cells = vec![0u32; r * c];
            let todo = BLOCK.min(n_resamples - b * BLOCK);
            let mut hits = 0u64;
            for _ in 0..todo {
                // Fisher-Yates shuffle of the column labels
                for i in (1..n).rev() {
                    let k = rng.below(i as u64 + 1) as usize;
                    lab.swap(i, k);
                }
                cells.iter_mut().for_each(|x| *x = 0);
                for (&ri, &cj) in row_of.iter().zip(&lab) {
                    cells[ri as usize * c + cj as usize] += 1;
                }
                let s: f64 = cells.iter().map(|&x| lf[x as usize]).sum();
                hits += (s >= thr) as u64;
            }
            Ok(hits)
        })
        .sum::<Result<u64>>()?;
    Ok(((1 + count) as f64 / (n_resamples + 1) as f64, count))
}
