//! rheumstats core: pure-Rust clinical scores and statistics.
//!
//! Domain modules (`scores`, ...) take slices / ndarray views and return plain
//! Rust values or [`error::StatsError`]. They never name pyo3 or numpy; the
//! only binding layer is `python/`, compiled with the `python` feature.

pub mod common;
pub mod error;
pub mod multitest;
pub mod paired;
pub mod scores;

#[cfg(feature = "python")]
mod python;

pub use error::StatsError;
