//! Repeated measures: linear mixed models (`lmm`, lme4's profiled deviance),
//! MMRM (`mmrm`, marginal GLS with structured visit covariances) and the
//! long-format helpers and nonparametric tests over visits (`repeated`).
//! Pure Rust like every domain: only `common/` and `error.rs` below it.

pub mod lmm;
pub mod mmrm;
pub mod repeated;
