//! Shutdown and the books: drain runs every accepted job, abort hands
//! back every unstarted one and waits for the running ones, a drain
//! deadline hands back the queue and reports busy workers, submit after
//! shutdown is a clean rejection, concurrent shutdowns agree, and shutdown
//! is idempotent.

use std::sync::{Arc, Barrier};
use std::time::Duration;

use contend_strategies::pool::{Job, PoolConfig, RejectReason, ShutdownMode};

use super::fixtures::{await_closed, join, on_thread, AsyncGate, HeldWithQueue};
use super::{workers_down_from, Check, Checked, Needs, PoolSubject, Run, Suite, SuiteReport};
use crate::Probe;

/// The lifecycle suite.
pub const SUITE: Suite = Suite {
    name: "lifecycle",
    checks: &[
        Check {
            name: "shutdown_drain_runs_every_accepted_job",
            needs: Needs::ANY,
            body: drain_runs_every_accepted_job,
        },
        Check {
            name: "shutdown_abort_hands_back_every_unstarted_job",
            needs: Needs::ANY.queues(true),
            body: abort_hands_back_every_unstarted_job,
        },
        Check {
            name: "shutdown_abort_waits_for_running_jobs_and_joins_every_worker",
            needs: Needs::ANY.runs_on_caller(false),
            body: abort_waits_for_running_jobs,
        },
        Check {
            name: "drain_with_a_deadline_hands_back_the_queue_and_reports_busy_workers",
            needs: Needs::ANY.queues(true),
            body: drain_with_a_deadline,
        },
        Check {
            name: "submit_after_shutdown_is_rejected_as_closed_with_the_job_returned",
            needs: Needs::ANY,
            body: submit_after_shutdown,
        },
        Check {
            name: "concurrent_shutdowns_all_return_after_the_work_and_split_the_hand_back",
            needs: Needs::ANY.queues(true),
            body: concurrent_shutdowns,
        },
        Check {
            name: "shutdown_is_idempotent",
            needs: Needs::ANY,
            body: shutdown_is_idempotent,
        },
    ],
};

/// Runs the lifecycle suite on `subject`; panics naming every failed check.
pub fn check(subject: &PoolSubject) -> SuiteReport {
    SUITE.check(subject)
}

/// Runs the lifecycle suite on `subject` and reports, without panicking.
pub fn report(subject: &PoolSubject) -> SuiteReport {
    SUITE.report(subject)
}

const JOBS: usize = 1_000;

fn drain_runs_every_accepted_job(run: &Run<'_>) -> Checked {
    // A queue of 16 under the Block policy: the submitter meets the bound.
    let (pool, _) = run.build_first(workers_down_from(4, |workers| {
        PoolConfig::new(workers).queue_capacity(16)
    }))?;
    let probe = Probe::new();
    run.watch(&pool, Some(&probe));
    for i in 0..JOBS {
        run.at(format!(
            "submitting job {} of {JOBS} (the Block policy may wait for room)",
            i + 1
        ));
        pool.submit(probe.job(|| {}))
            .expect("the Block policy accepts");
    }
    run.at(format!(
        "shutdown(Drain): waiting for the {JOBS} accepted jobs to run"
    ));
    let report = pool.shutdown(ShutdownMode::DRAIN);
    assert_eq!(
        report.completed, JOBS,
        "drain completes every job: {report:?}"
    );
    assert!(
        report.handed_back.is_empty(),
        "drain hands nothing back: {report:?}"
    );
    assert_eq!(report.still_running, 0, "{report:?}");
    assert_eq!(probe.ran(), JOBS, "every job ran");
    assert_eq!(probe.ran_twice(), 0, "no job ran twice");
    let stats = pool.stats();
    assert_eq!(stats.unaccounted(), 0, "{stats:?}");
    assert_eq!(stats.running, 0, "{stats:?}");
    Ok(())
}

fn abort_hands_back_every_unstarted_job(run: &Run<'_>) -> Checked {
    let HeldWithQueue {
        pool,
        held,
        gate,
        probe,
    } = HeldWithQueue::new(run, 2, 50)?;
    let aborting = on_thread(&pool, |pool| pool.shutdown(ShutdownMode::Abort));
    // Once a submit is refused the abort has taken the queue.
    let extra = await_closed(run, &pool, &probe);
    gate.open();
    let report = join(
        run,
        &format!("shutdown(Abort) to return once the {held} held jobs end"),
        aborting,
    );
    assert_eq!(
        report.handed_back.len(),
        50 + extra,
        "every unstarted job comes back: {report:?}"
    );
    assert_eq!(report.completed, held, "only the held jobs ran: {report:?}");
    assert_eq!(report.still_running, 0, "{report:?}");
    assert_eq!(gate.passed(), held, "the held jobs ran to their end");
    assert_eq!(probe.ran(), 0, "no handed-back job ran");
    for job in report.handed_back {
        job.run();
    }
    assert_eq!(probe.ran(), 50 + extra, "handed-back jobs are intact");
    assert_eq!(probe.ran_twice(), 0, "no job ran twice");
    assert_eq!(pool.stats().unaccounted(), 0, "{:?}", pool.stats());
    Ok(())
}

