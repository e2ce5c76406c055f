//! A worked example: checking an executor defined outside
//! `contend-strategies` with the same proptest state machine and the same
//! pool suites as the built-in strategies, in one call each.
//! (`loom_own_executor.rs` runs the loom models on it.)
#![cfg(not(any(loom, feature = "shuttle")))]

mod common;
#[path = "common/never_runs.rs"]
mod never_runs;

use std::time::Duration;

use common::single_worker::SingleWorker;
use contend_strategies::pool::{Executor, OverloadPolicy, PoolConfig};
use contend_tests::pool_suites::{self, Outcome};
use contend_tests::watchdog::panic_message;
use contend_tests::{pool_machine, PoolSubject, StrategyCase};

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

/// `SingleWorker` for the pool suites. Its queue has no bound, so no
/// submit ever meets one: in the suites' terms it is not `bounded` (the
/// policy checks, which need a submit to meet the bound, do not apply),
/// and it does not `queue` in the sense of a queue that fills. It runs
/// one job at a time, so it refuses a configuration asking for more
/// workers (a check needing N jobs at once asks for N), any policy but
/// `Block` (it has none), and a panic handler (it never calls one).
fn single_worker_subject() -> PoolSubject {
    let promises = StrategyCase {
        bounded: false,
        ..promises()
    };
    PoolSubject::refusing(promises, |config: PoolConfig| {
        let honoured = config.workers == 1
            && config.policy == OverloadPolicy::Block
            && config.panic_handler.is_none();
        honoured.then(|| Box::new(SingleWorker::new()) as Box<dyn Executor>)
    })
}

/// `SpawnEach` for the pool suites: no bound; its runtime has two threads
/// and each job holds one while it runs, so it refuses more than two
/// workers, a policy (it has none) and a panic handler (never called).
fn spawn_each_subject() -> PoolSubject {
    use common::spawn_each::SpawnEach;
    let promises = StrategyCase {
        name: "spawn-each",
        bounded: false,
        ..promises()
    };
    PoolSubject::refusing(promises, |config: PoolConfig| {
        let honoured = config.workers <= 2
            && config.policy == OverloadPolicy::Block
            && config.panic_handler.is_none();
        honoured.then(|| Box::new(SpawnEach::new()) as Box<dyn Executor>)
    })
}

#[test]
fn a_user_executor_passes_every_pool_suite() {
    let report = pool_suites::check_all(&single_worker_subject());
    assert!(report.failed().is_empty(), "{report}");
    assert!(
        report.passed().len() >= 8,
        "too little was checked: {report}"
    );
}

#[test]
fn a_user_async_executor_passes_every_pool_suite() {
    let report = pool_suites::check_all(&spawn_each_subject());
    assert!(report.failed().is_empty(), "{report}");
    assert!(
        report.passed().len() >= 8,
        "too little was checked: {report}"
    );
}

#[test]
fn an_executor_that_never_runs_its_jobs_fails_naming_the_state_it_hung_in() {
    use never_runs::NeverRuns;
    let promises = StrategyCase {
        name: "never-runs",
        bounded: false,
        ..promises()
    };
    let subject = PoolSubject::new(promises, |_| {
        Box::new(NeverRuns::default()) as Box<dyn Executor>
    })
    .watchdog(Duration::from_secs(2));
    let failure = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pool_suites::check_all(&subject)
    }))
    .expect_err("a hung executor fails the suites");
    let message = panic_message(failure.as_ref());
    assert!(message.starts_with("never-runs: "), "{message}");
    assert!(message.contains("pool checks FAILED"), "{message}");
    assert!(
        message.contains(
            "lifecycle: shutdown_drain_runs_every_accepted_job: hung for 2s (the watchdog's limit) at: shutdown(Drain): waiting for the 1000 accepted jobs to run; PoolStats {"
        ),
        "{message}"
    );
    assert!(
        message.contains("queued: 1000"),
        "the stats are in the message: {message}"
    );
    // Every check ran, not only up to the first failure: the last suite's
    // hang is reported too.
    assert!(
        message.contains("edges: a_drain_deadline_or_a_batch_wait_of_duration_max_means_no_deadline: hung for 2s"),
        "{message}"
    );
}

#[test]
fn a_refused_configuration_skips_the_check_and_never_passes_it() {
    let promises = StrategyCase {
        name: "refuses-everything",
        bounded: true,
        queues: true,
        ..promises()
    };
    let subject = PoolSubject::refusing(promises, |_| None);
    let report = pool_suites::check_all(&subject);
    assert!(report.passed().is_empty(), "{report}");
    assert!(report.failed().is_empty(), "{report}");
    let skipped = report.skipped();
    assert!(!skipped.is_empty(), "{report}");
    assert_eq!(
        skipped.len() + report.not_applicable().len(),
        report.checks.len(),
        "{report}"
    );
    for check in skipped {
        let Outcome::Skipped(why) = &check.outcome else {
            unreachable!()
        };
        assert!(why.starts_with("refused PoolConfig {"), "{why}");
    }
    // It promises a bound that submit meets, so the policy checks apply
    // (and are skipped), and the caller-runs ones do not.
    let fail_fast = report
        .checks
        .iter()
        .find(|check| check.check == "fail_fast_rejects_as_full_and_returns_the_job")
        .unwrap();
    assert!(
        matches!(&fail_fast.outcome, Outcome::Skipped(why) if why.contains("policy: FailFast")),
        "{report}"
    );
}
