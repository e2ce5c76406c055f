//! Shutdown and the books: drain runs every accepted job, abort hands back
//! every unstarted one, submit after shutdown is a clean rejection, and
//! concurrent shutdowns agree. Tests that hold jobs at a blocking gate run
//! on the thread strategies (a blocked tokio worker can starve a task
//! parked in its LIFO slot; `pool_tokio.rs` holds tokio jobs at an async
//! gate instead); the others run on every strategy.
#![cfg(not(any(loom, feature = "shuttle")))]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use contend_strategies::pool::{Executor, Job, PoolConfig, RejectReason, ShutdownMode};
use contend_tests::{all_strategies, await_closed, eventually, thread_strategies, Gate, Probe};

const JOBS: usize = 1_000;

#[test]
fn shutdown_drain_runs_every_accepted_job() {
    for case in all_strategies() {
        let pool = case.build(PoolConfig::new(4).queue_capacity(16));
        let probe = Probe::new();
        for _ in 0..JOBS {
            pool.submit(probe.job(|| {})).expect("block policy accepts");
        }
        let report = pool.shutdown(ShutdownMode::DRAIN);
        assert_eq!(report.completed, JOBS, "{}", case.name);
        assert!(report.handed_back.is_empty(), "{}", case.name);
        assert_eq!(report.still_running, 0, "{}", case.name);
        assert_eq!(probe.ran(), JOBS, "{}: every job ran", case.name);
        assert_eq!(probe.ran_twice(), 0, "{}: no job ran twice", case.name);
        let stats = pool.stats();
        assert_eq!(stats.unaccounted(), 0, "{}: {stats:?}", case.name);
        assert_eq!(stats.running, 0, "{}", case.name);
    }
}

#[test]
fn shutdown_abort_hands_back_every_unstarted_job() {
    for case in thread_strategies().into_iter().filter(|case| case.queues) {
        let pool = Arc::new(case.build(PoolConfig::new(2).queue_capacity(100)));
        let gate = Gate::new();
        let probe = Probe::new();
        gate.hold(&*pool, &probe, 2);
        for _ in 0..50 {
            pool.submit(probe.job(|| {})).unwrap();
        }
        let aborting = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || pool.shutdown(ShutdownMode::Abort))
        };
        // Once a submit is refused the abort has taken the queue.
        let extra = await_closed(&**pool, &probe);
        gate.open();
        let report = aborting.join().unwrap();
        assert_eq!(report.handed_back.len(), 50 + extra, "{}", case.name);
        assert_eq!(report.completed, 2, "{}", case.name);
        assert_eq!(report.still_running, 0, "{}", case.name);
        assert_eq!(probe.ran(), 2, "{}: no handed-back job ran", case.name);
        for job in report.handed_back {
            job.run();
        }
        assert_eq!(
            probe.ran(),
            52 + extra,
            "{}: handed-back jobs are intact",
            case.name
        );
        assert_eq!(probe.ran_twice(), 0, "{}", case.name);
        assert_eq!(pool.stats().unaccounted(), 0, "{}", case.name);
    }
}

#[test]
fn shutdown_abort_waits_for_running_jobs_and_joins_every_worker() {
    for case in thread_strategies()
        .into_iter()
        .filter(|case| !case.runs_on_caller)
    {
        let pool = Arc::new(case.build(PoolConfig::new(3)));
        let gate = Gate::new();
        let probe = Probe::new();
        gate.hold(&*pool, &probe, 3);
        let aborting = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || pool.shutdown(ShutdownMode::Abort))
        };
        let extra = await_closed(&**pool, &probe);
        assert_eq!(
            probe.running(),
            3,
            "{}: abort does not stop running jobs",
            case.name
        );
        gate.open();
        let report = aborting.join().unwrap();
        assert_eq!(
            report.completed + report.handed_back.len(),
            3 + extra,
            "{}",
            case.name
        );
        assert_eq!(report.still_running, 0, "{}", case.name);
        assert_eq!(pool.stats().running, 0, "{}", case.name);
    }
}

