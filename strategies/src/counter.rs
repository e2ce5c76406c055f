//! Counters: the same statistic kept with an atomic or under a mutex.
//!
//! Every statistic in this crate (completed jobs, rejections, …) is an
//! atomic, because an atomic add is one instruction and never blocks. The
//! mutex-guarded version is here so that benchmarks can put the two side
//! by side and show what the lock costs as the number of threads grows.
//! Both count exactly; the naive third way, loading and then storing the
//! sum, loses increments when two threads interleave (it is one of the
//! crate's mutants).
//!
//! Both counters use the facade, so both are model-checked under loom.

use crate::sync::atomic::{AtomicU64, Ordering};
use crate::sync::Mutex;

/// A shared counter that only goes up.
///
/// Implement it for your own counter and contend's tests and benchmarks
/// drive it exactly as they drive the built-in ones.
pub trait Counter: Send + Sync {
    /// The counter's name, as used in scenario files and reports.
    fn name(&self) -> &'static str;

    /// Adds `n`.
    fn add(&self, n: u64);

    /// Adds one.
    fn increment(&self) {
        self.add(1);
    }

    /// The current count. Once the threads that counted have been joined,
    /// it includes every one of their additions.
    fn get(&self) -> u64;
}

/// A counter on an [`AtomicU64`]: one `fetch_add` per addition.
///
/// `Relaxed` ordering is enough: the count is exact whatever the
/// ordering (a read-modify-write never loses an update), and a counter
/// is not used to publish other data.
///
/// ```
/// use std::thread;
/// use contend_strategies::counter::{AtomicCounter, Counter};
///
/// let counter = AtomicCounter::new();
/// thread::scope(|scope| {
///     for _ in 0..4 {
///         scope.spawn(|| (0..1_000).for_each(|_| counter.increment()));
///     }
/// });
/// assert_eq!(counter.get(), 4_000);
/// ```
#[derive(Debug)]
pub struct AtomicCounter {
    count: AtomicU64,
}

impl AtomicCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        Self {
            count: AtomicU64::new(0),
        }
    }
}

impl Default for AtomicCounter {
    fn default() -> Self {
        Self::new()
    }
}

impl Counter for AtomicCounter {
    fn name(&self) -> &'static str {
        "atomic"
    }

    fn add(&self, n: u64) {
        if mutant!(RacyCounter) {
            let seen = self.count.load(Ordering::Relaxed);
            self.count.store(seen + n, Ordering::Relaxed);
            return;
        }
        self.count.fetch_add(n, Ordering::Relaxed);
    }

    fn get(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }
}

/// A counter behind a [`Mutex`]: lock, add, unlock.
///
/// ```
/// use std::thread;
/// use contend_strategies::counter::{Counter, MutexCounter};
///
/// let counter = MutexCounter::new();
/// thread::scope(|scope| {
///     for _ in 0..4 {
///         scope.spawn(|| (0..1_000).for_each(|_| counter.add(2)));
///     }
/// });
/// assert_eq!(counter.get(), 8_000);
/// ```
#[derive(Debug)]
pub struct MutexCounter {
    count: Mutex<u64>,
}

impl MutexCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        Self {
            count: Mutex::new(0),
        }
    }
}

impl Default for MutexCounter {
    fn default() -> Self {
        Self::new()
    }
}

impl Counter for MutexCounter {
    fn name(&self) -> &'static str {
        "mutex"
    }

    fn add(&self, n: u64) {
        *self.count.lock() += n;
    }

    fn get(&self) -> u64 {
        *self.count.lock()
    }
}
