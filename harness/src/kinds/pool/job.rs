//! The job the harness submits: it measures itself.
//!
//! The executor is a black box behind the `Executor` trait, so every
//! measurement is taken inside the job or around `submit`: queue wait is
//! the job's start minus the submit call, service time is the job's own
//! run, end-to-end runs from the intended start to the job's end. The job
//! also marks its id in the [`Ledger`] and, in closed loop, tells its
//! client it is done — even when it never runs (discarded, cancelled,
//! handed back), because the signal fires when the job is dropped.
//!
//! A job has the form its executor runs best ([`JobForm`]): a closure
//! that blocks for thread strategies, a future that awaits for tokio
//! strategies. Both take the same measurements at the same points.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::SyncSender;
use std::time::{Duration, Instant};

use contend_strategies::pool::Job;

use super::ledger::Ledger;
use crate::load::downstream::Downstream;
use crate::load::postgres::{CallOutcome, PostgresDownstream};
use crate::load::service::{ServiceModel, SpinCalibration};
use crate::record::{Collector, Metric};

/// The payload of a panic the workload asked for; the child's panic hook
/// keeps it off stderr.
#[derive(Debug)]
pub struct DeliberatePanic;

/// Everything jobs of one cell share.
#[derive(Debug)]
pub struct JobEnv {
    /// Where latencies go.
    pub collector: Collector,
    /// Which jobs ran.
    pub ledger: Ledger,
    /// What a job does.
    pub service: ServiceModel,
    /// Spin calibration (for CPU-bound service).
    pub calibration: SpinCalibration,
    /// The simulated downstream jobs call, if any.
    pub downstream: Option<Downstream>,
    /// The PostgreSQL server jobs call, if any.
    pub database: Option<PostgresDownstream>,
    /// Closures or futures.
    pub form: JobForm,
    /// Jobs that ran to their end, did not panic and whose downstream
    /// call (if any) did not time out: goodput's numerator.
    pub succeeded: AtomicU64,
}

/// What a job is handed to its executor as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobForm {
    /// A closure that sleeps and calls the downstream on its thread.
    Blocking,
    /// A future that awaits tokio's timer and the downstream's async path.
    Async,
}

/// Tells a closed-loop client its job is over, when dropped.
#[derive(Debug)]
pub struct DoneSignal(pub SyncSender<()>);

impl Drop for DoneSignal {
    fn drop(&mut self) {
        let _ = self.0.try_send(());
    }
}

/// How one job behaves, drawn by the submitter.
#[derive(Clone, Copy, Debug)]
pub struct JobPlan {
    /// Its id in the ledger.
    pub id: u64,
    /// When it should have started (end-to-end is measured from here).
    pub intended: Instant,
    /// When `submit` was called.
    pub submitted: Instant,
    /// Its service time.
    pub service: Duration,
    /// Whether it panics after its work.
    pub panics: bool,
}

fn nanos(duration: Duration) -> u64 {
    duration.as_nanos().min(u128::from(u64::MAX)) as u64
}

/// The job for `plan`, in the form `env` says.
pub fn job(env: &'static JobEnv, plan: JobPlan, done: Option<DoneSignal>) -> Job {
    match env.form {
        JobForm::Blocking => Job::new(move || {
            let _done = done;
            let start = begin(env, &plan);
            env.service.perform(plan.service, &env.calibration);
            let answered = match (&env.downstream, &env.database) {
                (Some(downstream), _) => downstream.call().is_ok(),
                (None, Some(database)) => database.call(plan.id) == CallOutcome::Committed,
                (None, None) => true,
            };
            end(env, &plan, start, answered);
        }),
        JobForm::Async => Job::from_future(async move {
            let _done = done;
            let start = begin(env, &plan);
            env.service
                .perform_async(plan.service, &env.calibration)
                .await;
            let answered = match (&env.downstream, &env.database) {
                (Some(downstream), _) => downstream.call_async().await.is_ok(),
                (None, Some(database)) => {
                    database.call_async(plan.id).await == CallOutcome::Committed
                }
                (None, None) => true,
            };
            end(env, &plan, start, answered);
        }),
    }
}

/// The job starts: marks it in the ledger and records its queue wait.
fn begin(env: &JobEnv, plan: &JobPlan) -> Instant {
    let start = Instant::now();
    env.ledger.mark(plan.id);
    env.collector.record(
        Metric::QueueWait,
        nanos(start.saturating_duration_since(plan.submitted)),
    );
    start
}

/// The job's work is over: records its service and end-to-end times,
/// counts it a success if its downstream `answered` and it will not
/// panic, then panics if the plan says so.
fn end(env: &JobEnv, plan: &JobPlan, start: Instant, answered: bool) {
    let end = Instant::now();
    env.collector.record(Metric::Service, nanos(end - start));
    env.collector.record(
        Metric::EndToEnd,
        nanos(end.saturating_duration_since(plan.intended)),
    );
    if plan.panics {
        std::panic::panic_any(DeliberatePanic);
    }
    if answered {
        env.succeeded.fetch_add(1, Ordering::Relaxed);
    }
}
