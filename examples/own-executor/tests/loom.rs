//! contend's loom models on this crate's `QueuePool`, fan-in and cache:
//! every interleaving of submits, cancels, panics and concurrent
//! shutdowns (of sends, closes and cancels; of writes and refreshes
//! racing reads) within loom's preemption bound. Each deliberately
//! broken twin must fail its models. Run with
//! `RUSTFLAGS="--cfg loom" cargo test --profile loom --test loom -- --nocapture`.
#![cfg(loom)]

mod subject;

use contend_tests::loom_models::{cache, explore_suite, fanin, pool, NamedModel};
use own_executor::{MapCache, QueueFanIn};

#[test]
fn queue_pool_passes_the_loom_models() {
    explore_suite("queue-pool", pool::subject_suite(&subject::queue_pool()));
}

#[test]
fn queue_fan_in_and_map_cache_pass_the_loom_models() {
    explore_suite(
        "queue-fan-in",
        fanin::variant_suite("queue-fan-in", QueueFanIn::new()),
    );
    explore_suite(
        "map-cache",
        cache::variant_suite("map-cache", MapCache::new, true),
    );
}

/// Runs `suite`, which must fail, and returns what it said.
fn failure_of(family: &str, suite: Vec<NamedModel>) -> String {
    let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        explore_suite(family, suite)
    }))
    .expect_err("the models catch the deliberate bug");
    contend_tests::watchdog::panic_message(failed.as_ref())
}

#[test]
fn the_broken_twins_fail_the_loom_models() {
    let lost = failure_of(
        "queue-pool-lost-wake-up",
        pool::subject_suite(&subject::queue_pool_with_a_lost_wake_up()),
    );
    assert!(lost.contains("models failed under loom"), "{lost}");
    let eager = failure_of(
        "queue-fan-in-eager",
        fanin::variant_suite("queue-fan-in-eager", QueueFanIn::eager()),
    );
    assert!(eager.contains("models failed under loom"), "{eager}");
    let torn = failure_of(
        "map-cache-key-by-key",
        cache::variant_suite("map-cache-key-by-key", MapCache::key_by_key, true),
    );
    assert!(torn.contains("refresh racing reads"), "{torn}");
}
