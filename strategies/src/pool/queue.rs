//! The bounded job queue in front of the `fixed` and `dispatcher` workers:
//! Go's buffered channel, with the overload policies applied on push and
//! an abort that takes every queued job back.
//!
//! # Why not one mutex around a `VecDeque`
//!
//! It was one, and on a steady stream of small jobs a quarter of the time
//! went to that lock: the submitter and every idle worker wanted it at
//! once, and its cache line moved between the cores on every push and
//! pop. Now submitters and workers meet only on one atomic word:
//!
//! - the jobs sit in a ring of `capacity` slots, allocated up front (as a
//!   Go buffered channel or crossbeam's `bounded` is);
//! - submitters take the `tail` lock to write a slot, workers take the
//!   `head` lock to empty one, so a submitter never waits for a worker's
//!   lock or a worker for a submitter's (the two-lock queue of Michael and
//!   Scott, on a ring);
//! - the word holds the number of published jobs, which is what lets each
//!   side touch a slot safely: a submitter writes slot `tail` only while
//!   fewer than `capacity` jobs are published (so its last reader has
//!   emptied it), then adds one; a worker empties slot `head` only while
//!   at least one is (so its writer has filled it), then subtracts one.
//!   Each add and subtract is a release and each check an acquire, so the
//!   slot's contents travel with the count.
//!
//! # Sleeping without a lost wake-up
//!
//! Idle workers and blocked submitters still sleep on condition variables
//! under a third lock, `sleep`, which the fast paths never take. The word
//! carries one flag per group of sleepers, set by a sleeper with a
//! compare-and-swap that succeeds only if what it waits for is still
//! missing (no job published; the queue still full). Every change to the
//! count is a read-modify-write of the same word, so each one is ordered
//! before or after that compare-and-swap: before, and the sleeper sees the
//! change and does not sleep; after, and the changer sees the flag and
//! takes the `sleep` lock to signal, which it cannot get before the
//! sleeper is waiting. The signal itself goes through [`Wakeups`]: one
//! per sleeper, not one per job.
//!
//! A submitter blocked on a full queue is woken at the queue's
//! [low-water mark](super::admission::low_water), not at the first free
//! slot.

use super::admission::{low_water, when_full, Refusal, WhenFull};
use super::run::JobContext;
use super::shutdown::Stop;
use super::wakeups::Wakeups;
use super::{Admission, Job, OverloadPolicy, RejectReason, Rejected, MAX_ALLOCATED_QUEUE};
use crate::backoff::{self, spin_until};
use crate::padded::CachePadded;
use crate::sync::atomic::{AtomicU64, Ordering};
use crate::sync::{deadline_after, Condvar, Mutex, MutexGuard, UnsafeCell};

/// The word's low bits: jobs published and not yet taken.
const QUEUED: u64 = (1 << 32) - 1;
/// Set while at least one worker sleeps waiting for a job.
const WORKERS_ASLEEP: u64 = 1 << 61;
/// Set while at least one submitter sleeps waiting for room.
const SUBMITTERS_BLOCKED: u64 = 1 << 62;
/// Set once the queue admits no more jobs.
const CLOSED: u64 = 1 << 63;

// The word counts every job a queue can hold.
const _: () = assert!(MAX_ALLOCATED_QUEUE as u64 <= QUEUED);

fn queued(word: u64) -> usize {
    (word & QUEUED) as usize
}

fn closed(word: u64) -> bool {
    word & CLOSED != 0
}

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
    /// Published jobs, the sleeper flags and the closed flag (module docs).
    word: CachePadded<AtomicU64>,
    /// The number of jobs ever published; slot `tail % capacity` is next.
    tail: CachePadded<Mutex<usize>>,
    /// The number of jobs ever taken; slot `head % capacity` is next.
    head: CachePadded<Mutex<usize>>,
    slots: Box<[UnsafeCell<Option<Job>>]>,
    /// Blocked submitters are woken once the queue is down to this
    /// ([`low_water`]).
    low_water: usize,
    sleep: Mutex<Sleepers>,
    job_ready: Condvar,
    room_freed: Condvar,
    policy: OverloadPolicy,
}

// SAFETY: a slot is written only by the submitter holding `tail`, while the
// word says it is empty, and emptied only by the worker holding `head`,
// while the word says it is full; the word's release/acquire pairs order
// those accesses (module docs). What crosses threads is a `Job`, which is
// `Send`.
unsafe impl Sync for JobQueue {}

