//! The worked examples' executors under shuttle: anything built on
//! `contend_strategies::sync` (and, for an async one, on `tokio` taken
//! through shuttle-tokio) gets the same models as the built-in
//! strategies, sampled by shuttle's PCT and random schedulers, with one
//! call.
#![cfg(all(feature = "shuttle", not(loom)))]

mod common;

use common::single_worker::SingleWorker;
use common::spawn_each::SpawnEach;
use contend_strategies::pool::Executor;
use contend_tests::loom_models::pool as models;
use contend_tests::shuttle_models::explore_suite;

fn single_worker() -> Box<dyn Executor> {
    Box::new(SingleWorker::new())
}

#[test]
fn a_user_executor_passes_the_shuttle_models() {
    explore_suite(
        "single-worker",
        "shuttle_own_executor",
        models::executor_suite("single-worker", single_worker),
    );
}

fn spawn_each() -> Box<dyn Executor> {
    Box::new(SpawnEach::new())
}

#[test]
fn a_user_async_executor_passes_the_shuttle_models() {
    explore_suite(
        "spawn-each",
        "shuttle_own_executor",
        models::executor_suite("spawn-each", spawn_each),
    );
}
