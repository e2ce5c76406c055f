//! The unit of work every executor accepts.
//!
//! A [`Job`] is an owned piece of work: a blocking closure or a future. It
//! is a value rather than a bare closure so that it can come back to its
//! submitter (inside a [`Rejected`](super::Rejected) or a
//! [`ShutdownReport`](super::ShutdownReport)) and so that it can carry a
//! [`CancelToken`] and, when submitted through a [`Batch`](super::Batch),
//! report how it ended.

use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;

use super::batch::Tracker;
use super::cancel::CancelToken;
use crate::sync::Arc;

/// A boxed future with no output, the async form of a job.
pub type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// What a job does when it runs.
pub(crate) enum Work {
    /// A closure run to completion on the worker's thread.
    Blocking(Box<dyn FnOnce() + Send + 'static>),
    /// A future: awaited on tokio strategies, driven with a local
    /// `block_on` on thread strategies.
    Async(BoxFuture),
}

/// How a job ended, as told to the [`Batch`](super::Batch) that owns it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The work ran and returned.
    Finished,
    /// The work ran and panicked.
    Panicked,
    /// The token was cancelled before the job started; it never ran.
    Cancelled,
    /// The job was dropped without running (discarded, or dropped by the
    /// caller after a rejection or a shutdown hand-back).
    Dropped,
}

/// An owned unit of work.
pub struct Job {
    work: Option<Work>,
    cancel: Option<CancelToken>,
    tracker: Option<Arc<Tracker>>,
}

impl Job {
    /// A job that runs `f` on a worker.
    pub fn new(f: impl FnOnce() + Send + 'static) -> Self {
        Self::from_work(Work::Blocking(Box::new(f)))
    }

    /// A job that runs `future`. Tokio strategies await it on the runtime;
    /// thread strategies drive it to completion on the worker thread, so it
    /// must not need a tokio reactor there.
    pub fn from_future(future: impl Future<Output = ()> + Send + 'static) -> Self {
        Self::from_work(Work::Async(Box::pin(future)))
    }

    fn from_work(work: Work) -> Self {
        Self {
            work: Some(work),
            cancel: None,
            tracker: None,
        }
    }

    /// Attaches a cancellation token: if it is cancelled before the job
    /// starts, the job is skipped and counted as cancelled.
    pub fn with_cancel(mut self, token: CancelToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// Whether the job's token, if any, has been cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(CancelToken::is_cancelled)
    }

    /// Whether the job's work is a future.
    pub fn is_async(&self) -> bool {
        matches!(self.work, Some(Work::Async(_)))
    }

    /// Runs the job on the calling thread, outside any pool. A panic in the
    /// work propagates to the caller. Use this for a job handed back by a
    /// rejection or a shutdown.
    pub fn run(mut self) {
        let work = self.take_work();
        match catch_unwind(AssertUnwindSafe(|| run_work(work))) {
            Ok(()) => self.tell(Outcome::Finished),
            Err(payload) => {
                self.tell(Outcome::Panicked);
                std::panic::resume_unwind(payload);
            }
        }
    }

    /// Drops the job unrun because its token was cancelled, telling its
    /// [`Batch`](super::Batch) so; a plain drop reports it as dropped.
    pub fn drop_cancelled(mut self) {
        drop(self.take_work());
        self.tell(Outcome::Cancelled);
    }

    pub(crate) fn attach_tracker(&mut self, tracker: Arc<Tracker>) {
        self.tracker = Some(tracker);
    }

    /// Takes the work out; the job then counts as consumed and its drop
    /// reports nothing. Callers must [`Job::tell`] the outcome.
    pub(crate) fn take_work(&mut self) -> Work {
        self.work.take().expect("a job's work is taken once")
    }

    /// Reports how the job ended to its batch, if it has one.
    pub(crate) fn tell(&self, outcome: Outcome) {
        if let Some(tracker) = &self.tracker {
            tracker.record(outcome);
        }
    }
}

/// Runs `work` to completion on the calling thread.
pub(crate) fn run_work(work: Work) {
    match work {
        Work::Blocking(f) => f(),
        Work::Async(future) => crate::sync::block_on(future),
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        if self.work.is_some() {
            self.tell(Outcome::Dropped);
        }
    }
}

impl fmt::Debug for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Job")
            .field("async", &self.is_async())
            .field("cancellable", &self.cancel.is_some())
            .field("in_batch", &self.tracker.is_some())
            .finish()
    }
}
