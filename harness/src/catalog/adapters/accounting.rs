//! The books every adapter keeps around a library pool that keeps none
//! of its own that we could trust: what was accepted, what is still
//! waiting in the library's queue, what ran, what panicked, what was
//! cancelled, what came back at an abort.
//!
//! The library only ever sees a [`Slot`]: a closure that owns the job and
//! runs it through [`JobContext::execute`], so that a panic is caught and
//! counted inside the library's worker (rayon would abort the process
//! on a panicking `spawn` otherwise) and a cancelled job tells its
//! `Batch`.
//!
//! One atomic word holds a `CLOSED` bit and the count of jobs accepted
//! but not yet settled (run, skipped as cancelled, or handed back). A
//! submit adds one and backs out if it sees the bit; shutdown sets the bit
//! and waits for the count to reach zero. So a submit racing a shutdown
//! either is counted before the bit is set (and waited for) or sees the
//! bit and is rejected as closed: no job reaches the library after
//! shutdown has returned.
//!
//! None of these libraries can take a queued job back. An abort therefore
//! sets a flag that every [`Slot`] reads when the library starts it: from
//! then on a slot hands its job back, unrun, instead of running it, and
//! shutdown returns once the running jobs have ended and the library has
//! passed over every queued slot. The jobs handed back are real jobs, in
//! the report, counted as handed back.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use contend_strategies::pool::{
    ConfigError, Job, JobContext, PanicHandler, PoolConfig, PoolStats, RejectReason, Rejected,
    ShutdownMode, ShutdownReport,
};

/// The workers `config` asks for, refusing zero, which each library reads
/// its own way (rayon as one per core; threadpool panics).
pub(crate) fn workers(config: &PoolConfig, strategy: &'static str) -> Result<usize, ConfigError> {
    match config.workers {
        0 => Err(ConfigError::ZeroWorkers { strategy }),
        workers => Ok(workers),
    }
}

/// The closed bit of [`Accounting::state`]; the bits below count jobs.
const CLOSED: usize = 1 << (usize::BITS - 1);

/// The shared books of one adapter.
pub(crate) struct Accounting {
    context: JobContext,
    /// `CLOSED` | jobs accepted and not yet settled.
    state: AtomicUsize,
    /// Jobs accepted and not yet started by the library.
    queued: AtomicUsize,
    /// Slots started from now on hand their job back.
    aborting: AtomicBool,
    /// Jobs handed back and not yet given to a shutdown caller.
    handed_back: Mutex<Vec<Job>>,
    /// Taken by the last job to settle after close, to wake shutdown.
    settle_lock: Mutex<()>,
    settled: Condvar,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A job never runs under these locks, so a poisoned one holds
    // consistent data.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Accounting {
    /// The books of the adapter called `strategy`.
    pub(crate) fn new(strategy: &'static str, panic_handler: Option<PanicHandler>) -> Arc<Self> {
        Arc::new(Self {
            context: JobContext::new(strategy, panic_handler),
            state: AtomicUsize::new(0),
            queued: AtomicUsize::new(0),
            aborting: AtomicBool::new(false),
            handed_back: Mutex::new(Vec::new()),
            settle_lock: Mutex::new(()),
            settled: Condvar::new(),
        })
    }

    /// Counts a submit; `Ok` with a slot to give the library, or the job
    /// back, rejected as closed, after shutdown.
    pub(crate) fn admit(self: &Arc<Self>, job: Job) -> Result<Slot, Rejected> {
        self.context.counters().submitted();
        let before = self.state.fetch_add(1, Ordering::AcqRel);
        if before & CLOSED != 0 {
            let rejected = self.context.reject(RejectReason::Closed, job);
            self.settle_one();
            return Err(rejected);
        }
        self.queued.fetch_add(1, Ordering::AcqRel);
        Ok(Slot {
            job: Some(job),
            books: Arc::clone(self),
        })
    }

    fn settle_one(&self) {
        if self.state.fetch_sub(1, Ordering::AcqRel) == CLOSED | 1 {
            // The last job after close: wake shutdown. Taking the lock
            // orders this after shutdown's check of the count.
            let _guard = lock(&self.settle_lock);
            self.settled.notify_all();
        }
    }

    fn outstanding(&self) -> usize {
        self.state.load(Ordering::Acquire) & !CLOSED
    }

