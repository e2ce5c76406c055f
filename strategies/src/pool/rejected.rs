//! What `submit` answers: how a job was admitted, or why it came back.
//!
//! As with crossbeam's `SendError<T>`, a rejected job travels back to the
//! caller inside the error, so it is never silently lost.

use std::fmt;

use super::Job;

/// Why an executor refused a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RejectReason {
    /// The bound was reached and the overload policy does not wait (or the
    /// cap on blocked submitters was reached).
    Full,
    /// The executor has been shut down.
    Closed,
    /// The policy waited for room and the wait timed out.
    TimedOut,
    /// The operating system refused to start another thread.
    Exhausted,
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RejectReason::Full => "the executor is full",
            RejectReason::Closed => "the executor is shut down",
            RejectReason::TimedOut => "timed out waiting for room",
            RejectReason::Exhausted => "no thread could be started",
        })
    }
}

/// A job the executor did not accept, given back with the reason.
pub struct Rejected {
    reason: RejectReason,
    job: Job,
}

impl Rejected {
    /// Wraps a refused job with the reason, for executors written outside
    /// this crate.
    pub fn new(reason: RejectReason, job: Job) -> Self {
        Self { reason, job }
    }

    /// Why the job was refused.
    pub fn reason(&self) -> RejectReason {
        self.reason
    }

    /// The refused job, to retry, run elsewhere or drop.
    pub fn into_job(self) -> Job {
        self.job
    }
}

impl fmt::Debug for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rejected")
            .field("reason", &self.reason)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "job rejected: {}", self.reason)
    }
}

impl std::error::Error for Rejected {}

/// How an accepted job was admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// The job was queued or handed to a worker; it will run, or come back
    /// in the shutdown report.
    Accepted,
    /// The job was accepted and the oldest queued job was dropped to make
    /// room (policy `DiscardOldest`; counted as discarded).
    AcceptedDroppingOldest,
    /// The executor was full and the job ran on the caller's thread
    /// before `submit` returned (policy `CallerRuns`).
    RanOnCaller,
    /// The executor was full and the job was dropped (policy `Discard`;
    /// counted as discarded).
    Discarded,
}
