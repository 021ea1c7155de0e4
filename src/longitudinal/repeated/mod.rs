//! Long-format helpers (change from baseline, visit windows, LOCF, AUC,
//! slopes) and nonparametric repeated-measures tests (Friedman, Cochran's Q,
//! Skillings–Mack, Page's trend test).
//!
//! Every call starts with [`group::group`]: subjects arrive as integer codes
//! (encoded once in Python), rows in any order; one counting-sort pass groups
//! them by subject and orders each subject's rows by time, validating as it
//! goes. Value columns arrive as one (rows × columns) view, so many columns
//! cost one grouping pass. Rows already sorted by subject and time (the usual
//! layout) skip the sort: [`group::spans`] then writes no row order, and
//! change from baseline (one column, a baseline time) and visit windows run
//! on the subjects' runs of rows directly, checking the order as they go.

pub mod group;
pub mod helpers;
pub mod ranktests;

pub use group::{group, Groups};
pub use helpers::Baseline;
pub use ranktests::{Blocks, Test, TestOutput};

#[cfg(test)]
mod tests;
