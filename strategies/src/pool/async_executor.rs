//! Executors whose callers are tasks: [`AsyncExecutor`], and [`Blocking`],
//! which lets a thread (and every check and load test written against
//! [`Executor`]) drive one.
//!
//! [`Executor::submit`] answers on the caller's thread: under policy
//! `block` it parks that thread until there is room, and `shutdown` parks
//! it until the workers are done. Called from a tokio task, that parks a
//! runtime thread, and on a runtime with few threads the task that would
//! free the room may never run. An executor whose submitters are tasks
//! awaits instead: its `submit` and `shutdown` are futures that yield the
//! thread while they wait. The jobs themselves run through
//! [`JobContext::execute_async`](super::JobContext::execute_async), the
//! awaiting path the built-in tokio strategies use.

use std::future::Future;

use super::{Admission, Executor, Job, PoolStats, Rejected, ShutdownMode, ShutdownReport};
use crate::sync::block_on;

/// An executor whose `submit` and `shutdown` are awaited, not blocked on.
///
/// The promises are [`Executor`]'s: an accepted job runs exactly once or
/// comes back in the shutdown report; after a shutdown every job is
/// refused as closed; shutdowns are idempotent and may race. Two more come
/// with awaiting:
///
/// - **Waiting yields the thread.** A `submit` waiting for room and a
///   `shutdown` waiting for the jobs return `Pending` and are woken; they
///   never park the thread that polls them.
/// - **A dropped `submit` takes nothing.** A `submit` future dropped
///   before it resolves (a `select!` that took another branch, a timeout)
///   neither runs its job nor keeps any room or count it took while
///   waiting: count the job as submitted when its answer is decided.
///
/// Implement it with `async fn` (the futures must be `Send`):
///
/// ```
/// use contend_strategies::pool::{Admission, AsyncExecutor, Job, JobContext, PoolStats};
/// use contend_strategies::pool::{Rejected, ShutdownMode, ShutdownReport};
///
/// /// Runs each job in the submitting task: a baseline, not a pool.
/// struct Inline(JobContext);
///
/// impl AsyncExecutor for Inline {
///     fn name(&self) -> &'static str {
///         "inline"
///     }
///     async fn submit(&self, job: Job) -> Result<Admission, Rejected> {
///         self.0.counters().submitted();
///         self.0.execute_async(job).await;
///         Ok(Admission::Accepted)
///     }
///     async fn shutdown(&self, _mode: ShutdownMode) -> ShutdownReport {
///         ShutdownReport {
///             completed: self.0.counters().completed(),
///             handed_back: Vec::new(),
///             still_running: 0,
///         }
///     }
///     fn stats(&self) -> PoolStats {
///         self.0.stats(0, 0)
///     }
/// }
/// # futures::executor::block_on(async {
/// let inline = Inline(JobContext::new("inline", None));
/// inline.submit(Job::from_future(async {})).await.unwrap();
/// assert_eq!(inline.shutdown(ShutdownMode::DRAIN).await.completed, 1);
/// # });
/// ```
///
/// contend's checks take it through `PoolSubject::awaiting` (in
/// `contend-tests`), which runs the awaiting checks on it natively and
/// every other check, model and load test on it through [`Blocking`].
pub trait AsyncExecutor: Send + Sync {
    /// The strategy's name, as used in scenario files.
    fn name(&self) -> &'static str;

    /// Offers a job, awaiting room if the policy waits for it. The answers
    /// are [`Executor::submit`]'s.
    fn submit(&self, job: Job) -> impl Future<Output = Result<Admission, Rejected>> + Send;

    /// Shuts down (see [`ShutdownMode`]), awaiting the jobs it waits for.
    fn shutdown(&self, mode: ShutdownMode) -> impl Future<Output = ShutdownReport> + Send;

    /// A snapshot of the executor's counters.
    fn stats(&self) -> PoolStats;
}

/// An [`AsyncExecutor`] driven from threads: each call blocks its thread
/// on the future (with `futures`' `block_on`, or shuttle's under the
/// `shuttle` feature, so that shuttle schedules the wait).
///
/// It is how the thread-based checks (the pool machine, the suites, the
/// loom and shuttle models) and the load tester's submitter threads drive
/// an async executor: what they check is the executor's own admission and
/// books, awaited to the end. Like every [`Executor`], call it from a
/// thread that is not one of a runtime's.
#[derive(Debug)]
pub struct Blocking<E>(pub E);

impl<E: AsyncExecutor> Blocking<E> {
    /// `executor`, driven from threads.
    pub fn new(executor: E) -> Self {
        Self(executor)
    }
}

impl<E: AsyncExecutor> Executor for Blocking<E> {
    fn name(&self) -> &'static str {
        self.0.name()
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        block_on(self.0.submit(job))
    }

    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        block_on(self.0.shutdown(mode))
    }

    fn stats(&self) -> PoolStats {
        self.0.stats()
    }
}

impl<E: AsyncExecutor> AsyncExecutor for std::sync::Arc<E> {
    fn name(&self) -> &'static str {
        (**self).name()
    }

    fn submit(&self, job: Job) -> impl Future<Output = Result<Admission, Rejected>> + Send {
        (**self).submit(job)
    }

    fn shutdown(&self, mode: ShutdownMode) -> impl Future<Output = ShutdownReport> + Send {
        (**self).shutdown(mode)
    }

    fn stats(&self) -> PoolStats {
        (**self).stats()
    }
}
