//! Cooperative cancellation of long core calls (Ctrl-C in a notebook).
//!
//! The binding layer runs a long call on a worker thread while the calling
//! thread watches for Python signals; on Ctrl-C it raises the flag here, the
//! call's loops see it at their next [`check`] and return [`interrupted`],
//! and the user gets `KeyboardInterrupt`. The flag is process-wide: a Ctrl-C
//! stops every long rheumstats call in flight, as it stops the notebook cell.
//! A check is one relaxed atomic load, cheap enough for every outer
//! iteration of a loop.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::StatsError;

static CANCEL: AtomicBool = AtomicBool::new(false);

/// The argument name that marks a cancellation error.
pub const INTERRUPTED: &str = "interrupted";

/// The error a cancelled call returns.
pub fn interrupted() -> StatsError {
    StatsError::argument(INTERRUPTED, "the call was interrupted (Ctrl-C)")
}

/// `Err(interrupted())` once a cancellation was requested.
#[inline]
pub fn check() -> Result<(), StatsError> {
    if CANCEL.load(Ordering::Relaxed) {
        Err(interrupted())
    } else {
        Ok(())
    }
}

/// Request (true) or clear (false) cancellation.
pub fn set(on: bool) {
    CANCEL.store(on, Ordering::Relaxed);
}

/// Whether `e` is the cancellation error.
pub fn is_interrupted(e: &StatsError) -> bool {
    matches!(e, StatsError::InvalidArgument { arg, .. } if *arg == INTERRUPTED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_round_trip() {
        assert!(check().is_ok());
        set(true);
        let e = check().unwrap_err();
        assert!(is_interrupted(&e));
        set(false);
        assert!(check().is_ok());
        assert!(!is_interrupted(&StatsError::argument("x", "y")));
    }
}
