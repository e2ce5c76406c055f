//! Each overload policy, on every executor with a bound: what submit does
//! once the bound is reached (one job held at a gate and, if the executor
//! queues, its queue of one full).

use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use contend_strategies::pool::{Admission, OverloadPolicy, PoolConfig, RejectReason, ShutdownMode};

use super::fixtures::{join, on_thread, AsyncGate, Saturated};
use super::{Check, Checked, Needs, PoolSubject, Run, Suite, SuiteReport};
use crate::{Probe, PATIENCE};

/// What the policy checks need: a bound that submit meets.
const BOUND: Needs = Needs::ANY.overload(true).runs_on_caller(false);

/// The policies suite.
pub const SUITE: Suite = Suite {
    name: "policies",
    checks: &[
        Check {
            name: "fail_fast_rejects_as_full_and_returns_the_job",
            needs: BOUND,
            body: fail_fast,
        },
        Check {
            name: "block_timeout_rejects_as_timed_out_when_no_room_comes",
            needs: BOUND,
            body: block_timeout_times_out,
        },
        Check {
            name: "block_timeout_accepts_when_room_comes_in_time",
            needs: BOUND,
            body: block_timeout_accepts,
        },
        Check {
            name: "block_waits_for_room_then_accepts",
            needs: BOUND,
            body: block_waits,
        },
        Check {
            name: "a_blocked_submitter_is_released_as_closed_by_a_shutdown",
            needs: BOUND,
            body: blocked_submitter_released_by_shutdown,
        },
        Check {
            name: "discard_drops_the_new_job_and_counts_it",
            needs: BOUND,
            body: discard,
        },
        Check {
            name: "discard_oldest_drops_the_oldest_queued_job_for_the_new_one",
            needs: BOUND.queues(true),
            body: discard_oldest,
        },
        Check {
            name: "caller_runs_runs_the_job_on_the_submitters_thread",
            needs: BOUND,
            body: caller_runs,
        },
        Check {
            name: "a_blocked_submitter_resumes_while_the_workers_are_still_busy",
            needs: BOUND.queues(true),
            body: blocked_submitter_resumes_while_busy,
        },
    ],
};

/// Runs the policies suite on `subject`; panics naming every failed check.
pub fn check(subject: &PoolSubject) -> SuiteReport {
    SUITE.check(subject)
}

/// Runs the policies suite on `subject` and reports, without panicking.
pub fn report(subject: &PoolSubject) -> SuiteReport {
    SUITE.report(subject)
}

fn fail_fast(run: &Run<'_>) -> Checked {
    let saturated = Saturated::new(run, OverloadPolicy::FailFast)?;
    let probe = Probe::new();
    let rejected = saturated
        .pool
        .submit(probe.job(|| {}))
        .expect_err("a full pool under FailFast refuses");
    assert_eq!(rejected.reason(), RejectReason::Full);
    rejected.into_job().run();
    assert_eq!(probe.ran(), 1, "the job came back intact");
    let stats = saturated.finish(run);
    assert_eq!(stats.rejected.full, 1, "{stats:?}");
    Ok(())
}

fn block_timeout_times_out(run: &Run<'_>) -> Checked {
    let policy = OverloadPolicy::BlockTimeout(Duration::from_millis(5));
    let saturated = Saturated::new(run, policy)?;
    let probe = Probe::new();
    // The gate stays shut: no room comes, however long the 5 ms take.
    run.at("a submit under BlockTimeout(5 ms), the gate shut");
    let rejected = saturated
        .pool
        .submit(probe.job(|| {}))
        .expect_err("no room comes");
    assert_eq!(rejected.reason(), RejectReason::TimedOut);
    let stats = saturated.finish(run);
    assert_eq!(stats.rejected.timed_out, 1, "{stats:?}");
    assert_eq!(probe.ran(), 0, "a timed-out job is not run");
    Ok(())
}

/// Starts a submit of a `probe` job on another thread, opens the gate,
/// and returns what the submit answered.
fn submit_then_make_room(
    run: &Run<'_>,
    saturated: &Saturated,
    probe: &Probe,
) -> Result<Admission, RejectReason> {
    let job = probe.job(|| {});
    let submitter = on_thread(&saturated.pool, move |pool| {
        pool.submit(job).map_err(|rejected| rejected.reason())
    });
    saturated.gate.open();
    join(
        run,
        "the blocked submit to return once the gate opened",
        submitter,
    )
}

fn block_timeout_accepts(run: &Run<'_>) -> Checked {
    let saturated = Saturated::new(run, OverloadPolicy::BlockTimeout(PATIENCE))?;
    let probe = Probe::new();
    let answer = submit_then_make_room(run, &saturated, &probe);
    assert_eq!(answer, Ok(Admission::Accepted));
    saturated.finish(run);
    assert_eq!(probe.ran(), 1, "the accepted job ran");
    Ok(())
}

fn block_waits(run: &Run<'_>) -> Checked {
    let saturated = Saturated::new(run, OverloadPolicy::Block)?;
    let probe = Probe::new();
    let answer = submit_then_make_room(run, &saturated, &probe);
    assert_eq!(answer, Ok(Admission::Accepted));
    let stats = saturated.finish(run);
    assert_eq!(probe.ran(), 1, "the accepted job ran");
    assert_eq!(stats.rejected.total(), 0, "{stats:?}");
    Ok(())
}

