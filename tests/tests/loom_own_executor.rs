//! The worked example's executor under the loom models: anything built on
//! `contend_strategies::sync` can be model-checked this way.
#![cfg(loom)]

mod common;

use common::single_worker::SingleWorker;
use contend_strategies::pool::Executor;
use contend_tests::loom_models::{explore_suite, pool as loom_models};

fn single_worker() -> Box<dyn Executor> {
    Box::new(SingleWorker::new())
}

#[test]
fn a_user_executor_passes_the_loom_models() {
    explore_suite(
        "single-worker",
        loom_models::executor_suite("single-worker", single_worker),
    );
}
