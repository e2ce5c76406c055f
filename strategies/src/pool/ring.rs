//! The ring of job slots under the `fixed`, `dispatcher` and (with a
//! queue) `elastic` pools: submitters and workers meet on one atomic word,
//! never on one lock.
//!
//! # Why not one mutex around a `VecDeque`
//!
//! It was one, and on a steady stream of small jobs a quarter of the time
//! went to that lock: the submitter and every idle worker wanted it at
//! once, and its cache line moved between the cores on every push and
//! pop. Now:
//!
//! - the jobs sit in a ring of `capacity` slots, allocated up front (as a
//!   Go buffered channel's or crossbeam's `bounded` are);
//! - submitters take the `tail` lock to fill a slot, workers take the
//!   `head` lock to empty one, so a submitter never waits for a worker's
//!   lock or a worker for a submitter's (the two-lock queue of Michael and
//!   Scott, on a ring);
//! - the word counts the published jobs, which is what lets each side
//!   touch a slot safely: a submitter fills slot `tail` only while fewer
//!   than `capacity` jobs are published (so its last reader has emptied
//!   it), then adds one; a worker empties slot `head` only while at least
//!   one is (so its writer has filled it), then subtracts one. Each add
//!   and subtract is a release and each check an acquire, so a slot's
//!   contents travel with the count.
//!
//! # Flags for sleepers
//!
//! Whoever sleeps waiting for the ring (workers for a job, submitters for
//! room) sleeps on its own lock and condition variable, which the fast
//! paths never take. The word carries one flag per group of sleepers,
//! raised by a sleeper under its lock with a compare-and-swap that
//! succeeds only if what it waits for is still missing ([`Ring::raise`]).
//! Every change to the count is a read-modify-write of the same word, so
//! each is ordered before or after that compare-and-swap: before, and the
//! sleeper sees the change and does not sleep; after, and the changer
//! finds the flag in the word it replaced and takes the sleepers' lock to
//! signal, which it cannot get before the sleeper is waiting. No wake-up
//! is lost, and none is sent while no one sleeps.

use super::admission::low_water;
use super::{Job, MAX_ALLOCATED_QUEUE};
use crate::backoff::lock_with_backoff;
use crate::padded::CachePadded;
use crate::sync::atomic::{AtomicU64, Ordering};
use crate::sync::{Mutex, UnsafeCell};

/// The word's low bits: jobs published and not yet taken.
const QUEUED: u64 = (1 << 32) - 1;
/// Set while at least one worker sleeps waiting for a job.
pub(crate) const WORKERS_ASLEEP: u64 = 1 << 61;
/// Set while at least one submitter sleeps waiting for room.
pub(crate) const SUBMITTERS_BLOCKED: u64 = 1 << 62;
/// Set once the ring admits no more jobs.
const CLOSED: u64 = 1 << 63;

// The word counts every job a ring can hold.
const _: () = assert!(MAX_ALLOCATED_QUEUE as u64 <= QUEUED);

/// Jobs published in `word`.
pub(crate) fn queued(word: u64) -> usize {
    (word & QUEUED) as usize
}

/// Whether `word` says the ring is closed.
pub(crate) fn closed(word: u64) -> bool {
    word & CLOSED != 0
}

/// A bounded multi-producer, multi-consumer ring of jobs.
#[derive(Debug)]
pub(crate) struct Ring {
    /// Published jobs, the sleeper flags and the closed flag.
    word: CachePadded<AtomicU64>,
    /// The number of jobs ever published; slot `tail % capacity` is next.
    tail: CachePadded<Mutex<usize>>,
    /// The number of jobs ever taken; slot `head % capacity` is next.
    head: CachePadded<Mutex<usize>>,
    slots: Box<[UnsafeCell<Option<Job>>]>,
    /// Blocked submitters are woken once the ring is down to this
    /// ([`low_water`]).
    low_water: usize,
}

// SAFETY: a slot is filled only by the submitter holding `tail`, while the
// word says it is empty, and emptied only by the worker holding `head`,
// while the word says it is full; the word's release/acquire pairs order
// those accesses (module docs). What crosses threads is a `Job`, which is
// `Send`.
unsafe impl Sync for Ring {}

/// A job taken from the ring, and the word it left behind.
pub(crate) struct Taken {
    pub(crate) job: Job,
    /// The word before the take.
    before: u64,
    low_water: usize,
}

