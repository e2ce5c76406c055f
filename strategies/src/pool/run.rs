//! Running one job on a worker: cancellation check, panic isolation and
//! the counters, the same for every strategy.

use std::any::Any;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::admission::Refusal;
use super::job::{run_work, Outcome, Work};
use super::stats::Counters;
use super::{Admission, Job, PoolStats, RejectReason, Rejected};

/// Called on the worker's thread after a job panicked; the worker then
/// goes on with the next job. It is a plain `std` `Arc` because it is
/// configuration, not shared state under test.
pub type PanicHandler = std::sync::Arc<dyn Fn(&JobPanic<'_>) + Send + Sync>;

/// What a [`PanicHandler`] is told about a panicking job.
#[derive(Debug)]
pub struct JobPanic<'a> {
    /// The strategy whose worker caught the panic.
    pub strategy: &'static str,
    /// The panic message, when the payload was a string.
    pub message: Option<&'a str>,
}

/// Per-executor context every worker shares: the [`Counters`] and the
/// panic handler. Public so that your own executor runs its jobs as the
/// built-in ones do: [`execute`](Self::execute) skips a cancelled job
/// (telling its [`Batch`](super::Batch) it was cancelled, not dropped),
/// catches a panic so that it never kills the worker, and counts both.
pub struct JobContext {
    pub(crate) strategy: &'static str,
    pub(crate) counters: Counters,
    panic_handler: Option<PanicHandler>,
}

impl fmt::Debug for JobContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobContext")
            .field("strategy", &self.strategy)
            .field("counters", &self.counters)
            .field("panic_handler", &self.panic_handler.is_some())
            .finish()
    }
}

impl JobContext {
    /// The context of the executor called `strategy`; `panic_handler`, if
    /// any, is shown every panic a job raises.
    pub fn new(strategy: &'static str, panic_handler: Option<PanicHandler>) -> Self {
        Self {
            strategy,
            counters: Counters::default(),
            panic_handler,
        }
    }

    /// Runs `job` on this thread unless its token is cancelled. A panic is
    /// caught, counted and shown to the handler; it never escapes.
    pub fn execute(&self, mut job: Job) {
        if job.is_cancelled() {
            self.skip_cancelled(job);
            return;
        }
        let work = self.start(&mut job);
        if mutant!(FragileWorker) {
            run_work(work);
            self.finish(&job, Ok(()));
            return;
        }
        let result = catch_unwind(AssertUnwindSafe(|| run_work(work)));
        self.finish(&job, result);
    }

    /// Counts a job whose token was cancelled before it started, and tells
    /// its batch.
    pub fn skip_cancelled(&self, job: Job) {
        self.counters.cancelled();
        job.drop_cancelled();
    }

    /// The counters, for `submitted` and whatever your executor does
    /// besides running jobs.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// The bookkeeping after a job's work returned or panicked; shared
    /// with the tokio strategies, which run the work themselves.
    pub(crate) fn finish(&self, job: &Job, result: Result<(), Box<dyn Any + Send>>) {
        let panicked = result.is_err();
        self.counters.finished(panicked);
        if let Err(payload) = &result {
            if let Some(handler) = &self.panic_handler {
                let report = JobPanic {
                    strategy: self.strategy,
                    message: panic_message(payload.as_ref()),
                };
                // A handler that panics in turn must not kill the worker.
                let _ = catch_unwind(AssertUnwindSafe(|| handler(&report)));
            }
        }
        job.tell(if panicked {
            Outcome::Panicked
        } else {
            Outcome::Finished
        });
    }

    /// Takes the work out of a job about to start, counting the start.
    /// For strategies that drive the work themselves (tokio).
    pub(crate) fn start(&self, job: &mut Job) -> Work {
        let work = job.take_work();
        self.counters.started();
        work
    }

    /// Carries out a refusal from [`await_room`](super::admission::await_room).
    pub(crate) fn refuse(&self, refusal: Refusal, job: Job) -> Result<Admission, Rejected> {
        match refusal {
            Refusal::Reject(reason) => Err(self.reject(reason, job)),
            Refusal::Discard => {
                self.discard(job);
                Ok(Admission::Discarded)
            }
            Refusal::CallerRuns => {
                self.execute(job);
                Ok(Admission::RanOnCaller)
            }
        }
    }

    /// Counts a rejection and wraps the job to give it back.
    pub fn reject(&self, reason: RejectReason, job: Job) -> Rejected {
        self.counters.rejected(reason);
        Rejected::new(reason, job)
    }

    /// Drops a job under a discard policy, counting it.
    pub fn discard(&self, job: Job) {
        self.counters.discarded();
        drop(job);
    }

    /// The executor's stats, given the strategy's own idle and queued counts.
    pub fn stats(&self, idle: usize, queued: usize) -> PoolStats {
        self.counters.snapshot(idle, queued)
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}
