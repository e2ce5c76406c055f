//! Each overload policy, on every strategy that supports it: what submit
//! does once the bound is reached.
#![cfg(not(any(loom, feature = "shuttle")))]

use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use contend_strategies::pool::{
    Admission, ConfigError, Elastic, Executor, OverloadPolicy, PoolConfig, RejectReason,
    ShutdownMode,
};
use contend_tests::{eventually, thread_strategies, Gate, Probe, StrategyCase};

/// Strategies whose bound a policy applies to.
fn policy_strategies() -> Vec<StrategyCase> {
    thread_strategies()
        .into_iter()
        .filter(|case| case.bounded && !case.runs_on_caller)
        .collect()
}

/// A pool with one worker held at a gate and, if it queues, a queue of one
/// filled: the next submit meets the bound.
struct Saturated {
    pool: Arc<Box<dyn Executor>>,
    gate: Gate,
    probe: Probe,
}

impl Saturated {
    fn new(case: &StrategyCase, policy: OverloadPolicy) -> Self {
        let pool = Arc::new(case.build(PoolConfig::new(1).queue_capacity(1).policy(policy)));
        let gate = Gate::new();
        let probe = Probe::new();
        let holder = gate.clone();
        pool.submit(probe.job(move || holder.pass())).unwrap();
        gate.await_waiting(1);
        if case.queues {
            assert_eq!(pool.submit(probe.job(|| {})).unwrap(), Admission::Accepted);
        }
        Self { pool, gate, probe }
    }

    fn finish(self) -> contend_strategies::pool::PoolStats {
        self.gate.open();
        self.pool.shutdown(ShutdownMode::DRAIN);
        let stats = self.pool.stats();
        assert_eq!(stats.unaccounted(), 0, "{stats:?}");
        assert_eq!(self.probe.ran_twice(), 0);
        stats
    }
}

#[test]
fn fail_fast_rejects_as_full_and_returns_the_job() {
    for case in policy_strategies() {
        let saturated = Saturated::new(&case, OverloadPolicy::FailFast);
        let probe = Probe::new();
        let rejected = saturated.pool.submit(probe.job(|| {})).unwrap_err();
        assert_eq!(rejected.reason(), RejectReason::Full, "{}", case.name);
        rejected.into_job().run();
        assert_eq!(probe.ran(), 1, "{}: the job came back intact", case.name);
        let stats = saturated.finish();
        assert_eq!(stats.rejected.full, 1, "{}", case.name);
    }
}

#[test]
fn block_timeout_rejects_as_timed_out_when_no_room_comes() {
    for case in policy_strategies() {
        let policy = OverloadPolicy::BlockTimeout(Duration::from_millis(5));
        let saturated = Saturated::new(&case, policy);
        let probe = Probe::new();
        let rejected = saturated.pool.submit(probe.job(|| {})).unwrap_err();
        assert_eq!(rejected.reason(), RejectReason::TimedOut, "{}", case.name);
        let stats = saturated.finish();
        assert_eq!(stats.rejected.timed_out, 1, "{}", case.name);
        assert_eq!(probe.ran(), 0, "{}", case.name);
    }
}

#[test]
fn block_timeout_accepts_when_room_comes_in_time() {
    for case in policy_strategies() {
        let policy = OverloadPolicy::BlockTimeout(contend_tests::PATIENCE);
        let saturated = Saturated::new(&case, policy);
        let probe = Probe::new();
        let submitter = {
            let (pool, job) = (Arc::clone(&saturated.pool), probe.job(|| {}));
            thread::spawn(move || pool.submit(job).map_err(|rejected| rejected.reason()))
        };
        saturated.gate.open();
        assert_eq!(
            submitter.join().unwrap(),
            Ok(Admission::Accepted),
            "{}",
            case.name
        );
        saturated.finish();
        assert_eq!(probe.ran(), 1, "{}", case.name);
    }
}

