//! `run_detached`: release the GIL, run a core call, stop panics, map errors.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use super::error::to_pyerr;
use crate::common::cancel;
use crate::error::StatsError;

/// The only caller of `py.detach`. A panic in the core becomes a
/// `RuntimeError` (never PyO3's `PanicException`, a `BaseException`).
pub fn run_detached<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> Result<T, StatsError> + Send,
{
    finish(py, py.detach(move || catch_unwind(AssertUnwindSafe(f))))
}

/// How often a long call's caller looks for Ctrl-C.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// [`run_detached`] for calls that may run for seconds (`long`): the core
/// call runs on a scoped worker thread while the calling thread checks for
/// Python signals every 50 ms; on Ctrl-C it asks the core to stop
/// ([`cancel`]), waits for it (the loops check at least every few ms) and
/// raises `KeyboardInterrupt`. With `long == false` this is `run_detached`
/// (no thread is started: short calls keep their latency).
pub fn run_interruptible<T, F>(py: Python<'_>, long: bool, f: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> Result<T, StatsError> + Send,
{
    if !long {
        return run_detached(py, f);
    }
    let mut signal: Option<PyErr> = None;
    let out = py.detach(|| {
        std::thread::scope(|s| {
            let caller = std::thread::current();
            let worker = s.spawn(move || {
                let r = catch_unwind(AssertUnwindSafe(f));
                caller.unpark();
                r
            });
            while !worker.is_finished() {
                std::thread::park_timeout(SIGNAL_POLL);
                if signal.is_none() && !worker.is_finished() {
                    if let Err(e) = Python::attach(|py| py.check_signals()) {
                        signal = Some(e);
                        cancel::set(true);
                    }
                }
            }
            let r = worker.join();
            if signal.is_some() {
                cancel::set(false);
            }
            r.unwrap_or_else(Err)
        })
    });
    if let Some(e) = signal {
        return Err(e);
    }
    finish(py, out)
}

fn finish<T>(py: Python<'_>, out: std::thread::Result<Result<T, StatsError>>) -> PyResult<T> {
    match out {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(to_pyerr(py, e)),
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(PyRuntimeError::new_err(format!(
                "internal error in rheumstats ({what}); please report it with the input that caused it"
            )))
        }
    }
}

/// Test hook: proves that a core panic surfaces as RuntimeError.
#[pyfunction]
pub fn _debug_panic(py: Python<'_>) -> PyResult<()> {
    run_detached(py, || -> Result<(), StatsError> {
        panic!("deliberate test panic")
    })
}
