//! `serial`: the caller runs each job, one at a time.
//!
//! The baseline every speed-up is quoted against: 10,000 jobs of 50 ms
//! take 500 s here. Submitters on several threads take turns; a job that
//! submits to the same `Serial` would wait for itself, so it must not.

use super::run::JobContext;
use super::shutdown::ShutdownReport;
use super::{Admission, Executor, Job, PoolStats, RejectReason, Rejected, ShutdownMode};
use crate::sync::Mutex;

/// Runs each job on the submitting thread, one at a time.
///
/// ```
/// use contend_strategies::pool::{Executor, Serial, ShutdownMode};
///
/// let serial = Serial::new();
/// serial.execute(|| println!("runs before execute returns")).unwrap();
/// assert_eq!(serial.shutdown(ShutdownMode::DRAIN).completed, 1);
/// ```
#[derive(Debug)]
pub struct Serial {
    context: JobContext,
    /// Held while a job runs; `true` once shut down.
    closed: Mutex<bool>,
}

impl Default for Serial {
    fn default() -> Self {
        Self::new()
    }
}

impl Serial {
    /// The strategy's name in scenario files.
    pub const NAME: &'static str = "serial";

    /// A serial executor with no panic handler.
    pub fn new() -> Self {
        Self::with_panic_handler(None)
    }

    /// A serial executor whose panic handler is `handler`.
    pub fn with_panic_handler(handler: Option<super::PanicHandler>) -> Self {
        Self {
            context: JobContext::new(Self::NAME, handler),
            closed: Mutex::new(false),
        }
    }
}

impl Executor for Serial {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        self.context.counters.submitted();
        let closed = self.closed.lock();
        if *closed {
            drop(closed);
            return Err(self.context.reject(RejectReason::Closed, job));
        }
        self.context.execute(job);
        Ok(Admission::Accepted)
    }

    fn shutdown(&self, _mode: ShutdownMode) -> ShutdownReport {
        // Waits for the job in progress, if any: nothing else is in flight.
        *self.closed.lock() = true;
        ShutdownReport {
            completed: self.context.counters.completed(),
            handed_back: Vec::new(),
            still_running: 0,
        }
    }

    fn stats(&self) -> PoolStats {
        self.context.stats(0, 0)
    }
}
