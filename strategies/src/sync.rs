//! The one synchronisation facade of `contend-strategies`.
//!
//! Every implementation in this crate takes its `Arc`, `Mutex`, `Condvar`,
//! atomics, threads and `thread_local!` from here and never from
//! `std::sync` directly. A normal build re-exports `std`'s types; a build
//! with `--cfg loom` re-exports `loom`'s, so the model checker sees every
//! lock, wait and atomic access and can explore their interleavings.
//!
//! With the `shuttle` feature (and no `--cfg loom`) it re-exports
//! `shuttle`'s instead: the same code runs under shuttle's randomized and
//! PCT schedulers, which reach models too large for loom to enumerate.
//! Both are *model checkers* here: code that would spin or poll real time
//! takes the model checkers' path under either (`cfg(any(loom, feature =
//! "shuttle"))`).
//!
//! `Mutex`, `RwLock` and `Condvar` are thin wrappers that drop lock
//! poisoning: jobs run outside every lock and their panics are caught, so a
//! poisoned lock would only hide the original failure. The wrappers have
//! the same shape under both configurations, so no caller needs a `cfg`.
//!
//! `UnsafeCell` has loom's closure API (`with`, `with_mut`) in both
//! configurations, so that loom can check every access to the cell.
//!
//! Loom has no clock, so under loom a timed wait always times out, after
//! releasing the lock and letting every other thread run first. A model
//! therefore explores a time-out firing at every point of the other
//! threads' work: exactly the race an idle worker's expiry has with a
//! submit. Shuttle's own timed wait never times out; the facade gives it
//! loom's behaviour, so one model means the same under both.
//!
//! In normal builds [`perturb`] can make the wrappers yield or sleep now
//! and then at their synchronisation points, so that property tests on
//! real threads reach the narrow windows the model checkers explore; it
//! is off (one relaxed load per point) unless a check turns it on.
//!
//! Third-party adapters (tokio, dashmap, rayon, …) are built on their own
//! primitives and cannot be model-checked; their docs say so.

use std::time::{Duration, Instant};

#[cfg(not(any(loom, feature = "shuttle")))]
pub mod perturb;
#[cfg(any(loom, feature = "shuttle"))]
pub mod waits;

/// Notes a blocking call under a model checker (see [`waits`]).
macro_rules! noted {
    ($what:expr) => {
        #[cfg(any(loom, feature = "shuttle"))]
        let _waiting = waits::enter($what, std::panic::Location::caller());
    };
}

/// A perturbation point (see [`perturb`]); nothing under a model checker.
#[inline]
fn perturb_point() {
    #[cfg(not(any(loom, feature = "shuttle")))]
    perturb::point();
}

#[cfg(not(any(loom, feature = "shuttle")))]
mod imp {
    pub use std::sync::atomic;
    pub use std::sync::Arc;
    pub use std::sync::MutexGuard;
    pub(super) use std::sync::{Condvar as RawCondvar, Mutex as RawMutex, RwLock as RawRwLock};
    pub use std::sync::{RwLockReadGuard, RwLockWriteGuard};
    pub use std::thread;
    pub use std::thread_local;
}

#[cfg(loom)]
mod imp {
    pub use loom::cell::UnsafeCell;
    pub use loom::sync::atomic;
    pub use loom::sync::Arc;
    pub(super) use loom::sync::RwLock as RawRwLock;
    pub(super) use loom::sync::{Condvar as RawCondvar, Mutex as RawMutex, MutexGuard as RawGuard};
    pub use loom::sync::{RwLockReadGuard, RwLockWriteGuard};
    pub use loom::thread;
    pub use loom::thread_local;
}

#[cfg(all(feature = "shuttle", not(loom)))]
mod imp {
    pub use shuttle::sync::atomic;
    pub use shuttle::sync::Arc;
    pub(super) use shuttle::sync::RwLock as RawRwLock;
    pub(super) use shuttle::sync::{
        Condvar as RawCondvar, Mutex as RawMutex, MutexGuard as RawGuard,
    };
    pub use shuttle::sync::{RwLockReadGuard, RwLockWriteGuard};
    pub use shuttle::thread;
    pub use shuttle::thread_local;
}

#[cfg(not(any(loom, feature = "shuttle")))]
pub use imp::MutexGuard;
pub use imp::{atomic, thread, thread_local, Arc, RwLockReadGuard, RwLockWriteGuard};

#[cfg(loom)]
pub use imp::UnsafeCell;

/// `std::cell::UnsafeCell` with loom's closure API: every access goes
/// through [`UnsafeCell::with`] or [`UnsafeCell::with_mut`], which loom
/// checks for data races under `--cfg loom` (shuttle does not check cells).
#[cfg(not(loom))]
#[derive(Debug, Default)]
pub struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    /// A cell holding `value`.
    pub fn new(value: T) -> Self {
        Self(std::cell::UnsafeCell::new(value))
    }

    /// Runs `f` with a shared pointer to the value. The caller guarantees
    /// that no `with_mut` access runs at the same time.
    pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    /// Runs `f` with an exclusive pointer to the value. The caller
    /// guarantees that no other access runs at the same time.
    pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

/// Under a model checker the guard remembers its mutex, so that a timed
/// wait can release and retake it.
#[cfg(any(loom, feature = "shuttle"))]
pub struct MutexGuard<'a, T> {
    mutex: &'a Mutex<T>,
    raw: Option<imp::RawGuard<'a, T>>,
}

#[cfg(any(loom, feature = "shuttle"))]
impl<T> std::ops::Deref for MutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.raw
            .as_ref()
            .expect("a guard holds its lock until dropped")
    }
}

