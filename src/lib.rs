//! rheumstats core: pure-Rust clinical scores and statistics.
//!
//! Domain modules (`scores`, ...) take slices / ndarray views and return plain
//! Rust values or [`error::StatsError`]. They never name pyo3 or numpy; the
//! only binding layer is `python/`, compiled with the `python` feature.

// Row kernels combine range checks with non-short-circuit `&` so that the
// validation pass vectorises; `RangeInclusive::contains` would short-circuit.
#![allow(clippy::manual_range_contains)]

pub mod common;
pub mod error;
pub mod groups;
pub mod longitudinal;
pub mod multitest;
pub mod paired;
pub mod safety;
pub mod scores;
pub mod survival;

#[cfg(feature = "python")]
mod python;

pub use error::StatsError;
