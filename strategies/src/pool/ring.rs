//! The ring of job slots under the `fixed`, `dispatcher` and (with a
//! queue) `elastic` pools: submitters and workers never share a lock, and
//! never write one word on every job.
//!
//! # Why not locks
//!
//! It was one mutex around a `VecDeque`, then a lock per side (the
//! two-lock queue of Michael and Scott) with one atomic word counting the
//! published jobs. On empty jobs from 2 submitters to 2 workers, that word
//! was written by every push and every take, and with the two locks it
//! took half of all the CPU samples: each write moved its cache line to
//! another core. Now the ring is Dmitry Vyukov's bounded queue (the one
//! inside crossbeam-channel's `bounded`):
//!
//! - `tail` is the next position to fill, `head` the next to empty, each
//!   on its own cache line: submitters claim a position with a
//!   compare-and-swap on `tail`, workers on `head`, so each side writes
//!   only its own line and the slot it fills or empties;
//! - each slot carries a stamp that says which position it is ready for:
//!   `position` when it is empty and ready to be filled for it,
//!   `position + 1` once filled. A submitter claims position `p` only
//!   when the slot's stamp is `p`, fills it, then stamps it `p + 1`; a
//!   worker claims `p` only when the stamp is `p + 1`, empties it, then
//!   stamps it `p + LAP`, ready for the next lap. So a slot is filled and
//!   emptied by one thread at a time, and its contents travel with the
//!   stamp (a release store read by an acquire load).
//!
//! A position is a lap and an index: `lap * LAP + index`, with `LAP` the
//! power of two above the capacity, so that the slot is `position % LAP`
//! (a mask, not a division) and the position after the last index of a
//! lap is the first of the next.
//!
//! # A claimed position not yet stamped
//!
//! Between its claim and its stamp a thread holds up the other side: the
//! job at `head` is claimed but not yet published, or the slot at `tail`
//! is claimed by a worker but not yet emptied. That lasts a few
//! instructions, unless the thread is preempted.
//!
//! - A worker that finds the next job claimed but unpublished backs off
//!   ([`Snooze`]) and looks again, and under loom sleeps instead (the
//!   queue's `pop`), to be woken by the submitter's stamp (below). Loom
//!   cannot check two threads spinning on a third: it explores the two
//!   taking turns forever (loom's issue 53), which is how "fixed:
//!   concurrent finishes" failed when workers spun here. Sleeping is a
//!   real path, also taken when a claim lands between a worker's take and
//!   its flag, so loom checks the wake-up that ends it.
//! - A submitter that finds its slot still being emptied backs off
//!   ([`Snooze`]) and looks again: a worker empties a slot without waiting
//!   for anyone.
//!
//! # Flags for sleepers
//!
//! Whoever sleeps waiting for the ring (workers for a job, submitters for
//! room) sleeps on its own lock and condition variable, which the fast
//! paths never take, after flagging itself where the thread that will
//! end its wait is bound to look. It flags itself under the sleepers'
//! lock, with a compare-and-swap that succeeds only if what it waits for
//! is still missing; the waker takes that lock to signal, which it cannot
//! get before the sleeper is waiting. Each flag is read by a
//! read-modify-write of the very word it is in, so the flag and the
//! waker's step are ordered one way or the other: the step first, and the
//! sleeper sees it and does not sleep; the flag first, and the waker reads
//! it and signals. No wake-up is lost, and none is sent while no one
//! sleeps.
//!
//! - A blocked submitter waits for a worker's claim on `head`: its flag,
//!   `SUBMITTERS_BLOCKED`, is in `head`, raised only while the ring is
//!   full.
//! - An idle worker facing an empty ring waits for a submitter's claim on
//!   `tail`: its flag, [`WORKERS_ASLEEP`], is in `tail`, raised only while
//!   nothing is claimed.
//! - An idle worker facing a job claimed but not yet published waits for
//!   its stamp: it marks the slot's stamp ([`WORKER_WAITING`], only while
//!   the stamp still says unpublished), and the submitter stamps with a
//!   swap, which returns the mark. The swap costs the submitter nothing
//!   over a store on a line it has just written; reading a flag in `tail`
//!   after stamping would cost a fence and a cache miss, about 5% of an
//!   empty job from 2 submitters.
//!
//! `CLOSED` lives in `tail` too, so that no submitter claims a position
//! after the close. A worker exits once the ring is closed and every
//! position claimed before the close is taken.
//!
//! # Orderings
//!
//! Every load and read-modify-write here is `SeqCst`, and the worker's
//! stamp is a `Release` store. On x86-64 and AArch64 a `SeqCst` load or
//! read-modify-write is the same instruction as an `Acquire` or `AcqRel`
//! one, so this costs nothing there. What it buys is the proof: loom lets a weaker load return any store not yet
//! ordered before it. With `Acquire` loads the model "workers finishing
//! while shutdowns start" took 155,189 interleavings on `fixed` (28,436
//! with `SeqCst`), and on `dispatcher` it had not finished after ten
//! minutes.

