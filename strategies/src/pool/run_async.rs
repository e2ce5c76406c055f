//! The awaiting path of a job: what an async executor (a tokio strategy,
//! or yours) does with a job in its task.
//!
//! [`JobContext::execute`] runs a job to its end on the calling thread; a
//! future job would block that thread for its whole life, which on a
//! runtime's thread starves every other task. [`JobContext::execute_async`]
//! awaits it instead, with the same books: a cancelled job is skipped and
//! told so, a panic is caught and counted (never escaping the task), and
//! a task dropped mid-run (its runtime shut down under it) still ends the
//! job's books, as failed. A closure job is called inline: it holds the
//! runtime thread until it returns, as it would anywhere.

use std::panic::{catch_unwind, AssertUnwindSafe};

use futures::FutureExt;

use super::job::Work;
use super::run::JobContext;
use super::Job;

impl JobContext {
    /// Runs `job` in the calling task unless its token is cancelled:
    /// awaits its future (or calls its closure), catches a panic, and
    /// counts the start and the end. Call it from your executor's task for
    /// each job it takes; `execute` is its blocking twin.
    pub async fn execute_async(&self, mut job: Job) {
        if job.is_cancelled() {
            self.skip_cancelled(job);
            return;
        }
        let work = self.start(&mut job);
        let running = Running {
            context: self,
            job: Some(job),
        };
        let result = match work {
            Work::Blocking(f) => catch_unwind(AssertUnwindSafe(f)),
            Work::Async(future) => AssertUnwindSafe(future).catch_unwind().await,
        };
        running.finish(result);
    }
}

/// A started job whose end must be counted exactly once, even if its
/// task is dropped mid-run.
struct Running<'a> {
    context: &'a JobContext,
    job: Option<Job>,
}

impl Running<'_> {
    fn finish(mut self, result: std::thread::Result<()>) {
        if let Some(job) = self.job.take() {
            self.context.finish(&job, result);
        }
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if let Some(job) = self.job.take() {
            let dropped: Box<dyn std::any::Any + Send> =
                Box::new("the task was dropped while the job ran");
            self.context.finish(&job, Err(dropped));
        }
    }
}