    /// Closes (every later submit is rejected as closed) and settles the
    /// accepted jobs as `mode` asks; see the module docs for abort.
    /// `settled` in the answer says whether every accepted job is
    /// accounted for (always, unless a drain's deadline passed first).
    pub(crate) fn shut(&self, mode: ShutdownMode) -> Shut {
        let deadline = match mode {
            // A deadline too far to represent (`Duration::MAX`) is none.
            ShutdownMode::Drain { deadline } => {
                deadline.and_then(|after| Instant::now().checked_add(after))
            }
            ShutdownMode::Abort => {
                // Before closing: a submit refused as closed proves that
                // nothing more will start.
                self.aborting.store(true, Ordering::Release);
                None
            }
        };
        self.state.fetch_or(CLOSED, Ordering::AcqRel);
        let settled = self.wait_settled(deadline);
        if !settled {
            // Past a drain's deadline: nothing more may start. Jobs the
            // library has not reached yet come back to a later call.
            self.aborting.store(true, Ordering::Release);
        }
        let handed_back = std::mem::take(&mut *lock(&self.handed_back));
        Shut {
            report: ShutdownReport {
                completed: self.context.counters().completed(),
                handed_back,
                // Not settled: jobs are running, or still in the library's
                // queue, where they cannot be taken back and will hand
                // themselves back when it reaches them. Either way the
                // caller must call again to collect them, so every such
                // job counts (none running now is not "all joined").
                still_running: if settled { 0 } else { self.outstanding() },
            },
            settled,
        }
    }

    fn wait_settled(&self, deadline: Option<Instant>) -> bool {
        let mut guard = lock(&self.settle_lock);
        while self.outstanding() > 0 {
            guard = match deadline {
                None => self
                    .settled
                    .wait(guard)
                    .unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left == Duration::ZERO {
                        return false;
                    }
                    self.settled
                        .wait_timeout(guard, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
        }
        true
    }

    /// Whether shutdown has begun.
    pub(crate) fn is_closed(&self) -> bool {
        self.state.load(Ordering::Acquire) & CLOSED != 0
    }

    /// The stats, with the adapter's own idle count.
    pub(crate) fn stats(&self, idle: usize) -> PoolStats {
        self.context
            .stats(idle, self.queued.load(Ordering::Acquire))
    }

    /// Jobs running now.
    pub(crate) fn running(&self) -> usize {
        self.context.counters().running()
    }
}

/// What [`Accounting::shut`] did.
pub(crate) struct Shut {
    /// The report for the caller.
    pub(crate) report: ShutdownReport,
    /// Every accepted job is settled: the library's threads may be let go.
    pub(crate) settled: bool,
}

/// One accepted job, as the library sees it: call [`Slot::run`] in the
/// library's closure. A slot the library drops unrun (a runtime shut down
/// under it) hands its job back rather than losing it.
pub(crate) struct Slot {
    job: Option<Job>,
    books: Arc<Accounting>,
}

impl Slot {
    /// Runs the job, or hands it back if an abort came first.
    pub(crate) fn run(mut self) {
        let job = self.job.take().expect("a slot runs once");
        let books = &self.books;
        books.queued.fetch_sub(1, Ordering::AcqRel);
        if books.aborting.load(Ordering::Acquire) {
            books.context.counters().handed_back(1);
            lock(&books.handed_back).push(job);
        } else {
            books.context.execute(job);
        }
        books.settle_one();
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(job) = self.job.take() {
            let books = &self.books;
            books.queued.fetch_sub(1, Ordering::AcqRel);
            books.context.counters().handed_back(1);
            lock(&books.handed_back).push(job);
            books.settle_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;

    #[test]
    fn a_slot_dropped_unrun_hands_its_job_back() {
        let books = Accounting::new("test", None);
        let ran = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&ran);
        let slot = books
            .admit(Job::new(move || {
                counter.fetch_add(1, Ordering::Relaxed);
            }))
            .unwrap();
        drop(slot);
        let shut = books.shut(ShutdownMode::DRAIN);
        assert!(shut.settled);
        assert_eq!(shut.report.handed_back.len(), 1);
        let stats = books.stats(0);
        assert_eq!((stats.handed_back, stats.queued), (1, 0));
        assert_eq!(stats.unaccounted(), 0);
        assert_eq!(ran.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn a_drain_whose_deadline_passes_reports_the_job_still_waiting() {
        let books = Accounting::new("test", None);
        let slot = books.admit(Job::new(|| {})).unwrap();
        let shut = books.shut(ShutdownMode::Drain {
            deadline: Some(Duration::from_millis(1)),
        });
        assert!(!shut.settled);
        assert_eq!(
            shut.report.still_running, 1,
            "a job still in the library's queue is reported, so the caller calls again"
        );
        // The library reaches the job after the deadline: it comes back
        // to the next shutdown call, unrun.
        slot.run();
        let again = books.shut(ShutdownMode::DRAIN);
        assert!(again.settled);
        assert_eq!(again.report.handed_back.len(), 1);
        assert_eq!(books.stats(0).unaccounted(), 0);
    }
}
