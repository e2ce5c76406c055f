//! The worked examples' executors under shuttle: anything built on
//! `contend_strategies::sync` (and, for an async one, on `tokio` taken
//! through shuttle-tokio) gets the same models as the built-in
//! strategies, sampled by shuttle's PCT and random schedulers, with one
//! call.
#![cfg(all(feature = "shuttle", not(loom)))]

mod common;

use contend_tests::loom_models::pool as models;
use contend_tests::shuttle_models::explore_suite;

#[test]
fn a_user_executor_passes_the_shuttle_models() {
    explore_suite(
        "single-worker",
        models::subject_suite(&common::single_worker::subject()),
    );
}

#[test]
fn a_user_async_executor_passes_the_shuttle_models() {
    explore_suite(
        "spawn-each",
        models::subject_suite(&common::spawn_each::subject()),
    );
}

/// A model blocked where shuttle cannot see it (a `std` channel nobody
/// sends on) fails within the watchdog, naming the model, instead of
/// hanging the test process.
#[test]
fn a_model_blocked_outside_shuttle_s_view_fails_within_the_watchdog() {
    use contend_tests::loom_models::NamedModel;
    use contend_tests::shuttle_models::explore_suite_within;
    let blocked = NamedModel::new(
        "blocked: on a std channel",
        Box::new(|| {
            let (_never_sent, nothing) = std::sync::mpsc::channel::<()>();
            let _ = nothing.recv();
        }),
    );
    let failure = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        explore_suite_within("blocked", vec![blocked], std::time::Duration::from_secs(1))
    }))
    .expect_err("a hung model fails the suite");
    let message = contend_tests::watchdog::panic_message(failure.as_ref());
    assert!(
        message.contains("blocked: on a std channel") && message.contains("hung for 1s"),
        "{message}"
    );
}
