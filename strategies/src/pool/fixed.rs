//! `fixed`: N long-lived workers on one bounded queue.
//!
//! The classic worker pool (Go: N goroutines ranging over a buffered
//! channel that is closed to drain them). Threads are created once and
//! reused, so the per-job cost is one queue push and pop; a burst waits in
//! the queue, and what happens when the queue is full is the
//! [`OverloadPolicy`](super::OverloadPolicy).

use super::queue::JobQueue;
use super::run::JobContext;
use super::shutdown::shutdown_threads;
use super::workers::WorkerSet;
use super::{Admission, ConfigError, Executor, Job, PoolConfig, PoolStats, Rejected};
use super::{ShutdownMode, ShutdownReport};
use crate::sync::Arc;

/// N workers sharing one bounded queue.
///
/// ```
/// use contend_strategies::pool::{Executor, Fixed, PoolConfig, ShutdownMode};
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
///
/// // Many tiny CPU-bound jobs: one worker per core, reused.
/// let pool = Fixed::new(PoolConfig::new(4).queue_capacity(256)).unwrap();
/// let sum = Arc::new(AtomicUsize::new(0));
/// for i in 0..10_000 {
///     let sum = Arc::clone(&sum);
///     pool.execute(move || { sum.fetch_add(i, Ordering::Relaxed); }).unwrap();
/// }
/// let report = pool.shutdown(ShutdownMode::DRAIN);
/// assert_eq!(report.completed, 10_000);
/// assert_eq!(sum.load(Ordering::Relaxed), (0..10_000).sum::<usize>());
/// ```
#[derive(Debug)]
pub struct Fixed {
    shared: Arc<Shared>,
    workers: Arc<WorkerSet>,
}

#[derive(Debug)]
struct Shared {
    queue: JobQueue,
    context: JobContext,
}

impl Fixed {
    /// The strategy's name in scenario files.
    pub const NAME: &'static str = "fixed";

    /// Starts `config.workers` workers behind a queue of
    /// `config.queue_capacity` jobs.
    pub fn new(config: PoolConfig) -> Result<Self, ConfigError> {
        config.require_workers(Self::NAME)?;
        config.require_queue(Self::NAME)?;
        config.require_allocatable_queue(Self::NAME)?;
        let pool = Self {
            shared: Arc::new(Shared {
                queue: JobQueue::new(config.queue_capacity, config.policy),
                context: JobContext::new(Self::NAME, config.panic_handler),
            }),
            workers: WorkerSet::new(Self::NAME),
        };
        for _ in 0..config.workers {
            let started = pool.workers.spawn(Arc::clone(&pool.shared), |shared| {
                while let Some(job) = shared.queue.pop() {
                    shared.context.execute(job);
                }
            });
            if started.is_err() {
                pool.shutdown(ShutdownMode::Abort);
                return Err(ConfigError::thread_refused(Self::NAME));
            }
        }
        Ok(pool)
    }
}

impl Executor for Fixed {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        self.shared.context.counters.submitted();
        self.shared.queue.push(job, &self.shared.context)
    }

    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        shutdown_threads(
            mode,
            &self.shared.queue,
            &self.workers,
            &self.shared.context,
        )
    }

    fn stats(&self) -> PoolStats {
        let queue = &self.shared.queue;
        self.shared
            .context
            .stats(queue.waiting_consumers(), queue.len())
    }
}

impl Drop for Fixed {
    /// Dropping without a shutdown drains in the background: the workers
    /// finish the queued jobs, then exit. Nothing accepted is lost.
    fn drop(&mut self) {
        self.shared.queue.close();
    }
}
