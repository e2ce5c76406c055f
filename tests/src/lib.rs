//! contend's correctness checks, written once against the strategy traits
//! and run on every variant.
//!
//! Each module holds the checks of one family as generic functions:
//! [`pool_machine`] and `loom_models` (under `--cfg loom`, or feature
//! `shuttle` with `shuttle_models` to run them) for
//! [`Executor`], [`fanin`] for
//! [`FanIn`](contend_strategies::fanin::FanIn), [`cache`] for
//! [`Cache`](contend_strategies::cache::Cache), [`counter`] for
//! [`Counter`](contend_strategies::counter::Counter). The suites in
//! `tests/` instantiate them for each built-in variant; call them with
//! your own implementation to hold it to the same invariants. A check
//! panics, with a message naming the variant and the invariant, when the
//! implementation breaks it.
//!
//! No check asserts anything about time: states are forced with gates and
//! waited for with generous limits ([`PATIENCE`],
//! [`support::within_deadline`]) that only turn a broken implementation's
//! hang into a failure.

#![deny(missing_docs)]

#[cfg(not(loom))]
pub mod awaiting_pool;
pub mod cache;
#[cfg(not(loom))]
pub mod cache_machine;
pub mod counter;
pub mod fanin;
#[cfg(not(loom))]
pub mod fanin_machine;
pub mod gate;
#[cfg(any(loom, feature = "shuttle"))]
pub mod loom_models;
#[cfg(feature = "mutants")]
pub mod mutant_gate;
#[cfg(not(loom))]
pub mod pool_machine;
#[cfg(not(loom))]
pub mod pool_suites;
pub mod probe;
#[cfg(all(feature = "shuttle", not(loom)))]
pub mod shuttle_models;
pub mod strategies;
pub mod subject;
pub mod support;
pub mod watchdog;

pub use gate::Gate;
pub use probe::Probe;
pub use strategies::{all_strategies, thread_strategies, tokio_strategies, StrategyCase};
pub use subject::PoolSubject;

use std::time::{Duration, Instant};

use contend_strategies::pool::Executor;

/// How long a test waits for a state that a correct implementation
/// reaches at once. Only a broken implementation ever hits it.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// Polls `condition` until it holds; panics with `what` if it does not
/// within [`PATIENCE`].
pub fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    let give_up = Instant::now() + PATIENCE;
    while !condition() {
        assert!(Instant::now() < give_up, "gave up waiting for: {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Submits `probe` jobs until `pool` refuses one, which shows that a
/// shutdown running on another thread has closed it. Returns how many were
/// accepted meanwhile: they must be counted like any other job.
pub fn await_closed(pool: &dyn Executor, probe: &Probe) -> usize {
    let mut accepted = 0;
    eventually("a shutdown closed the pool", || {
        let refused = pool.submit(probe.job(|| {})).is_err();
        accepted += usize::from(!refused);
        refused
    });
    accepted
}

/// The message of every panic a test causes on purpose.
pub const EXPECTED_PANIC: &str = "contend-tests: a job failing on purpose";

/// Installs, once, a panic hook that stays silent for [`EXPECTED_PANIC`]
/// and reports every other panic as the default hook does.
pub fn quiet_expected_panics() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.payload().downcast_ref::<&str>() != Some(&EXPECTED_PANIC) {
                default(info);
            }
        }));
    });
}
