//! Edge cases a review found, on every built-in strategy: the library's
//! edges suite (`contend_tests::pool_suites::edges`: "never" as a
//! duration, a panic handler that panics), plus two that need a specific
//! built-in: an elastic worker that never expires, and a runtime shut down
//! under a running `tokio-spawn` job. Each test failed (panicked, hung or
//! unbalanced the books) before its fix.
#![cfg(not(any(loom, feature = "shuttle")))]

use std::time::Duration;

use contend_strategies::pool::{
    Batch, Elastic, Executor, Job, PoolConfig, ShutdownMode, TokioSpawn,
};
use contend_tests::{eventually, pool_suites, Probe};

mod support;

#[test]
fn the_edges_suite_passes_on_every_built_in_strategy() {
    support::check_every_builtin(&pool_suites::edges::SUITE);
}

#[test]
fn an_elastic_pool_whose_workers_never_expire_keeps_running_jobs() {
    let pool = Elastic::new(PoolConfig::new(1).idle_timeout(Duration::MAX)).unwrap();
    let probe = Probe::new();
    for _ in 0..3 {
        pool.submit(probe.job(|| {})).unwrap();
        eventually("the worker went idle", || pool.stats().idle == 1);
    }
    assert_eq!(pool.live_workers(), 1, "the one worker lived on");
    assert_eq!(pool.shutdown(ShutdownMode::DRAIN).completed, 3);
    assert_eq!(probe.ran(), 3);
}

#[test]
fn a_tokio_job_dropped_by_its_runtime_mid_run_still_balances_the_books() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let pool = TokioSpawn::with_handle(runtime.handle().clone(), PoolConfig::new(1)).unwrap();
    let batch = Batch::new();
    let job = Job::from_future(async { tokio::time::sleep(Duration::from_secs(3600)).await });
    pool.submit(batch.adopt(job)).unwrap();
    eventually("the job started", || pool.stats().running == 1);
    runtime.shutdown_background();
    pool.shutdown(ShutdownMode::DRAIN);
    let stats = pool.stats();
    assert_eq!(stats.running, 0, "{stats:?}");
    assert_eq!(stats.unaccounted(), 0, "{stats:?}");
    let report = batch.wait(Some(contend_tests::PATIENCE));
    assert!(report.is_settled(), "{report:?}");
    assert_eq!(report.panicked, 1, "a job cut short counts as failed");
}
