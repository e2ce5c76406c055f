//! Executors: the pool family.
//!
//! Every strategy implements [`Executor`], so tests, load tests and user
//! code drive them all the same way; an executor whose callers are tasks
//! implements [`AsyncExecutor`] (awaited `submit` and `shutdown`) and is
//! driven from threads through [`Blocking`]. The shared pieces live beside them:
//! [`Job`], [`Rejected`] and [`Admission`] (what `submit` answers),
//! [`OverloadPolicy`], [`ShutdownMode`] and [`ShutdownReport`],
//! [`PoolStats`], [`CancelToken`] and [`Batch`].
//!
//! # Choosing a strategy
//!
//! | strategy | threads | bound | pick it when |
//! |---|---|---|---|
//! | [`Serial`] | the caller's | 1 | you need a baseline, or order matters |
//! | [`Unbounded`] | one per job | none | never in production: it measures the cost of no bound |
//! | [`Semaphore`] | one per job | N at once | few, long, blocking jobs (IO) and no queue wanted |
//! | [`Fixed`] | N long-lived | N running + a bounded queue | many short jobs: threads are reused, bursts wait in the queue |
//! | [`Dispatcher`] | N + 1 dispatcher | N running + a bounded queue | as `fixed`, when each worker must own its hand-off slot |
//! | [`Elastic`] | 0 to N, on demand | N running | load that comes and goes: idle workers expire, capacity can be resized |
//! | [`TokioSpawn`] | a task per job | none | async IO; the analogue of `go f()` |
//! | [`TokioSemaphore`] | a task per job | N at once | async IO against a downstream with a connection limit |
//! | [`TokioWorkers`] | N tasks | N running + a bounded queue | async jobs with back-pressure |
//! | [`TokioMultiplex`] | one driver task per runtime thread | N in flight + a bounded queue | many IO-bound futures: no task per job, each driver polls its ready jobs in one go |
//! | [`TokioRaw`] | a task per job | N at once | the reference: tokio's `Semaphore` and `spawn`, nothing around them |
//!
//! Sizing: CPU-bound jobs want about one worker per core
//! ([`available_cores`]); more only adds switching. IO-bound jobs spend
//! their time waiting, so the right count is the downstream's limit or
//! throughput × latency (Little's law): 500 jobs/s of 50 ms each keep
//! 25 workers busy.

mod admission;
mod async_executor;
mod batch;
mod cancel;
mod config;
mod dispatcher;
mod elastic;
mod fixed;
mod job;
mod policy;
mod queue;
mod registry;
mod rejected;
mod ring;
mod run;
mod run_async;
mod semaphore;
mod serial;
mod shutdown;
mod stats;
#[cfg(all(not(loom), feature = "third-party"))]
mod tokio;
mod unbounded;
mod wakeups;
mod workers;

pub use async_executor::{AsyncExecutor, Blocking};
pub use batch::{Batch, BatchReport};
pub use cancel::CancelToken;
pub use config::{available_cores, ConfigError, PoolConfig, MAX_ALLOCATED_QUEUE};
pub use dispatcher::Dispatcher;
pub use elastic::Elastic;
pub use fixed::Fixed;
pub use job::{BoxFuture, Job};
pub use policy::OverloadPolicy;
pub use registry::{build, info, names, RunsOn, StrategyInfo, STRATEGIES};
pub use rejected::{Admission, RejectReason, Rejected};
pub use run::{JobContext, JobPanic, PanicHandler};
pub use semaphore::Semaphore;
pub use serial::Serial;
pub use shutdown::{ShutdownMode, ShutdownReport};
pub use stats::{Counters, PoolStats, Rejections};
#[cfg(all(not(loom), feature = "third-party"))]
pub use tokio::{TokioMultiplex, TokioRaw, TokioSemaphore, TokioSpawn, TokioWorkers};
pub use unbounded::Unbounded;

/// An executor: accepts jobs, runs each accepted job exactly once (or
/// hands it back at shutdown), and shuts down cleanly.
///
/// Implement it for your own executor and contend's tests and load tests
/// drive it exactly as they drive the built-in strategies.
pub trait Executor: Send + Sync {
    /// The strategy's name, as used in scenario files.
    fn name(&self) -> &'static str;

    /// Offers a job. An accepted job runs exactly once or comes back in the
    /// shutdown report; a refused one comes back inside the error. After
    /// shutdown every job is refused with
    /// [`RejectReason::Closed`].
    fn submit(&self, job: Job) -> Result<Admission, Rejected>;

    /// Shuts down (see [`ShutdownMode`]). Idempotent and safe to call from
    /// several threads at once: every call returns once the workers are
    /// joined or the deadline has passed, and each unstarted job is handed
    /// back to exactly one caller.
    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport;

    /// A snapshot of the executor's counters.
    fn stats(&self) -> PoolStats;

    /// Changes the number of workers (or the capacity) at run time. Only
    /// strategies that can resize override it.
    fn resize(&self, workers: usize) -> Result<(), ConfigError> {
        let _ = workers;
        Err(ConfigError::ResizeUnsupported {
            strategy: self.name(),
        })
    }

    /// Submits a closure: shorthand for `submit(Job::new(f))`.
    fn execute<F>(&self, f: F) -> Result<Admission, Rejected>
    where
        F: FnOnce() + Send + 'static,
        Self: Sized,
    {
        self.submit(Job::new(f))
    }
}

impl<E: Executor + ?Sized> Executor for Box<E> {
    fn name(&self) -> &'static str {
        (**self).name()
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        (**self).submit(job)
    }

    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        (**self).shutdown(mode)
    }

    fn stats(&self) -> PoolStats {
        (**self).stats()
    }

    fn resize(&self, workers: usize) -> Result<(), ConfigError> {
        (**self).resize(workers)
    }
}
