//! The counter loom suite (`contend_tests::loom_models::counter`) against every
//! built-in variant. Run with `./scripts/test-all`, or alone:
//! `RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test -p contend-tests --profile loom --test loom_counter -- --nocapture`.
#![cfg(loom)]

use contend_tests::loom_models::{counter, explore_suite};

#[test]
fn every_counter_model_holds_on_every_variant() {
    explore_suite("counter", counter::suite());
}
