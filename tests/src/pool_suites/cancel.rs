//! Cancellation and the batch helper (a WaitGroup with a deadline): a
//! cancelled job never runs, cancelling a batch skips its queued jobs, a
//! running job can watch the batch's token, a batch wait reports what is
//! still pending at its deadline, and a batch tells panicked from dropped.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use contend_strategies::pool::{Batch, CancelToken, Job, OverloadPolicy, PoolConfig, ShutdownMode};

use super::fixtures::AsyncGate;
use super::{
    workers_down_from, Check, Checked, Needs, Pool, PoolSubject, Refused, Run, Suite, SuiteReport,
};
use crate::{Probe, EXPECTED_PANIC};

/// The cancel suite.
pub const SUITE: Suite = Suite {
    name: "cancel",
    checks: &[
        Check {
            name: "a_job_whose_token_is_cancelled_before_it_starts_never_runs",
            needs: Needs::ANY,
            body: cancelled_before_it_starts,
        },
        Check {
            name: "cancelling_a_batch_skips_its_queued_jobs_and_reports_them",
            needs: Needs::ANY.queues(true),
            body: cancelling_a_batch,
        },
        Check {
            name: "a_running_job_can_observe_the_batch_token_and_stop_early",
            needs: Needs::ANY.runs_on_caller(false),
            body: a_running_job_observes_the_token,
        },
        Check {
            name: "batch_wait_reports_jobs_still_pending_at_its_deadline",
            needs: Needs::ANY.runs_on_caller(false),
            body: pending_at_the_deadline,
        },
        Check {
            name: "wait_then_cancel_stops_what_has_not_started_by_the_deadline",
            needs: Needs::ANY.queues(true),
            body: wait_then_cancel,
        },
        Check {
            name: "batch_reports_panicked_and_dropped_jobs",
            // The Discard policy needs a queue with a bound to be full.
            needs: Needs::ANY.overload(true).queues(true),
            body: panicked_and_dropped,
        },
    ],
};

/// Runs the cancel suite on `subject`; panics naming every failed check.
pub fn check(subject: &PoolSubject) -> SuiteReport {
    SUITE.check(subject)
}

/// Runs the cancel suite on `subject` and reports, without panicking.
pub fn report(subject: &PoolSubject) -> SuiteReport {
    SUITE.report(subject)
}

fn cancelled_before_it_starts(run: &Run<'_>) -> Checked {
    let (pool, _) = run.build_first(workers_down_from(2, PoolConfig::new))?;
    let token = CancelToken::new();
    token.cancel();
    let probe = Probe::new();
    pool.submit(probe.job(|| {}).with_cancel(token))
        .expect("an open pool accepts");
    run.at("shutdown(Drain) with one cancelled job submitted");
    pool.shutdown(ShutdownMode::DRAIN);
    assert_eq!(probe.ran(), 0, "a cancelled job never runs");
    let stats = pool.stats();
    assert_eq!(stats.cancelled, 1, "{stats:?}");
    assert_eq!(stats.completed, 0, "{stats:?}");
    assert_eq!(stats.unaccounted(), 0, "{stats:?}");
    Ok(())
}

/// Builds the subject with one worker and a queue of `capacity` (and
/// `policy`), and holds the worker with a job of `batch`.
fn held_by_a_batch(
    run: &Run<'_>,
    config: PoolConfig,
    batch: &Batch,
) -> Result<(Pool, AsyncGate), Refused> {
    let pool = run.build(config)?;
    let gate = AsyncGate::new();
    pool.submit(batch.adopt(gate.job()))
        .expect("an idle pool accepts");
    gate.await_waiting(run, 1);
    Ok((pool, gate))
}

fn cancelling_a_batch(run: &Run<'_>) -> Checked {
    let batch = Batch::new();
    let (pool, gate) = held_by_a_batch(run, PoolConfig::new(1).queue_capacity(64), &batch)?;
    let probe = Probe::new();
    run.watch(&pool, Some(&probe));
    for _ in 0..10 {
        pool.submit(batch.adopt(probe.job(|| {})))
            .expect("the queue has room");
    }
    batch.cancel();
    gate.open();
    run.at("batch.wait(None): waiting for the held job and the 10 cancelled ones to settle");
    let report = batch.wait(None);
    assert_eq!(report.jobs, 11, "{report:?}");
    assert_eq!(report.finished, 1, "the running job finished: {report:?}");
    assert_eq!(
        report.cancelled, 10,
        "the queued jobs were cancelled: {report:?}"
    );
    assert_eq!(report.pending, 0, "{report:?}");
    assert_eq!(probe.ran(), 0, "no cancelled job started");
    run.at("shutdown(Drain)");
    pool.shutdown(ShutdownMode::DRAIN);
    assert_eq!(pool.stats().cancelled, 10, "{:?}", pool.stats());
    assert_eq!(pool.stats().unaccounted(), 0, "{:?}", pool.stats());
    Ok(())
}

