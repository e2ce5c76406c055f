//! The fanin loom suite (`contend_tests::loom_models::fanin`) against every
//! built-in variant. Run with `./scripts/test-all`, or alone:
//! `RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test -p contend-tests --profile loom --test loom_fanin -- --nocapture`.
#![cfg(loom)]

use contend_tests::loom_models::{explore_suite, fanin};

#[test]
fn every_fanin_model_holds_on_every_variant() {
    explore_suite("fanin", fanin::suite());
}