impl JobQueue {
    /// A queue holding at most `capacity` jobs (at least one, at most
    /// [`MAX_ALLOCATED_QUEUE`]).
    pub(crate) fn new(capacity: usize, policy: OverloadPolicy) -> Self {
        debug_assert!(
            (1..=MAX_ALLOCATED_QUEUE).contains(&capacity),
            "validated by the strategy's config"
        );
        Self {
            word: CachePadded(AtomicU64::new(0)),
            tail: CachePadded(Mutex::new(0)),
            head: CachePadded(Mutex::new(0)),
            slots: (0..capacity).map(|_| UnsafeCell::new(None)).collect(),
            low_water: low_water(capacity),
            sleep: Mutex::new(Sleepers::default()),
            job_ready: Condvar::new(),
            room_freed: Condvar::new(),
            policy,
        }
    }

    fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Queues `job` under the overload policy.
    pub(crate) fn push(&self, job: Job, context: &JobContext) -> Result<Admission, Rejected> {
        let mut admission = Admission::Accepted;
        let mut deadline = None;
        let mut first_wait = true;
        let mut expired = false;
        loop {
            let mut tail = self.tail.lock();
            let word = self.word.load(Ordering::Acquire);
            if closed(word) {
                drop(tail);
                return context.refuse(Refusal::Reject(RejectReason::Closed), job);
            }
            let full = queued(word) >= self.capacity();
            let wait = match (full, when_full(self.policy)) {
                (false, _) => None,
                (true, _) if expired => {
                    drop(tail);
                    return context.refuse(Refusal::Reject(RejectReason::TimedOut), job);
                }
                (true, WhenFull::Refuse(refusal)) => {
                    drop(tail);
                    return context.refuse(refusal, job);
                }
                (true, WhenFull::DiscardOldest) => {
                    // Holding `tail`, no submitter can take the room made.
                    if let Some(oldest) = self.take_oldest_if_full() {
                        context.discard(oldest);
                        admission = Admission::AcceptedDroppingOldest;
                    }
                    None
                }
                (true, WhenFull::Wait(timeout)) => Some(timeout),
            };
            match wait {
                None => return self.publish(&mut tail, job, context, admission),
                Some(timeout) => {
                    drop(tail);
                    if first_wait {
                        first_wait = false;
                        deadline = timeout.and_then(deadline_after);
                    }
                    expired = self.wait_for_room(deadline);
                }
            }
        }
    }

