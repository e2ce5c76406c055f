//! The bounded async channel in front of `tokio-workers` and
//! `tokio-multiplex`: admission under the six overload policies on the
//! submitting side, jobs taken (or held back after an abort) on the
//! runtime's side.
//!
//! Admission is the same as for the thread strategies: one lock guards
//! the channel's sending side, the policies are applied by `await_room`,
//! and a consumer signals room after it takes a job, so the six policies
//! behave identically here and on [`Fixed`](crate::pool::Fixed). Both
//! strategies differ only in who takes the jobs: a task per worker, or a
//! few driver tasks each running many jobs at once.

use async_channel::{Receiver, Sender, TryRecvError, TrySendError};

use super::Tasks;
use crate::pool::admission::{await_room, Bounded, Verdict};
use crate::pool::run::JobContext;
use crate::pool::shutdown::Stop;
use crate::pool::{Admission, ConfigError, Job, OverloadPolicy, PoolConfig, PoolStats};
use crate::pool::{RejectReason, Rejected};
use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::{Condvar, Mutex};

/// A bounded channel of jobs with its admission and its abort.
#[derive(Debug)]
pub(super) struct JobChannel {
    pub(super) context: JobContext,
    intake: Mutex<Intake>,
    room_freed: Condvar,
    /// The consumers' end; a clone here lets submit drop the oldest job
    /// and an abort take every queued job back.
    receiver: Receiver<Job>,
    policy: OverloadPolicy,
    /// Set by an abort: a job taken afterwards goes to `held` instead of
    /// running.
    aborted: AtomicBool,
    held: Mutex<Vec<Job>>,
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

/// What a consumer got from [`JobChannel::try_take`].
pub(super) enum Taken {
    /// A job to run now.
    Job(Job),
    /// Nothing queued at the moment.
    Empty,
    /// Closed and empty: the consumer can exit.
    Ended,
}

impl JobChannel {
    /// A channel of `config.queue_capacity` jobs under `config.policy`.
    pub(super) fn new(strategy: &'static str, config: &PoolConfig) -> Result<Self, ConfigError> {
        config.require_workers(strategy)?;
        config.require_queue(strategy)?;
        let (sender, receiver) = async_channel::bounded(config.queue_capacity);
        Ok(Self {
            context: JobContext::new(strategy, config.panic_handler.clone()),
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
        })
    }

    /// Offers `job` under the policy; a refusal is carried out on `tasks`'
    /// runtime (so that `caller-runs` finds tokio's timers).
    pub(super) fn submit(&self, tasks: &Tasks, job: Job) -> Result<Admission, Rejected> {
        self.context.counters.submitted();
        let intake = self.intake.lock();
        let (intake, admission) = match await_room(self.policy, intake, &self.room_freed, None) {
            Verdict::Room(intake) => (intake, Admission::Accepted),
            Verdict::DiscardOldest(intake) => {
                // A consumer may have emptied a slot meanwhile: then
                // nothing was dropped and the job is simply accepted.
                let admission = if self.discard_oldest(&intake) {
                    Admission::AcceptedDroppingOldest
                } else {
                    Admission::Accepted
                };
                (intake, admission)
            }
            Verdict::Refuse(refusal) => return tasks.refuse(&self.context, refusal, job),
        };
        // Only submitters send, under this lock, and there was room. The
        // channel can still say "full" for an instant while a consumer is
        // in the middle of taking an item out (its slot is not free yet),
        // so a full answer means "try again", never a rejection.
        let mut job = job;
        loop {
            match intake.sender.try_send(job) {
                Ok(()) => return Ok(admission),
                Err(TrySendError::Full(back)) => {
                    job = back;
                    std::thread::yield_now();
                }
                Err(TrySendError::Closed(job)) => {
                    return Err(self.context.reject(RejectReason::Closed, job))
                }
            }
        }
    }

    /// Waits for the next job; `None` once the channel is closed and empty.
    pub(super) async fn take(&self) -> Option<Job> {
        let job = self.receiver.recv().await.ok()?;
        self.signal_room();
        Some(job)
    }

    /// The next job if one is queued now.
    pub(super) fn try_take(&self) -> Taken {
        match self.receiver.try_recv() {
            Ok(job) => {
                self.signal_room();
                Taken::Job(job)
            }
            Err(TryRecvError::Empty) => Taken::Empty,
            Err(TryRecvError::Closed) => Taken::Ended,
        }
    }

    /// `job`, if it may start; after an abort it is held for the shutdown
    /// report instead.
    pub(super) fn release(&self, job: Job) -> Option<Job> {
        if self.aborted.load(Ordering::Acquire) {
            self.held.lock().push(job);
            None
        } else {
            Some(job)
        }
    }

    /// Jobs waiting in the channel.
    pub(super) fn queued(&self) -> usize {
        self.receiver.len()
    }

    /// The stats, given the consumers' idle count.
    pub(super) fn stats(&self, idle: usize) -> PoolStats {
        self.context.stats(idle, self.queued())
    }

    /// Wakes a submitter waiting for room. Taking the lock orders this
    /// after a submitter's check for room, so no wake-up is lost.
    fn signal_room(&self) {
        let wake = self.intake.lock().blocked_submitters > 0;
        if wake {
            self.room_freed.notify_one();
        }
    }

    /// Drops the oldest queued job (policy `DiscardOldest`). Consumers
    /// take without the lock, so only if the channel is still full.
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

impl Stop for JobChannel {
    /// Closes the channel: consumers drain what is queued, then exit.
    fn close(&self) {
        let mut intake = self.intake.lock();
        intake.closed = true;
        intake.sender.close();
        drop(intake);
        if mutant!(LossyChannelClose) {
            while let Ok(job) = self.receiver.try_recv() {
                drop(job);
            }
        }
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