#[cfg(any(loom, feature = "shuttle"))]
impl<T> std::ops::DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.raw
            .as_mut()
            .expect("a guard holds its lock until dropped")
    }
}

/// Drives `future` to completion on this thread. Under shuttle it is
/// shuttle's `block_on`, which lets the other tasks run while it waits;
/// `futures`' would park a real thread that shuttle cannot wake.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    #[cfg(all(feature = "shuttle", not(loom)))]
    return shuttle::future::block_on(future);
    #[cfg(not(all(feature = "shuttle", not(loom))))]
    futures::executor::block_on(future)
}

/// The instant `timeout` from now, or `None` (no deadline) when that is
/// beyond what `Instant` can hold: `Duration::MAX` means "never".
pub fn deadline_after(timeout: Duration) -> Option<Instant> {
    Instant::now().checked_add(timeout)
}

/// A mutual-exclusion lock whose `lock` never reports poisoning.
#[derive(Debug, Default)]
pub struct Mutex<T> {
    inner: imp::RawMutex<T>,
}

impl<T> Mutex<T> {
    /// Creates an unlocked mutex holding `value`.
    pub fn new(value: T) -> Self {
        Self {
            inner: imp::RawMutex::new(value),
        }
    }

    /// Locks the mutex, blocking until it is free.
    #[track_caller]
    pub fn lock(&self) -> MutexGuard<'_, T> {
        perturb_point();
        noted!("Mutex::lock");
        let raw = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        #[cfg(any(loom, feature = "shuttle"))]
        let raw = MutexGuard {
            mutex: self,
            raw: Some(raw),
        };
        raw
    }

    /// Locks the mutex if it is free now.
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        perturb_point();
        let raw = match self.inner.try_lock() {
            Ok(raw) => raw,
            Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return None,
        };
        #[cfg(any(loom, feature = "shuttle"))]
        let raw = MutexGuard {
            mutex: self,
            raw: Some(raw),
        };
        Some(raw)
    }
}

/// A reader-writer lock whose `read` and `write` never report poisoning.
#[derive(Default)]
pub struct RwLock<T> {
    inner: imp::RawRwLock<T>,
}

impl<T> RwLock<T> {
    /// Creates an unlocked lock holding `value`.
    pub fn new(value: T) -> Self {
        Self {
            inner: imp::RawRwLock::new(value),
        }
    }

    /// Locks for shared reading, blocking while a writer holds the lock.
    #[track_caller]
    pub fn read(&self) -> RwLockReadGuard<'_, T> {
        perturb_point();
        noted!("RwLock::read");
        self.inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Locks for exclusive writing, blocking until no one holds the lock.
    #[track_caller]
    pub fn write(&self) -> RwLockWriteGuard<'_, T> {
        perturb_point();
        noted!("RwLock::write");
        self.inner
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl<T> std::fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // loom's lock has no `Debug`; the contents would need a read lock.
        f.debug_struct("RwLock").finish_non_exhaustive()
    }
}

/// A condition variable paired with [`Mutex`].
#[derive(Debug, Default)]
pub struct Condvar {
    inner: imp::RawCondvar,
}

impl Condvar {
    /// Creates a condition variable with no waiters.
    pub fn new() -> Self {
        Self {
            inner: imp::RawCondvar::new(),
        }
    }

    /// Releases `guard`, waits for a notification and locks again.
    #[cfg(not(any(loom, feature = "shuttle")))]
    pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        let guard = self
            .inner
            .wait(guard)
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        perturb_point();
        guard
    }

    /// Releases `guard`, waits for a notification and locks again.
    #[cfg(any(loom, feature = "shuttle"))]
    #[track_caller]
    pub fn wait<'a, T>(&self, mut guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        noted!("Condvar::wait");
        let raw = guard
            .raw
            .take()
            .expect("a guard holds its lock until dropped");
        let raw = self
            .inner
            .wait(raw)
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        MutexGuard {
            mutex: guard.mutex,
            raw: Some(raw),
        }
    }

    /// Like [`Condvar::wait`], but gives up after `timeout`; the flag says
    /// whether it timed out.
    #[cfg(not(any(loom, feature = "shuttle")))]
    pub fn wait_timeout<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        timeout: Duration,
    ) -> (MutexGuard<'a, T>, bool) {
        let (guard, result) = self
            .inner
            .wait_timeout(guard, timeout)
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        perturb_point();
        (guard, result.timed_out())
    }

    /// Under a model checker: releases the lock, lets the other threads
    /// run, retakes the lock and reports a time-out.
    #[cfg(any(loom, feature = "shuttle"))]
    pub fn wait_timeout<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        _timeout: Duration,
    ) -> (MutexGuard<'a, T>, bool) {
        let mutex = guard.mutex;
        drop(guard);
        imp::thread::yield_now();
        (mutex.lock(), true)
    }

    /// Waits until notified or until `deadline` passes (`None`: no
    /// deadline). Returns the guard and whether the deadline has passed.
    #[track_caller]
    pub fn wait_until<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        deadline: Option<Instant>,
    ) -> (MutexGuard<'a, T>, bool) {
        match deadline {
            None => (self.wait(guard), false),
            Some(deadline) => {
                let now = Instant::now();
                if now >= deadline {
                    return (guard, true);
                }
                self.wait_timeout(guard, deadline - now)
            }
        }
    }

    /// Wakes one waiter.
    pub fn notify_one(&self) {
        perturb_point();
        self.inner.notify_one();
    }

    /// Wakes every waiter.
    pub fn notify_all(&self) {
        perturb_point();
        self.inner.notify_all();
    }
}
