//! A worked example: checking an executor defined outside
//! `contend-strategies` with the same proptest state machine and the same
//! pool suites as the built-in strategies, in one call each.
//! (`loom_own_executor.rs` runs the loom models on it.)
#![cfg(not(any(loom, feature = "shuttle")))]

mod common;
#[path = "common/never_runs.rs"]
mod never_runs;

use std::time::Duration;

use common::single_worker;
use contend_strategies::pool::Executor;
use contend_tests::pool_suites::{self, Outcome};
use contend_tests::watchdog::panic_message;
use contend_tests::{pool_machine, PoolSubject, StrategyCase};

/// One subject per worked example (in `common/`; the async one,
/// `TaskPool`, lives in `examples/own-executor`), the same for every
/// checker: this machine and these suites, and the loom and shuttle
/// models (`loom_own_executor.rs`, `shuttle_own_executor.rs`).
#[test]
fn a_user_executor_passes_the_pool_state_machine() {
    let cases = pool_machine::check(&single_worker::subject());
    assert!(cases > 0);
}

#[test]
fn a_user_executor_passes_every_pool_suite() {
    let report = pool_suites::check_all(&single_worker::subject());
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
        overload: false,
        queues: false,
        runs_on_caller: false,
        resizable: false,
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
        overload: true,
        queues: true,
        runs_on_caller: false,
        resizable: false,
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
