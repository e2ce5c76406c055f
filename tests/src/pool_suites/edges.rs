//! Edge cases a review found: "never" as a duration, and a panic handler
//! that panics. Each check failed (panicked, hung or unbalanced the books)
//! on some built-in before its fix.

use std::time::Duration;

use contend_strategies::pool::{Admission, Batch, Job, OverloadPolicy, PoolConfig, ShutdownMode};

use super::fixtures::{join, on_thread, AsyncGate};
use super::{workers_down_from, Check, Checked, Needs, PoolSubject, Run, Suite, SuiteReport};
use crate::EXPECTED_PANIC;

/// The edges suite.
pub const SUITE: Suite = Suite {
    name: "edges",
    checks: &[
        Check {
            name: "block_timeout_of_duration_max_waits_like_block",
            needs: Needs::ANY.overload(true).runs_on_caller(false),
            body: block_timeout_of_duration_max,
        },
        Check {
            name: "a_drain_deadline_or_a_batch_wait_of_duration_max_means_no_deadline",
            needs: Needs::ANY,
            body: duration_max_means_no_deadline,
        },
        Check {
            name: "a_panic_handler_that_panics_does_not_kill_the_worker",
            needs: Needs::ANY.runs_on_caller(false),
            body: a_panicking_panic_handler,
        },
    ],
};

/// Runs the edges suite on `subject`; panics naming every failed check.
pub fn check(subject: &PoolSubject) -> SuiteReport {
    SUITE.check(subject)
}

/// Runs the edges suite on `subject` and reports, without panicking.
pub fn report(subject: &PoolSubject) -> SuiteReport {
    SUITE.report(subject)
}

fn block_timeout_of_duration_max(run: &Run<'_>) -> Checked {
    let policy = OverloadPolicy::BlockTimeout(Duration::MAX);
    let pool = run.build(PoolConfig::new(1).queue_capacity(1).policy(policy))?;
    let gate = AsyncGate::new();
    gate.hold(run, &pool, 1);
    if run.promises().queues {
        pool.submit(Job::new(|| {}))
            .expect("a queue of one takes a job");
    }
    let submitter = on_thread(&pool, |pool| {
        pool.submit(Job::new(|| {}))
            .map_err(|rejected| rejected.reason())
    });
    gate.open();
    let answer = join(
        run,
        "the submit under BlockTimeout(MAX) to find room",
        submitter,
    );
    assert_eq!(
        answer,
        Ok(Admission::Accepted),
        "MAX waits for room, like Block"
    );
    run.at("shutdown(Drain)");
    pool.shutdown(ShutdownMode::DRAIN);
    Ok(())
}

fn duration_max_means_no_deadline(run: &Run<'_>) -> Checked {
    let (pool, _) = run.build_first(workers_down_from(2, PoolConfig::new))?;
    let batch = Batch::new();
    for _ in 0..10 {
        batch.submit(&**pool, || {}).expect("an open pool accepts");
    }
    run.at("batch.wait(Duration::MAX)");
    assert_eq!(batch.wait(Some(Duration::MAX)).finished, 10);
    run.at("shutdown(Drain) with a deadline of Duration::MAX");
    let report = pool.shutdown(ShutdownMode::Drain {
        deadline: Some(Duration::MAX),
    });
    assert_eq!(
        (report.completed, report.still_running),
        (10, 0),
        "{report:?}"
    );
    Ok(())
}

fn a_panicking_panic_handler(run: &Run<'_>) -> Checked {
    let (pool, config) = run.build_first(workers_down_from(2, |workers| {
        PoolConfig::new(workers).panic_handler(|_| std::panic::panic_any(EXPECTED_PANIC))
    }))?;
    let workers = config.workers;
    for _ in 0..4 {
        pool.submit(Job::new(|| std::panic::panic_any(EXPECTED_PANIC)))
            .expect("an open pool accepts");
    }
    // Every worker must still be alive to hold a gate job each.
    let gate = AsyncGate::new();
    gate.hold(run, &pool, workers);
    gate.open();
    // A dead worker would make the shutdown hang: the watchdog turns that
    // into a failure naming this step.
    run.at("shutdown(Drain) after panicking panic handlers (a dead worker hangs here)");
    let report = pool.shutdown(ShutdownMode::DRAIN);
    assert_eq!(report.completed, 4 + workers, "{report:?}");
    assert_eq!(pool.stats().panicked, 4, "{:?}", pool.stats());
    assert_eq!(gate.peak(), workers, "every worker survived");
    Ok(())
}
