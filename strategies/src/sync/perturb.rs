//! Schedule perturbation at the sync facade (normal builds only).
//!
//! A race between a check and a wait, or between a read of a flag and the
//! lock that acts on it, needs the other thread to land in a window a few
//! nanoseconds wide: real runs almost never show it, and loom or shuttle
//! explore it only for code they model. While perturbation is on, the
//! facade's [`Mutex`](super::Mutex), [`RwLock`](super::RwLock) and
//! [`Condvar`](super::Condvar) now and then give the CPU away (a
//! `yield_now`) or sleep a few tens of microseconds at their
//! synchronisation points:
//!
//! - before a lock is taken (so the gap between an earlier unlock, or a
//!   flag's load, and this lock widens: the window of a lost wake-up or of
//!   a submit racing a close),
//! - after a wait returns,
//! - before a notification is sent.
//!
//! Each thread draws from its own xorshift generator, so that threads
//! perturb independently and no lock is shared. When no [`Enabled`] guard
//! is alive, each point costs one relaxed atomic load.
//!
//! The switch is process-wide (executors' own threads are perturbed too,
//! whoever spawned them): the pool machine
//! (`contend_tests::pool_machine`) turns it on only while its cases run.
//!
//! ```
//! use contend_strategies::sync::perturb;
//!
//! let perturbed = perturb::enable();
//! assert!(perturb::is_enabled());
//! // ... run the check; every facade lock now and then yields or sleeps.
//! drop(perturbed);
//! ```
//!
//! Not compiled under `--cfg loom` or the `shuttle` feature: the model
//! checkers choose the interleavings themselves.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// How many [`Enabled`] guards are alive: perturbation is on while any is.
static ENABLED: AtomicUsize = AtomicUsize::new(0);

/// Seeds the generators of threads as they first draw.
static SEEDS: AtomicUsize = AtomicUsize::new(0);

/// Perturbation is on while this guard (or another) lives; see
/// [`enable`].
#[must_use = "perturbation is off again as soon as the guard is dropped"]
#[derive(Debug)]
pub struct Enabled {
    _private: (),
}

/// Turns perturbation on until the guard is dropped. Guards nest and may
/// overlap across threads: perturbation stays on while any is alive.
pub fn enable() -> Enabled {
    ENABLED.fetch_add(1, Ordering::SeqCst);
    Enabled { _private: () }
}

impl Drop for Enabled {
    fn drop(&mut self) {
        ENABLED.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Whether perturbation is on now.
pub fn is_enabled() -> bool {
    ENABLED.load(Ordering::Relaxed) > 0
}

/// A synchronisation point of the facade: perturbs the schedule now and
/// then while perturbation is on; otherwise one relaxed load.
#[inline]
pub(crate) fn point() {
    if ENABLED.load(Ordering::Relaxed) > 0 {
        perturb();
    }
}

/// In 256 draws: this many sleep, and this many more only yield.
const SLEEPS: u64 = 6;
const YIELDS: u64 = 32;

#[cold]
fn perturb() {
    let draw = next();
    let pick = draw & 0xff;
    if pick < SLEEPS {
        // Most sleeps are short; one in four is long enough for another
        // thread's whole operation (a shutdown joining its workers).
        let micros = match (draw >> 8) & 3 {
            0 => 40 + (draw >> 10) % 160,
            _ => 2 + (draw >> 10) % 30,
        };
        std::thread::sleep(Duration::from_micros(micros));
    } else if pick < SLEEPS + YIELDS {
        std::thread::yield_now();
    }
}

thread_local! {
    static STATE: Cell<u64> = const { Cell::new(0) };
}

/// The thread's next xorshift64* number, seeded on its first draw from a
/// process-wide counter mixed with the clock.
fn next() -> u64 {
    STATE.with(|state| {
        let mut x = state.get();
        if x == 0 {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |since| since.subsec_nanos() as u64);
            let count = SEEDS.fetch_add(1, Ordering::Relaxed) as u64;
            x = (count.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ nanos) | 1;
        }
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        state.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    })
}