use super::admission::low_water;
use super::{Job, MAX_ALLOCATED_QUEUE};
use crate::backoff::Snooze;
use crate::padded::CachePadded;
use crate::sync::atomic::{AtomicU64, Ordering};
use crate::sync::UnsafeCell;

/// A `head` or `tail` word's low bits: the position.
const POSITION: u64 = (1 << 61) - 1;
/// In `tail`: set while at least one worker sleeps waiting for a job.
const WORKERS_ASLEEP: u64 = 1 << 61;
/// In `head`: set while at least one submitter sleeps waiting for room.
const SUBMITTERS_BLOCKED: u64 = 1 << 62;
/// In `tail`: set once the ring admits no more jobs.
const CLOSED: u64 = 1 << 63;
/// In a slot's stamp: a worker sleeps waiting for the job being published
/// there.
const WORKER_WAITING: u64 = 1 << 63;

// Positions run at most twice as fast as jobs (a lap is at most twice
// the capacity): 2^60 jobs, decades at a billion jobs a second.
const _: () = assert!((MAX_ALLOCATED_QUEUE as u64) < POSITION >> 2);

fn position(word: u64) -> u64 {
    word & POSITION
}

fn closed(tail: u64) -> bool {
    tail & CLOSED != 0
}

/// Who waits on the ring, and sleeps flagged on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Waiter {
    /// A worker, for a job.
    Worker,
    /// A submitter, for room.
    Submitter,
}

/// One job's place, and which position it is ready for (module docs).
#[derive(Debug)]
struct Slot {
    /// The position, with [`WORKER_WAITING`] while claimed, unpublished
    /// and waited for.
    stamp: AtomicU64,
    job: UnsafeCell<Option<Job>>,
}

impl Slot {
    /// The position the slot is ready for.
    fn stamp(&self) -> u64 {
        self.stamp.load(Ordering::SeqCst) & !WORKER_WAITING
    }
}

/// A bounded multi-producer, multi-consumer ring of jobs.
#[derive(Debug)]
pub(crate) struct Ring {
    /// The next position to fill, with [`WORKERS_ASLEEP`] and `CLOSED`.
    tail: CachePadded<AtomicU64>,
    /// The next position to empty, with `SUBMITTERS_BLOCKED`.
    head: CachePadded<AtomicU64>,
    slots: Box<[Slot]>,
    /// `log2(LAP)`: a position's lap is `position >> lap_shift`.
    lap_shift: u32,
    /// Blocked submitters are woken once the ring is down to this
    /// ([`low_water`]).
    low_water: u64,
}

// SAFETY: a slot's job is written only by the submitter that claimed its
// position on `tail` while the stamp said empty, and taken only by the
// worker that claimed it on `head` while the stamp said filled; the
// stamp's release/acquire pairs order those accesses (module docs). What
// crosses threads is a `Job`, which is `Send`.
unsafe impl Sync for Ring {}

/// Why [`Ring::try_push`] handed the job back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    Full,
    Closed,
}

/// Whom a submitter must wake after publishing a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub(crate) enum Wake {
    Nobody,
    /// Workers sleep waiting for a job: one of them.
    OneWorker,
    /// Workers sleep and the ring has closed meanwhile: all of them, since
    /// each must take what is left or exit.
    EveryWorker,
}

