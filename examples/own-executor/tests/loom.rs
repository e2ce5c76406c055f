//! contend's loom models on this crate's `QueuePool`, fan-in and cache:
//! every interleaving of submits, cancels, panics and concurrent
//! shutdowns (of sends, closes and cancels; of writes and refreshes
//! racing reads) within loom's preemption bound. Each deliberately
//! broken twin must fail its models. Run with
//! `RUSTFLAGS="--cfg loom" cargo test --profile loom --test loom -- --nocapture`.
#![cfg(loom)]

mod subject;

use contend_tests::loom_models::{cache, explore_suite, fanin, pool};
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

#[test]
fn the_broken_twins_fail_the_loom_models() {
    let [lost, eager, torn] =
        <[String; 3]>::try_from(subject::failures_of_the_broken_twins(explore_suite))
            .expect("three twins");
    assert!(lost.contains("models failed under loom"), "{lost}");
    assert!(eager.contains("models failed under loom"), "{eager}");
    assert!(torn.contains("refresh racing reads"), "{torn}");
}
