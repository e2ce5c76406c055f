//! `tokio-spawn`: a tokio task per job, with no limit.
//!
//! Go's `go f()` in a loop, on tokio. A task costs a small allocation, so
//! unlike a thread per job ([`Unbounded`](crate::pool::Unbounded)) this
//! does not run out of memory quickly; what it does exhaust is whatever the
//! jobs share: a downstream with 50 connections meets 10,000 callers at
//! once. Kept to measure that cost against
//! [`TokioSemaphore`](super::TokioSemaphore) and
//! [`TokioWorkers`](super::TokioWorkers).

use tokio::runtime::Handle;

use super::{TaskPerJob, Tasks};
use crate::pool::run::JobContext;
use crate::pool::shutdown::Stop;
use crate::pool::{Admission, ConfigError, Executor, Job, PoolConfig, PoolStats, Rejected};
use crate::pool::{ShutdownMode, ShutdownReport};
use crate::sync::Arc;

/// Spawns a tokio task per job: `go f()` on tokio.
///
/// Pick it to measure what an unbounded spawn costs your downstream, or
/// when the jobs are known to be few. It has no bound, so `workers`,
/// `queue_capacity` and `policy` of its [`PoolConfig`] do not apply; only
/// `runtime_threads` and the panic handler do.
///
/// Jobs made with [`Job::from_future`] are awaited and may use tokio's
/// timers and IO; closures ([`Job::new`]) run inline in their task and
/// hold a runtime thread until they return. `shutdown` blocks until the
/// tasks end: call it from a thread that is not one of the runtime's.
/// Dropped without a shutdown, it still runs every accepted job, keeping
/// its own runtime alive until the last one ends.
///
/// ```
/// use contend_strategies::pool::{Executor, Job, PoolConfig, ShutdownMode, TokioSpawn};
/// use std::time::Duration;
///
/// // 1,000 requests of 10 ms each, all in flight at once on two threads.
/// let pool = TokioSpawn::new(PoolConfig::new(1).runtime_threads(2)).unwrap();
/// for _ in 0..1_000 {
///     let request = async { tokio::time::sleep(Duration::from_millis(10)).await };
///     pool.submit(Job::from_future(request)).unwrap();
/// }
/// let report = pool.shutdown(ShutdownMode::DRAIN);
/// assert_eq!(report.completed, 1_000);
/// ```
#[derive(Debug)]
pub struct TokioSpawn {
    core: Arc<TaskPerJob>,
    tasks: Tasks,
}

impl TokioSpawn {
    /// The strategy's name in scenario files.
    pub const NAME: &'static str = "tokio-spawn";

    /// Spawns on a runtime of its own with `config.runtime_threads`
    /// threads.
    pub fn new(config: PoolConfig) -> Result<Self, ConfigError> {
        Self::start(None, config)
    }

    /// Spawns on the runtime behind `handle`; `config.runtime_threads` is
    /// not used.
    pub fn with_handle(handle: Handle, config: PoolConfig) -> Result<Self, ConfigError> {
        Self::start(Some(handle), config)
    }

    fn start(handle: Option<Handle>, config: PoolConfig) -> Result<Self, ConfigError> {
        Ok(Self {
            tasks: Tasks::new(Self::NAME, handle, &config)?,
            core: TaskPerJob::new(JobContext::new(Self::NAME, config.panic_handler)),
        })
    }
}

impl Stop for TokioSpawn {
    /// Nothing to do: the task set, closed by the shutdown, refuses jobs.
    fn close(&self) {}

    fn abort(&self) -> Vec<Job> {
        self.core.take_pending()
    }
}

impl Executor for TokioSpawn {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        self.core.context.counters.submitted();
        self.core.submit(&self.tasks, job, ())
    }

    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        self.tasks.shutdown(mode, self, &self.core.context)
    }

    fn stats(&self) -> PoolStats {
        self.core.stats()
    }
}
