//! The tokio strategies and the `tokio-mpsc` fan-in under shuttle
//! (`contend_tests::loom_models::tokio`): with the `shuttle` feature their
//! `tokio` is shuttle-tokio's model, so their tasks, timers, semaphores and
//! runtimes are scheduled by shuttle like the threads of the others. Run
//! alone: `cargo test --release -p contend-tests --features shuttle --test
//! shuttle_tokio -- --nocapture`.
#![cfg(all(feature = "shuttle", not(loom)))]

use contend_tests::loom_models::tokio;
use contend_tests::shuttle_models::explore_suite;

#[test]
fn every_tokio_model_holds_under_shuttle() {
    explore_suite("tokio", tokio::suite());
}
