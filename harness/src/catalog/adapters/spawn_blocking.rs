//! `tokio-spawn-blocking`: tokio's blocking pool, each job given to
//! [`spawn_blocking`](tokio::runtime::Handle::spawn_blocking) on a runtime
//! built with `max_blocking_threads = workers` (and one async worker
//! thread, which no job uses).
//!
//! This is where tokio code sends blocking work. Past `workers` threads
//! tokio queues the jobs without limit, so this adapter has no overload
//! policy; its jobs are closures, as `spawn_blocking` takes them (the
//! strategy runs on threads, not tasks). Abort hands back the jobs tokio
//! has not started (see [the adapters](super)); drain waits for every
//! accepted job. Once every job is settled, shutdown drops the runtime,
//! which joins its blocking threads before `shutdown` returns (so do not
//! call it from inside an async context: tokio forbids dropping a runtime
//! there).

use std::sync::{Arc, Mutex, PoisonError};

use contend_strategies::pool::{
    Admission, ConfigError, Executor, Job, PoolConfig, PoolStats, Rejected, ShutdownMode,
    ShutdownReport,
};
use tokio::runtime::{Builder, Handle, Runtime};

use super::accounting::Accounting;

/// tokio's blocking pool behind the [`Executor`] trait.
pub struct SpawnBlocking {
    handle: Handle,
    /// Taken and dropped by the shutdown that settles every job.
    runtime: Mutex<Option<Runtime>>,
    books: Arc<Accounting>,
}

impl SpawnBlocking {
    /// The name in scenario files.
    pub const NAME: &'static str = "tokio-spawn-blocking";

    /// A runtime of one worker thread and at most `config.workers`
    /// blocking threads (the other fields but the panic handler do not
    /// apply).
    pub fn new(config: PoolConfig) -> Result<Self, ConfigError> {
        let workers = super::accounting::workers(&config, Self::NAME)?;
        let runtime = Builder::new_multi_thread()
            .worker_threads(1)
            .max_blocking_threads(workers)
            .thread_name(Self::NAME)
            .build()
            .map_err(|error| ConfigError::Startup {
                strategy: Self::NAME,
                message: error.to_string(),
            })?;
        Ok(Self {
            handle: runtime.handle().clone(),
            runtime: Mutex::new(Some(runtime)),
            books: Accounting::new(Self::NAME, config.panic_handler),
        })
    }
}

impl Executor for SpawnBlocking {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        // Admitted jobs keep the runtime alive: it is dropped only once
        // every one of them is settled.
        let slot = self.books.admit(job)?;
        drop(self.handle.spawn_blocking(move || slot.run()));
        Ok(Admission::Accepted)
    }

    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        let shut = self.books.shut(mode);
        if shut.settled {
            let runtime = self
                .runtime
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            // Joins the blocking threads (idle ones exit at once).
            drop(runtime);
        }
        shut.report
    }

    fn stats(&self) -> PoolStats {
        // tokio does not tell how many blocking threads are idle (not
        // without `tokio_unstable`), so none are reported.
        self.books.stats(0)
    }
}

impl Drop for SpawnBlocking {
    fn drop(&mut self) {
        let runtime = self
            .runtime
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(runtime) = runtime {
            // Never shut down with jobs left: do not wait for them either.
            runtime.shutdown_background();
        }
    }
}
