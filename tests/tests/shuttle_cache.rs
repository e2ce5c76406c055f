//! The cache models (`contend_tests::loom_models::cache`) under shuttle's
//! PCT and random schedulers, and the writers' race on the variants loom's
//! suite leaves out (`rwlock`, and `sharded`, whose refreshes promise no
//! atomicity but whose writes must not be lost). Run with
//! `./scripts/test-all`, or alone: `cargo test --release -p contend-tests
//! --features shuttle --test shuttle_cache -- --nocapture`
//! (`CONTEND_SHUTTLE_SCHEDULES` per scheduler and model).
#![cfg(all(feature = "shuttle", not(loom)))]

use contend_strategies::cache::{RwLockCache, ShardedCache};
use contend_tests::loom_models::cache;
use contend_tests::shuttle_models::explore_suite;

/// Two shards, so two keys either meet on one lock or do not. (Its
/// hasher is seeded per process: a replayed schedule may place the keys
/// differently.)
fn sharded() -> ShardedCache<u64, u64> {
    ShardedCache::new(2).expect("two shards")
}

#[test]
fn every_cache_model_holds_under_shuttle() {
    let mut suite = cache::suite();
    // What a user's cache gets from one call, on the two variants loom's
    // suite leaves out (sharded promises no atomic refresh).
    suite.extend(cache::variant_suite(
        "rwlock cache",
        RwLockCache::new,
        false,
    ));
    suite.extend(cache::variant_suite("sharded cache", sharded, false));
    explore_suite("cache", suite);
}
