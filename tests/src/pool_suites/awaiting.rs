//! What awaiting adds to an executor's promises, checked on an
//! [`AsyncExecutor`](contend_strategies::pool::AsyncExecutor) from tasks:
//! a `submit` waiting for room and a `shutdown` waiting for the jobs yield
//! their thread, and a `submit` dropped while it waits takes nothing.
//!
//! The tasks run on a runtime of one thread, beside the task that would
//! end the wait (opening the gate that holds the executor's worker). A
//! wait that parks the thread instead of returning `Pending` leaves that
//! task unrun for ever: the check hangs deterministically, and the
//! watchdog names the wait. The other suites check the same executor
//! from threads, through [`Blocking`](contend_strategies::pool::Blocking).

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use contend_strategies::pool::{Admission, OverloadPolicy, ShutdownMode};
use futures::FutureExt;

use super::fixtures::{assert_settled, AsyncGate, Saturated};
use super::{Check, Checked, Needs, Run, Suite};
use crate::Probe;

/// The awaiting suite.
pub const SUITE: Suite = Suite {
    name: "awaiting",
    checks: &[
        Check {
            name: "a_submit_awaiting_room_yields_its_thread",
            needs: AWAITS_ROOM,
            body: a_submit_awaiting_room_yields_its_thread,
        },
        Check {
            name: "a_shutdown_awaiting_the_jobs_yields_its_thread",
            needs: Needs::ANY.awaits().runs_on_caller(false),
            body: a_shutdown_awaiting_the_jobs_yields_its_thread,
        },
        Check {
            name: "a_submit_dropped_while_awaiting_room_takes_nothing",
            needs: AWAITS_ROOM,
            body: a_submit_dropped_while_awaiting_room_takes_nothing,
        },
    ],
};

/// An async executor whose submits can meet its bound and wait there.
const AWAITS_ROOM: Needs = Needs::ANY
    .awaits()
    .bounded(true)
    .overload(true)
    .runs_on_caller(false);

/// Runs `tasks` to its end on a runtime of one thread: a task that parks
/// the thread stops every other task of it.
fn on_one_thread<T>(tasks: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a one-thread tokio runtime builds")
        .block_on(tasks)
}

/// Yields to the runtime's other tasks until `flag` is set.
async fn until_set(flag: &AtomicBool) {
    while !flag.load(Ordering::Acquire) {
        tokio::task::yield_now().await;
    }
}

/// A pool saturated (one worker held at a gate, the queue full) under
/// policy `block`; a task awaits a submit into it while the check's own
/// task, on the same one thread, opens the gate once the submit has begun.
/// The submit must yield for the gate to open, then be accepted.
fn a_submit_awaiting_room_yields_its_thread(run: &Run<'_>) -> Checked {
    let (awaiting, pool) = run.build_awaiting(Saturated::config(OverloadPolicy::Block))?;
    let saturated = Saturated::holding(run, pool);
    let (probe, begun) = (Probe::new(), Arc::new(AtomicBool::new(false)));
    run.at(
        "a task awaiting a submit into the full pool, on a one-thread runtime, beside \
         the task that opens the gate once the submit has begun: a submit that parks \
         the thread for room never lets it run",
    );
    let admission = on_one_thread(async {
        let submit = tokio::spawn({
            let (awaiting, job, begun) = (Arc::clone(&awaiting), probe.job(|| {}), begun.clone());
            async move {
                begun.store(true, Ordering::Release);
                awaiting.submit(job).await
            }
        });
        until_set(&begun).await;
        tokio::task::yield_now().await;
        saturated.gate.open();
        submit.await.expect("the submitting task ends")
    });
    assert!(
        matches!(admission, Ok(Admission::Accepted)),
        "a submit that awaited room is accepted once there is room: {admission:?}"
    );
    saturated.finish(run);
    assert_eq!(probe.ran(), 1, "the awaited job ran {} times", probe.ran());
    Ok(())
}

/// One job held at a gate; a task awaits a drain while the check's own
/// task, on the same one thread, opens the gate once the shutdown has
/// begun. The shutdown must yield for the gate to open, then report the
/// job completed.
fn a_shutdown_awaiting_the_jobs_yields_its_thread(run: &Run<'_>) -> Checked {
    let (awaiting, pool) = run.build_awaiting(contend_strategies::pool::PoolConfig::new(1))?;
    let (gate, begun) = (AsyncGate::new(), Arc::new(AtomicBool::new(false)));
    gate.hold(run, &pool, 1);
    run.at(
        "a task awaiting a drain of the held job, on a one-thread runtime, beside the \
         task that opens the gate once the shutdown has begun: a shutdown that parks \
         the thread for the jobs never lets it run",
    );
    let report = on_one_thread(async {
        let shutdown = tokio::spawn({
            let (awaiting, begun) = (Arc::clone(&awaiting), begun.clone());
            async move {
                begun.store(true, Ordering::Release);
                awaiting.shutdown(ShutdownMode::DRAIN).await
            }
        });
        until_set(&begun).await;
        tokio::task::yield_now().await;
        gate.open();
        shutdown.await.expect("the shutting-down task ends")
    });
    assert_eq!(
        report.completed, 1,
        "a drain awaited to its end reports the held job completed: {report:?}"
    );
    assert!(report.handed_back.is_empty(), "a drain hands nothing back");
    assert_settled(&awaiting.stats());
    Ok(())
}

/// A submit into the saturated pool polled once (it must wait: policy
/// `block`) and dropped, as a `select!` or a timeout drops it. Then the
/// gate opens: the dropped job never runs, the room it waited for is free
/// for the next submits, and the books balance (a job counted as submitted
/// before its answer was decided is counted and never settled).
fn a_submit_dropped_while_awaiting_room_takes_nothing(run: &Run<'_>) -> Checked {
    let (awaiting, pool) = run.build_awaiting(Saturated::config(OverloadPolicy::Block))?;
    let saturated = Saturated::holding(run, pool);
    let (dropped, after) = (Probe::new(), Probe::new());
    run.at("polling a submit into the full pool once, then dropping it");
    let answered = on_one_thread(async { awaiting.submit(dropped.job(|| {})).now_or_never() });
    assert!(
        answered.is_none(),
        "a submit into a full pool under policy block waits, but answered {:?}",
        answered.map(|answer| answer.map_err(|rejected| rejected.reason()))
    );
    saturated.gate.open();
    for i in 0..3 {
        run.at(format!(
            "submit {} of 3 after the dropped one: its room must be free",
            i + 1
        ));
        let admission = saturated.pool.submit(after.job(|| {}));
        assert!(
            matches!(admission, Ok(Admission::Accepted)),
            "a submit after a dropped one is accepted: {admission:?}"
        );
    }
    saturated.finish(run);
    assert_eq!(dropped.ran(), 0, "the job of a dropped submit ran");
    assert_eq!(
        after.ran(),
        3,
        "a job submitted after the dropped one did not run"
    );
    Ok(())
}
