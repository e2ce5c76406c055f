//! `unbounded`: a new thread for every job, with no limit.
//!
//! The anti-pattern (Go: `go f()` in a loop over an unbounded input), kept
//! to measure its cost: a thread's creation per job, memory that grows
//! with the backlog, and a downstream swamped by as many callers as there
//! are jobs. When the operating system refuses a thread the job comes back
//! as [`RejectReason::Exhausted`](super::RejectReason::Exhausted).

use super::run::JobContext;
use super::shutdown::{shutdown_threads, Stop};
use super::workers::WorkerSet;
use super::{Admission, Executor, Job, PanicHandler, PoolStats, Rejected};
use super::{ShutdownMode, ShutdownReport};
use crate::sync::Arc;

/// Spawns a thread per job.
///
/// ```
/// use contend_strategies::pool::{Executor, ShutdownMode, Unbounded};
///
/// let pool = Unbounded::new();
/// for _ in 0..8 {
///     pool.execute(|| std::thread::sleep(std::time::Duration::from_millis(1))).unwrap();
/// }
/// assert_eq!(pool.shutdown(ShutdownMode::DRAIN).completed, 8);
/// ```
#[derive(Debug)]
pub struct Unbounded {
    context: Arc<JobContext>,
    workers: Arc<WorkerSet>,
}

/// Nothing waits anywhere but in a thread, so there is nothing to stop
/// beyond the worker set, which `shutdown_threads` closes.
struct NothingQueued;

impl Stop for NothingQueued {
    fn close(&self) {}

    fn abort(&self) -> Vec<Job> {
        Vec::new()
    }
}

impl Default for Unbounded {
    fn default() -> Self {
        Self::new()
    }
}

impl Unbounded {
    /// The strategy's name in scenario files.
    pub const NAME: &'static str = "unbounded";

    /// A thread-per-job executor with no panic handler.
    pub fn new() -> Self {
        Self::with_panic_handler(None)
    }

    /// A thread-per-job executor whose panic handler is `handler`.
    pub fn with_panic_handler(handler: Option<PanicHandler>) -> Self {
        Self {
            context: Arc::new(JobContext::new(Self::NAME, handler)),
            workers: WorkerSet::new(Self::NAME),
        }
    }
}

impl Executor for Unbounded {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        self.context.counters.submitted();
        let context = Arc::clone(&self.context);
        match self.workers.spawn(job, move |job| context.execute(job)) {
            Ok(()) => Ok(Admission::Accepted),
            Err(failure) => {
                let (reason, job) = failure.into_rejection();
                Err(self.context.reject(reason, job))
            }
        }
    }

    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        shutdown_threads(mode, &NothingQueued, &self.workers, &self.context)
    }

    fn stats(&self) -> PoolStats {
        self.context.stats(0, 0)
    }
}
