//! The worked example's executor under the loom models: anything built on
//! `contend_strategies::sync` can be model-checked this way.
#![cfg(loom)]

mod common;

use common::single_worker::SingleWorker;
use contend_strategies::pool::Executor;
use contend_tests::loom_models::{explore_suite, pool as loom_models};
use contend_tests::{PoolSubject, StrategyCase};

/// What the example promises, and a build that refuses what it cannot
/// be: it has one worker, so a configuration asking for more is refused
/// (those models are reported as skipped).
pub fn single_worker() -> PoolSubject {
    let promises = StrategyCase {
        name: "single-worker",
        bounded: true,
        queues: false,
        runs_on_caller: false,
        resizable: false,
    };
    PoolSubject::refusing(promises, |config| {
        (config.workers == 1).then(|| Box::new(SingleWorker::new()) as Box<dyn Executor>)
    })
}

#[test]
fn a_user_executor_passes_the_loom_models() {
    explore_suite(
        "single-worker",
        loom_models::subject_suite(&single_worker()),
    );
}
