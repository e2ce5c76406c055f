//! `threadpool`: the `threadpool` crate's [`ThreadPool::new(workers)`](threadpool::ThreadPool::new),
//! each job given to its `execute`.
//!
//! Its queue is an unbounded channel: every job is accepted, so this
//! adapter has no overload policy. Abort hands back the jobs its workers
//! have not started (see [the adapters](super)); drain waits for every
//! accepted job, then calls the pool's own `join` as a user would. The
//! crate gives no way to join its threads: they exit once the pool is
//! dropped (with the adapter) and its channel is empty, so they are not
//! joined when `shutdown` returns. What its threads hold for the harness,
//! their latency buffers, are drained at shutdown instead, by one closure
//! on each thread: `workers` closures held at a barrier until all of them
//! run at once, which takes every one of the pool's `workers` threads
//! (idle by then). Do not call `shutdown` from one of the pool's jobs: it
//! would wait for its own thread.

use std::sync::{Arc, Barrier, Mutex, PoisonError};

use contend_strategies::pool::{
    Admission, ConfigError, Executor, Job, PoolConfig, PoolStats, Rejected, ShutdownMode,
    ShutdownReport,
};

use super::accounting::Accounting;
use crate::record::Collector;

/// The `threadpool` crate's pool behind the [`Executor`] trait.
pub struct ThreadPool {
    pool: threadpool::ThreadPool,
    books: Arc<Accounting>,
    workers: usize,
    /// Whether a settled shutdown has flushed every thread. Held while it
    /// does: two concurrent flushes would each hold some of the threads
    /// at their own barrier, and neither barrier would ever fill.
    flushed: Mutex<bool>,
}

impl ThreadPool {
    /// The name in scenario files.
    pub const NAME: &'static str = "threadpool";

    /// A pool of `config.workers` threads (the other fields but the panic
    /// handler do not apply).
    pub fn new(config: PoolConfig) -> Result<Self, ConfigError> {
        let workers = super::accounting::workers(&config, Self::NAME)?;
        Ok(Self {
            pool: threadpool::Builder::new()
                .num_threads(workers)
                .thread_name(Self::NAME.into())
                .build(),
            books: Accounting::new(Self::NAME, config.panic_handler),
            workers,
            flushed: Mutex::new(false),
        })
    }
}

impl ThreadPool {
    /// Runs `visit` once on each of the pool's threads, all idle.
    fn on_every_thread(&self, visit: fn()) {
        let all = Arc::new(Barrier::new(self.workers + 1));
        for _ in 0..self.workers {
            let all = Arc::clone(&all);
            self.pool.execute(move || {
                visit();
                // Holds this thread until every thread has visited.
                all.wait();
            });
        }
        all.wait();
    }
}

impl Executor for ThreadPool {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        let slot = self.books.admit(job)?;
        self.pool.execute(move || slot.run());
        Ok(Admission::Accepted)
    }

    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        let shut = self.books.shut(mode);
        if shut.settled {
            // A concurrent call waits here until the first one is done.
            let mut flushed = self.flushed.lock().unwrap_or_else(PoisonError::into_inner);
            if !*flushed {
                // Returns at once: every slot has run. Kept because it is
                // the library's own drain.
                self.pool.join();
                self.on_every_thread(Collector::flush_this_thread);
                *flushed = true;
            }
        }
        shut.report
    }

    fn stats(&self) -> PoolStats {
        let idle = if self.books.is_closed() {
            0
        } else {
            // The library's own counts of its threads.
            self.pool
                .max_count()
                .saturating_sub(self.pool.active_count())
        };
        self.books.stats(idle)
    }
}
