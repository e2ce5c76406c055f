//! The concurrency bound, on every built-in strategy: the library's
//! bounds suite (`contend_tests::pool_suites::bounds`), plus what
//! `unbounded` shows by name: it ignores the worker count.
#![cfg(not(any(loom, feature = "shuttle")))]

use contend_strategies::pool::{PoolConfig, ShutdownMode};
use contend_tests::{pool_suites, thread_strategies, Gate, Probe};

mod support;

#[test]
fn the_bounds_suite_passes_on_every_built_in_strategy() {
    support::check_every_builtin(&pool_suites::bounds::SUITE);
}

/// `unbounded` built with one worker still runs 32 jobs at once (the
/// suite's check asks for 32 workers; this one shows the count is ignored).
#[test]
fn unbounded_runs_every_job_at_once() {
    let case = thread_strategies()
        .into_iter()
        .find(|case| case.name == "unbounded")
        .unwrap();
    let pool = case.build(PoolConfig::new(1));
    let gate = Gate::new();
    let probe = Probe::new();
    gate.hold(&*pool, &probe, 32);
    assert_eq!(probe.running(), 32);
    gate.open();
    pool.shutdown(ShutdownMode::DRAIN);
    assert_eq!(probe.ran(), 32);
}
