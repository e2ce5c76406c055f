//! Panic isolation: a panicking job is counted and shown to the handler,
//! and its worker survives, so capacity is not lost; a caller-runs
//! executor survives a panicking job and counts it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use contend_strategies::pool::{Job, PoolConfig, ShutdownMode};

use super::fixtures::{join, on_thread, AsyncGate};
use super::{workers_down_from, Check, Checked, Needs, PoolSubject, Run, Suite, SuiteReport};
use crate::{Probe, EXPECTED_PANIC};

/// The panics suite.
pub const SUITE: Suite = Suite {
    name: "panics",
    checks: &[
        Check {
            name: "a_thousand_panicking_jobs_leave_the_pool_at_full_strength",
            needs: Needs::ANY.runs_on_caller(false),
            body: full_strength_after_a_thousand_panics,
        },
        Check {
            name: "a_caller_runs_executor_survives_a_panicking_job_and_counts_it",
            needs: Needs::ANY.runs_on_caller(true),
            body: caller_survives_a_panic,
        },
    ],
};

/// Runs the panics suite on `subject`; panics naming every failed check.
pub fn check(subject: &PoolSubject) -> SuiteReport {
    SUITE.check(subject)
}

/// Runs the panics suite on `subject` and reports, without panicking.
pub fn report(subject: &PoolSubject) -> SuiteReport {
    SUITE.report(subject)
}

const PANICS: usize = 1_000;

fn full_strength_after_a_thousand_panics(run: &Run<'_>) -> Checked {
    let seen = Arc::new(AtomicUsize::new(0));
    let messages = Arc::new(Mutex::new(Vec::new()));
    let (pool, config) = run.build_first(workers_down_from(4, |workers| {
        let seen = Arc::clone(&seen);
        let messages = Arc::clone(&messages);
        PoolConfig::new(workers)
            .queue_capacity(64)
            .panic_handler(move |panic| {
                seen.fetch_add(1, Ordering::SeqCst);
                if let Some(message) = panic.message {
                    messages.lock().unwrap().push(message.to_owned());
                }
            })
    }))?;
    let workers = config.workers;
    for i in 0..PANICS {
        run.at(format!(
            "submitting panicking job {} of {PANICS} (the Block policy may wait for room)",
            i + 1
        ));
        pool.submit(Job::new(move || panic!("{EXPECTED_PANIC}: job {i} fails")))
            .expect("the Block policy accepts");
    }
    // Full strength: `workers` jobs that wait for each other all run at
    // once, which needs every worker (or permit) to be alive.
    let gate = AsyncGate::new();
    let submitter = {
        let gate = gate.clone();
        on_thread(&pool, move |pool| {
            for _ in 0..workers {
                pool.submit(gate.job()).expect("the Block policy accepts");
            }
        })
    };
    gate.await_waiting(run, workers);
    gate.open();
    join(run, "the submitter of the gate jobs", submitter);
    run.at("shutdown(Drain)");
    let report = pool.shutdown(ShutdownMode::DRAIN);
    let stats = pool.stats();
    assert_eq!(report.completed, PANICS + workers, "{report:?}");
    assert_eq!(stats.panicked, PANICS, "{stats:?}");
    assert_eq!(
        seen.load(Ordering::SeqCst),
        PANICS,
        "the handler saw each panic"
    );
    let messages = messages.lock().unwrap();
    assert_eq!(messages.len(), PANICS, "the handler got each message");
    let seventh = format!("{EXPECTED_PANIC}: job 7 fails");
    assert!(
        messages.contains(&seventh),
        "the handler got the message text"
    );
    assert_eq!(gate.peak(), workers, "every worker survived");
    assert_eq!(stats.unaccounted(), 0, "{stats:?}");
    Ok(())
}

fn caller_survives_a_panic(run: &Run<'_>) -> Checked {
    let pool = run.build(PoolConfig::new(1))?;
    for _ in 0..10 {
        pool.submit(Job::new(|| std::panic::panic_any(EXPECTED_PANIC)))
            .expect("a panicking job is accepted and caught");
    }
    let probe = Probe::new();
    pool.submit(probe.job(|| {})).expect("the pool survived");
    assert_eq!(probe.ran(), 1, "the next job ran");
    assert_eq!(pool.stats().panicked, 10, "{:?}", pool.stats());
    run.at("shutdown(Drain)");
    assert_eq!(pool.shutdown(ShutdownMode::DRAIN).completed, 11);
    Ok(())
}
