//! Safety: exposure-adjusted incidence rates and rate ratios (exact Poisson).

pub mod incidence;
pub mod poisson;
