//! An `Arc` that readers load without ever blocking, and that writers
//! replace: the pointer swap under `snapshot`.
//!
//! The obvious versions block readers: an `Arc` behind a mutex (readers
//! queue for the pointer) or behind a read-write lock (readers wait while
//! a writer swaps). Swapping a raw pointer atomically is the other
//! extreme, and unsound without a reclamation scheme: a reader may load
//! the pointer just before the writer frees what it points to. The
//! `arc-swap` crate solves that, but loom cannot check it.
//!
//! This is a small scheme loom *can* check, after the left-right pattern:
//! two slots, each holding an `Arc`, and one atomic word that says which
//! slot is current and how many readers are inside each slot:
//!
//! - a reader adds itself to the current slot's count with one
//!   compare-and-swap, which also tells it which slot is current (so it
//!   cannot count itself in one slot and then read the other); it clones
//!   the slot's `Arc` and removes itself again. It never waits for anyone:
//!   it retries only when another reader or a writer changed the word
//!   between its load and its compare-and-swap (lock-free).
//! - a writer (writers are serialised by a mutex) writes the new `Arc`
//!   into the *other* slot, after waiting for the readers still counted
//!   there (they are cloning the `Arc` of two writes ago, a few
//!   nanoseconds of work), then flips the word to make it current. No
//!   reader can enter the other slot meanwhile: readers only enter the
//!   current one.
//!
//! The word is a `u64`: bit 0 is the current slot, bits 1 to 31 count the
//! readers of slot 0, bits 32 to 62 those of slot 1. The previous value
//! stays alive in the other slot until the next write replaces it.
//!
//! Beside the word, a version counts the writes that changed the value;
//! the writer raises it after the flip. A reader that keeps a loaded value
//! tagged with the version it read before loading (see the `local`
//! module) knows its value is current while the version is unchanged,
//! which it learns from a plain load, on a cache line of its own that
//! only writers write.

use crate::padded::CachePadded;
use crate::sync::atomic::{AtomicU64, Ordering};
use crate::sync::{thread, Arc, Mutex, UnsafeCell};

const CURRENT: u64 = 1;
const COUNT_BITS: u32 = 31;
const COUNT_MASK: u64 = (1 << COUNT_BITS) - 1;

/// The bit shift of `slot`'s reader count.
fn shift(slot: usize) -> u32 {
    1 + COUNT_BITS * slot as u32
}

fn current(word: u64) -> usize {
    (word & CURRENT) as usize
}

fn readers(word: u64, slot: usize) -> u64 {
    (word >> shift(slot)) & COUNT_MASK
}

/// An atomically replaceable `Arc<T>` whose readers never block.
pub(crate) struct SwapArc<T> {
    slots: [UnsafeCell<Arc<T>>; 2],
    word: AtomicU64,
    writer: Mutex<()>,
    /// Writes that changed the value; alone on its cache line, so that
    /// readers' writes to `word` do not evict it from their caches.
    version: CachePadded<AtomicU64>,
}

// SAFETY: the slots are read only by readers counted in the word and
// written only by the one writer holding `writer`, and only in the slot
// that is not current and has no counted reader (see the module docs).
// What crosses threads is `Arc<T>`, which needs `T: Send + Sync`.
unsafe impl<T: Send + Sync> Sync for SwapArc<T> {}
// SAFETY: as above; moving the whole value moves two `Arc<T>`s.
unsafe impl<T: Send + Sync> Send for SwapArc<T> {}

impl<T> SwapArc<T> {
    /// Holds `value` as the current value.
    pub(crate) fn new(value: T) -> Self {
        let value = Arc::new(value);
        Self {
            slots: [UnsafeCell::new(Arc::clone(&value)), UnsafeCell::new(value)],
            word: AtomicU64::new(0),
            writer: Mutex::new(()),
            version: CachePadded(AtomicU64::new(0)),
        }
    }

    /// The current value. Never blocks.
    pub(crate) fn load(&self) -> Arc<T> {
        let mut word = self.word.load(Ordering::Relaxed);
        let slot = loop {
            let slot = current(word);
            debug_assert!(readers(word, slot) < COUNT_MASK, "reader count overflow");
            // Acquire: pairs with the writer's flip, so the slot's new
            // `Arc` is visible.
            match self.word.compare_exchange_weak(
                word,
                word + (1 << shift(slot)),
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => break slot,
                Err(actual) => word = actual,
            }
        };
        // SAFETY: we are counted in `slot`, which was current when we
        // entered, so no writer writes it until we leave.
        let value = self.slots[slot].with(|arc| Arc::clone(unsafe { &*arc }));
        // Release: the writer that waits for this slot to empty sees our
        // clone finished.
        self.word.fetch_sub(1 << shift(slot), Ordering::Release);
        value
    }

    /// Runs `f` on the current value with every other writer excluded;
    /// if `f` returns a new value, it becomes current. Returns `f`'s
    /// second result. Readers keep loading the old value meanwhile.
    pub(crate) fn update<R>(&self, f: impl FnOnce(&Arc<T>) -> (Option<Arc<T>>, R)) -> R {
        let _writer = (!mutant!(UnlockedMapWrite)).then(|| self.writer.lock());
        // Only writers flip the word, and we exclude them: `live` stays
        // current until we flip it.
        let live = current(self.word.load(Ordering::Relaxed));
        // SAFETY: `live` is written only by a writer, and we are the only one.
        let (next, result) = self.slots[live].with(|arc| f(unsafe { &*arc }));
        if let Some(next) = next {
            let idle = 1 - live;
            // Acquire: pairs with the leaving readers' Release.
            while readers(self.word.load(Ordering::Acquire), idle) != 0 {
                thread::yield_now();
            }
            // SAFETY: `idle` is not current, so no reader enters it, and
            // its last reader has left; writers are excluded.
            self.slots[idle].with_mut(|arc| unsafe { *arc = next });
            // Release: readers that see the flip see the new `Arc`.
            self.word.fetch_xor(CURRENT, Ordering::Release);
            // Release: a reader that sees the new version and then loads
            // finds the flip done.
            self.version.0.fetch_add(1, Ordering::Release);
        }
        result
    }

    /// How many writes have changed the value. A value loaded after this
    /// call is at least as new as the version it returned.
    pub(crate) fn version(&self) -> u64 {
        self.version.0.load(Ordering::Acquire)
    }
}