/// A job that spins (yielding) until `token` is cancelled, as a future so
/// that it holds no runtime thread on an async executor.
struct UntilCancelled {
    token: CancelToken,
    started: Arc<AtomicBool>,
}

impl Future for UntilCancelled {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.started.store(true, Ordering::SeqCst);
        if self.token.is_cancelled() {
            return Poll::Ready(());
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

fn a_running_job_observes_the_token(run: &Run<'_>) -> Checked {
    let (pool, _) = run.build_first(workers_down_from(2, PoolConfig::new))?;
    let batch = Batch::new();
    let started = Arc::new(AtomicBool::new(false));
    let job = Job::from_future(UntilCancelled {
        token: batch.token().clone(),
        started: Arc::clone(&started),
    });
    pool.submit(batch.adopt(job)).expect("an idle pool accepts");
    run.wait_until("the job watching the token to start", || {
        started.load(Ordering::SeqCst)
    });
    batch.cancel();
    run.at("batch.wait(None): waiting for the running job to see the cancel");
    let report = batch.wait(None);
    assert_eq!(report.finished, 1, "{report:?}");
    assert!(report.is_settled(), "{report:?}");
    run.at("shutdown(Drain)");
    pool.shutdown(ShutdownMode::DRAIN);
    Ok(())
}

fn pending_at_the_deadline(run: &Run<'_>) -> Checked {
    let (pool, config) = run.build_first(workers_down_from(2, |workers| {
        PoolConfig::new(workers).queue_capacity(8)
    }))?;
    let held = config.workers;
    let (gate, batch) = (AsyncGate::new(), Batch::new());
    for _ in 0..held {
        pool.submit(batch.adopt(gate.job()))
            .expect("an idle pool accepts");
    }
    gate.await_waiting(run, held);
    // The gate is shut: whenever the 5 ms pass, the jobs are pending.
    run.at("batch.wait(5 ms) with the gate shut");
    let early = batch.wait(Some(Duration::from_millis(5)));
    assert_eq!(early.pending, held, "{early:?}");
    assert_eq!(early.finished, 0, "{early:?}");
    assert!(!early.is_settled(), "{early:?}");
    gate.open();
    run.at("batch.wait(None) after opening the gate");
    let late = batch.wait(None);
    assert_eq!(late.finished, held, "{late:?}");
    assert!(late.is_settled(), "{late:?}");
    run.at("shutdown(Drain)");
    pool.shutdown(ShutdownMode::DRAIN);
    Ok(())
}

fn wait_then_cancel(run: &Run<'_>) -> Checked {
    let batch = Batch::new();
    let (pool, gate) = held_by_a_batch(run, PoolConfig::new(1).queue_capacity(8), &batch)?;
    for _ in 0..5 {
        batch.submit(&**pool, || {}).expect("the queue has room");
    }
    // The gate is shut: whenever the 5 ms pass, nothing has finished.
    run.at("batch.wait_then_cancel(5 ms) with the gate shut");
    let at_deadline = batch.wait_then_cancel(Duration::from_millis(5));
    assert_eq!(at_deadline.pending, 6, "{at_deadline:?}");
    gate.open();
    run.at("batch.wait(None) after opening the gate");
    let settled = batch.wait(None);
    assert_eq!(
        (settled.finished, settled.cancelled),
        (1, 5),
        "the held job finished, the queued ones were cancelled: {settled:?}"
    );
    run.at("shutdown(Drain)");
    pool.shutdown(ShutdownMode::DRAIN);
    Ok(())
}

fn panicked_and_dropped(run: &Run<'_>) -> Checked {
    let batch = Batch::new();
    let config = PoolConfig::new(1)
        .queue_capacity(1)
        .policy(OverloadPolicy::Discard);
    let (pool, gate) = held_by_a_batch(run, config, &batch)?;
    batch
        .submit(&**pool, || std::panic::panic_any(EXPECTED_PANIC))
        .expect("the queue of one has room"); // queued
    batch
        .submit(&**pool, || {})
        .expect("Discard accepts and drops"); // discarded: queue full
    let rejected_then_dropped = batch.job(|| {});
    drop(rejected_then_dropped);
    gate.open();
    run.at("batch.wait(None) after opening the gate");
    let report = batch.wait(None);
    assert_eq!(report.jobs, 4, "{report:?}");
    assert_eq!(report.finished, 1, "{report:?}");
    assert_eq!(report.panicked, 1, "{report:?}");
    assert_eq!(report.dropped, 2, "{report:?}");
    assert!(report.is_settled(), "{report:?}");
    run.at("shutdown(Drain)");
    pool.shutdown(ShutdownMode::DRAIN);
    Ok(())
}
