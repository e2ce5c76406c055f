//! The pool models (`contend_tests::loom_models::pool`) under shuttle's
//! PCT and random schedulers. Run with `./scripts/test-all`, or alone:
//! `cargo test --release -p contend-tests --features shuttle --test shuttle_pool -- --nocapture`
//! (`CONTEND_SHUTTLE_SCHEDULES` per scheduler and model).
#![cfg(all(feature = "shuttle", not(loom)))]

use contend_tests::loom_models::pool;
use contend_tests::shuttle_models::explore_suite;

#[test]
fn every_pool_model_holds_under_shuttle() {
    explore_suite("pool", pool::suite());
}

#[test]
fn the_crowded_pool_models_loom_cannot_finish_hold_under_shuttle() {
    use contend_tests::loom_models::crowded;
    explore_suite("crowded pool", crowded::suite());
}