fn blocked_submitter_released_by_shutdown(run: &Run<'_>) -> Checked {
    let saturated = Saturated::new(run, OverloadPolicy::Block)?;
    let probe = Probe::new();
    let job = probe.job(|| {});
    let submitter = on_thread(&saturated.pool, move |pool| pool.submit(job));
    let aborting = on_thread(&saturated.pool, |pool| pool.shutdown(ShutdownMode::Abort));
    // The pool is full until the gate opens, so the blocked submit can only
    // end by the shutdown closing the pool.
    let answer = join(
        run,
        "the blocked submit to be released by the abort",
        submitter,
    );
    let rejected = answer.expect_err("a submit blocked on a full pool is refused by a shutdown");
    assert_eq!(rejected.reason(), RejectReason::Closed);
    saturated.gate.open();
    join(
        run,
        "shutdown(Abort) to return once the held job ends",
        aborting,
    );
    rejected.into_job().run();
    assert_eq!(probe.ran(), 1, "the job came back intact");
    saturated.finish(run);
    Ok(())
}

fn discard(run: &Run<'_>) -> Checked {
    let saturated = Saturated::new(run, OverloadPolicy::Discard)?;
    let probe = Probe::new();
    let admission = saturated.pool.submit(probe.job(|| {}));
    assert_eq!(
        admission.map_err(|rejected| rejected.reason()),
        Ok(Admission::Discarded)
    );
    let stats = saturated.finish(run);
    assert_eq!(stats.discarded, 1, "{stats:?}");
    assert_eq!(probe.ran(), 0, "a discarded job never runs");
    Ok(())
}

fn discard_oldest(run: &Run<'_>) -> Checked {
    let saturated = Saturated::new(run, OverloadPolicy::DiscardOldest)?;
    let newest = Probe::new();
    let admission = saturated.pool.submit(newest.job(|| {}));
    assert_eq!(
        admission.map_err(|rejected| rejected.reason()),
        Ok(Admission::AcceptedDroppingOldest)
    );
    let (filler, gate) = (saturated.probe.clone(), saturated.gate.clone());
    let stats = saturated.finish(run);
    assert_eq!(filler.ran(), 0, "the oldest (the filler) was dropped");
    assert_eq!(gate.passed(), 1, "the held job ran");
    assert_eq!(newest.ran(), 1, "the newest ran");
    assert_eq!(stats.discarded, 1, "{stats:?}");
    Ok(())
}

fn caller_runs(run: &Run<'_>) -> Checked {
    let saturated = Saturated::new(run, OverloadPolicy::CallerRuns)?;
    let ran_on = Arc::new(Mutex::new(None));
    let record = Arc::clone(&ran_on);
    run.at("a submit under CallerRuns, the pool full");
    let admission = saturated.pool.submit(saturated.probe.job(move || {
        *record.lock().unwrap() = Some(thread::current().id());
    }));
    assert_eq!(
        admission.map_err(|rejected| rejected.reason()),
        Ok(Admission::RanOnCaller)
    );
    assert_eq!(
        *ran_on.lock().unwrap(),
        Some(thread::current().id()),
        "the job ran on the submitter's thread"
    );
    saturated.finish(run);
    Ok(())
}

/// A submitter blocked on a full queue is woken once the workers have
/// taken the queue down to its low-water mark (half of it), while they
/// are still busy: not only once a worker goes idle. (`elastic`'s busy
/// workers take queued jobs without the pool's lock; they must wake it
/// too.)
fn blocked_submitter_resumes_while_busy(run: &Run<'_>) -> Checked {
    let pool = run.build(PoolConfig::new(1).queue_capacity(2))?;
    let (first, second, probe) = (AsyncGate::new(), AsyncGate::new(), Probe::new());
    run.watch(&pool, Some(&probe));
    first.hold(run, &pool, 1);
    pool.submit(second.job()).expect("the queue has room");
    pool.submit(probe.job(|| {})).expect("the queue has room");
    let submitter = {
        let probe = probe.clone();
        on_thread(&pool, move |pool| pool.submit(probe.job(|| {})).is_ok())
    };
    run.wait_until("the fourth submit to start", || pool.stats().submitted == 4);
    // Let it reach its wait (were it not blocked yet, it would find room
    // and pass regardless): not a time assertion, either way it must pass.
    thread::sleep(Duration::from_millis(20));
    first.open();
    second.await_waiting(run, 1);
    run.wait_until(
        "the blocked submitter to resume while the second job is held",
        || submitter.is_finished(),
    );
    assert!(
        join(run, "the resumed submitter", submitter),
        "the resumed submit was accepted"
    );
    assert_eq!(second.waiting(), 1, "the second job is still held");
    second.open();
    run.at("shutdown(Drain)");
    pool.shutdown(ShutdownMode::DRAIN);
    assert_eq!(probe.ran(), 2, "the third and fourth jobs ran");
    assert_eq!(first.passed() + second.passed(), 2, "both held jobs ran");
    Ok(())
}
