//! The worked example's executor under shuttle: anything built on
//! `contend_strategies::sync` gets the same models as under loom, sampled
//! by shuttle's PCT and random schedulers, with one call.
#![cfg(all(feature = "shuttle", not(loom)))]

mod common;

use common::single_worker::SingleWorker;
use contend_strategies::pool::{Executor, ShutdownMode};
use contend_tests::loom_models::{pool as models, NamedModel};
use contend_tests::shuttle_models::explore_suite;

fn single_worker() -> Box<dyn Executor> {
    Box::new(SingleWorker::new())
}

#[test]
fn a_user_executor_passes_the_shuttle_models() {
    let model = |what: &str, model| NamedModel::new(format!("single-worker: {what}"), model);
    explore_suite(
        "single-worker",
        "shuttle_own_executor",
        vec![
            model(
                "submit racing drain",
                models::submit_racing_shutdown(single_worker, ShutdownMode::DRAIN),
            ),
            model(
                "submit racing abort",
                models::submit_racing_shutdown(single_worker, ShutdownMode::Abort),
            ),
            model(
                "workers finishing while shutdowns start",
                models::workers_finishing_while_shutdowns_start(single_worker),
            ),
            model(
                "cancel racing dequeue",
                models::cancel_racing_dequeue(single_worker),
            ),
            model(
                "panic keeps the worker",
                models::panic_keeps_the_worker(single_worker),
            ),
        ],
    );
}