    /// Writes `job` into the next slot and publishes it, unless the queue
    /// closed meanwhile. `tail` is held, and the slot is free (the word
    /// said so under it).
    fn publish(
        &self,
        tail: &mut MutexGuard<'_, usize>,
        job: Job,
        context: &JobContext,
        admission: Admission,
    ) -> Result<Admission, Rejected> {
        let slot = &self.slots[**tail % self.capacity()];
        // SAFETY: fewer than `capacity` jobs are published, so this slot's
        // last job was taken (acquire on the word); `tail` excludes other
        // writers.
        slot.with_mut(|slot| unsafe { *slot = Some(job) });
        // Release: the worker that sees the new count sees the slot filled.
        let published = self
            .word
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |word| {
                (!closed(word)).then_some(word + 1)
            });
        match published {
            Ok(before) => {
                **tail += 1;
                if before & WORKERS_ASLEEP != 0 {
                    self.wake_worker();
                }
                Ok(admission)
            }
            Err(_) => {
                // SAFETY: unpublished, so still ours alone.
                let job = slot.with_mut(|slot| unsafe { (*slot).take() });
                context.refuse(
                    Refusal::Reject(RejectReason::Closed),
                    job.expect("written above"),
                )
            }
        }
    }

    /// Sleeps until the queue is down to its low-water mark or closes, or
    /// `deadline` passes (returned as `true`), after a short busy-wait.
    fn wait_for_room(&self, deadline: Option<std::time::Instant>) -> bool {
        if backoff::ENABLED {
            let word = || self.word.load(Ordering::Relaxed);
            spin_until(|| queued(word()) <= self.low_water || closed(word()));
        }
        let mut sleep = self.sleep.lock();
        let capacity = self.capacity() as u64;
        let still_full = |word: u64| !closed(word) && word & QUEUED >= capacity;
        if !self.raise(SUBMITTERS_BLOCKED, still_full) {
            return false;
        }
        sleep.submitters += 1;
        let (mut sleep, past_deadline) = self.room_freed.wait_until(sleep, deadline);
        sleep.submitters -= 1;
        sleep.room_wakeups.taken();
        if sleep.submitters == 0 {
            self.word.fetch_and(!SUBMITTERS_BLOCKED, Ordering::Relaxed);
        }
        past_deadline
    }

    /// Sets `flag` on the word if `waiting(word)` still holds; the caller
    /// holds `sleep` and sleeps only if this returns `true`.
    fn raise(&self, flag: u64, waiting: impl Fn(u64) -> bool) -> bool {
        self.word
            .fetch_update(Ordering::Acquire, Ordering::Acquire, |word| {
                waiting(word).then_some(word | flag)
            })
            .is_ok()
    }

    fn wake_worker(&self) {
        let mut sleep = self.sleep.lock();
        let asleep = sleep.workers;
        if sleep.job_wakeups.signal(asleep) {
            drop(sleep);
            self.job_ready.notify_one();
        }
    }

    fn wake_submitter(&self) {
        let mut sleep = self.sleep.lock();
        let blocked = sleep.submitters;
        if sleep.room_wakeups.signal(blocked) {
            drop(sleep);
            self.room_freed.notify_one();
        }
    }

    /// Takes the oldest published job, if any.
    fn take(&self) -> Option<Job> {
        self.take_where(|queued| queued > 0).ok()
    }

    /// Takes the oldest job only if the queue is full (`DiscardOldest`,
    /// whose caller holds `tail`: the queue cannot fill up meanwhile).
    fn take_oldest_if_full(&self) -> Option<Job> {
        self.take_where(|queued| queued >= self.capacity()).ok()
    }

    /// Takes the oldest job if `enough(queued)`; otherwise returns the
    /// word it read.
    fn take_where(&self, enough: impl Fn(usize) -> bool) -> Result<Job, u64> {
        let mut head = self.head.lock();
        let word = self.word.load(Ordering::Acquire);
        if queued(word) == 0 || !enough(queued(word)) {
            return Err(word);
        }
        // SAFETY: at least one job is published, so slot `head` was filled
        // (acquire on the word); `head` excludes other takers.
        let job = self.slots[*head % self.capacity()].with_mut(|slot| unsafe { (*slot).take() });
        *head += 1;
        // Release: the submitter that sees the new count sees the slot
        // emptied.
        let before = self.word.fetch_sub(1, Ordering::AcqRel);
        drop(head);
        if before & SUBMITTERS_BLOCKED != 0 && queued(before) - 1 <= self.low_water {
            self.wake_submitter();
        }
        Ok(job.expect("a published slot holds a job"))
    }

    /// Takes the next job, waiting for one. `None` once the queue is closed
    /// and empty: the consumer should exit.
    pub(crate) fn pop(&self) -> Option<Job> {
        let mut spun = !backoff::ENABLED;
        let nothing = |word: u64| queued(word) == 0 && !closed(word);
        loop {
            let word = match self.take_where(|queued| queued > 0) {
                Ok(job) => return Some(job),
                Err(word) => word,
            };
            if closed(word) {
                return None;
            }
            if !spun {
                spun = true;
                spin_until(|| !nothing(self.word.load(Ordering::Relaxed)));
                continue;
            }
            let mut sleep = self.sleep.lock();
            if !self.raise(WORKERS_ASLEEP, nothing) {
                continue;
            }
            sleep.workers += 1;
            sleep = self.job_ready.wait(sleep);
            sleep.workers -= 1;
            sleep.job_wakeups.taken();
            if sleep.workers == 0 {
                self.word.fetch_and(!WORKERS_ASLEEP, Ordering::Relaxed);
            }
        }
    }

    /// Marks the queue closed and wakes every sleeper to see it.
    fn shut(&self) {
        let sleep = self.sleep.lock();
        self.word.fetch_or(CLOSED, Ordering::AcqRel);
        drop(sleep);
        self.job_ready.notify_all();
        self.room_freed.notify_all();
    }

    /// Stops admitting; consumers finish what is queued, then get `None`.
    pub(crate) fn close(&self) {
        self.shut();
        if mutant!(LossyDrain) {
            while self.take().is_some() {}
        }
    }

    /// Stops admitting and takes every queued job back.
    pub(crate) fn abort(&self) -> Vec<Job> {
        self.shut();
        std::iter::from_fn(|| self.take()).collect()
    }

    /// Jobs waiting in the queue.
    pub(crate) fn len(&self) -> usize {
        queued(self.word.load(Ordering::Relaxed))
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
