//! `tokio-workers`: N long-lived tasks on one bounded async channel.
//!
//! Go's worker pool on tokio: N goroutines ranging over a buffered channel
//! that is closed to drain them. An idle worker awaits the channel and
//! costs no thread; a burst waits in the channel; a full channel pushes
//! back on submitters through the
//! [`OverloadPolicy`](crate::pool::OverloadPolicy). Pick it for async jobs
//! that need back-pressure, or when a job's setup (a connection, a buffer)
//! should be owned by a worker and reused.
//!
//! Admission is [`JobChannel`]'s, shared with `tokio-multiplex`: the six
//! policies behave identically here and on [`Fixed`](crate::pool::Fixed).

use tokio::runtime::Handle;

use super::channel::JobChannel;
use super::{run_job, Tasks};
use crate::pool::shutdown::Stop;
use crate::pool::{Admission, ConfigError, Executor, Job, PoolConfig, PoolStats};
use crate::pool::{Rejected, ShutdownMode, ShutdownReport};
use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::Arc;

/// N worker tasks sharing one bounded async channel.
///
/// Pick it for async jobs that need back-pressure: `config.workers` tasks
/// run at most that many jobs at once, a burst waits in a channel of
/// `config.queue_capacity` jobs, and a full channel meets the overload
/// policy, any of the six, with the same answers as
/// [`Fixed`](crate::pool::Fixed).
///
/// `submit` may wait for room on the submitter's thread (policy `block`)
/// and `shutdown` waits for the workers: call them from a thread that is
/// not one of the runtime's. An idle worker awaits the channel and holds
/// no thread; a closure job holds one while it runs.
///
/// ```
/// use contend_strategies::pool::{Executor, Job, OverloadPolicy, PoolConfig, ShutdownMode, TokioWorkers};
/// use std::time::Duration;
///
/// // 4 workers, at most 16 jobs waiting; a submitter waits for room.
/// let config = PoolConfig::new(4)
///     .queue_capacity(16)
///     .policy(OverloadPolicy::Block)
///     .runtime_threads(2);
/// let pool = TokioWorkers::new(config).unwrap();
/// for _ in 0..200 {
///     let job = async { tokio::time::sleep(Duration::from_millis(1)).await };
///     pool.submit(Job::from_future(job)).unwrap();
/// }
/// let report = pool.shutdown(ShutdownMode::DRAIN);
/// assert_eq!(report.completed, 200);
/// assert!(pool.stats().peak_concurrency <= 4);
/// ```
#[derive(Debug)]
pub struct TokioWorkers {
    shared: Arc<Shared>,
    tasks: Tasks,
}

#[derive(Debug)]
struct Shared {
    channel: JobChannel,
    idle: AtomicUsize,
}

impl Shared {
    /// A worker: takes jobs until the channel is closed and empty.
    async fn work(self: Arc<Self>) {
        loop {
            self.idle.fetch_add(1, Ordering::Relaxed);
            let taken = self.channel.take().await;
            self.idle.fetch_sub(1, Ordering::Relaxed);
            let Some(job) = taken else {
                return;
            };
            if let Some(job) = self.channel.release(job) {
                run_job(&self.channel.context, job).await;
            }
        }
    }
}

impl TokioWorkers {
    /// The strategy's name in scenario files.
    pub const NAME: &'static str = "tokio-workers";

    /// `config.workers` worker tasks on a runtime of its own with
    /// `config.runtime_threads` threads.
    pub fn new(config: PoolConfig) -> Result<Self, ConfigError> {
        Self::start(None, config)
    }

    /// `config.workers` worker tasks on the runtime behind `handle`;
    /// `config.runtime_threads` is not used.
    pub fn with_handle(handle: Handle, config: PoolConfig) -> Result<Self, ConfigError> {
        Self::start(Some(handle), config)
    }

    fn start(handle: Option<Handle>, config: PoolConfig) -> Result<Self, ConfigError> {
        let channel = JobChannel::new(Self::NAME, &config)?;
        let tasks = Tasks::new(Self::NAME, handle, &config)?;
        let shared = Arc::new(Shared {
            channel,
            idle: AtomicUsize::new(0),
        });
        for _ in 0..config.workers {
            if let Some(live) = tasks.enter() {
                tasks.spawn(live, Arc::clone(&shared).work());
            }
        }
        Ok(Self { shared, tasks })
    }
}

impl Executor for TokioWorkers {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        self.shared.channel.submit(&self.tasks, job)
    }

    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        let channel = &self.shared.channel;
        self.tasks.shutdown(mode, channel, &channel.context)
    }

    fn stats(&self) -> PoolStats {
        let idle = self.shared.idle.load(Ordering::Relaxed);
        self.shared.channel.stats(idle)
    }
}

impl Drop for TokioWorkers {
    /// Dropping without a shutdown drains in the background: the workers
    /// finish the queued jobs, then exit (and an owned runtime with them).
    fn drop(&mut self) {
        self.shared.channel.close();
    }
}
