//! The bounded job queue in front of the `fixed` and `dispatcher` workers:
//! Go's buffered channel, with the overload policies applied on push and
//! an abort that takes every queued job back.
//!
//! The jobs sit in a [`Ring`], which submitters and workers share without
//! a common lock. Idle workers and blocked submitters sleep on condition
//! variables under a third lock, `sleep`, flagged on the ring's word (see
//! [`Ring::raise`]), and are signalled through [`Wakeups`]: one signal
//! per sleeper, not one per job. A submitter blocked on a full queue is
//! woken at its [low-water mark](super::admission::low_water), not at the
//! first free slot.

use std::time::Instant;

use super::admission::{when_full, Refusal, WhenFull};
use super::ring::{closed, Ring, Taken, SUBMITTERS_BLOCKED, WORKERS_ASLEEP};
use super::run::JobContext;
use super::shutdown::Stop;
use super::wakeups::Wakeups;
use super::{Admission, Job, OverloadPolicy, RejectReason, Rejected};
use crate::backoff::{self, spin_until};
use crate::sync::{deadline_after, Condvar, Mutex};

/// The sleepers, counted under the `sleep` lock.
#[derive(Debug, Default)]
struct Sleepers {
    /// Workers asleep on `job_ready`.
    workers: usize,
    /// Wake-ups on their way to them.
    job_wakeups: Wakeups,
    /// Submitters asleep on `room_freed`.
    submitters: usize,
    /// Wake-ups on their way to them.
    room_wakeups: Wakeups,
}

/// A bounded multi-producer, multi-consumer queue of jobs.
#[derive(Debug)]
pub(crate) struct JobQueue {
    ring: Ring,
    sleep: Mutex<Sleepers>,
    job_ready: Condvar,
    room_freed: Condvar,
    policy: OverloadPolicy,
}

impl JobQueue {
    /// A queue holding at most `capacity` jobs (at least one, at most
    /// [`MAX_ALLOCATED_QUEUE`](super::MAX_ALLOCATED_QUEUE)).
    pub(crate) fn new(capacity: usize, policy: OverloadPolicy) -> Self {
        Self {
            ring: Ring::new(capacity),
            sleep: Mutex::new(Sleepers::default()),
            job_ready: Condvar::new(),
            room_freed: Condvar::new(),
            policy,
        }
    }

    /// Queues `job` under the overload policy.
    pub(crate) fn push(&self, job: Job, context: &JobContext) -> Result<Admission, Rejected> {
        let mut job = job;
        let mut admission = Admission::Accepted;
        let mut deadline = None;
        let mut first_wait = true;
        let mut expired = false;
        loop {
            let word = match self.ring.try_push(job) {
                Ok(before) => {
                    if before & WORKERS_ASLEEP != 0 {
                        self.wake_worker();
                    }
                    return Ok(admission);
                }
                Err((refused, word)) => {
                    job = refused;
                    word
                }
            };
            if closed(word) {
                return context.refuse(Refusal::Reject(RejectReason::Closed), job);
            }
            if expired {
                return context.refuse(Refusal::Reject(RejectReason::TimedOut), job);
            }
            match when_full(self.policy) {
                WhenFull::Refuse(refusal) => return context.refuse(refusal, job),
                WhenFull::DiscardOldest => {
                    // Another submitter may take the room made; then this
                    // one finds the queue full again and drops the next.
                    if let Some(oldest) = self.ring.take_oldest_if_full() {
                        context.discard(oldest);
                        admission = Admission::AcceptedDroppingOldest;
                    }
                }
                WhenFull::Wait(timeout) => {
                    if first_wait {
                        first_wait = false;
                        deadline = timeout.and_then(deadline_after);
                    }
                    expired = self.wait_for_room(deadline);
                }
            }
        }
    }

    /// Sleeps until the queue is down to its low-water mark or closes, or
    /// `deadline` passes (returned as `true`), after a short busy-wait.
    fn wait_for_room(&self, deadline: Option<Instant>) -> bool {
        if backoff::ENABLED {
            spin_until(|| self.ring.room_for_blocked());
        }
        let mut sleep = self.sleep.lock();
        if !self.ring.raise(SUBMITTERS_BLOCKED, self.ring.still_full()) {
            return false;
        }
        sleep.submitters += 1;
        let (mut sleep, past_deadline) = self.room_freed.wait_until(sleep, deadline);
        sleep.submitters -= 1;
        sleep.room_wakeups.taken();
        if sleep.submitters == 0 {
            self.ring.lower(SUBMITTERS_BLOCKED);
        }
        past_deadline
    }

    fn wake_worker(&self) {
        let mut sleep = self.sleep.lock();
        let asleep = sleep.workers;
        if sleep.job_wakeups.signal(asleep) {
            drop(sleep);
            self.job_ready.notify_one();
        }
    }

    /// The job taken, after waking a blocked submitter if it freed room.
    fn taken(&self, taken: Taken) -> Job {
        if taken.frees_blocked_submitter() {
            let mut sleep = self.sleep.lock();
            let blocked = sleep.submitters;
            if sleep.room_wakeups.signal(blocked) {
                drop(sleep);
                self.room_freed.notify_one();
            }
        }
        taken.job
    }

    /// Takes the next job, waiting for one. `None` once the queue is closed
    /// and empty: the consumer should exit.
    pub(crate) fn pop(&self) -> Option<Job> {
        let mut spun = !backoff::ENABLED;
        loop {
            let word = match self.ring.take() {
                Ok(taken) => return Some(self.taken(taken)),
                Err(word) => word,
            };
            if closed(word) {
                return None;
            }
            if !spun {
                spun = true;
                spin_until(|| self.ring.job_or_closed());
                continue;
            }
            let mut sleep = self.sleep.lock();
            if !self.ring.raise(WORKERS_ASLEEP, self.ring.still_empty()) {
                continue;
            }
            sleep.workers += 1;
            sleep = self.job_ready.wait(sleep);
            sleep.workers -= 1;
            sleep.job_wakeups.taken();
            if sleep.workers == 0 {
                self.ring.lower(WORKERS_ASLEEP);
            }
        }
    }

    /// Marks the queue closed and wakes every sleeper to see it.
    fn shut(&self) {
        // Under `sleep`: a sleeper between its flag and its wait would
        // miss the notification.
        let sleep = self.sleep.lock();
        self.ring.close();
        drop(sleep);
        self.job_ready.notify_all();
        self.room_freed.notify_all();
    }

    /// Stops admitting; consumers finish what is queued, then get `None`.
    pub(crate) fn close(&self) {
        self.shut();
        if mutant!(LossyDrain) {
            while self.ring.take().is_ok() {}
        }
    }

    /// Stops admitting and takes every queued job back.
    pub(crate) fn abort(&self) -> Vec<Job> {
        self.shut();
        std::iter::from_fn(|| self.ring.take().ok().map(|taken| taken.job)).collect()
    }

    /// Jobs waiting in the queue.
    pub(crate) fn len(&self) -> usize {
        self.ring.len()
    }

    /// Consumers waiting for a job.
    pub(crate) fn waiting_consumers(&self) -> usize {
        self.sleep.lock().workers
    }
}

/// A pool whose only waiting place is this queue stops by stopping it.
impl Stop for JobQueue {
    fn close(&self) {
        JobQueue::close(self);
    }

    fn abort(&self) -> Vec<Job> {
        JobQueue::abort(self)
    }
}
