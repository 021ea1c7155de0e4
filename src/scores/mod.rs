//! Per-patient outcome measures (SCORING_SPEC.md sections 1-13; SSc composites in `ssc`, `lung`).
//! Every kernel is vectorised over rows; categorical results are `i8` codes
//! with -1 for missing; yes/no results are `i8` 0/1 with -1 for missing.

pub mod acr;
pub mod cdai;
pub mod chfs;
pub mod das28;
pub mod haq;
pub mod lung;
pub mod mrss;
pub mod shaq;
pub mod ssc;

/// Code for a missing categorical / boolean result.
pub const NA: i8 = -1;
