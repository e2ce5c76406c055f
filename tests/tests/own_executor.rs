//! A worked example: checking an executor defined outside
//! `contend-strategies` with the same proptest state machine as the
//! built-in strategies, in one call. (`loom_own_executor.rs` runs the loom
//! models on it.)
#![cfg(not(any(loom, feature = "shuttle")))]

mod common;

use common::single_worker::SingleWorker;
use contend_strategies::pool::Executor;
use contend_tests::{pool_machine, StrategyCase};

/// What the executor promises, so the machine knows what to check.
fn promises() -> StrategyCase {
    StrategyCase {
        name: "single-worker",
        bounded: true,
        queues: false,
        runs_on_caller: false,
        resizable: false,
    }
}

#[test]
fn a_user_executor_passes_the_pool_state_machine() {
    let cases = pool_machine::check_executor(&promises(), |_config| {
        Box::new(SingleWorker::new()) as Box<dyn Executor>
    });
    assert!(cases > 0);
}

/// The async worked example: a tokio task per job, no bound.
#[test]
fn a_user_async_executor_passes_the_pool_state_machine() {
    use common::spawn_each::SpawnEach;
    let promises = StrategyCase {
        name: "spawn-each",
        bounded: false,
        ..promises()
    };
    let cases = pool_machine::check_executor(&promises, |_config| {
        Box::new(SpawnEach::new()) as Box<dyn Executor>
    });
    assert!(cases > 0);
}