#[test]
fn drain_with_a_deadline_hands_back_the_queue_and_reports_busy_workers() {
    for case in thread_strategies().into_iter().filter(|case| case.queues) {
        let pool = case.build(PoolConfig::new(2).queue_capacity(100));
        let gate = Gate::new();
        let probe = Probe::new();
        gate.hold(&*pool, &probe, 2);
        for _ in 0..10 {
            pool.submit(probe.job(|| {})).unwrap();
        }
        let report = pool.shutdown(ShutdownMode::Drain {
            deadline: Some(Duration::from_millis(20)),
        });
        assert_eq!(report.still_running, 2, "{}", case.name);
        assert_eq!(report.handed_back.len(), 10, "{}", case.name);
        gate.open();
        // A second call joins the workers that were busy.
        let again = pool.shutdown(ShutdownMode::DRAIN);
        assert_eq!(again.still_running, 0, "{}", case.name);
        assert!(again.handed_back.is_empty(), "{}", case.name);
        assert_eq!(again.completed, 2, "{}", case.name);
        assert_eq!(pool.stats().unaccounted(), 0, "{}", case.name);
    }
}

#[test]
fn submit_after_shutdown_is_rejected_as_closed_with_the_job_returned() {
    for case in all_strategies() {
        let pool = case.build(PoolConfig::new(2));
        pool.shutdown(ShutdownMode::DRAIN);
        let ran = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&ran);
        let rejected = pool
            .submit(Job::new(move || {
                counter.fetch_add(1, Ordering::SeqCst);
            }))
            .expect_err("a shut-down executor refuses jobs");
        assert_eq!(rejected.reason(), RejectReason::Closed, "{}", case.name);
        assert_eq!(ran.load(Ordering::SeqCst), 0, "{}: not run", case.name);
        rejected.into_job().run();
        assert_eq!(
            ran.load(Ordering::SeqCst),
            1,
            "{}: the job came back intact",
            case.name
        );
        let stats = pool.stats();
        assert_eq!(stats.rejected.closed, 1, "{}", case.name);
        assert_eq!(stats.unaccounted(), 0, "{}", case.name);
    }
}

#[test]
fn concurrent_shutdowns_all_return_after_the_work_and_split_the_hand_back() {
    for case in thread_strategies().into_iter().filter(|case| case.queues) {
        let pool = Arc::new(case.build(PoolConfig::new(2).queue_capacity(100)));
        let gate = Gate::new();
        let probe = Probe::new();
        gate.hold(&*pool, &probe, 2);
        for _ in 0..40 {
            pool.submit(probe.job(|| {})).unwrap();
        }
        let start = Arc::new(Barrier::new(4));
        let callers: Vec<_> = (0..4)
            .map(|i| {
                let pool = Arc::clone(&pool);
                let start = Arc::clone(&start);
                let mode = if i % 2 == 0 {
                    ShutdownMode::Abort
                } else {
                    ShutdownMode::DRAIN
                };
                thread::spawn(move || {
                    start.wait();
                    pool.shutdown(mode)
                })
            })
            .collect();
        let extra = await_closed(&**pool, &probe);
        gate.open();
        let reports: Vec<_> = callers
            .into_iter()
            .map(|caller| caller.join().unwrap())
            .collect();
        let handed_back: usize = reports.iter().map(|report| report.handed_back.len()).sum();
        for report in &reports {
            assert_eq!(report.still_running, 0, "{}", case.name);
        }
        assert_eq!(
            pool.stats().running,
            0,
            "{}: every caller returned after the work",
            case.name
        );
        assert_eq!(
            probe.ran() + handed_back,
            42 + extra,
            "{}: each job ran or came back once",
            case.name
        );
        assert_eq!(probe.ran_twice(), 0, "{}", case.name);
        assert_eq!(pool.stats().unaccounted(), 0, "{}", case.name);
    }
}

#[test]
fn shutdown_is_idempotent() {
    for case in all_strategies() {
        let pool = case.build(PoolConfig::new(2));
        let probe = Probe::new();
        for _ in 0..10 {
            pool.submit(probe.job(|| {})).unwrap();
        }
        let first = pool.shutdown(ShutdownMode::DRAIN);
        let second = pool.shutdown(ShutdownMode::Abort);
        let third = pool.shutdown(ShutdownMode::DRAIN);
        for report in [first, second, third] {
            assert_eq!(report.completed, 10, "{}", case.name);
            assert!(report.handed_back.is_empty(), "{}", case.name);
        }
        assert_eq!(pool.stats().handed_back, 0, "{}", case.name);
    }
}

#[test]
fn dropping_a_pool_without_shutdown_still_runs_its_queued_jobs() {
    for case in all_strategies() {
        let pool = case.build(PoolConfig::new(2).queue_capacity(100));
        let probe = Probe::new();
        for _ in 0..100 {
            pool.submit(probe.job(|| {})).unwrap();
        }
        drop(pool);
        eventually(
            &format!("{}: dropped pool finished its jobs", case.name),
            || probe.ran() == 100,
        );
    }
}