/// The ring had no job to take.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Empty {
    /// It is closed, and every job claimed before the close is taken:
    /// workers should exit.
    pub(crate) finished: bool,
    /// A submitter has claimed the next position and not yet published
    /// its job.
    pub(crate) publishing: bool,
}

/// A job taken from the ring.
pub(crate) struct Taken {
    pub(crate) job: Job,
    frees_blocked_submitter: bool,
}

impl Taken {
    /// Whether the taker must wake a blocked submitter: one is flagged and
    /// the ring is down to its low-water mark.
    pub(crate) fn frees_blocked_submitter(&self) -> bool {
        self.frees_blocked_submitter
    }
}

/// What a worker finds at `head`.
enum Next {
    /// A job published at this position.
    Published(u64),
    /// Nothing published at `head` yet: what `tail` said.
    Unpublished { head: u64, tail: u64 },
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
            tail: CachePadded(AtomicU64::new(0)),
            head: CachePadded(AtomicU64::new(0)),
            // Slot `index` is ready for position `index` of lap 0.
            slots: (0..capacity as u64)
                .map(|index| Slot {
                    stamp: AtomicU64::new(index),
                    job: UnsafeCell::new(None),
                })
                .collect(),
            lap_shift: (capacity + 1).next_power_of_two().trailing_zeros(),
            low_water: low_water(capacity) as u64,
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// `LAP`: the power of two above the capacity (module docs).
    fn lap(&self) -> u64 {
        1 << self.lap_shift
    }

    /// The slot of `position`.
    fn slot(&self, position: u64) -> &Slot {
        &self.slots[(position & (self.lap() - 1)) as usize]
    }

    /// The position after `position`.
    fn next(&self, position: u64) -> u64 {
        let index = position & (self.lap() - 1);
        if index + 1 < self.slots.len() as u64 {
            position + 1
        } else {
            position - index + self.lap()
        }
    }

    /// Positions from `head` up to `tail`: jobs claimed and not yet
    /// claimed back.
    fn between(&self, head: u64, tail: u64) -> u64 {
        let (head, tail) = (position(head), position(tail));
        let laps = (tail >> self.lap_shift).saturating_sub(head >> self.lap_shift);
        let index = |position: u64| position & (self.lap() - 1);
        (laps * self.slots.len() as u64 + index(tail)).saturating_sub(index(head))
    }

    /// Jobs waiting (a hint: it may change at once). Counts jobs still
    /// being published.
    pub(crate) fn len(&self) -> usize {
        // `head` first: `tail` is never behind a `head` read earlier.
        let head = self.head.load(Ordering::SeqCst);
        self.between(head, self.tail.load(Ordering::SeqCst)) as usize
    }

    /// Whether a blocked submitter busy-waiting for room can stop: the
    /// ring is down to its low-water mark, or closed (a lock-free hint).
    pub(crate) fn room_for_blocked(&self) -> bool {
        closed(self.tail.load(Ordering::SeqCst)) || self.len() as u64 <= self.low_water
    }

    /// Whether a worker busy-waiting for a job can stop: the next one is
    /// published (a lock-free hint). It reads only what a take reads (not
    /// `tail`, which every push writes), and not whether the ring closed:
    /// the take after the busy-wait says so.
    pub(crate) fn job_published(&self) -> bool {
        let at = position(self.head.load(Ordering::SeqCst));
        self.slot(at).stamp() == at + 1
    }

    /// Publishes `job` unless the ring is full or closed; the job comes
    /// back if not.
    pub(crate) fn try_push(&self, job: Job) -> Result<Wake, (Job, Refused)> {
        let mut snooze = Snooze::default();
        let mut tail = self.tail.load(Ordering::SeqCst);
        loop {
            if closed(tail) {
                return Err((job, Refused::Closed));
            }
            let at = position(tail);
            let slot = self.slot(at);
            let stamp = slot.stamp();
            if stamp == at {
                let claimed = (tail & !POSITION) | self.next(at);
                match self.tail.compare_exchange_weak(
                    tail,
                    claimed,
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                ) {
                    Ok(_) => {
                        // SAFETY: the stamp said empty (its last job was
                        // taken) and `at` is ours alone.
                        slot.job.with_mut(|cell| unsafe { *cell = Some(job) });
                        return Ok(self.publish(slot, at, tail));
                    }
                    Err(actual) => tail = actual,
                }
            } else if stamp < at {
                // The slot still holds the job of one lap back: full,
                // unless a worker has claimed it and is emptying it now.
                let head = self.head.load(Ordering::SeqCst);
                if self.between(head, tail) >= self.capacity() as u64 {
                    return Err((job, Refused::Full));
                }
                snooze.snooze();
                tail = self.tail.load(Ordering::SeqCst);
            } else {
                // Another submitter claimed `at` (and `tail` is past it).
                tail = self.tail.load(Ordering::SeqCst);
            }
        }
    }

