//! The WaitGroup-with-deadline pattern: submit a group of jobs, wait for
//! all of them (or a deadline), cancel the rest, and learn how each ended.

use std::fmt;
use std::time::Duration;

use super::job::Outcome;
use super::{Admission, CancelToken, Executor, Job, Rejected};
use crate::sync::{deadline_after, Arc, Condvar, Mutex};

/// How a batch's jobs ended, at the moment [`Batch::wait`] returned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchReport {
    /// Jobs made by the batch.
    pub jobs: usize,
    /// Jobs that ran and returned.
    pub finished: usize,
    /// Jobs that ran and panicked.
    pub panicked: usize,
    /// Jobs skipped because the batch was cancelled before they started.
    pub cancelled: usize,
    /// Jobs dropped without running: discarded by a policy, or rejected or
    /// handed back and then dropped by the caller.
    pub dropped: usize,
    /// Jobs still queued or running when the wait ended.
    pub pending: usize,
}

impl BatchReport {
    /// Whether every job has ended one way or another.
    pub fn is_settled(&self) -> bool {
        self.pending == 0
    }
}

/// Counts the outcomes of a batch's jobs. Each job reports exactly once:
/// when it ends, is skipped, or is dropped unrun.
#[derive(Debug, Default)]
pub(crate) struct Tracker {
    report: Mutex<BatchReport>,
    settled: Condvar,
}

impl Tracker {
    pub(crate) fn record(&self, outcome: Outcome) {
        let mut report = self.report.lock();
        match outcome {
            Outcome::Finished => report.finished += 1,
            Outcome::Panicked => report.panicked += 1,
            Outcome::Cancelled => report.cancelled += 1,
            Outcome::Dropped => report.dropped += 1,
        }
        report.pending -= 1;
        if report.pending == 0 {
            self.settled.notify_all();
        }
    }
}

/// A group of jobs sharing a [`CancelToken`], waited for together.
///
/// ```
/// use contend_strategies::pool::{Batch, Executor, Fixed, PoolConfig, ShutdownMode};
/// use std::time::Duration;
///
/// let pool = Fixed::new(PoolConfig::new(4)).unwrap();
/// let batch = Batch::new();
/// for _ in 0..100 {
///     batch.submit(&pool, || { /* one request */ }).unwrap();
/// }
/// let report = batch.wait_then_cancel(Duration::from_secs(10));
/// assert_eq!(report.finished, 100);
/// pool.shutdown(ShutdownMode::DRAIN);
/// ```
pub struct Batch {
    token: CancelToken,
    tracker: Arc<Tracker>,
}

impl fmt::Debug for Batch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Batch")
            .field("cancelled", &self.token.is_cancelled())
            .field("report", &*self.tracker.report.lock())
            .finish()
    }
}

impl Default for Batch {
    fn default() -> Self {
        Self::new()
    }
}

impl Batch {
    /// An empty batch with a fresh token.
    pub fn new() -> Self {
        Self {
            token: CancelToken::new(),
            tracker: Arc::new(Tracker::default()),
        }
    }

    /// The batch's token, for running jobs to poll.
    pub fn token(&self) -> &CancelToken {
        &self.token
    }

    /// Makes a job that belongs to this batch: it carries the batch's
    /// token and reports how it ends.
    pub fn job(&self, f: impl FnOnce() + Send + 'static) -> Job {
        self.adopt(Job::new(f))
    }

    /// Makes an existing job part of this batch.
    pub fn adopt(&self, job: Job) -> Job {
        let mut job = job.with_cancel(self.token.clone());
        {
            let mut report = self.tracker.report.lock();
            report.jobs += 1;
            report.pending += 1;
        }
        job.attach_tracker(Arc::clone(&self.tracker));
        job
    }

    /// Submits `f` to `executor` as part of this batch.
    pub fn submit<E: Executor + ?Sized>(
        &self,
        executor: &E,
        f: impl FnOnce() + Send + 'static,
    ) -> Result<Admission, Rejected> {
        executor.submit(self.job(f))
    }

    /// Cancels the batch: jobs not yet started are skipped.
    pub fn cancel(&self) {
        self.token.cancel();
    }

    /// Waits until every job has ended, or `timeout` passes (`None`: no
    /// limit), and reports.
    pub fn wait(&self, timeout: Option<Duration>) -> BatchReport {
        let deadline = timeout.and_then(deadline_after);
        let mut report = self.tracker.report.lock();
        while report.pending > 0 {
            let (woken, past_deadline) = self.tracker.settled.wait_until(report, deadline);
            report = woken;
            if past_deadline {
                break;
            }
        }
        *report
    }

    /// Go's `context.WithTimeout` plus `WaitGroup.Wait`: waits up to
    /// `timeout`, then cancels whatever has not started, and reports.
    pub fn wait_then_cancel(&self, timeout: Duration) -> BatchReport {
        let report = self.wait(Some(timeout));
        if !report.is_settled() {
            self.cancel();
        }
        report
    }
}

#[cfg(all(test, not(any(loom, feature = "shuttle"))))]
mod tests {
    use super::Batch;
    use crate::pool::JobContext;

    /// What an executor of a user's tells a batch: a job skipped through
    /// `JobContext` (or `Job::drop_cancelled`) counts as cancelled, one
    /// merely dropped as dropped, one run as finished or panicked.
    #[test]
    fn an_outside_executor_reports_cancelled_jobs_as_cancelled_not_dropped() {
        let books = JobContext::new("outside", None);
        let batch = Batch::new();
        let (kept, skipped, dropped) = (batch.job(|| {}), batch.job(|| {}), batch.job(|| {}));
        let other = Batch::new();
        let cancelled_alone = other.job(|| {});
        books.execute(kept);
        batch.cancel();
        books.execute(skipped);
        drop(dropped);
        other.cancel();
        cancelled_alone.drop_cancelled();
        let report = batch.wait(None);
        assert_eq!(
            (report.finished, report.cancelled, report.dropped),
            (1, 1, 1)
        );
        assert!(report.is_settled());
        assert_eq!(other.wait(None).cancelled, 1);
        let stats = books.stats(0, 0);
        assert_eq!((stats.completed, stats.cancelled), (1, 1));
    }
}
