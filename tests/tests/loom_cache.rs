//! The cache loom suite (`contend_tests::loom_models::cache`) against every
//! built-in variant. Run with `./scripts/test-all`, or alone:
//! `RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test -p contend-tests --profile loom --test loom_cache -- --nocapture`.
#![cfg(loom)]

use contend_tests::loom_models::{cache, explore_suite};

#[test]
fn every_cache_model_holds_on_every_variant() {
    explore_suite("cache", cache::suite());
}
