//! Live counters of an executor and the snapshot [`PoolStats`] read from them.
//!
//! Every counter is an atomic updated on the hot path with one `fetch_add`;
//! a snapshot reads them one by one, so a snapshot taken while jobs run may
//! be off by the jobs in flight. After `shutdown` returns the books balance:
//! see [`PoolStats::unaccounted`].

use crate::padded::CachePadded;
use crate::sync::atomic::{AtomicUsize, Ordering};

use super::RejectReason;

/// Rejections by reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rejections {
    /// The bound was reached and the policy does not wait.
    pub full: usize,
    /// The executor was shut down.
    pub closed: usize,
    /// The policy waited for room and the wait timed out.
    pub timed_out: usize,
    /// The operating system refused a new thread.
    pub exhausted: usize,
}

impl Rejections {
    /// Every rejection, whatever its reason.
    pub fn total(&self) -> usize {
        self.full + self.closed + self.timed_out + self.exhausted
    }
}

/// A snapshot of an executor's activity.
///
/// `completed` counts every job that ran, including those that panicked
/// (`panicked` is a part of `completed`), so that
/// `submitted = completed + rejected + discarded + cancelled + handed_back`
/// once the executor has shut down.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Calls to `submit`, whatever came of them.
    pub submitted: usize,
    /// Jobs running now.
    pub running: usize,
    /// Workers alive and waiting for a job.
    pub idle: usize,
    /// Jobs accepted and waiting for a worker.
    pub queued: usize,
    /// Jobs that ran to an end, panicking or not.
    pub completed: usize,
    /// Jobs that panicked (a part of `completed`).
    pub panicked: usize,
    /// Jobs given back to their submitter by `submit`.
    pub rejected: Rejections,
    /// Jobs dropped by the `Discard` or `DiscardOldest` policy.
    pub discarded: usize,
    /// Jobs skipped because their token was cancelled before they started.
    pub cancelled: usize,
    /// Jobs given back, unstarted, in a shutdown report.
    pub handed_back: usize,
    /// The most jobs ever running at once.
    pub peak_concurrency: usize,
}

impl PoolStats {
    /// Accepted jobs not yet accounted for: zero once a shutdown has
    /// returned with no worker still running. A non-zero value after
    /// shutdown means a job was lost or counted twice.
    pub fn unaccounted(&self) -> isize {
        let settled = self.completed
            + self.rejected.total()
            + self.discarded
            + self.cancelled
            + self.handed_back
            + self.running
            + self.queued;
        self.submitted as isize - settled as isize
    }
}

/// The atomics behind [`PoolStats`], shared by every strategy and public
/// so that your own executor keeps honest books with them instead of
/// rewriting them (a hand-written `completed += 1` as a load then a store
/// is the classic lost count).
///
/// Call [`submitted`](Self::submitted) on every `submit`, then exactly one
/// of [`rejected`](Self::rejected), [`discarded`](Self::discarded),
/// [`cancelled`](Self::cancelled), [`handed_back`](Self::handed_back) or
/// [`started`](Self::started) followed by [`finished`](Self::finished)
/// for each job, and [`PoolStats::unaccounted`] of the
/// [`snapshot`](Self::snapshot) is zero once your executor has shut down.
/// [`JobContext`](super::JobContext) does the running part for you.
///
/// Submitters bump `submitted` on every job and workers bump `running` and
/// `completed`: each side has its own cache line, which takes a quarter
/// off a small job's cost in `fixed`.
#[derive(Debug, Default)]
pub struct Counters {
    submitted: CachePadded<AtomicUsize>,
    running: CachePadded<AtomicUsize>,
    completed: AtomicUsize,
    panicked: AtomicUsize,
    rejected_full: AtomicUsize,
    rejected_closed: AtomicUsize,
    rejected_timed_out: AtomicUsize,
    rejected_exhausted: AtomicUsize,
    discarded: AtomicUsize,
    cancelled: AtomicUsize,
    handed_back: AtomicUsize,
    peak: AtomicUsize,
}

fn bump(counter: &AtomicUsize, by: usize) {
    counter.fetch_add(by, Ordering::Relaxed);
}

impl Counters {
    /// A call to `submit`, whatever comes of it.
    pub fn submitted(&self) {
        bump(&self.submitted, 1);
    }

    /// A job given back by `submit`, for `reason`.
    pub fn rejected(&self, reason: RejectReason) {
        bump(
            match reason {
                RejectReason::Full => &self.rejected_full,
                RejectReason::Closed => &self.rejected_closed,
                RejectReason::TimedOut => &self.rejected_timed_out,
                RejectReason::Exhausted => &self.rejected_exhausted,
            },
            1,
        );
    }

    /// A job dropped by a discard policy.
    pub fn discarded(&self) {
        bump(&self.discarded, 1);
    }

    /// A job skipped because its token was cancelled before it started.
    pub fn cancelled(&self) {
        bump(&self.cancelled, 1);
    }

    /// `jobs` given back unstarted in a shutdown report.
    pub fn handed_back(&self, jobs: usize) {
        bump(&self.handed_back, jobs);
    }

    /// A job starts: one more running, and maybe a new peak.
    pub fn started(&self) {
        let now = self.running.fetch_add(1, Ordering::AcqRel) + 1;
        // Read first: a new peak is rare, and a read shares the line.
        if now > self.peak.load(Ordering::Acquire) {
            self.peak.fetch_max(now, Ordering::AcqRel);
        }
    }

    /// A job ended. `completed` is bumped before `running` drops, so a
    /// snapshot never sees the job nowhere.
    pub fn finished(&self, panicked: bool) {
        if mutant!(RacyCounter) {
            let seen = self.completed.load(Ordering::Acquire);
            self.completed.store(seen + 1, Ordering::Release);
        } else {
            bump(&self.completed, 1);
        }
        if panicked {
            bump(&self.panicked, 1);
        }
        self.running.fetch_sub(1, Ordering::AcqRel);
    }

    /// Jobs running now.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::Acquire)
    }

    /// Jobs that ran to an end, panicking or not.
    pub fn completed(&self) -> usize {
        self.completed.load(Ordering::Acquire)
    }

    /// A snapshot; `idle` and `queued` come from the strategy, which
    /// alone knows its workers and its queue.
    pub fn snapshot(&self, idle: usize, queued: usize) -> PoolStats {
        let load = |counter: &AtomicUsize| counter.load(Ordering::Acquire);
        PoolStats {
            submitted: load(&self.submitted),
            running: load(&self.running),
            idle,
            queued,
            completed: load(&self.completed),
            panicked: load(&self.panicked),
            rejected: Rejections {
                full: load(&self.rejected_full),
                closed: load(&self.rejected_closed),
                timed_out: load(&self.rejected_timed_out),
                exhausted: load(&self.rejected_exhausted),
            },
            discarded: load(&self.discarded),
            cancelled: load(&self.cancelled),
            handed_back: load(&self.handed_back),
            peak_concurrency: load(&self.peak),
        }
    }
}
