//! `tokio-multiplex`: N jobs in flight on a few driver tasks, one per
//! runtime thread, fed by a bounded async channel.
//!
//! The other tokio strategies give every job a task of its own (or every
//! worker a task): each job that wakes is scheduled by the runtime on its
//! own, and a job's start is a spawn or a hand-off between two tasks.
//! Here a driver task owns a set of running job futures
//! (`FuturesUnordered`, what `StreamExt::buffer_unordered` is built on) and
//! takes a new job from the channel whenever it has a free slot. A timer
//! tick that ends a thousand sleeps wakes each driver once, and it polls
//! all its ready jobs in one go; starting a job is a push into the set.
//! That is the idiomatic Rust answer to "at most N futures at once", and
//! on many small IO-bound jobs it beats a task per job in time and
//! memory (the `ants` scenario measures it).
//!
//! What it costs: jobs of one driver share that driver's task, so they
//! run on one thread at a time. A job that computes (or blocks) holds up
//! every other job of its driver, where a task per job would hold up only
//! itself. Pick it for many IO-bound futures; keep CPU work elsewhere.
//!
//! Admission is [`JobChannel`]'s, as for `tokio-workers`: `workers` is
//! the bound on jobs in flight (split evenly over the drivers),
//! `queue_capacity` the channel, and the six overload policies apply.

use futures::stream::{FuturesUnordered, StreamExt};
use tokio::runtime::Handle;

use super::channel::{JobChannel, Taken};
use super::{run_job, Tasks};
use crate::pool::shutdown::Stop;
use crate::pool::{Admission, ConfigError, Executor, Job, PoolConfig, PoolStats};
use crate::pool::{Rejected, ShutdownMode, ShutdownReport};
use crate::sync::Arc;

/// Up to `config.workers` job futures in flight, polled by one driver
/// task per runtime thread, behind a bounded channel.
///
/// Pick it for many IO-bound futures (requests, timers): no task per job,
/// no hand-off per job, and each driver polls all its ready jobs at once.
/// Jobs that compute or block hold up the other jobs of their driver:
/// give those to a thread strategy. `submit` may wait for room on the
/// submitter's thread (policy `block`) and `shutdown` waits for the
/// drivers: call them from a thread that is not one of the runtime's.
///
/// ```
/// use contend_strategies::pool::{Executor, Job, PoolConfig, ShutdownMode, TokioMultiplex};
/// use std::time::Duration;
///
/// // 10,000 requests of 5 ms, at most 1,000 in flight, on two threads.
/// let config = PoolConfig::new(1_000).queue_capacity(1_024).runtime_threads(2);
/// let pool = TokioMultiplex::new(config).unwrap();
/// for _ in 0..10_000 {
///     let request = async { tokio::time::sleep(Duration::from_millis(5)).await };
///     pool.submit(Job::from_future(request)).unwrap();
/// }
/// assert_eq!(pool.shutdown(ShutdownMode::DRAIN).completed, 10_000);
/// assert!(pool.stats().peak_concurrency <= 1_000);
/// ```
#[derive(Debug)]
pub struct TokioMultiplex {
    channel: Arc<JobChannel>,
    slots: usize,
    tasks: Tasks,
}

/// One driver: runs up to `slots` jobs at once until the channel is
/// closed and empty and its last job has ended.
async fn drive(channel: Arc<JobChannel>, slots: usize) {
    let channel = &*channel;
    let mut running = FuturesUnordered::new();
    let mut open = true;
    // A job the last wait took; there was a slot for it.
    let mut arrived: Option<Job> = None;
    loop {
        // Start what has arrived, and what is queued now, as far as the
        // slots go, before waiting.
        while running.len() < slots {
            let job = match arrived.take() {
                Some(job) => job,
                None if !open => break,
                None => match channel.try_take() {
                    Taken::Job(job) => job,
                    Taken::Empty => break,
                    Taken::Ended => {
                        open = false;
                        break;
                    }
                },
            };
            if let Some(job) = channel.release(job) {
                running.push(run_job(&channel.context, job));
            }
        }
        if !open && running.is_empty() {
            return;
        }
        let has_room = open && running.len() < slots;
        tokio::select! {
            biased;
            Some(()) = running.next(), if !running.is_empty() => {}
            taken = channel.take(), if has_room => match taken {
                Some(job) => arrived = Some(job),
                None => open = false,
            },
        }
    }
}

impl TokioMultiplex {
    /// The strategy's name in scenario files.
    pub const NAME: &'static str = "tokio-multiplex";

    /// `config.workers` jobs in flight over `config.runtime_threads`
    /// drivers, on a runtime of its own with that many threads.
    pub fn new(config: PoolConfig) -> Result<Self, ConfigError> {
        Self::start(None, config)
    }

    /// The same on the runtime behind `handle`: `config.runtime_threads`
    /// is then the number of drivers only.
    pub fn with_handle(handle: Handle, config: PoolConfig) -> Result<Self, ConfigError> {
        Self::start(Some(handle), config)
    }

    fn start(handle: Option<Handle>, config: PoolConfig) -> Result<Self, ConfigError> {
        let channel = Arc::new(JobChannel::new(Self::NAME, &config)?);
        let tasks = Tasks::new(Self::NAME, handle, &config)?;
        let drivers = config.runtime_threads.clamp(1, config.workers);
        for driver in 0..drivers {
            // The first `workers % drivers` drivers take one slot more.
            let slots = config.workers / drivers + usize::from(driver < config.workers % drivers);
            if let Some(live) = tasks.enter() {
                tasks.spawn(live, drive(Arc::clone(&channel), slots));
            }
        }
        Ok(Self {
            channel,
            slots: config.workers,
            tasks,
        })
    }
}

impl Executor for TokioMultiplex {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        self.channel.submit(&self.tasks, job)
    }

    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        self.tasks
            .shutdown(mode, &*self.channel, &self.channel.context)
    }

    /// Idle: free slots.
    fn stats(&self) -> PoolStats {
        let running = self.channel.context.counters.running();
        self.channel.stats(self.slots.saturating_sub(running))
    }
}

impl Drop for TokioMultiplex {
    /// Dropping without a shutdown drains in the background: the drivers
    /// finish the queued jobs, then exit (and an owned runtime with them).
    fn drop(&mut self) {
        self.channel.close();
    }
}