#[test]
fn block_waits_for_room_then_accepts() {
    for case in policy_strategies() {
        let saturated = Saturated::new(&case, OverloadPolicy::Block);
        let probe = Probe::new();
        let submitter = {
            let (pool, job) = (Arc::clone(&saturated.pool), probe.job(|| {}));
            thread::spawn(move || pool.submit(job).map_err(|rejected| rejected.reason()))
        };
        saturated.gate.open();
        assert_eq!(
            submitter.join().unwrap(),
            Ok(Admission::Accepted),
            "{}",
            case.name
        );
        let stats = saturated.finish();
        assert_eq!(probe.ran(), 1, "{}", case.name);
        assert_eq!(stats.rejected.total(), 0, "{}", case.name);
    }
}

#[test]
fn a_blocked_submitter_is_released_as_closed_by_a_shutdown() {
    for case in policy_strategies() {
        let saturated = Saturated::new(&case, OverloadPolicy::Block);
        let probe = Probe::new();
        let submitter = {
            let (pool, job) = (Arc::clone(&saturated.pool), probe.job(|| {}));
            thread::spawn(move || pool.submit(job))
        };
        let aborting = {
            let pool = Arc::clone(&saturated.pool);
            thread::spawn(move || pool.shutdown(ShutdownMode::Abort))
        };
        // The pool is full until the gate opens, so the blocked submit can
        // only end by the shutdown closing the pool.
        let rejected = submitter.join().unwrap().unwrap_err();
        assert_eq!(rejected.reason(), RejectReason::Closed, "{}", case.name);
        saturated.gate.open();
        aborting.join().unwrap();
        rejected.into_job().run();
        assert_eq!(probe.ran(), 1, "{}: the job came back intact", case.name);
        saturated.finish();
    }
}

#[test]
fn discard_drops_the_new_job_and_counts_it() {
    for case in policy_strategies() {
        let saturated = Saturated::new(&case, OverloadPolicy::Discard);
        let probe = Probe::new();
        let admission = saturated.pool.submit(probe.job(|| {})).unwrap();
        assert_eq!(admission, Admission::Discarded, "{}", case.name);
        let stats = saturated.finish();
        assert_eq!(stats.discarded, 1, "{}", case.name);
        assert_eq!(probe.ran(), 0, "{}: a discarded job never runs", case.name);
    }
}

#[test]
fn discard_oldest_drops_the_oldest_queued_job_for_the_new_one() {
    for case in policy_strategies().into_iter().filter(|case| case.queues) {
        let saturated = Saturated::new(&case, OverloadPolicy::DiscardOldest);
        let newest = Probe::new();
        let admission = saturated.pool.submit(newest.job(|| {})).unwrap();
        assert_eq!(
            admission,
            Admission::AcceptedDroppingOldest,
            "{}",
            case.name
        );
        let queued_filler_and_holder = 2;
        let stats = {
            let probe = saturated.probe.clone();
            let stats = saturated.finish();
            assert_eq!(
                probe.ran(),
                queued_filler_and_holder - 1,
                "{}: the oldest was dropped",
                case.name
            );
            stats
        };
        assert_eq!(newest.ran(), 1, "{}: the newest ran", case.name);
        assert_eq!(stats.discarded, 1, "{}", case.name);
    }
}

#[test]
fn discard_oldest_is_refused_by_strategies_without_a_queue() {
    for case in policy_strategies().into_iter().filter(|case| !case.queues) {
        let config = PoolConfig::new(1).policy(OverloadPolicy::DiscardOldest);
        let Err(error) = contend_strategies::pool::build(case.name, config) else {
            panic!("{}: accepted a policy it cannot honour", case.name);
        };
        assert!(
            matches!(
                error,
                ConfigError::UnsupportedPolicy {
                    policy: "discard-oldest",
                    ..
                }
            ),
            "{}: {error}",
            case.name
        );
        assert!(error.to_string().contains("allowed: block"), "{error}");
    }
}

