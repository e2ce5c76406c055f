//! Checks for [`Cache`] implementations: single-threaded agreement with a
//! `HashMap` (the model), no lost update under concurrent writers, and
//! the refresh invariants under concurrent readers: keys never vanish or
//! go back in time, and, for variants that promise it, a refresh is never
//! seen half-applied.
//!
//! Every check takes a constructor (`fn() -> C`, a closure without
//! captures will do) so that it can build fresh caches as it needs them.

mod model;
mod refresh;
mod stress;

use contend_strategies::cache::Cache;

pub use model::behaves_like_a_hashmap_on_one_thread;
pub use refresh::{
    a_refresh_is_never_seen_half_applied, keys_never_vanish_or_go_back_during_refreshes,
};
pub use stress::{
    stress_disjoint_writers_lose_no_update, stress_keys_never_vanish_during_refreshes,
    stress_refreshes_are_never_torn,
};

/// A cache the checks can run: `u64` keys and values, owned by the check.
pub trait Variant: Cache<u64, u64> + 'static {}

impl<C: Cache<u64, u64> + 'static> Variant for C {}
