//! Independent-group comparisons: t-tests, Wilcoxon–Mann–Whitney, Kruskal–Wallis,
//! one-way ANOVA and contingency tables (chi-squared, Fisher's exact test).

pub mod anova;
pub mod kruskal;
pub mod mannwhitney;
pub mod tables;
pub mod ttest;

use crate::common::whole::is_small_whole;
use crate::error::{Result, StatsError};

/// Values with integer group codes `0..k` (NaN-free; the caller applies the NaN policy).
#[derive(Debug, Clone)]
pub struct GroupedSample {
    pub values: Vec<f64>,
    pub codes: Vec<usize>,
    /// observations per code
    pub sizes: Vec<usize>,
}

impl GroupedSample {
    /// `codes` are non-negative integers (as floats, from the Python layer).
    pub fn new(values: &[f64], codes: &[f64]) -> Result<Self> {
        if values.len() != codes.len() {
            return Err(StatsError::length(
                "values",
                values.len(),
                "groups",
                codes.len(),
            ));
        }
        let mut out = GroupedSample {
            values: Vec::with_capacity(values.len()),
            codes: Vec::with_capacity(values.len()),
            sizes: Vec::new(),
        };
        for (i, (&v, &c)) in values.iter().zip(codes).enumerate() {
            if !(is_small_whole(c) && c < 1e9) {
                return Err(StatsError::invalid(
                    "groups",
                    i,
                    c,
                    "not a group code",
                    "group codes are integers >= 0",
                ));
            }
            if !v.is_finite() {
                return Err(StatsError::invalid(
                    "values",
                    i,
                    v,
                    "not finite",
                    "values must be finite numbers",
                ));
            }
            let c = c as usize;
            if c >= out.sizes.len() {
                out.sizes.resize(c + 1, 0);
            }
            out.sizes[c] += 1;
            out.values.push(v);
            out.codes.push(c);
        }
        if out.values.is_empty() {
            return Err(StatsError::too_few("values", 0, 2));
        }
        Ok(out)
    }

    pub fn n_groups_present(&self) -> usize {
        self.sizes.iter().filter(|&&s| s > 0).count()
    }

    /// The number of groups present, or an error when fewer than two are.
    pub fn require_two_groups(&self) -> Result<usize> {
        let k = self.n_groups_present();
        if k < 2 {
            return Err(StatsError::argument(
                "groups",
                format!("all observations are in {k} group(s); at least 2 groups are needed"),
            ));
        }
        Ok(k)
    }
}
