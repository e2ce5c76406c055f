//! `tokio-semaphore`: a tokio task per job, at most N at once.
//!
//! Go's buffered channel used as a semaphore: `sem <- struct{}{}`, then
//! `go f()`, and the goroutine gives the permit back when it ends. The
//! submitter takes the permit before the task is spawned, so no task ever
//! waits for one and N bounds the tasks alive, not only the jobs running.
//! Pick it for async IO against a downstream with a connection limit: N
//! requests in flight, no queue, and when all N are out the
//! [`OverloadPolicy`](crate::pool::OverloadPolicy) decides, exactly as for
//! the thread [`Semaphore`](crate::pool::Semaphore).
//!
//! The permits are tokio's own `Semaphore`, as in the `tokio-raw`
//! reference: taken with one compare-and-swap when one is free, given back
//! by the task when its job ends. (contend's own mutex-guarded permits,
//! which the thread `semaphore` uses, put the submitter and every ending
//! task on one lock: 1.08 to 1.28 x the wall time of `tokio-raw` on the
//! `ants` scenario.) What this adds to `tokio-raw` is the pending slots
//! of [`TaskPerJob`]: a shutdown takes every job whose task has not
//! started back at once, where `tokio-raw` gets them back only once their
//! tasks have run.

use tokio::runtime::Handle;

use super::permits::TokioPermits;
use super::{TaskPerJob, Tasks};
use crate::pool::run::JobContext;
use crate::pool::shutdown::Stop;
use crate::pool::{Admission, ConfigError, Executor, Job, PoolConfig, PoolStats, Rejected};
use crate::pool::{ShutdownMode, ShutdownReport};
use crate::sync::Arc;

/// A tokio task per job, bounded by N permits.
///
/// Pick it for async IO against a downstream with a connection limit:
/// `config.workers` permits, so at most that many requests in flight, and
/// no queue. Every policy but `discard-oldest` (there is nothing queued to
/// drop) applies, as on the thread [`Semaphore`](crate::pool::Semaphore).
/// The submitter takes the permit before the task is spawned, and the
/// permit comes back when the job's work has ended, panicking or not.
///
/// `submit` waits for a permit on the submitter's thread (policy `block`)
/// and `shutdown` waits for the tasks: call them from a thread that is not
/// one of the runtime's. Closures run inline in their task and hold a
/// runtime thread; futures are awaited.
///
/// ```
/// use contend_strategies::pool::{Executor, Job, PoolConfig, ShutdownMode, TokioSemaphore};
/// use std::time::Duration;
///
/// // 100 calls to a service that accepts 10 connections at a time.
/// let pool = TokioSemaphore::new(PoolConfig::new(10).runtime_threads(2)).unwrap();
/// for _ in 0..100 {
///     let call = async { tokio::time::sleep(Duration::from_millis(5)).await };
///     pool.submit(Job::from_future(call)).unwrap();
/// }
/// pool.shutdown(ShutdownMode::DRAIN);
/// let stats = pool.stats();
/// assert_eq!(stats.completed, 100);
/// assert!(stats.peak_concurrency <= 10);
/// ```
#[derive(Debug)]
pub struct TokioSemaphore {
    core: Arc<TaskPerJob>,
    permits: TokioPermits,
    tasks: Tasks,
}

impl TokioSemaphore {
    /// The strategy's name in scenario files.
    pub const NAME: &'static str = "tokio-semaphore";

    /// At most `config.workers` tasks at once, on a runtime of its own with
    /// `config.runtime_threads` threads.
    pub fn new(config: PoolConfig) -> Result<Self, ConfigError> {
        Self::start(None, config)
    }

    /// At most `config.workers` tasks at once, on the runtime behind
    /// `handle`; `config.runtime_threads` is not used.
    pub fn with_handle(handle: Handle, config: PoolConfig) -> Result<Self, ConfigError> {
        Self::start(Some(handle), config)
    }

    fn start(handle: Option<Handle>, config: PoolConfig) -> Result<Self, ConfigError> {
        Ok(Self {
            permits: TokioPermits::new(Self::NAME, &config)?,
            tasks: Tasks::new(Self::NAME, handle, &config)?,
            core: TaskPerJob::new(JobContext::new(Self::NAME, config.panic_handler)),
        })
    }
}

impl Stop for TokioSemaphore {
    fn close(&self) {
        self.permits.close();
    }

    /// Blocked submitters get their jobs back as closed; tasks not yet
    /// started give theirs up.
    fn abort(&self) -> Vec<Job> {
        self.permits.close();
        self.core.take_pending()
    }
}

impl Executor for TokioSemaphore {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        self.core.context.counters.submitted();
        match self.permits.acquire(&self.tasks.handle) {
            // The task holds the permit until it ends (or is dropped unrun).
            Ok(permit) if mutant!(EarlyTaskPermit) => {
                drop(permit);
                self.core.submit(&self.tasks, job, ())
            }
            Ok(permit) => self.core.submit(&self.tasks, job, permit),
            Err(refusal) => self.tasks.refuse(&self.core.context, refusal, job),
        }
    }

    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        self.tasks.shutdown(mode, self, &self.core.context)
    }

    fn stats(&self) -> PoolStats {
        self.core.stats()
    }
}
