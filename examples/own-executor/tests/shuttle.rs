//! contend's shuttle models on `QueuePool`: the loom models and more,
//! sampled by shuttle's PCT (depth 2 and 3) and random schedulers, which
//! reach executions too long for loom to enumerate. Run with
//! `cargo test --release --features shuttle --test shuttle -- --nocapture`.
#![cfg(feature = "shuttle")]

mod subject;

use contend_tests::loom_models::{cache, crowded, fanin, pool, NamedModel};
use contend_tests::shuttle_models::explore_suite;
use own_executor::{MapCache, QueueFanIn};

#[test]
fn queue_pool_passes_the_shuttle_models() {
    let subject = subject::queue_pool();
    let mut models = pool::subject_suite(&subject);
    // What loom cannot finish: three submitters, 21 jobs, two shutdowns.
    models.extend(crowded::subject_suite(&subject));
    explore_suite("queue-pool", models);
}

/// The async executor: its tasks, on shuttle-tokio's model, scheduled by
/// shuttle like its threads.
#[test]
fn task_pool_passes_the_shuttle_models() {
    let subject = subject::task_pool();
    let mut models = pool::subject_suite(&subject);
    models.extend(crowded::subject_suite(&subject));
    explore_suite("task-pool", models);
}

#[test]
fn queue_fan_in_and_map_cache_pass_the_shuttle_models() {
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
fn the_broken_twins_fail_the_shuttle_models() {
    let lost = failure_of(
        "queue-pool-lost-wake-up",
        pool::subject_suite(&subject::queue_pool_with_a_lost_wake_up()),
    );
    assert!(lost.contains("models failed under shuttle"), "{lost}");
    let eager = failure_of(
        "queue-fan-in-eager",
        fanin::variant_suite("queue-fan-in-eager", QueueFanIn::eager()),
    );
    assert!(eager.contains("models failed under shuttle"), "{eager}");
    let torn = failure_of(
        "map-cache-key-by-key",
        cache::variant_suite("map-cache-key-by-key", MapCache::key_by_key, true),
    );
    assert!(torn.contains("refresh racing reads"), "{torn}");
}
