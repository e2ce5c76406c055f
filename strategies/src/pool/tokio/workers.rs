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
//! Admission is the same as for the thread strategies: one lock guards
//! the channel's sending side, the policies are applied by
//! `await_room`, and each worker signals room after it receives, so the
//! six policies behave identically here and on [`Fixed`](crate::pool::Fixed).

use async_channel::{Receiver, Sender, TrySendError};
use tokio::runtime::Handle;

use super::{run_job, Tasks};
use crate::pool::admission::{await_room, Bounded, Verdict};
use crate::pool::run::JobContext;
use crate::pool::shutdown::Stop;
use crate::pool::{Admission, ConfigError, Executor, Job, OverloadPolicy, PoolConfig, PoolStats};
use crate::pool::{RejectReason, Rejected, ShutdownMode, ShutdownReport};
use crate::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use crate::sync::{Arc, Condvar, Mutex};

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
    context: JobContext,
    intake: Mutex<Intake>,
    room_freed: Condvar,
    /// The workers' end; a clone here lets submit drop the oldest job and
    /// an abort take every queued job back.
    receiver: Receiver<Job>,
    policy: OverloadPolicy,
    /// Set by an abort: a worker that receives a job afterwards puts it
    /// in `held` instead of running it.
    aborted: AtomicBool,
    held: Mutex<Vec<Job>>,
    idle: AtomicUsize,
}

/// The sending side, behind the lock that admission decides under.
#[derive(Debug)]
struct Intake {
    sender: Sender<Job>,
    closed: bool,
    blocked_submitters: usize,
}

impl Bounded for Intake {
    fn closed(&self) -> bool {
        self.closed
    }

    fn has_room(&self) -> bool {
        !self.sender.is_full()
    }

    fn blocked_submitters(&mut self) -> &mut usize {
        &mut self.blocked_submitters
    }
}

impl Shared {
    /// A worker: takes jobs until the channel is closed and empty.
    async fn work(self: Arc<Self>) {
        loop {
            self.idle.fetch_add(1, Ordering::Relaxed);
            let received = self.receiver.recv().await;
            self.idle.fetch_sub(1, Ordering::Relaxed);
            let Ok(job) = received else {
                return;
            };
            self.signal_room();
            if self.aborted.load(Ordering::Acquire) {
                self.held.lock().push(job);
            } else {
                run_job(&self.context, job).await;
            }
        }
    }

    /// Wakes a submitter waiting for room. Taking the lock orders this
    /// after a submitter's check for room, so no wake-up is lost.
    fn signal_room(&self) {
        let wake = self.intake.lock().blocked_submitters > 0;
        if wake {
            self.room_freed.notify_one();
        }
    }

    /// Drops the oldest queued job (policy `DiscardOldest`). Workers
    /// receive without the lock, so only if the channel is still full.
    fn discard_oldest(&self, intake: &Intake) -> bool {
        if intake.sender.is_full() {
            if let Ok(oldest) = self.receiver.try_recv() {
                self.context.discard(oldest);
                return true;
            }
        }
        false
    }
}

impl Stop for Shared {
    /// Closes the channel: workers drain what is queued, then exit.
    fn close(&self) {
        let mut intake = self.intake.lock();
        intake.closed = true;
        intake.sender.close();
        drop(intake);
        self.room_freed.notify_all();
    }

    fn abort(&self) -> Vec<Job> {
        self.aborted.store(true, Ordering::Release);
        self.close();
        let mut jobs: Vec<Job> = std::iter::from_fn(|| self.receiver.try_recv().ok()).collect();
        jobs.append(&mut self.held.lock());
        jobs
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
        config.require_workers(Self::NAME)?;
        config.require_queue(Self::NAME)?;
        let tasks = Tasks::new(Self::NAME, handle, &config)?;
        let (sender, receiver) = async_channel::bounded(config.queue_capacity);
        let shared = Arc::new(Shared {
            context: JobContext::new(Self::NAME, config.panic_handler),
            intake: Mutex::new(Intake {
                sender,
                closed: false,
                blocked_submitters: 0,
            }),
            room_freed: Condvar::new(),
            receiver,
            policy: config.policy,
            aborted: AtomicBool::new(false),
            held: Mutex::new(Vec::new()),
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
        let shared = &*self.shared;
        shared.context.counters.submitted();
        let intake = shared.intake.lock();
        let (intake, admission) = match await_room(shared.policy, intake, &shared.room_freed, None)
        {
            Verdict::Room(intake) => (intake, Admission::Accepted),
            Verdict::DiscardOldest(intake) => {
                // A worker may have emptied a slot meanwhile: then nothing
                // was dropped and the job is simply accepted.
                let admission = if shared.discard_oldest(&intake) {
                    Admission::AcceptedDroppingOldest
                } else {
                    Admission::Accepted
                };
                (intake, admission)
            }
            Verdict::Refuse(refusal) => return self.tasks.refuse(&shared.context, refusal, job),
        };
        // Only submitters send, under this lock, and there was room. The
        // channel can still say "full" for an instant while a worker is in
        // the middle of taking an item out (its slot is not free yet), so a
        // full answer means "try again", never a rejection.
        let mut job = job;
        loop {
            match intake.sender.try_send(job) {
                Ok(()) => return Ok(admission),
                Err(TrySendError::Full(back)) => {
                    job = back;
                    std::thread::yield_now();
                }
                Err(TrySendError::Closed(job)) => {
                    return Err(shared.context.reject(RejectReason::Closed, job))
                }
            }
        }
    }

    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        self.tasks
            .shutdown(mode, &*self.shared, &self.shared.context)
    }

    fn stats(&self) -> PoolStats {
        let idle = self.shared.idle.load(Ordering::Relaxed);
        self.shared.context.stats(idle, self.shared.receiver.len())
    }
}

impl Drop for TokioWorkers {
    /// Dropping without a shutdown drains in the background: the workers
    /// finish the queued jobs, then exit (and an owned runtime with them).
    fn drop(&mut self) {
        self.shared.close();
    }
}
