//! The elastic pool's own promises: idle workers expire and come back on
//! demand, and the capacity can be resized while jobs run.
#![cfg(not(any(loom, feature = "shuttle")))]

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use contend_strategies::pool::{
    ConfigError, Elastic, Executor, OverloadPolicy, PoolConfig, RejectReason, ShutdownMode,
};
use contend_tests::{eventually, Gate, Probe};

/// An elastic pool without a queue (ants' direct hand-off), so that a
/// submit beyond the capacity blocks.
fn elastic(capacity: usize, idle: Duration) -> Arc<Elastic> {
    let config = PoolConfig::new(capacity)
        .queue_capacity(0)
        .idle_timeout(idle);
    Arc::new(Elastic::new(config).unwrap())
}

/// Holds `jobs` jobs at `gate`, submitted from another thread (the
/// submitter may block at the capacity).
fn hold(pool: &Arc<Elastic>, probe: &Probe, gate: &Gate, jobs: usize) -> thread::JoinHandle<()> {
    let (pool, probe, gate) = (Arc::clone(pool), probe.clone(), gate.clone());
    thread::spawn(move || {
        for _ in 0..jobs {
            let gate = gate.clone();
            pool.submit(probe.job(move || gate.pass())).unwrap();
        }
    })
}

#[test]
fn elastic_starts_no_worker_until_a_job_comes() {
    let pool = elastic(8, Duration::from_secs(60));
    assert_eq!(pool.live_workers(), 0);
    pool.execute(|| {}).unwrap();
    assert!(pool.live_workers() >= 1);
    pool.shutdown(ShutdownMode::DRAIN);
    assert_eq!(pool.live_workers(), 0);
}

#[test]
fn elastic_workers_expire_after_the_idle_period_and_come_back_on_demand() {
    let pool = elastic(4, Duration::from_millis(20));
    let (gate, probe) = (Gate::new(), Probe::new());
    hold(&pool, &probe, &gate, 4).join().unwrap();
    gate.await_waiting(4);
    assert_eq!(pool.live_workers(), 4);
    gate.open();
    eventually("idle workers expired", || pool.live_workers() == 0);
    assert_eq!(pool.stats().idle, 0);
    // On demand again, up to the full capacity.
    let gate = Gate::new();
    hold(&pool, &probe, &gate, 4).join().unwrap();
    gate.await_waiting(4);
    assert_eq!(pool.live_workers(), 4);
    gate.open();
    pool.shutdown(ShutdownMode::DRAIN);
    assert_eq!(probe.ran(), 8);
}

/// With a queue, jobs beyond the capacity wait in it instead of blocking
/// the submitter, no more workers start than the capacity, and each worker
/// takes the next queued job when it finishes one.
#[test]
fn with_a_queue_busy_workers_take_queued_jobs_without_more_workers() {
    let config = PoolConfig::new(2)
        .queue_capacity(3)
        .policy(OverloadPolicy::FailFast)
        .idle_timeout(Duration::from_secs(60));
    let pool = Elastic::new(config).unwrap();
    let (probe, gate) = (Probe::new(), Gate::new());
    for _ in 0..5 {
        let gate = gate.clone();
        pool.submit(probe.job(move || gate.pass())).unwrap();
    }
    gate.await_waiting(2);
    assert_eq!(pool.live_workers(), 2);
    assert_eq!(pool.stats().queued, 3);
    let refused = pool.submit(probe.job(|| {})).unwrap_err();
    assert_eq!(refused.reason(), RejectReason::Full, "queue full");
    gate.open();
    let report = pool.shutdown(ShutdownMode::DRAIN);
    assert_eq!((report.completed, probe.ran()), (5, 5));
    assert!(probe.peak() <= 2, "{} ran at once", probe.peak());
}

#[test]
fn idle_workers_are_reused_before_new_ones_start() {
    let pool = elastic(4, Duration::from_secs(60));
    for _ in 0..100 {
        pool.execute(|| {}).unwrap();
        eventually("the worker went idle", || pool.stats().idle == 1);
    }
    assert_eq!(
        pool.live_workers(),
        1,
        "one reused worker did all the sequential work"
    );
    pool.shutdown(ShutdownMode::DRAIN);
}

#[test]
fn resizing_up_under_load_lets_blocked_submitters_start_workers() {
    let pool = elastic(2, Duration::from_secs(60));
    let (gate, probe) = (Gate::new(), Probe::new());
    let submitter = hold(&pool, &probe, &gate, 6);
    gate.await_waiting(2);
    eventually("a submitter blocked at capacity", || {
        pool.blocked_submitters() == 1
    });
    assert_eq!(probe.running(), 2);
    pool.resize(6).unwrap();
    submitter.join().unwrap();
    gate.await_waiting(6);
    assert_eq!(probe.running(), 6);
    gate.open();
    pool.shutdown(ShutdownMode::DRAIN);
    assert_eq!(probe.peak(), 6);
}

#[test]
fn resizing_down_under_load_retires_workers_as_their_jobs_end() {
    let pool = elastic(6, Duration::from_secs(60));
    let (gate, probe) = (Gate::new(), Probe::new());
    hold(&pool, &probe, &gate, 6).join().unwrap();
    gate.await_waiting(6);
    pool.resize(2).unwrap();
    assert_eq!(pool.capacity(), 2);
    gate.open();
    eventually("busy workers retired down to the new capacity", || {
        pool.live_workers() <= 2
    });
    // The new bound holds for the next load.
    let probe = Probe::new();
    let gate = Gate::new();
    let submitter = hold(&pool, &probe, &gate, 6);
    gate.await_waiting(2);
    eventually("a submitter blocked at the new capacity", || {
        pool.blocked_submitters() == 1
    });
    assert_eq!(probe.running(), 2);
    gate.open();
    submitter.join().unwrap();
    pool.shutdown(ShutdownMode::DRAIN);
    assert_eq!(probe.peak(), 2);
    assert_eq!(probe.ran(), 6);
}

#[test]
fn resizing_down_retires_idle_workers_at_once() {
    let pool = elastic(4, Duration::from_secs(60));
    let (gate, probe) = (Gate::new(), Probe::new());
    hold(&pool, &probe, &gate, 4).join().unwrap();
    gate.await_waiting(4);
    gate.open();
    eventually("every worker idle", || pool.stats().idle == 4);
    pool.resize(1).unwrap();
    eventually("idle workers retired", || {
        pool.live_workers() == 1 && pool.stats().idle == 1
    });
    pool.shutdown(ShutdownMode::DRAIN);
}

#[test]
fn resizing_to_zero_is_refused() {
    let pool = elastic(2, Duration::from_secs(1));
    assert_eq!(
        pool.resize(0),
        Err(ConfigError::ZeroWorkers {
            strategy: "elastic"
        })
    );
}

#[test]
fn strategies_that_cannot_resize_say_so() {
    let pool = contend_strategies::pool::Fixed::new(PoolConfig::new(2)).unwrap();
    let error = pool.resize(4).unwrap_err();
    assert_eq!(error, ConfigError::ResizeUnsupported { strategy: "fixed" });
    pool.shutdown(ShutdownMode::DRAIN);
}
