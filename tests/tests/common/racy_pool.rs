//! Executors written outside `contend-strategies`, as a user would, each
//! with one classic race and everything else (books, shutdown, panics)
//! right: `workers` threads on an unbounded queue behind a mutex, with a
//! `closed` flag that submits read.
//!
//! - [`Bug::LostWakeUp`]: an idle worker checks the queue, lets go of the
//!   lock before it waits, then takes it again and waits on the condition
//!   variable without checking again. A submit whose notification lands
//!   between the two finds no one waiting: the worker sleeps with a job
//!   queued until the next submit or the shutdown wakes it.
//! - [`Bug::SubmitRacesClose`]: to keep submits off the queue's lock once
//!   the pool is closed, `submit` reads the flag first and pushes the job
//!   under the lock afterwards. A shutdown that sets the flag, lets the
//!   workers drain the queue and joins them in between leaves the job
//!   accepted, queued, and never run nor handed back.

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};

use contend_strategies::pool::{
    Admission, Executor, Job, PoolStats, RejectReason, Rejected, ShutdownMode, ShutdownReport,
};
use contend_strategies::sync::atomic::{AtomicBool, Ordering};
use contend_strategies::sync::thread::{self, JoinHandle};
use contend_strategies::sync::{Arc, Condvar, Mutex};

/// The race a pool has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bug {
    /// The lock let go between the check and the wait.
    LostWakeUp,
    /// The closed flag read before the queue's lock.
    SubmitRacesClose,
}

impl Bug {
    fn name(self) -> &'static str {
        match self {
            Bug::LostWakeUp => "lost-wakeup",
            Bug::SubmitRacesClose => "submit-races-close",
        }
    }
}

#[derive(Default)]
struct State {
    queue: VecDeque<Job>,
    running: usize,
    stats: PoolStats,
}

struct Shared {
    state: Mutex<State>,
    /// Set under the lock; read without it by a [`Bug::SubmitRacesClose`] submit.
    closed: AtomicBool,
    /// A job was queued or the pool closed.
    work: Condvar,
    bug: Bug,
}

/// A fixed number of workers on an unbounded queue, with `bug`.
pub struct RacyPool {
    shared: Arc<Shared>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

impl RacyPool {
    pub fn new(workers: usize, bug: Bug) -> Self {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            closed: AtomicBool::new(false),
            work: Condvar::new(),
            bug,
        });
        let workers = (0..workers)
            .map(|_| {
                let shared = Arc::clone(&shared);
                thread::spawn(move || work(&shared))
            })
            .collect();
        Self {
            shared,
            workers: Mutex::new(workers),
        }
    }
}

/// Takes the next job, or waits for one; `None` once closed and empty.
fn next_job(shared: &Shared) -> Option<Job> {
    let mut state = shared.state.lock();
    loop {
        if let Some(job) = state.queue.pop_front() {
            return Some(job);
        }
        if shared.closed.load(Ordering::Acquire) {
            return None;
        }
        if shared.bug == Bug::LostWakeUp {
            // THE BUG: the check above was made under a lock since
            // released; a job queued (and notified) from here to the wait
            // is missed.
            drop(state);
            state = shared.state.lock();
        }
        state = shared.work.wait(state);
    }
}

fn work(shared: &Shared) {
    while let Some(job) = next_job(shared) {
        let mut state = shared.state.lock();
        if job.is_cancelled() {
            state.stats.cancelled += 1;
            drop(state);
            // Tells its batch it was cancelled; a plain drop says dropped.
            job.drop_cancelled();
            continue;
        }
        state.running += 1;
        state.stats.peak_concurrency = state.stats.peak_concurrency.max(state.running);
        drop(state);
        let panicked = catch_unwind(AssertUnwindSafe(|| job.run())).is_err();
        let mut state = shared.state.lock();
        state.running -= 1;
        state.stats.completed += 1;
        state.stats.panicked += usize::from(panicked);
    }
}

impl Executor for RacyPool {
    fn name(&self) -> &'static str {
        self.shared.bug.name()
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        let unlocked_check = self.shared.bug == Bug::SubmitRacesClose;
        // THE BUG of SubmitRacesClose: the flag read without the lock; a
        // shutdown from here to the push below closes, drains and joins
        // without this job.
        let closed_before = unlocked_check && self.shared.closed.load(Ordering::Acquire);
        let mut state = self.shared.state.lock();
        state.stats.submitted += 1;
        let closed =
            closed_before || (!unlocked_check && self.shared.closed.load(Ordering::Acquire));
        if closed {
            state.stats.rejected.closed += 1;
            return Err(Rejected::new(RejectReason::Closed, job));
        }
        state.queue.push_back(job);
        drop(state);
        self.shared.work.notify_one();
        Ok(Admission::Accepted)
    }

    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        let mut state = self.shared.state.lock();
        self.shared.closed.store(true, Ordering::Release);
        let handed_back: Vec<Job> = match mode {
            ShutdownMode::Abort => state.queue.drain(..).collect(),
            ShutdownMode::Drain { .. } => Vec::new(),
        };
        state.stats.handed_back += handed_back.len();
        drop(state);
        self.shared.work.notify_all();
        // Held while joining, so a concurrent caller returns after the join.
        let mut workers = self.workers.lock();
        for worker in workers.drain(..) {
            worker.join().expect("the workers catch every panic");
        }
        ShutdownReport {
            completed: self.shared.state.lock().stats.completed,
            handed_back,
            still_running: 0,
        }
    }

    fn stats(&self) -> PoolStats {
        let state = self.shared.state.lock();
        PoolStats {
            running: state.running,
            queued: state.queue.len(),
            ..state.stats
        }
    }
}

/// The pool with `bug` as a subject: `workers` threads, at most that many
/// jobs at once (`bounded`), behind an unbounded queue (no overload,
/// nothing handed back but at an abort: not `queues`). It refuses a panic
/// handler (it never calls one).
pub fn subject(bug: Bug) -> contend_tests::PoolSubject {
    let promises = contend_tests::StrategyCase {
        name: bug.name(),
        bounded: true,
        overload: false,
        queues: false,
        runs_on_caller: false,
        resizable: false,
    };
    contend_tests::PoolSubject::refusing(promises, move |config| {
        let honoured = config.panic_handler.is_none();
        honoured.then(|| Box::new(RacyPool::new(config.workers, bug)) as Box<dyn Executor>)
    })
}
