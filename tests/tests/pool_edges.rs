//! Edge cases a review found: "never" as a duration, a panic handler that
//! panics, and a runtime shut down under a running tokio job. Each test
//! failed (panicked, hung or unbalanced the books) before its fix.
#![cfg(not(any(loom, feature = "shuttle")))]

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use contend_strategies::pool::{
    Admission, Batch, Elastic, Executor, Job, OverloadPolicy, PoolConfig, ShutdownMode, TokioSpawn,
};
use contend_tests::support::within_deadline;
use contend_tests::{
    eventually, quiet_expected_panics, thread_strategies, Gate, Probe, EXPECTED_PANIC,
};

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
fn block_timeout_of_duration_max_waits_like_block() {
    for case in thread_strategies()
        .into_iter()
        .filter(|case| case.bounded && !case.runs_on_caller)
    {
        let policy = OverloadPolicy::BlockTimeout(Duration::MAX);
        let pool = Arc::new(case.build(PoolConfig::new(1).queue_capacity(1).policy(policy)));
        let (gate, probe) = (Gate::new(), Probe::new());
        gate.hold(&*pool, &probe, 1);
        if case.queues {
            pool.submit(probe.job(|| {})).unwrap();
        }
        let submitter = {
            let (pool, job) = (Arc::clone(&pool), probe.job(|| {}));
            thread::spawn(move || pool.submit(job).map_err(|rejected| rejected.reason()))
        };
        gate.open();
        assert_eq!(
            submitter.join().unwrap(),
            Ok(Admission::Accepted),
            "{}",
            case.name
        );
        pool.shutdown(ShutdownMode::DRAIN);
    }
}

#[test]
fn a_drain_deadline_or_a_batch_wait_of_duration_max_means_no_deadline() {
    let pool = contend_strategies::pool::Fixed::new(PoolConfig::new(2)).unwrap();
    let batch = Batch::new();
    for _ in 0..10 {
        batch.submit(&pool, || {}).unwrap();
    }
    assert_eq!(batch.wait(Some(Duration::MAX)).finished, 10);
    let report = pool.shutdown(ShutdownMode::Drain {
        deadline: Some(Duration::MAX),
    });
    assert_eq!((report.completed, report.still_running), (10, 0));
}

#[test]
fn a_panic_handler_that_panics_does_not_kill_the_worker() {
    quiet_expected_panics();
    for case in thread_strategies()
        .into_iter()
        .filter(|case| !case.runs_on_caller)
    {
        let config = PoolConfig::new(2).panic_handler(|_| std::panic::panic_any(EXPECTED_PANIC));
        let pool = case.build(config);
        for _ in 0..4 {
            pool.submit(Job::new(|| std::panic::panic_any(EXPECTED_PANIC)))
                .unwrap();
        }
        let (gate, probe) = (Gate::new(), Probe::new());
        gate.hold(&*pool, &probe, 2);
        gate.open();
        // A dead worker would make the shutdown hang: the watchdog turns
        // that into a failure.
        let (pool, report) = within_deadline(case.name, move || {
            let report = pool.shutdown(ShutdownMode::DRAIN);
            (pool, report)
        });
        assert_eq!(report.completed, 6, "{}", case.name);
        assert_eq!(pool.stats().panicked, 4, "{}", case.name);
        assert_eq!(probe.peak(), 2, "{}: both workers survived", case.name);
    }
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
