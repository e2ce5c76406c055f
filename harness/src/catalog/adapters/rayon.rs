//! `rayon`: a [`rayon::ThreadPool`] of `workers` threads, each job given
//! to its [`spawn`](rayon::ThreadPool::spawn).
//!
//! rayon is built for fork-join data parallelism; `spawn` is its
//! fire-and-forget door, the one a user reaches for to run independent
//! jobs. Its queue has no bound: every job is accepted, so this adapter
//! has no overload policy. Abort hands back the jobs rayon has not
//! started (see [the adapters](super)); drain waits for every accepted
//! job, then has each of rayon's threads drain its latency buffer
//! (rayon's own `broadcast`), because the threads outlive `shutdown`:
//! rayon stops them only when the pool is dropped, and asynchronously.
//! Dropping the adapter after a settled shutdown waits for every thread
//! to exit (an exit handler counts them).

use std::sync::{Arc, Condvar, Mutex, PoisonError};

use contend_strategies::pool::{
    Admission, ConfigError, Executor, Job, PoolConfig, PoolStats, Rejected, ShutdownMode,
    ShutdownReport,
};

use super::accounting::Accounting;
use crate::record::Collector;

/// rayon's pool behind the [`Executor`] trait.
pub struct Rayon {
    /// `None` only while dropping.
    pool: Option<rayon::ThreadPool>,
    books: Arc<Accounting>,
    workers: usize,
    exited: Arc<(Mutex<usize>, Condvar)>,
}

impl Rayon {
    /// The name in scenario files.
    pub const NAME: &'static str = "rayon";

    /// A pool of `config.workers` threads (the other fields but the panic
    /// handler do not apply).
    pub fn new(config: PoolConfig) -> Result<Self, ConfigError> {
        let workers = super::accounting::workers(&config, Self::NAME)?;
        let exited = Arc::new((Mutex::new(0), Condvar::new()));
        let on_exit = Arc::clone(&exited);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(workers)
            .thread_name(|i| format!("rayon-{i}"))
            .exit_handler(move |_| {
                // Before the thread's locals are destroyed, in no set order.
                Collector::flush_this_thread();
                let (count, changed) = &*on_exit;
                *count.lock().unwrap_or_else(PoisonError::into_inner) += 1;
                changed.notify_all();
            })
            .build()
            .map_err(|error| ConfigError::Startup {
                strategy: Self::NAME,
                message: error.to_string(),
            })?;
        Ok(Self {
            pool: Some(pool),
            books: Accounting::new(Self::NAME, config.panic_handler),
            workers,
            exited,
        })
    }
}

impl Executor for Rayon {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        let slot = self.books.admit(job)?;
        let pool = self.pool.as_ref().expect("the pool lives until drop");
        pool.spawn(move || slot.run());
        Ok(Admission::Accepted)
    }

    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        let shut = self.books.shut(mode);
        if shut.settled {
            let pool = self.pool.as_ref().expect("the pool lives until drop");
            pool.broadcast(|_| Collector::flush_this_thread());
        }
        shut.report
    }

    fn stats(&self) -> PoolStats {
        let idle = if self.books.is_closed() {
            0
        } else {
            self.workers.saturating_sub(self.books.running())
        };
        self.books.stats(idle)
    }
}

impl Drop for Rayon {
    fn drop(&mut self) {
        drop(self.pool.take());
        // Join only when no job is left: a job still running past a
        // drain's deadline would hold the drop hostage.
        if self.books.stats(0).queued + self.books.running() > 0 {
            return;
        }
        let (count, changed) = &*self.exited;
        let mut exited = count.lock().unwrap_or_else(PoisonError::into_inner);
        while *exited < self.workers {
            exited = changed.wait(exited).unwrap_or_else(PoisonError::into_inner);
        }
    }
}