    /// Stamps `slot`, filled for position `at` (claimed on `tail`, the
    /// word before the claim), and says whom to wake (module docs).
    fn publish(&self, slot: &Slot, at: u64, tail: u64) -> Wake {
        let waited_for = if mutant!(IgnoredWaitMark) {
            slot.stamp.store(at + 1, Ordering::Release);
            false
        } else {
            // Release: the worker that sees the stamp sees the job. A swap,
            // so that it also reads a waiting worker's mark.
            slot.stamp.swap(at + 1, Ordering::SeqCst) & WORKER_WAITING != 0
        };
        if waited_for && closed(self.tail.load(Ordering::SeqCst)) {
            Wake::EveryWorker
        } else if waited_for || tail & WORKERS_ASLEEP != 0 {
            Wake::OneWorker
        } else {
            Wake::Nobody
        }
    }

    /// What is at `head`: a published job, or not yet.
    fn next_job(&self) -> Next {
        let mut head = self.head.load(Ordering::SeqCst);
        loop {
            let at = position(head);
            let stamp = self.slot(at).stamp();
            if stamp == at + 1 {
                return Next::Published(head);
            }
            if stamp <= at {
                let tail = self.tail.load(Ordering::SeqCst);
                return Next::Unpublished { head, tail };
            }
            // Another worker took `at` (and `head` is past it).
            head = self.head.load(Ordering::SeqCst);
        }
    }

    /// Why there is no job at `head`, from what `tail` said.
    fn empty(head: u64, tail: u64) -> Empty {
        let publishing = position(tail) > position(head);
        Empty {
            finished: closed(tail) && !publishing,
            publishing,
        }
    }

    /// Takes the oldest job, if it is published.
    pub(crate) fn take(&self) -> Result<Taken, Empty> {
        loop {
            let head = match self.next_job() {
                Next::Published(head) => head,
                Next::Unpublished { head, tail } => return Err(Self::empty(head, tail)),
            };
            if let Some(taken) = self.claim(head) {
                return Ok(taken);
            }
        }
    }

    /// Takes every job left, oldest first, waiting for those being
    /// published (an abort hands them back).
    pub(crate) fn take_all(&self) -> Vec<Job> {
        let mut jobs = Vec::new();
        let mut snooze = Snooze::default();
        loop {
            match self.take() {
                Ok(taken) => jobs.push(taken.job),
                Err(empty) if empty.publishing => snooze.snooze(),
                Err(_) => return jobs,
            }
        }
    }

    /// Takes the oldest job only if the ring is full (`DiscardOldest`),
    /// waiting for it to be published.
    pub(crate) fn take_oldest_if_full(&self) -> Option<Job> {
        let full = |head, tail| self.between(head, tail) >= self.capacity() as u64;
        let mut snooze = Snooze::default();
        loop {
            match self.next_job() {
                Next::Published(head) => {
                    if !full(head, self.tail.load(Ordering::SeqCst)) {
                        return None;
                    }
                    if let Some(taken) = self.claim(head) {
                        return Some(taken.job);
                    }
                }
                Next::Unpublished { head, tail } if full(head, tail) => snooze.snooze(),
                Next::Unpublished { .. } => return None,
            }
        }
    }

