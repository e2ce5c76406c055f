//! The concurrency bound: never exceeded, measured inside the jobs, and
//! reached (so it is not met by accident of a slow submitter); a
//! caller-runs executor runs one job at a time even for several
//! submitters; an executor without a bound runs every job at once.

use contend_strategies::pool::{PoolConfig, ShutdownMode};

use super::fixtures::{join, on_thread, submit_from_four_threads, AsyncGate};
use super::{workers_down_from, Check, Checked, Needs, PoolSubject, Run, Suite, SuiteReport};
use crate::Probe;

/// The bounds suite.
pub const SUITE: Suite = Suite {
    name: "bounds",
    checks: &[
        Check {
            name: "the_concurrency_bound_is_never_exceeded_under_load_from_several_submitters",
            needs: Needs::ANY.bounded(true).runs_on_caller(false),
            body: never_exceeded_under_load,
        },
        Check {
            name: "bounded_executors_run_exactly_their_bound_at_once_when_jobs_wait",
            needs: Needs::ANY.bounded(true).runs_on_caller(false),
            body: exactly_the_bound_at_once,
        },
        Check {
            name: "a_caller_runs_executor_runs_one_job_at_a_time_even_with_several_submitters",
            needs: Needs::ANY.bounded(true).runs_on_caller(true),
            body: one_at_a_time_on_the_callers,
        },
        Check {
            name: "an_executor_without_a_bound_runs_every_job_at_once",
            needs: Needs::ANY.bounded(false).runs_on_caller(false),
            body: every_job_at_once,
        },
    ],
};

/// Runs the bounds suite on `subject`; panics naming every failed check.
pub fn check(subject: &PoolSubject) -> SuiteReport {
    SUITE.check(subject)
}

/// Runs the bounds suite on `subject` and reports, without panicking.
pub fn report(subject: &PoolSubject) -> SuiteReport {
    SUITE.report(subject)
}

fn never_exceeded_under_load(run: &Run<'_>) -> Checked {
    let (pool, config) = run.build_first(workers_down_from(4, |workers| {
        PoolConfig::new(workers).queue_capacity(8)
    }))?;
    let bound = config.workers;
    let probe = Probe::new();
    run.watch(&pool, Some(&probe));
    submit_from_four_threads(run, &pool, &probe, 250);
    run.at("shutdown(Drain): waiting for the 1000 jobs to run");
    let report = pool.shutdown(ShutdownMode::DRAIN);
    assert_eq!(report.completed, 1_000, "{report:?}");
    assert!(
        probe.peak() <= bound,
        "{} jobs ran at once, bound {bound}",
        probe.peak()
    );
    let stats = pool.stats();
    assert!(
        stats.peak_concurrency <= bound,
        "stats say {} ran at once, bound {bound}: {stats:?}",
        stats.peak_concurrency
    );
    Ok(())
}

fn exactly_the_bound_at_once(run: &Run<'_>) -> Checked {
    let (pool, config) = run.build_first(workers_down_from(4, |workers| {
        PoolConfig::new(workers).queue_capacity(64)
    }))?;
    let bound = config.workers;
    let gate = AsyncGate::new();
    // More jobs than the bound; the submitter may block (policy Block), so
    // it runs on its own thread.
    let submitter = {
        let gate = gate.clone();
        on_thread(&pool, move |pool| {
            for _ in 0..bound * 3 {
                pool.submit(gate.job()).expect("the Block policy accepts");
            }
        })
    };
    gate.await_waiting(run, bound);
    assert_eq!(gate.waiting(), bound, "{bound} jobs run at once, no more");
    assert_eq!(pool.stats().running, bound, "{:?}", pool.stats());
    gate.open();
    join(
        run,
        &format!("the submitter of {} jobs", bound * 3),
        submitter,
    );
    run.at(format!(
        "shutdown(Drain): waiting for the {} jobs to run",
        bound * 3
    ));
    pool.shutdown(ShutdownMode::DRAIN);
    assert_eq!(gate.peak(), bound, "the bound was reached and kept");
    assert_eq!(gate.passed(), bound * 3, "every job ran");
    Ok(())
}

fn one_at_a_time_on_the_callers(run: &Run<'_>) -> Checked {
    let pool = run.build(PoolConfig::new(1))?;
    let probe = Probe::new();
    run.watch(&pool, Some(&probe));
    submit_from_four_threads(run, &pool, &probe, 200);
    assert_eq!(probe.ran(), 800, "every job ran on its submitter");
    assert_eq!(probe.peak(), 1, "one job at a time");
    run.at("shutdown(Drain)");
    pool.shutdown(ShutdownMode::DRAIN);
    Ok(())
}

fn every_job_at_once(run: &Run<'_>) -> Checked {
    // The worker count asks for 32 jobs at once; an executor without a
    // bound needs no more to run them all together.
    let pool = run.build(PoolConfig::new(32))?;
    let gate = AsyncGate::new();
    gate.hold(run, &pool, 32);
    assert_eq!(gate.waiting(), 32, "all 32 run at once");
    gate.open();
    run.at("shutdown(Drain)");
    pool.shutdown(ShutdownMode::DRAIN);
    assert_eq!(gate.passed(), 32, "every job ran");
    Ok(())
}
