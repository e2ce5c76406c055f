//! The counter models (`contend_tests::loom_models::counter`) under shuttle's
//! PCT and random schedulers. Run with `./scripts/test-all`, or alone:
//! `cargo test --release -p contend-tests --features shuttle --test shuttle_counter -- --nocapture`
//! (`CONTEND_SHUTTLE_SCHEDULES` per scheduler and model).
#![cfg(all(feature = "shuttle", not(loom)))]

use contend_tests::loom_models::counter;
use contend_tests::shuttle_models::explore_suite;

#[test]
fn every_counter_model_holds_under_shuttle() {
    explore_suite("counter", counter::suite());
}