    /// Claims the job published at `head` (the word read), then empties
    /// its slot; `None` if another worker claimed it first.
    fn claim(&self, head: u64) -> Option<Taken> {
        let at = position(head);
        self.head
            .compare_exchange_weak(
                head,
                (head & !POSITION) | self.next(at),
                Ordering::SeqCst,
                Ordering::SeqCst,
            )
            .ok()?;
        let slot = self.slot(at);
        // SAFETY: the stamp said filled (acquire: the job is visible) and
        // `at` is ours alone.
        let job = slot.job.with_mut(|cell| unsafe { (*cell).take() });
        // Release: the submitter that sees the stamp sees the slot emptied.
        slot.stamp.store(at + self.lap(), Ordering::Release);
        let frees_blocked_submitter = head & SUBMITTERS_BLOCKED != 0 && {
            let queued = self.between(head, self.tail.load(Ordering::SeqCst));
            queued <= self.low_water + 1
        };
        Some(Taken {
            job: job.expect("a filled slot holds a job"),
            frees_blocked_submitter,
        })
    }

    /// Flags `who` as about to sleep, if what it waits for is still
    /// missing: a job for a worker, room for a submitter. The caller holds
    /// the lock its sleepers sleep under and sleeps only if this returns
    /// `true`; `false` raised nothing. Module docs: why no wake-up is
    /// lost.
    pub(crate) fn raise(&self, who: Waiter) -> bool {
        match who {
            Waiter::Worker => loop {
                let (head, tail) = match self.next_job() {
                    Next::Published(_) => return false,
                    Next::Unpublished { head, tail } => (head, tail),
                };
                let at = position(head);
                if position(tail) <= at {
                    // Nothing claimed: wait for a claim on `tail`.
                    if closed(tail) {
                        return false;
                    }
                    let raised = self.tail.compare_exchange(
                        tail,
                        tail | WORKERS_ASLEEP,
                        Ordering::SeqCst,
                        Ordering::SeqCst,
                    );
                    if raised.is_ok() {
                        return true;
                    }
                    continue;
                }
                // Claimed, not yet published: mark the slot, which its
                // submitter's stamp reads.
                let marked = self.slot(at).stamp.compare_exchange(
                    at,
                    at | WORKER_WAITING,
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                );
                match marked {
                    Ok(_) => {}
                    Err(stamp) if stamp == at | WORKER_WAITING => {}
                    Err(_) => continue,
                }
                // Flagged on `tail` too, so that the next claims wake the
                // others that sleep on this slot.
                self.tail.fetch_or(WORKERS_ASLEEP, Ordering::SeqCst);
                return true;
            },
            // A compare-and-swap loop, not `fetch_update` with `tail` read
            // inside its closure: a checker that schedules at that read
            // (shuttle models `fetch_update` as one step around its
            // closure) would store a `head` a worker had moved meanwhile.
            Waiter::Submitter => {
                let mut head = self.head.load(Ordering::SeqCst);
                loop {
                    let tail = self.tail.load(Ordering::SeqCst);
                    let full = !closed(tail) && self.between(head, tail) >= self.capacity() as u64;
                    if !full {
                        return false;
                    }
                    match self.head.compare_exchange(
                        head,
                        head | SUBMITTERS_BLOCKED,
                        Ordering::SeqCst,
                        Ordering::SeqCst,
                    ) {
                        Ok(_) => return true,
                        Err(actual) => head = actual,
                    }
                }
            }
        }
    }

    /// Lowers `who`'s flag: its last sleeper left (under the sleepers'
    /// lock).
    pub(crate) fn lower(&self, who: Waiter) {
        match who {
            Waiter::Worker => self.tail.fetch_and(!WORKERS_ASLEEP, Ordering::SeqCst),
            Waiter::Submitter => self.head.fetch_and(!SUBMITTERS_BLOCKED, Ordering::SeqCst),
        };
    }