fn abort_waits_for_running_jobs(run: &Run<'_>) -> Checked {
    let (pool, config) = run.build_first(workers_down_from(3, PoolConfig::new))?;
    let held = config.workers;
    let (gate, probe) = (AsyncGate::new(), Probe::new());
    run.watch(&pool, Some(&probe));
    gate.hold(run, &pool, held);
    let aborting = on_thread(&pool, |pool| pool.shutdown(ShutdownMode::Abort));
    let extra = await_closed(run, &pool, &probe);
    assert_eq!(gate.waiting(), held, "abort does not stop running jobs");
    gate.open();
    let report = join(
        run,
        &format!("shutdown(Abort) to return once the {held} running jobs end"),
        aborting,
    );
    assert_eq!(
        report.completed + report.handed_back.len(),
        held + extra,
        "each job ran or came back: {report:?}"
    );
    assert_eq!(report.still_running, 0, "{report:?}");
    assert_eq!(pool.stats().running, 0, "{:?}", pool.stats());
    Ok(())
}

fn drain_with_a_deadline(run: &Run<'_>) -> Checked {
    let HeldWithQueue {
        pool,
        held,
        gate,
        probe,
    } = HeldWithQueue::new(run, 2, 10)?;
    // The gate stays shut, so the deadline passes with the queue full and
    // the held jobs running, however long it takes.
    run.at("shutdown(Drain) with a deadline of 20 ms, the gate shut");
    let report = pool.shutdown(ShutdownMode::Drain {
        deadline: Some(Duration::from_millis(20)),
    });
    assert_eq!(
        report.still_running, held,
        "the held jobs are reported busy: {report:?}"
    );
    assert_eq!(
        report.handed_back.len(),
        10,
        "the queue comes back: {report:?}"
    );
    gate.open();
    // A second call joins the workers that were busy.
    run.at("the second shutdown(Drain), joining the workers that were busy");
    let again = pool.shutdown(ShutdownMode::DRAIN);
    assert_eq!(again.still_running, 0, "{again:?}");
    assert!(again.handed_back.is_empty(), "{again:?}");
    assert_eq!(again.completed, held, "{again:?}");
    assert_eq!(probe.ran(), 0, "no queued job ran");
    assert_eq!(pool.stats().unaccounted(), 0, "{:?}", pool.stats());
    Ok(())
}

fn submit_after_shutdown(run: &Run<'_>) -> Checked {
    let (pool, _) = run.build_first(workers_down_from(2, PoolConfig::new))?;
    run.at("shutdown(Drain) of an idle pool");
    pool.shutdown(ShutdownMode::DRAIN);
    let probe = Probe::new();
    let rejected = pool
        .submit(probe.job(|| {}))
        .expect_err("a shut-down executor refuses jobs");
    assert_eq!(rejected.reason(), RejectReason::Closed);
    assert_eq!(probe.ran(), 0, "a refused job is not run");
    rejected.into_job().run();
    assert_eq!(probe.ran(), 1, "the job came back intact");
    let stats = pool.stats();
    assert_eq!(stats.rejected.closed, 1, "{stats:?}");
    assert_eq!(stats.unaccounted(), 0, "{stats:?}");
    Ok(())
}

fn concurrent_shutdowns(run: &Run<'_>) -> Checked {
    let HeldWithQueue {
        pool,
        held,
        gate,
        probe,
    } = HeldWithQueue::new(run, 2, 40)?;
    let start = Arc::new(Barrier::new(4));
    let callers: Vec<_> = (0..4)
        .map(|i| {
            let start = Arc::clone(&start);
            let mode = if i % 2 == 0 {
                ShutdownMode::Abort
            } else {
                ShutdownMode::DRAIN
            };
            on_thread(&pool, move |pool| {
                start.wait();
                pool.shutdown(mode)
            })
        })
        .collect();
    let extra = await_closed(run, &pool, &probe);
    gate.open();
    let reports: Vec<_> = callers
        .into_iter()
        .enumerate()
        .map(|(i, caller)| join(run, &format!("shutdown caller {i} of 4 to return"), caller))
        .collect();
    let handed_back: Vec<Job> = reports
        .into_iter()
        .flat_map(|report| {
            assert_eq!(report.still_running, 0, "{report:?}");
            report.handed_back
        })
        .collect();
    assert_eq!(
        pool.stats().running,
        0,
        "every caller returned after the work: {:?}",
        pool.stats()
    );
    assert_eq!(gate.passed(), held, "the held jobs ran");
    assert_eq!(
        probe.ran() + handed_back.len(),
        40 + extra,
        "each job ran or came back once"
    );
    assert_eq!(probe.ran_twice(), 0, "no job ran twice");
    assert_eq!(pool.stats().unaccounted(), 0, "{:?}", pool.stats());
    Ok(())
}

fn shutdown_is_idempotent(run: &Run<'_>) -> Checked {
    let (pool, _) = run.build_first(workers_down_from(2, PoolConfig::new))?;
    let probe = Probe::new();
    run.watch(&pool, Some(&probe));
    for _ in 0..10 {
        pool.submit(probe.job(|| {})).expect("an open pool accepts");
    }
    run.at("shutdown(Drain), then Abort, then Drain");
    let first = pool.shutdown(ShutdownMode::DRAIN);
    let second = pool.shutdown(ShutdownMode::Abort);
    let third = pool.shutdown(ShutdownMode::DRAIN);
    for report in [first, second, third] {
        assert_eq!(
            report.completed, 10,
            "every call reports the same: {report:?}"
        );
        assert!(report.handed_back.is_empty(), "{report:?}");
    }
    assert_eq!(pool.stats().handed_back, 0, "{:?}", pool.stats());
    Ok(())
}
