//! The bounded job queue in front of the `fixed` and `dispatcher` workers:
//! Go's buffered channel, with the overload policies applied on push and
//! an abort that takes every queued job back.
//!
//! The jobs sit in a [`Ring`], which submitters and workers share without
//! a common lock. Idle workers and blocked submitters sleep on condition
//! variables under a third lock, `sleep`, flagged on the ring (see
//! [`Ring::raise`]), and are signalled through [`Wakeups`]: one signal
//! per sleeper, not one per job. A submitter blocked on a full queue is
//! woken at its [low-water mark](super::admission::low_water), not at the
//! first free slot.

use std::time::Instant;

use super::admission::{when_full, Refusal, WhenFull};
use super::ring::{Refused, Ring, Taken, Waiter, Wake};
use super::run::JobContext;
use super::shutdown::Stop;
use super::wakeups::Wakeups;
use super::{Admission, Job, OverloadPolicy, RejectReason, Rejected};
use crate::backoff::{self, spin_until, Snooze};
use crate::sync::{deadline_after, Condvar, Mutex};

/// One kind of sleeper, counted under the `sleep` lock.
#[derive(Debug, Default)]
struct Asleep {
    count: usize,
    /// Wake-ups on their way to them.
    wakeups: Wakeups,
}

/// The sleepers, counted under the `sleep` lock.
#[derive(Debug, Default)]
struct Sleepers {
    workers: Asleep,
    submitters: Asleep,
}

impl Sleepers {
    fn of(&mut self, who: Waiter) -> &mut Asleep {
        match who {
            Waiter::Worker => &mut self.workers,
            Waiter::Submitter => &mut self.submitters,
        }
    }
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
            match self.ring.try_push(job) {
                Ok(wake) => {
                    match wake {
                        Wake::Nobody => {}
                        Wake::OneWorker => self.wake(Waiter::Worker),
                        Wake::EveryWorker => self.wake_every(Waiter::Worker),
                    }
                    return Ok(admission);
                }
                Err((refused, Refused::Closed)) => {
                    return context.refuse(Refusal::Reject(RejectReason::Closed), refused);
                }
                Err((refused, Refused::Full)) => job = refused,
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
        self.sleep_as(Waiter::Submitter, deadline).unwrap_or(false)
    }

    fn condvar(&self, who: Waiter) -> &Condvar {
        match who {
            Waiter::Worker => &self.job_ready,
            Waiter::Submitter => &self.room_freed,
        }
    }

    /// Sleeps as `who` until signalled, or until `deadline` passes
    /// (`Some(true)`). `None`: what it waits for came before it could
    /// flag itself on the ring, so it did not sleep.
    fn sleep_as(&self, who: Waiter, deadline: Option<Instant>) -> Option<bool> {
        #[cfg_attr(not(feature = "mutants"), allow(unused_mut))]
        let mut sleep = self.sleep.lock();
        if !self.ring.raise(who) {
            return None;
        }
        sleep.of(who).count += 1;
        if mutant!(LostWakeUp) && who == Waiter::Worker {
            // Checked, unlocked, and waits later: a submit in between
            // signals a worker not yet waiting, and the signal is lost.
            drop(sleep);
            crate::sync::thread::yield_now();
            // On real threads, the window such a bug has in real code (a
            // log line, a counter between the check and the wait): wide
            // enough that the proptest machine's submits land in it every
            // run, not one run in a few. The models need only the yield.
            #[cfg(not(any(loom, feature = "shuttle")))]
            std::thread::sleep(std::time::Duration::from_micros(50));
            sleep = self.sleep.lock();
        }
        let (mut sleep, past_deadline) = self.condvar(who).wait_until(sleep, deadline);
        let asleep = sleep.of(who);
        asleep.count -= 1;
        asleep.wakeups.taken();
        if asleep.count == 0 {
            self.ring.lower(who);
        }
        Some(past_deadline)
    }

    /// Signals one sleeping `who`, unless every one is already owed a
    /// wake-up.
    fn wake(&self, who: Waiter) {
        let mut sleep = self.sleep.lock();
        let asleep = sleep.of(who);
        if asleep.wakeups.signal(asleep.count) {
            drop(sleep);
            self.condvar(who).notify_one();
        }
    }

    /// Signals every sleeping `who` (the ring closed while they slept).
    fn wake_every(&self, who: Waiter) {
        // Under `sleep`: a sleeper between its flag and its wait would
        // miss the notification.
        drop(self.sleep.lock());
        self.condvar(who).notify_all();
    }

    /// The job taken, after waking a blocked submitter if it freed room.
    fn taken(&self, taken: Taken) -> Job {
        if taken.frees_blocked_submitter() {
            self.wake(Waiter::Submitter);
        }
        taken.job
    }

    /// Takes the next job, waiting for one. `None` once the queue is closed
    /// and empty: the consumer should exit.
    pub(crate) fn pop(&self) -> Option<Job> {
        let mut spun = !backoff::ENABLED;
        let mut snooze = Snooze::default();
        loop {
            match self.ring.take() {
                Ok(taken) => return Some(self.taken(taken)),
                Err(empty) if empty.finished => return None,
                // The next job is claimed and about to be published: wait
                // for it awake. Under loom this path sleeps instead (two
                // workers spinning on one submitter is a schedule loom
                // cannot finish, ring.rs), and the submitter's stamp wakes
                // it; a real build sleeps there too when the claim lands
                // after its take.
                Err(empty) if empty.publishing && backoff::ENABLED => {
                    snooze.snooze();
                    continue;
                }
                Err(_) => {}
            }
            if !spun {
                spun = true;
                spin_until(|| self.ring.job_published());
                continue;
            }
            self.sleep_as(Waiter::Worker, None);
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
            drop(self.ring.take_all());
        }
    }

    /// Stops admitting and takes every queued job back.
    pub(crate) fn abort(&self) -> Vec<Job> {
        self.shut();
        self.ring.take_all()
    }

    /// Jobs waiting in the queue.
    pub(crate) fn len(&self) -> usize {
        self.ring.len()
    }

    /// Consumers waiting for a job.
    pub(crate) fn waiting_consumers(&self) -> usize {
        self.sleep.lock().workers.count
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
