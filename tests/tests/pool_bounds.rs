//! The concurrency bound is never exceeded, measured by a counter inside
//! the jobs, and the executors reach it (so the bound is not met by
//! accident of a slow submitter).
#![cfg(not(any(loom, feature = "shuttle")))]

use std::sync::Arc;
use std::thread;

use contend_strategies::pool::{Executor, PoolConfig, ShutdownMode};
use contend_tests::{all_strategies, thread_strategies, Gate, Probe};

const WORKERS: usize = 4;

#[test]
fn the_concurrency_bound_is_never_exceeded_under_load_from_several_submitters() {
    for case in all_strategies()
        .into_iter()
        .filter(|case| case.bounded && !case.runs_on_caller)
    {
        let pool = Arc::new(case.build(PoolConfig::new(WORKERS).queue_capacity(8)));
        let probe = Probe::new();
        submit_from_four_threads(&pool, &probe, 250);
        let report = pool.shutdown(ShutdownMode::DRAIN);
        assert_eq!(report.completed, 1_000, "{}", case.name);
        assert!(
            probe.peak() <= WORKERS,
            "{}: {} jobs ran at once",
            case.name,
            probe.peak()
        );
        assert!(
            pool.stats().peak_concurrency <= WORKERS,
            "{}: stats say {}",
            case.name,
            pool.stats().peak_concurrency
        );
    }
}

#[test]
fn bounded_executors_run_exactly_their_bound_at_once_when_jobs_wait() {
    for case in thread_strategies()
        .into_iter()
        .filter(|case| case.bounded && !case.runs_on_caller)
    {
        let pool = Arc::new(case.build(PoolConfig::new(WORKERS).queue_capacity(64)));
        let gate = Gate::new();
        let probe = Probe::new();
        // More jobs than the bound; the submitter may block (policy Block),
        // so it runs on its own thread.
        let submitter = {
            let pool = Arc::clone(&pool);
            let probe = probe.clone();
            let gate = gate.clone();
            thread::spawn(move || {
                for _ in 0..WORKERS * 3 {
                    let gate = gate.clone();
                    pool.submit(probe.job(move || gate.pass())).unwrap();
                }
            })
        };
        gate.await_waiting(WORKERS);
        assert_eq!(probe.running(), WORKERS, "{}", case.name);
        assert_eq!(pool.stats().running, WORKERS, "{}", case.name);
        gate.open();
        submitter.join().unwrap();
        pool.shutdown(ShutdownMode::DRAIN);
        assert_eq!(probe.peak(), WORKERS, "{}", case.name);
        assert_eq!(probe.ran(), WORKERS * 3, "{}", case.name);
    }
}

#[test]
fn serial_runs_one_job_at_a_time_even_with_several_submitters() {
    let case = thread_strategies()
        .into_iter()
        .find(|case| case.name == "serial")
        .unwrap();
    let pool = Arc::new(case.build(PoolConfig::new(1)));
    let probe = Probe::new();
    submit_from_four_threads(&pool, &probe, 200);
    assert_eq!(probe.ran(), 800);
    assert_eq!(probe.peak(), 1);
}

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

/// Submits `each` yielding jobs from each of four threads at once, and
/// waits for the submitters.
fn submit_from_four_threads(pool: &Arc<Box<dyn Executor>>, probe: &Probe, each: usize) {
    let submitters: Vec<_> = (0..4)
        .map(|_| {
            let pool = Arc::clone(pool);
            let probe = probe.clone();
            thread::spawn(move || {
                for _ in 0..each {
                    pool.submit(probe.job(thread::yield_now)).unwrap();
                }
            })
        })
        .collect();
    for submitter in submitters {
        submitter.join().unwrap();
    }
}