impl Taken {
    /// Whether the taker must wake a blocked submitter: one is flagged and
    /// the ring is down to its low-water mark.
    pub(crate) fn frees_blocked_submitter(&self) -> bool {
        self.before & SUBMITTERS_BLOCKED != 0 && queued(self.before) - 1 <= self.low_water
    }
}

impl Ring {
    /// A ring of `capacity` slots (at least one, at most
    /// [`MAX_ALLOCATED_QUEUE`]).
    pub(crate) fn new(capacity: usize) -> Self {
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
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Jobs waiting (a hint: it may change at once).
    pub(crate) fn len(&self) -> usize {
        queued(self.word.load(Ordering::Relaxed))
    }

    /// Whether a blocked submitter busy-waiting for room can stop: the
    /// ring is down to its low-water mark, or closed (a lock-free hint).
    pub(crate) fn room_for_blocked(&self) -> bool {
        let word = self.word.load(Ordering::Relaxed);
        queued(word) <= self.low_water || closed(word)
    }

    /// Whether a worker busy-waiting for a job can stop: one is published,
    /// or the ring is closed (a lock-free hint).
    pub(crate) fn job_or_closed(&self) -> bool {
        !self.still_empty()(self.word.load(Ordering::Relaxed))
    }

    /// Publishes `job` unless the ring is full or closed. `Ok`: the word
    /// before (whose [`WORKERS_ASLEEP`] says whether to wake a worker).
    /// `Err`: the job back, with the word that refused it.
    pub(crate) fn try_push(&self, job: Job) -> Result<u64, (Job, u64)> {
        let mut tail = lock_with_backoff(&self.tail);
        let word = self.word.load(Ordering::Acquire);
        if closed(word) || queued(word) >= self.capacity() {
            return Err((job, word));
        }
        let slot = &self.slots[*tail % self.capacity()];
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
                *tail += 1;
                Ok(before)
            }
            Err(word) => {
                // SAFETY: unpublished, so still ours alone.
                let job = slot.with_mut(|slot| unsafe { (*slot).take() });
                Err((job.expect("filled above"), word))
            }
        }
    }

    /// Takes the oldest job. `Err`: there is none; the word that said so.
    pub(crate) fn take(&self) -> Result<Taken, u64> {
        self.take_where(|queued| queued > 0)
    }

    /// Takes every job left, oldest first (an abort hands them back).
    pub(crate) fn take_all(&self) -> Vec<Job> {
        std::iter::from_fn(|| self.take().ok().map(|taken| taken.job)).collect()
    }

    /// Takes the oldest job only if the ring is full (`DiscardOldest`).
    pub(crate) fn take_oldest_if_full(&self) -> Option<Job> {
        let capacity = self.capacity();
        self.take_where(|queued| queued >= capacity)
            .ok()
            .map(|taken| taken.job)
    }

    fn take_where(&self, enough: impl Fn(usize) -> bool) -> Result<Taken, u64> {
        let mut head = lock_with_backoff(&self.head);
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
        Ok(Taken {
            job: job.expect("a published slot holds a job"),
            before,
            low_water: self.low_water,
        })
    }

    /// Raises `flag` if `waiting(word)` still holds. The caller holds the
    /// lock its sleepers sleep under and sleeps only if this returns
    /// `true` (module docs).
    pub(crate) fn raise(&self, flag: u64, waiting: impl Fn(u64) -> bool) -> bool {
        self.word
            .fetch_update(Ordering::Acquire, Ordering::Acquire, |word| {
                waiting(word).then_some(word | flag)
            })
            .is_ok()
    }

    /// Lowers `flag`: its last sleeper left (under the sleepers' lock).
    pub(crate) fn lower(&self, flag: u64) {
        self.word.fetch_and(!flag, Ordering::Relaxed);
    }

    /// Admits no more jobs; those published stay to be taken.
    pub(crate) fn close(&self) {
        self.word.fetch_or(CLOSED, Ordering::AcqRel);
    }

    /// Whether the ring is still empty and open: what an idle worker waits
    /// on ([`Ring::raise`]).
    pub(crate) fn still_empty(&self) -> impl Fn(u64) -> bool {
        |word| queued(word) == 0 && !closed(word)
    }

    /// Whether the ring is still full: what a blocked submitter waits on.
    pub(crate) fn still_full(&self) -> impl Fn(u64) -> bool {
        let capacity = self.capacity();
        move |word| !closed(word) && queued(word) >= capacity
    }
}
