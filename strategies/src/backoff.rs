//! A waiter's short busy-wait before it sleeps, shared by the pools and
//! the hand-written fan-ins.
//!
//! Sleeping on a condition variable costs two context switches (the sleep
//! and the wake-up), several microseconds, a hundred times what a queued
//! job or item costs. A waiter that finds nothing to do (a worker with no
//! job, a submitter with no room, a consumer with no item) therefore spins
//! a few rounds (1, 2, … 64 pause instructions), then yields the core a few
//! times (which lets the other side run on a machine with fewer cores than
//! threads), checking a lock-free hint each round, before it sleeps. On a
//! steady stream of small jobs what it waits for usually arrives within
//! that window, and the other side skips the wake-up (a futex call). The
//! same back-off as crossbeam-channel's. [`lock_with_backoff`] does the
//! same for a short, contended lock.
//!
//! Under loom callers skip it ([`ENABLED`]): it only reads a hint, and the
//! caller re-checks its state under the lock afterwards exactly as if it
//! had not waited, so exploring it would multiply interleavings and prove
//! nothing.

use crate::sync::{Mutex, MutexGuard};

/// Whether consumers busy-wait before sleeping (not under a model checker).
pub(crate) const ENABLED: bool = !cfg!(any(loom, feature = "shuttle"));

/// Busy-wait rounds (doubling from one spin to 2^(SPIN_ROUNDS - 1)).
const SPIN_ROUNDS: u32 = 7;
/// Yields of the core after the busy-wait rounds.
const YIELD_ROUNDS: u32 = 4;

/// Busy-waits a little until `ready()` or the rounds run out. The caller
/// re-checks its state under its lock either way.
pub(crate) fn spin_until(mut ready: impl FnMut() -> bool) {
    for round in 0..SPIN_ROUNDS + YIELD_ROUNDS {
        if ready() {
            return;
        }
        if round < SPIN_ROUNDS {
            (0..1_u32 << round).for_each(|_| std::hint::spin_loop());
        } else {
            std::thread::yield_now();
        }
    }
}

/// Rounds of [`lock_with_backoff`] before it queues on the lock.
#[cfg(not(any(loom, feature = "shuttle")))]
const LOCK_ROUNDS: u32 = 6;

/// Locks `mutex`, backing off between tries while it is taken.
///
/// Threads (a fan-in's senders, a pool's submitter and workers) all want
/// one lock for a few nanoseconds each. Waiting inside the mutex, they all watch its word
/// and take its cache line from the holder, which then needs it back to
/// unlock. Backing off for a doubling time between tries keeps the
/// holder's line with the holder; after a few rounds the sender queues on
/// the mutex like anyone else. Under loom: a plain `lock`.
pub(crate) fn lock_with_backoff<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    #[cfg(not(any(loom, feature = "shuttle")))]
    for round in 0..LOCK_ROUNDS {
        if let Some(guard) = mutex.try_lock() {
            return guard;
        }
        (0..1_u32 << round).for_each(|_| std::hint::spin_loop());
    }
    mutex.lock()
}

/// Rounds of [`Snooze::snooze`] that spin before it yields the core.
#[cfg(not(any(loom, feature = "shuttle")))]
const SNOOZE_SPIN_ROUNDS: u32 = 6;

/// Waiting for another thread to finish a step it has already begun (a
/// lock-free queue's slot being filled or emptied): spins a doubling
/// time, then yields the core, since on a machine with fewer cores than
/// threads that thread may need ours to finish. Under loom: a yield, which
/// loom needs to let the other thread run.
#[derive(Debug, Default)]
pub(crate) struct Snooze {
    #[cfg(not(any(loom, feature = "shuttle")))]
    round: u32,
}

impl Snooze {
    /// Waits a little longer than last time.
    pub(crate) fn snooze(&mut self) {
        #[cfg(not(any(loom, feature = "shuttle")))]
        {
            if self.round < SNOOZE_SPIN_ROUNDS {
                (0..1_u32 << self.round).for_each(|_| std::hint::spin_loop());
                self.round += 1;
                return;
            }
        }
        crate::sync::thread::yield_now();
    }
}