#[test]
fn caller_runs_runs_the_job_on_the_submitters_thread() {
    for case in policy_strategies() {
        let saturated = Saturated::new(&case, OverloadPolicy::CallerRuns);
        let ran_on = Arc::new(Mutex::new(None));
        let record = Arc::clone(&ran_on);
        let admission = saturated
            .pool
            .submit(saturated.probe.job(move || {
                *record.lock().unwrap() = Some(thread::current().id());
            }))
            .unwrap();
        assert_eq!(admission, Admission::RanOnCaller, "{}", case.name);
        assert_eq!(
            *ran_on.lock().unwrap(),
            Some(thread::current().id()),
            "{}",
            case.name
        );
        saturated.finish();
    }
}

#[test]
fn elastic_rejects_as_full_beyond_its_cap_on_blocked_submitters() {
    let config = PoolConfig::new(1)
        .queue_capacity(0)
        .max_blocked_submitters(1);
    let pool = Arc::new(Elastic::new(config).unwrap());
    let gate = Gate::new();
    let holder = gate.clone();
    pool.execute(move || holder.pass()).unwrap();
    gate.await_waiting(1);
    let blocked = {
        let pool = Arc::clone(&pool);
        thread::spawn(move || pool.execute(|| {}).map_err(|rejected| rejected.reason()))
    };
    eventually("one submitter blocked", || pool.blocked_submitters() == 1);
    let rejected = pool.execute(|| {}).unwrap_err();
    assert_eq!(rejected.reason(), RejectReason::Full);
    gate.open();
    assert_eq!(blocked.join().unwrap(), Ok(Admission::Accepted));
    assert_eq!(pool.shutdown(ShutdownMode::DRAIN).completed, 2);
}

/// A submitter blocked on a full queue is woken once the workers have
/// taken the queue down to its low-water mark (half of it), while they are
/// still busy: not only once a worker goes idle. (`elastic`'s busy workers
/// take queued jobs without the pool's lock; they must wake it too.)
#[test]
fn a_blocked_submitter_resumes_while_the_workers_are_still_busy() {
    for case in policy_strategies().into_iter().filter(|case| case.queues) {
        let pool = Arc::new(case.build(PoolConfig::new(1).queue_capacity(2)));
        let (first, second, probe) = (Gate::new(), Gate::new(), Probe::new());
        first.hold(&**pool, &probe, 1);
        let held = second.clone();
        pool.submit(probe.job(move || held.pass())).unwrap();
        pool.submit(probe.job(|| {})).unwrap();
        let submitter = {
            let (pool, probe) = (Arc::clone(&pool), probe.clone());
            thread::spawn(move || pool.submit(probe.job(|| {})).is_ok())
        };
        eventually("the fourth submit started", || pool.stats().submitted == 4);
        // Let it reach its wait (were it not blocked yet, it would find
        // room and pass regardless).
        thread::sleep(Duration::from_millis(20));
        first.open();
        second.await_waiting(1);
        eventually(
            &format!("{}: the blocked submitter resumed", case.name),
            || submitter.is_finished(),
        );
        assert!(submitter.join().unwrap(), "{}: accepted", case.name);
        assert_eq!(
            second.waiting(),
            1,
            "{}: the second job is still held",
            case.name
        );
        second.open();
        pool.shutdown(ShutdownMode::DRAIN);
        assert_eq!(probe.ran(), 4, "{}", case.name);
    }
}

/// `fixed`, `dispatcher` and `elastic` allocate their queue's slots up
/// front: a capacity beyond the limit is refused with the limit, not
/// attempted (an allocation of that size would abort the process).
#[test]
fn a_queue_too_large_to_allocate_is_refused_with_the_limit() {
    use contend_strategies::pool::MAX_ALLOCATED_QUEUE;
    for name in ["fixed", "dispatcher", "elastic"] {
        let config = PoolConfig::new(1).queue_capacity(MAX_ALLOCATED_QUEUE + 1);
        let Err(error) = contend_strategies::pool::build(name, config) else {
            panic!("{name}: accepted a queue it cannot allocate");
        };
        assert_eq!(
            error,
            ConfigError::QueueTooLarge {
                strategy: name,
                max: MAX_ALLOCATED_QUEUE
            }
        );
        assert!(error.to_string().contains("at most 16777216"), "{error}");
    }
}
