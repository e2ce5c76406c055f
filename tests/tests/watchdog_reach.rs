//! The watchdog reaches every step of every family's checks: an
//! executor whose `Drop` hangs fails within it, naming the drop; a hung
//! cache fails the cache machine within `.watchdog(limit)`, and the
//! machine shrinks the hang in seconds.
#![cfg(not(any(loom, feature = "shuttle")))]

use std::time::{Duration, Instant};

use contend_strategies::cache::{Cache, MutexCache, RefreshMode};
use contend_strategies::pool::{
    Admission, Executor, Fixed, Job, PoolStats, Rejected, ShutdownMode, ShutdownReport,
};
use contend_tests::cache_machine::{self, CacheSubject};
use contend_tests::pool_machine::{self, Case, JobKind, Op, Policy};
use contend_tests::pool_suites::{self, Outcome};
use contend_tests::{PoolSubject, StrategyCase};

/// `fixed`, but its `Drop` never returns: as an executor whose `Drop`
/// joins a thread stuck in a job (or a runtime's threads) would.
struct HangsOnDrop(Fixed);

impl Drop for HangsOnDrop {
    fn drop(&mut self) {
        loop {
            std::thread::park();
        }
    }
}

impl Executor for HangsOnDrop {
    fn name(&self) -> &'static str {
        "hangs-on-drop"
    }
    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        self.0.submit(job)
    }
    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        self.0.shutdown(mode)
    }
    fn stats(&self) -> PoolStats {
        self.0.stats()
    }
}

fn hangs_on_drop() -> PoolSubject {
    let promises = StrategyCase {
        name: "hangs-on-drop",
        ..StrategyCase::named("fixed")
    };
    PoolSubject::new(promises, |config| {
        Box::new(HangsOnDrop(Fixed::new(config).unwrap())) as Box<dyn Executor>
    })
    .watchdog(Duration::from_secs(1))
}

#[test]
fn an_executor_whose_drop_hangs_fails_the_machine_within_the_watchdog_naming_the_drop() {
    let case = Case {
        workers: 1,
        queue_capacity: 1,
        policy: Policy::Block,
        ops: vec![Op::Submit(JobKind::Quick)],
    };
    let failure = pool_machine::run_case(&hangs_on_drop(), &case).unwrap_err();
    assert!(failure.contains("hung for 1s"), "{failure}");
    assert!(
        failure.contains("dropping the executor (as the check ended, having reached: checking the books): its Drop did not return"),
        "{failure}"
    );
}

#[test]
fn an_executor_whose_drop_hangs_fails_a_suite_check_within_the_watchdog_naming_the_drop() {
    let check = pool_suites::SUITES
        .iter()
        .find_map(|suite| suite.get("shutdown_drain_runs_every_accepted_job"))
        .expect("the lifecycle check");
    let outcome = check.run("lifecycle", &hangs_on_drop());
    let Outcome::Failed(failure) = outcome else {
        panic!("a hanging drop passed: {outcome:?}");
    };
    assert!(
        failure.contains("hung for 1s")
            && failure.contains(
                "dropping the executor (after the check passed): its Drop did not return"
            ),
        "{failure}"
    );
}

/// A mutex cache whose refresh never returns.
#[derive(Default)]
struct HungRefresh(MutexCache<u64, u64>);

impl Cache<u64, u64> for HungRefresh {
    fn name(&self) -> &'static str {
        "hung-refresh"
    }
    fn get(&self, key: &u64) -> Option<u64> {
        self.0.get(key)
    }
    fn insert(&self, key: u64, value: u64) -> Option<u64> {
        self.0.insert(key, value)
    }
    fn remove(&self, key: &u64) -> Option<u64> {
        self.0.remove(key)
    }
    fn refresh(&self, _batch: Vec<(u64, u64)>, _mode: RefreshMode) {
        loop {
            std::thread::park();
        }
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

#[test]
fn a_hung_cache_fails_the_machine_within_its_watchdog_and_shrinks_in_seconds() {
    let started = Instant::now();
    let failure = cache_machine::explore(
        CacheSubject::new(HungRefresh::default).watchdog(Duration::from_secs(2)),
    )
    .unwrap_err();
    let took = started.elapsed();
    assert!(
        failure.contains("hung-refresh: invariant broken"),
        "{failure}"
    );
    assert!(failure.contains("hung for"), "{failure}");
    assert!(failure.contains("cache_machine::replay("), "{failure}");
    // Not a timing gate: a bound on a hang's cost, which without the short
    // limit on shrinking candidates is the watchdog's 2 s per candidate.
    println!("the hung cache failed and shrank in {took:?}");
}
