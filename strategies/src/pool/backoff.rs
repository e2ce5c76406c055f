//! A consumer's short busy-wait before it sleeps.
//!
//! A worker that finds nothing to do spins a few rounds (2, 4, … 64 pause
//! instructions), then yields the core a few times, checking a lock-free
//! hint each round, before it goes to sleep on a condition variable. On a
//! steady stream of small jobs the next one usually arrives within that
//! window: the worker takes it without sleeping, and the submitter skips
//! the wake-up (a futex call). That halves the per-job cost of `fixed`.
//! The same back-off as crossbeam-channel's.
//!
//! Under loom callers skip it ([`ENABLED`]): it only reads a hint, and the
//! caller re-checks its state under the lock afterwards exactly as if it
//! had not waited, so exploring it would multiply interleavings and prove
//! nothing.

/// Whether consumers busy-wait before sleeping (not under loom).
pub(crate) const ENABLED: bool = !cfg!(loom);

/// Rounds in all, the first [`SPIN_ONLY_ROUNDS`] of them spinning.
const ROUNDS: u32 = 10;
const SPIN_ONLY_ROUNDS: u32 = 6;

/// Busy-waits a little until `ready()`: whether it became true.
pub(crate) fn spin_until(ready: impl Fn() -> bool) -> bool {
    for round in 0..ROUNDS {
        if ready() {
            return true;
        }
        if round < SPIN_ONLY_ROUNDS {
            for _ in 0..(2 << round) {
                std::hint::spin_loop();
            }
        } else {
            std::thread::yield_now();
        }
    }
    ready()
}
