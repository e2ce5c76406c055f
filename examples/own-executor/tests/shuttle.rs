//! contend's shuttle models on `QueuePool`: the loom models and more,
//! sampled by shuttle's PCT (depth 2 and 3) and random schedulers, which
//! reach executions too long for loom to enumerate. Run with
//! `cargo test --release --features shuttle --test shuttle -- --nocapture`.
#![cfg(feature = "shuttle")]

mod subject;

use contend_tests::loom_models::{cache, crowded, fanin, pool};
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

#[test]
fn the_broken_twins_fail_the_shuttle_models() {
    let [lost, eager, torn, lost_async] =
        <[String; 4]>::try_from(subject::failures_of_the_broken_twins(explore_suite))
            .expect("four twins");
    assert!(lost.contains("models failed under shuttle"), "{lost}");
    assert!(
        lost_async.contains("task-pool: submitters awaiting room"),
        "{lost_async}"
    );
    assert!(eager.contains("models failed under shuttle"), "{eager}");
    assert!(torn.contains("refresh racing reads"), "{torn}");
}
