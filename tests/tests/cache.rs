//! The cache checks of `contend_tests::cache`, run on every variant.

// The adapters are not built under `--cfg loom`; the loom models are in
// the `loom_*` suites.
#![cfg(not(any(loom, feature = "shuttle")))]

use contend_tests::cache;
use contend_tests::support::stress_rounds;

/// The checks every variant passes, as one test per check, plus the
/// untorn-refresh checks for the variants that promise them.
macro_rules! cache_tests {
    ($module:ident, $make:expr, refresh: $refresh:ident) => {
        mod $module {
            use super::*;

            #[test]
            fn behaves_like_a_hashmap_on_one_thread() {
                cache::behaves_like_a_hashmap_on_one_thread($make);
            }

            #[test]
            fn keys_never_vanish_or_go_back_during_refreshes() {
                cache::keys_never_vanish_or_go_back_during_refreshes($make);
            }

            #[test]
            fn stress_disjoint_writers_lose_no_update() {
                cache::stress_disjoint_writers_lose_no_update($make, stress_rounds(100));
            }

            #[test]
            fn stress_keys_never_vanish_during_refreshes() {
                cache::stress_keys_never_vanish_during_refreshes($make, stress_rounds(100));
            }

            cache_tests!(@refresh $refresh, $make);
        }
    };
    (@refresh untorn, $make:expr) => {
        #[test]
        fn a_refresh_is_never_seen_half_applied() {
            cache::a_refresh_is_never_seen_half_applied($make);
        }

        #[test]
        fn stress_refreshes_are_never_torn() {
            cache::stress_refreshes_are_never_torn($make, stress_rounds(100));
        }
    };
    (@refresh torn, $make:expr) => {
        #[test]
        fn does_not_claim_untorn_refreshes() {
            use contend_strategies::cache::Cache;
            assert!(!($make)().atomic_refresh());
        }
    };
}

use contend_strategies::cache::{
    DashMapCache, MutexCache, PapayaCache, RwLockCache, ShardedCache, SnapshotCache,
};

cache_tests!(mutex, MutexCache::<u64, u64>::new, refresh: untorn);
cache_tests!(rwlock, RwLockCache::<u64, u64>::new, refresh: untorn);
cache_tests!(snapshot, SnapshotCache::<u64, u64>::new, refresh: untorn);
cache_tests!(sharded, || ShardedCache::<u64, u64>::new(8).unwrap(), refresh: torn);
cache_tests!(single_shard, || ShardedCache::<u64, u64>::new(1).unwrap(), refresh: torn);
cache_tests!(dashmap, DashMapCache::<u64, u64>::new, refresh: torn);
cache_tests!(papaya, PapayaCache::<u64, u64>::new, refresh: torn);

#[test]
fn a_sharded_cache_refuses_zero_shards_naming_what_is_allowed() {
    let error = ShardedCache::<u64, u64>::new(0).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("sharded") && message.contains("allowed: 1 or more"),
        "unclear refusal: {message}"
    );
}
