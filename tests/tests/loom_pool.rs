//! The pool loom suite (`contend_tests::loom_models::pool`) against every
//! built-in variant. Run with `./scripts/test-all`, or alone:
//! `RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test -p contend-tests --profile loom --test loom_pool -- --nocapture`.
#![cfg(loom)]

use contend_tests::loom_models::{explore_suite, pool};

#[test]
fn every_pool_model_holds_on_every_variant() {
    explore_suite("pool", pool::suite());
}
