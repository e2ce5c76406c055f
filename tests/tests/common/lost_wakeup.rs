//! An executor written outside `contend-strategies`, as a user would, with
//! one classic bug: a lost wake-up. Its workers check the queue, and
//! when it is empty let go of the lock before they wait, then take it
//! again and wait on the condition variable without checking again. A
//! submit whose notification lands between the two finds no one waiting:
//! the worker sleeps with a job queued until the next submit or the
//! shutdown wakes it. Everything else (books, shutdown, panics) is right.

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};

use contend_strategies::pool::{
    Admission, Executor, Job, PoolStats, RejectReason, Rejected, ShutdownMode, ShutdownReport,
};
use contend_strategies::sync::thread::{self, JoinHandle};
use contend_strategies::sync::{Arc, Condvar, Mutex};

#[derive(Default)]
struct State {
    queue: VecDeque<Job>,
    closed: bool,
    running: usize,
    stats: PoolStats,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    /// A job was queued or the pool closed.
    work: Condvar,
}

/// A fixed number of workers on an unbounded queue.
pub struct LostWakeup {
    shared: Arc<Shared>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

impl LostWakeup {
    pub fn new(workers: usize) -> Self {
        let shared = Arc::new(Shared::default());
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
    loop {
        let mut state = shared.state.lock();
        if let Some(job) = state.queue.pop_front() {
            return Some(job);
        }
        if state.closed {
            return None;
        }
        drop(state);
        // THE BUG: the check above was made under a lock since released;
        // a job queued (and notified) from here to the wait is missed.
        let state = shared.state.lock();
        drop(shared.work.wait(state));
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

impl Executor for LostWakeup {
    fn name(&self) -> &'static str {
        "lost-wakeup"
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        let mut state = self.shared.state.lock();
        state.stats.submitted += 1;
        if state.closed {
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
        state.closed = true;
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

/// The example as a subject: `workers` threads, at most that many jobs at
/// once (`bounded`), behind an unbounded queue (no overload, nothing
/// handed back but at an abort: not `queues`). It refuses a panic
/// handler (it never calls one).
pub fn subject() -> contend_tests::PoolSubject {
    let promises = contend_tests::StrategyCase {
        name: "lost-wakeup",
        bounded: true,
        overload: false,
        queues: false,
        runs_on_caller: false,
        resizable: false,
    };
    contend_tests::PoolSubject::refusing(promises, |config| {
        let honoured = config.panic_handler.is_none();
        honoured.then(|| Box::new(LostWakeup::new(config.workers)) as Box<dyn Executor>)
    })
}
