//! Cancellation and the batch helper (WaitGroup with a deadline).
#![cfg(not(any(loom, feature = "shuttle")))]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use contend_strategies::pool::{Batch, CancelToken, Job, OverloadPolicy, PoolConfig, ShutdownMode};
use contend_tests::{all_strategies, thread_strategies, Gate, Probe};

#[test]
fn a_job_whose_token_is_cancelled_before_it_starts_never_runs() {
    for case in all_strategies() {
        let pool = case.build(PoolConfig::new(2));
        let token = CancelToken::new();
        token.cancel();
        let probe = Probe::new();
        pool.submit(probe.job(|| {}).with_cancel(token)).unwrap();
        pool.shutdown(ShutdownMode::DRAIN);
        assert_eq!(probe.ran(), 0, "{}", case.name);
        let stats = pool.stats();
        assert_eq!(stats.cancelled, 1, "{}", case.name);
        assert_eq!(stats.completed, 0, "{}", case.name);
        assert_eq!(stats.unaccounted(), 0, "{}", case.name);
    }
}

#[test]
fn cancelling_a_batch_skips_its_queued_jobs_and_reports_them() {
    for case in thread_strategies().into_iter().filter(|case| case.queues) {
        let pool = case.build(PoolConfig::new(1).queue_capacity(64));
        let gate = Gate::new();
        let holder = gate.clone();
        let batch = Batch::new();
        batch.submit(&pool, move || holder.pass()).unwrap();
        gate.await_waiting(1);
        let probe = Probe::new();
        for _ in 0..10 {
            pool.submit(batch.adopt(probe.job(|| {}))).unwrap();
        }
        batch.cancel();
        gate.open();
        let report = batch.wait(Some(contend_tests::PATIENCE));
        assert_eq!(report.jobs, 11, "{}", case.name);
        assert_eq!(
            report.finished, 1,
            "{}: the running job finished",
            case.name
        );
        assert_eq!(report.cancelled, 10, "{}", case.name);
        assert_eq!(report.pending, 0, "{}", case.name);
        assert_eq!(probe.ran(), 0, "{}: no cancelled job started", case.name);
        pool.shutdown(ShutdownMode::DRAIN);
        assert_eq!(pool.stats().cancelled, 10, "{}", case.name);
        assert_eq!(pool.stats().unaccounted(), 0, "{}", case.name);
    }
}

#[test]
fn a_running_job_can_observe_the_batch_token_and_stop_early() {
    for case in thread_strategies()
        .into_iter()
        .filter(|case| !case.runs_on_caller)
    {
        let pool = case.build(PoolConfig::new(2));
        let batch = Batch::new();
        let token = batch.token().clone();
        let started = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&started);
        batch
            .submit(&pool, move || {
                flag.store(true, Ordering::SeqCst);
                while !token.is_cancelled() {
                    std::thread::yield_now();
                }
            })
            .unwrap();
        contend_tests::eventually("the job started", || started.load(Ordering::SeqCst));
        batch.cancel();
        let report = batch.wait(Some(contend_tests::PATIENCE));
        assert_eq!(report.finished, 1, "{}", case.name);
        assert!(report.is_settled(), "{}", case.name);
        pool.shutdown(ShutdownMode::DRAIN);
    }
}

#[test]
fn batch_wait_reports_jobs_still_pending_at_its_deadline() {
    for case in thread_strategies()
        .into_iter()
        .filter(|case| !case.runs_on_caller)
    {
        let pool = case.build(PoolConfig::new(2).queue_capacity(8));
        let gate = Gate::new();
        let batch = Batch::new();
        for _ in 0..2 {
            let gate = gate.clone();
            batch.submit(&pool, move || gate.pass()).unwrap();
        }
        gate.await_waiting(2);
        let early = batch.wait(Some(Duration::from_millis(5)));
        assert_eq!(early.pending, 2, "{}", case.name);
        assert_eq!(early.finished, 0, "{}", case.name);
        assert!(!early.is_settled(), "{}", case.name);
        gate.open();
        let late = batch.wait(None);
        assert_eq!(late.finished, 2, "{}", case.name);
        assert!(late.is_settled(), "{}", case.name);
        pool.shutdown(ShutdownMode::DRAIN);
    }
}

#[test]
fn wait_then_cancel_stops_what_has_not_started_by_the_deadline() {
    for case in thread_strategies().into_iter().filter(|case| case.queues) {
        let pool = case.build(PoolConfig::new(1).queue_capacity(8));
        let gate = Gate::new();
        let holder = gate.clone();
        let batch = Batch::new();
        batch.submit(&pool, move || holder.pass()).unwrap();
        gate.await_waiting(1);
        for _ in 0..5 {
            batch.submit(&pool, || {}).unwrap();
        }
        let at_deadline = batch.wait_then_cancel(Duration::from_millis(5));
        assert_eq!(at_deadline.pending, 6, "{}", case.name);
        gate.open();
        let settled = batch.wait(None);
        assert_eq!(
            (settled.finished, settled.cancelled),
            (1, 5),
            "{}",
            case.name
        );
        pool.shutdown(ShutdownMode::DRAIN);
    }
}

#[test]
fn batch_reports_panicked_and_dropped_jobs() {
    std::panic::set_hook(Box::new(|_| {}));
    for case in thread_strategies().into_iter().filter(|case| case.queues) {
        let pool = case.build(
            PoolConfig::new(1)
                .queue_capacity(1)
                .policy(OverloadPolicy::Discard),
        );
        let gate = Gate::new();
        let holder = gate.clone();
        let batch = Batch::new();
        batch.submit(&pool, move || holder.pass()).unwrap();
        gate.await_waiting(1);
        batch.submit(&pool, || panic!("fails")).unwrap(); // queued
        batch.submit(&pool, || {}).unwrap(); // discarded: queue full
        let rejected_then_dropped = batch.job(|| {});
        drop(rejected_then_dropped);
        gate.open();
        let report = batch.wait(Some(contend_tests::PATIENCE));
        assert_eq!(report.jobs, 4, "{}", case.name);
        assert_eq!(report.finished, 1, "{}", case.name);
        assert_eq!(report.panicked, 1, "{}", case.name);
        assert_eq!(report.dropped, 2, "{}", case.name);
        assert!(report.is_settled(), "{}", case.name);
        pool.shutdown(ShutdownMode::DRAIN);
    }
}

#[test]
fn a_handed_back_job_run_by_the_caller_reports_to_its_batch() {
    let batch = Batch::new();
    let job: Job = batch.job(|| {});
    job.run();
    assert_eq!(batch.wait(None).finished, 1);
}
