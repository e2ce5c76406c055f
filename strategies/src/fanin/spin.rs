//! The ring's side of spinning before blocking ([`crate::backoff`]): its
//! lock-free hints and the consumer's linger.
//!
//! Blocking on a condition variable costs two context switches: the
//! waiter's sleep and its wake-up, several microseconds in all, which is
//! a hundred times what a queued item costs. When the other side is
//! running on another core, the awaited item (or room) usually arrives
//! within a few hundred nanoseconds, so a waiter first spins a little,
//! watching lock-free [`Hints`] that the ring keeps beside its locked
//! state, and blocks only if nothing happened. This is what
//! crossbeam-channel's `Backoff` does: a few rounds of doubling busy-waits,
//! then a few yields of the core (which lets the other side run on a
//! machine with fewer cores than threads), then sleep.
//!
//! The hints are only hints: a waiter that sees one re-checks the real
//! state under the lock. Under `--cfg loom` there is no spinning and no
//! hint at all (the hints are empty and [`crate::backoff::ENABLED`] is false), so the model
//! checks exactly the locked protocol.

#[cfg(not(any(loom, feature = "shuttle")))]
use crate::padded::CachePadded;
#[cfg(not(any(loom, feature = "shuttle")))]
use crate::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Lock-free copies of the ring's counts, written under the lock and read
/// by spinning waiters without it.
/// Each on a cache line of its own, away from the lock they stand for.
#[derive(Debug, Default)]
pub(crate) struct Hints {
    /// Whether items are queued in the ring: written by a push onto an
    /// empty queue and by the consumer's swap, so it may read low between.
    #[cfg(not(any(loom, feature = "shuttle")))]
    queued: CachePadded<AtomicUsize>,
    /// Items ever taken by the consumer.
    #[cfg(not(any(loom, feature = "shuttle")))]
    taken: CachePadded<AtomicU64>,
}

#[cfg(not(any(loom, feature = "shuttle")))]
impl Hints {
    /// Records the queue length.
    pub(crate) fn set_queued(&self, queued: usize) {
        self.queued.store(queued, Ordering::Relaxed);
    }

    /// Records how many items were ever taken.
    pub(crate) fn set_taken(&self, taken: u64) {
        self.taken.store(taken, Ordering::Relaxed);
    }

    /// The last recorded queue length.
    pub(crate) fn queued(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }

    /// The last recorded count of items taken.
    pub(crate) fn taken(&self) -> u64 {
        self.taken.load(Ordering::Relaxed)
    }
}

#[cfg(any(loom, feature = "shuttle"))]
impl Hints {
    pub(crate) fn set_queued(&self, _: usize) {}

    pub(crate) fn set_taken(&self, _: u64) {}

    pub(crate) fn queued(&self) -> usize {
        0
    }

    pub(crate) fn taken(&self) -> u64 {
        0
    }
}

/// A consumer whose last swap took fewer items than this (and less than
/// the capacity) lingers before its next swap.
pub(crate) const LINGER_BELOW: usize = 16;

/// Busy-wait hints in one linger: about a microsecond.
#[cfg(not(any(loom, feature = "shuttle")))]
const LINGER_SPINS: u32 = 64;

/// Busy-waits a moment before the consumer takes the lock again (no-op
/// under loom).
///
/// A consumer that only pops from its own buffer is much faster than
/// producers that each take the lock to push: left alone it would come
/// back for every item or two, and each of its swaps takes the lock's
/// cache line away from the producers. After a small swap it therefore
/// waits about a microsecond, in which the items it would have chased one
/// by one pile up and are then taken in one swap. After a large swap (a
/// backlog) or a full one (a small capacity, a rendezvous), it does not
/// wait: the producers are waiting for room.
pub(crate) fn linger() {
    #[cfg(not(any(loom, feature = "shuttle")))]
    (0..LINGER_SPINS).for_each(|_| std::hint::spin_loop());
}
