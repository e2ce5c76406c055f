//! contend's loom models on `QueuePool`: every interleaving of submits,
//! cancels, panics and concurrent shutdowns within loom's preemption
//! bound. Run with
//! `RUSTFLAGS="--cfg loom" cargo test --profile loom --test loom -- --nocapture`.
#![cfg(loom)]

mod subject;

use contend_tests::loom_models::{explore_suite, pool};

#[test]
fn queue_pool_passes_the_loom_models() {
    explore_suite("queue-pool", pool::subject_suite(&subject::queue_pool()));
}
