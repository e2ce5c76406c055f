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
