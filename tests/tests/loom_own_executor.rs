//! The worked example's executor under the loom models: anything built on
//! `contend_strategies::sync` can be model-checked this way.
#![cfg(loom)]

mod common;

use common::single_worker::SingleWorker;
use contend_strategies::pool::{Executor, ShutdownMode};
use contend_tests::loom_models::{explore, pool as loom_models};

fn single_worker() -> Box<dyn Executor> {
    Box::new(SingleWorker::new())
}

#[test]
fn a_user_executor_passes_the_loom_models() {
    explore(
        "single-worker: submit racing drain",
        loom_models::submit_racing_shutdown(single_worker, ShutdownMode::DRAIN),
    );
    explore(
        "single-worker: submit racing abort",
        loom_models::submit_racing_shutdown(single_worker, ShutdownMode::Abort),
    );
    explore(
        "single-worker: workers finishing while shutdowns start",
        loom_models::workers_finishing_while_shutdowns_start(single_worker),
    );
    explore(
        "single-worker: cancel racing dequeue",
        loom_models::cancel_racing_dequeue(single_worker),
    );
    explore(
        "single-worker: panic keeps the worker",
        loom_models::panic_keeps_the_worker(single_worker),
    );
}
