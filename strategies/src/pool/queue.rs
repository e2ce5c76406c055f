//! The bounded job queue in front of the `fixed` and `dispatcher` workers:
//! Go's buffered channel, with the overload policies applied on push and
//! an abort that takes every queued job back.
//!
//! A submitter blocked on a full queue is woken at its
//! [low-water mark](super::admission::low_water), not at the first free
//! slot.

use std::collections::VecDeque;

use super::admission::{await_room, lock_for_admission, low_water, Bounded, Verdict};
use super::run::JobContext;
use super::shutdown::Stop;
use super::wakeups::Wakeups;
use super::{Admission, Job, OverloadPolicy, Rejected};
use crate::backoff::{self, spin_until};
use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::{Condvar, Mutex};

#[derive(Debug)]
struct QueueState {
    jobs: VecDeque<Job>,
    capacity: usize,
    closed: bool,
    /// Consumers asleep on `job_ready`.
    waiting_consumers: usize,
    /// Wake-ups on their way to them: a burst of pushes costs one per
    /// sleeping consumer, not one per push.
    job_wakeups: Wakeups,
    blocked_submitters: usize,
    room_wakeups: Wakeups,
}

impl Bounded for QueueState {
    fn closed(&self) -> bool {
        self.closed
    }

    fn has_room(&self) -> bool {
        self.jobs.len() < self.capacity
    }

    fn blocked_submitters(&mut self) -> &mut usize {
        &mut self.blocked_submitters
    }

    fn woke(&mut self) {
        self.room_wakeups.taken();
    }
}

/// A bounded multi-producer, multi-consumer queue of jobs.
#[derive(Debug)]
pub(crate) struct JobQueue {
    state: Mutex<QueueState>,
    /// `jobs.len()`, written under the lock, read without it by consumers
    /// busy-waiting before they sleep ([`spin_until`]).
    queued: AtomicUsize,
    /// Blocked submitters are woken once `queued` is down to this
    /// ([`low_water`]).
    low_water: usize,
    job_ready: Condvar,
    room_freed: Condvar,
    policy: OverloadPolicy,
}

impl JobQueue {
    /// A queue holding at most `capacity` jobs (at least one).
    pub(crate) fn new(capacity: usize, policy: OverloadPolicy) -> Self {
        debug_assert!(capacity > 0, "validated by the strategy's config");
        Self {
            state: Mutex::new(QueueState {
                jobs: VecDeque::with_capacity(capacity.min(4096)),
                capacity,
                closed: false,
                waiting_consumers: 0,
                job_wakeups: Wakeups::default(),
                blocked_submitters: 0,
                room_wakeups: Wakeups::default(),
            }),
            queued: AtomicUsize::new(0),
            low_water: low_water(capacity),
            job_ready: Condvar::new(),
            room_freed: Condvar::new(),
            policy,
        }
    }

    /// Queues `job` under the overload policy.
    pub(crate) fn push(&self, job: Job, context: &JobContext) -> Result<Admission, Rejected> {
        // A submitter that must wait busy-waits for the low-water mark,
        // where a worker would wake it.
        let room = || self.queued.load(Ordering::Relaxed) <= self.low_water;
        let state = lock_for_admission(self.policy, &self.state, room);
        let (mut state, admission) = match await_room(self.policy, state, &self.room_freed, None) {
            Verdict::Room(state) => (state, Admission::Accepted),
            Verdict::DiscardOldest(mut state) => {
                if let Some(oldest) = state.jobs.pop_front() {
                    context.discard(oldest);
                }
                (state, Admission::AcceptedDroppingOldest)
            }
            Verdict::Refuse(refusal) => return context.refuse(refusal, job),
        };
        state.jobs.push_back(job);
        self.queued.store(state.jobs.len(), Ordering::Relaxed);
        let asleep = state.waiting_consumers;
        let wake = state.job_wakeups.signal(asleep);
        drop(state);
        if wake {
            self.job_ready.notify_one();
        }
        Ok(admission)
    }

    /// Takes the next job, waiting for one. `None` once the queue is closed
    /// and empty: the consumer should exit.
    pub(crate) fn pop(&self) -> Option<Job> {
        let mut state = self.state.lock();
        let mut spun = !backoff::ENABLED;
        loop {
            if let Some(job) = state.jobs.pop_front() {
                self.queued.store(state.jobs.len(), Ordering::Relaxed);
                let blocked = state.blocked_submitters;
                let wake = state.jobs.len() <= self.low_water && state.room_wakeups.signal(blocked);
                drop(state);
                if wake {
                    self.room_freed.notify_one();
                }
                return Some(job);
            }
            if state.closed {
                return None;
            }
            if !spun {
                spun = true;
                drop(state);
                spin_until(|| self.queued.load(Ordering::Relaxed) > 0);
                state = self.state.lock();
                continue;
            }
            state.waiting_consumers += 1;
            state = self.job_ready.wait(state);
            state.waiting_consumers -= 1;
            state.job_wakeups.taken();
        }
    }

    /// Stops admitting; consumers finish what is queued, then get `None`.
    pub(crate) fn close(&self) {
        let mut state = self.state.lock();
        if mutant!(LossyDrain) {
            state.jobs.clear();
        }
        state.closed = true;
        drop(state);
        self.job_ready.notify_all();
        self.room_freed.notify_all();
    }

    /// Stops admitting and takes every queued job back.
    pub(crate) fn abort(&self) -> Vec<Job> {
        let mut state = self.state.lock();
        state.closed = true;
        let jobs = state.jobs.drain(..).collect();
        drop(state);
        self.job_ready.notify_all();
        self.room_freed.notify_all();
        jobs
    }

    /// Jobs waiting in the queue.
    pub(crate) fn len(&self) -> usize {
        self.state.lock().jobs.len()
    }

    /// Consumers waiting for a job.
    pub(crate) fn waiting_consumers(&self) -> usize {
        self.state.lock().waiting_consumers
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