    /// Admits no more jobs; those published stay to be taken.
    pub(crate) fn close(&self) {
        self.tail.fetch_or(CLOSED, Ordering::SeqCst);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::{position, Refused, Ring, Waiter, Wake, POSITION};
    use crate::pool::job::run_work;
    use crate::pool::Job;
    use crate::sync::atomic::Ordering;

    /// Jobs that record their number when run.
    #[derive(Default)]
    struct Jobs {
        ran: Arc<Mutex<Vec<usize>>>,
    }

    impl Jobs {
        fn job(&self, number: usize) -> Job {
            let ran = Arc::clone(&self.ran);
            Job::new(move || ran.lock().unwrap().push(number))
        }

        fn run(&self, mut job: Job) -> usize {
            run_work(job.take_work());
            *self
                .ran
                .lock()
                .unwrap()
                .last()
                .expect("the job recorded itself")
        }
    }

    /// Pushes until refused; the number of jobs admitted.
    fn fill(ring: &Ring, jobs: &Jobs, first: usize) -> usize {
        let mut number = first;
        loop {
            match ring.try_push(jobs.job(number)) {
                Ok(_) => number += 1,
                Err((_, refused)) => {
                    assert_eq!(refused, Refused::Full);
                    return number - first;
                }
            }
        }
    }

    #[test]
    fn holds_exactly_its_capacity_lap_after_lap_in_order() {
        // 3 slots in a lap of 4 positions, and 1 slot in a lap of 2: the
        // position skips from the last index to the next lap.
        for capacity in [1, 3, 4, 5] {
            let ring = Ring::new(capacity);
            let jobs = Jobs::default();
            let mut next_in = 0;
            let mut next_out = 0;
            for lap in 0..10 {
                assert_eq!(fill(&ring, &jobs, next_in), capacity, "lap {lap}");
                next_in += capacity;
                assert_eq!(ring.len(), capacity);
                // Empty part of it, refill, then empty it all.
                let part = 1 + lap % capacity;
                for _ in 0..part {
                    let taken = ring.take().expect("a job");
                    assert_eq!(jobs.run(taken.job), next_out);
                    next_out += 1;
                }
                assert_eq!(ring.len(), capacity - part);
                assert_eq!(fill(&ring, &jobs, next_in), part);
                next_in += part;
                while let Ok(taken) = ring.take() {
                    assert_eq!(jobs.run(taken.job), next_out, "oldest first");
                    next_out += 1;
                }
                assert_eq!((ring.len(), next_out), (0, next_in));
            }
        }
    }

    #[test]
    fn the_oldest_is_taken_for_a_discard_only_when_full() {
        let ring = Ring::new(3);
        let jobs = Jobs::default();
        assert!(ring.take_oldest_if_full().is_none(), "empty");
        fill(&ring, &jobs, 0);
        let oldest = ring.take_oldest_if_full().expect("full");
        assert_eq!(jobs.run(oldest), 0);
        assert!(ring.take_oldest_if_full().is_none(), "one slot free");
        assert_eq!(ring.len(), 2);
    }

    #[test]
    fn a_closed_ring_refuses_and_still_hands_out_what_it_holds() {
        let ring = Ring::new(2);
        let jobs = Jobs::default();
        assert!(ring.try_push(jobs.job(7)).is_ok());
        ring.close();
        let (_, refused) = ring.try_push(jobs.job(8)).expect_err("closed");
        assert_eq!(refused, Refused::Closed);
        assert_eq!(jobs.run(ring.take().expect("kept").job), 7);
        assert!(ring.take().err().expect("drained").finished);
    }

    #[test]
    fn sleepers_are_flagged_only_while_what_they_wait_for_is_missing() {
        let ring = Ring::new(1);
        let jobs = Jobs::default();
        assert!(ring.raise(Waiter::Worker), "empty: a worker may sleep");
        let wake = ring.try_push(jobs.job(0)).expect("room");
        assert_eq!(wake, Wake::OneWorker);
        ring.lower(Waiter::Worker);
        assert!(!ring.raise(Waiter::Worker), "a job is waiting");
        assert!(ring.raise(Waiter::Submitter), "full: a submitter may sleep");
        let taken = ring.take().expect("the job");
        assert!(taken.frees_blocked_submitter());
        assert!(!ring.raise(Waiter::Submitter), "room again");
        ring.lower(Waiter::Submitter);
        assert_eq!(ring.try_push(jobs.job(1)).ok(), Some(Wake::Nobody));
        assert!(!ring.take().expect("the job").frees_blocked_submitter());
    }

    /// A position a submitter has claimed and filled, not yet published.
    struct Unpublished {
        at: u64,
        /// `tail` before the claim.
        tail: u64,
    }

    impl Unpublished {
        /// Claims the next position as a submitter does and fills it.
        fn claim(ring: &Ring, job: Job) -> Self {
            let tail = ring.tail.load(Ordering::SeqCst);
            let at = position(tail);
            let claimed = (tail & !POSITION) | ring.next(at);
            ring.tail.store(claimed, Ordering::SeqCst);
            // SAFETY: claimed above, on one thread.
            ring.slot(at)
                .job
                .with_mut(|cell| unsafe { *cell = Some(job) });
            Self { at, tail }
        }

        fn publish(&self, ring: &Ring) -> Wake {
            ring.publish(ring.slot(self.at), self.at, self.tail)
        }
    }

    #[test]
    fn a_claimed_job_not_yet_published_keeps_workers_waiting_after_the_close() {
        let ring = Ring::new(2);
        let jobs = Jobs::default();
        let claimed = Unpublished::claim(&ring, jobs.job(5));
        let empty = ring.take().err().expect("not published yet");
        assert!(empty.publishing && !empty.finished);
        ring.close();
        let empty = ring.take().err().expect("not published yet");
        assert!(empty.publishing && !empty.finished, "closed, one to come");
        assert!(ring.raise(Waiter::Worker), "a worker sleeps until it comes");
        assert!(ring.raise(Waiter::Worker), "and another");
        assert!(!ring.job_published(), "the waiting mark is no stamp");
        assert_eq!(claimed.publish(&ring), Wake::EveryWorker);
        ring.lower(Waiter::Worker);
        assert_eq!(jobs.run(ring.take().expect("published").job), 5);
        assert!(ring.take().err().expect("drained").finished);
        assert!(!ring.raise(Waiter::Worker), "finished: no worker sleeps");
    }

    #[test]
    fn a_discard_waits_for_the_oldest_job_only_when_the_ring_is_full() {
        let ring = Ring::new(2);
        let jobs = Jobs::default();
        let claimed = Unpublished::claim(&ring, jobs.job(0));
        assert!(ring.take_oldest_if_full().is_none(), "not full");
        assert!(ring.try_push(jobs.job(1)).is_ok());
        // Full, its oldest job being published: a discard waits for it.
        std::thread::scope(|scope| {
            let discard = scope.spawn(|| ring.take_oldest_if_full());
            std::thread::sleep(std::time::Duration::from_millis(20));
            assert_eq!(claimed.publish(&ring), Wake::Nobody);
            let oldest = discard.join().unwrap().expect("full");
            assert_eq!(jobs.run(oldest), 0);
        });
        assert_eq!(ring.take_all().len(), 1);
    }

    #[test]
    fn take_all_waits_for_a_job_being_published() {
        let ring = Ring::new(3);
        let jobs = Jobs::default();
        assert!(ring.try_push(jobs.job(0)).is_ok());
        let claimed = Unpublished::claim(&ring, jobs.job(1));
        ring.close();
        std::thread::scope(|scope| {
            let all = scope.spawn(|| ring.take_all());
            std::thread::sleep(std::time::Duration::from_millis(20));
            let _ = claimed.publish(&ring);
            let numbers: Vec<usize> = all
                .join()
                .unwrap()
                .into_iter()
                .map(|job| jobs.run(job))
                .collect();
            assert_eq!(numbers, [0, 1], "none left behind");
        });
    }

    #[test]
    fn a_worker_waiting_on_a_claimed_job_is_woken_by_its_publish() {
        let ring = Ring::new(2);
        let jobs = Jobs::default();
        let unwatched = Unpublished::claim(&ring, jobs.job(0));
        assert_eq!(unwatched.publish(&ring), Wake::Nobody, "no one waited");
        assert_eq!(jobs.run(ring.take().expect("published").job), 0);
        let watched = Unpublished::claim(&ring, jobs.job(1));
        assert!(ring.raise(Waiter::Worker), "it sleeps until the publish");
        assert_eq!(watched.publish(&ring), Wake::OneWorker);
        assert!(ring.job_published(), "the mark is gone with the stamp");
        ring.lower(Waiter::Worker);
        assert_eq!(jobs.run(ring.take().expect("published").job), 1);
        assert_eq!(
            ring.try_push(jobs.job(2)).ok(),
            Some(Wake::Nobody),
            "the flag came down"
        );
    }
}
