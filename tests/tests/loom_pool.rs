//! Loom models of the pool family, run against every thread strategy
//! built on the sync facade. Run with `./scripts/test-all`, or alone:
//! `RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test -p contend-tests --profile loom --test loom_pool -- --nocapture`.
#![cfg(loom)]

use contend_tests::loom_models::{explore, pool_suite};

#[test]
fn every_pool_model_holds_on_every_strategy() {
    let mut interleavings = 0;
    let suite = pool_suite();
    let models = suite.len();
    for named in suite {
        interleavings += explore(&named.name, named.model);
    }
    println!("contend-gate: loom pool suite: {models} models, {interleavings} interleavings");
}
