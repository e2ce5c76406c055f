//! An executor written outside `contend-strategies`, as a user would, with
//! one classic bug: a submit racing a close. To keep submits off the
//! queue's lock once the pool is closed, `submit` reads an atomic `closed`
//! flag first and pushes the job under the lock afterwards. A shutdown
//! that sets the flag, lets the workers drain the queue and joins them in
//! between leaves the job accepted, queued, and never run nor handed back.
//! Everything else (books, wake-ups, panics) is right.

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};

use contend_strategies::pool::{
    Admission, Executor, Job, PoolStats, RejectReason, Rejected, ShutdownMode, ShutdownReport,
};
use contend_strategies::sync::atomic::{AtomicBool, Ordering};
use contend_strategies::sync::thread::{self, JoinHandle};
use contend_strategies::sync::{Arc, Condvar, Mutex};

#[derive(Default)]
struct State {
    queue: VecDeque<Job>,
    running: usize,
    stats: PoolStats,
}

#[derive(Default)]
struct Shared {
    /// Read by every submit without the lock.
    closed: AtomicBool,
    state: Mutex<State>,
    /// A job was queued or the pool closed.
    work: Condvar,
}

/// A fixed number of workers on an unbounded queue.
pub struct SubmitRacesClose {
    shared: Arc<Shared>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

impl SubmitRacesClose {
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

fn work(shared: &Shared) {
    let mut state = shared.state.lock();
    loop {
        let Some(job) = state.queue.pop_front() else {
            if shared.closed.load(Ordering::Acquire) {
                return;
            }
            state = shared.work.wait(state);
            continue;
        };
        if job.is_cancelled() {
            state.stats.cancelled += 1;
            // Tells its batch it was cancelled; a plain drop says dropped.
            job.drop_cancelled();
            continue;
        }
        state.running += 1;
        state.stats.peak_concurrency = state.stats.peak_concurrency.max(state.running);
        drop(state);
        let panicked = catch_unwind(AssertUnwindSafe(|| job.run())).is_err();
        state = shared.state.lock();
        state.running -= 1;
        state.stats.completed += 1;
        state.stats.panicked += usize::from(panicked);
    }
}

impl Executor for SubmitRacesClose {
    fn name(&self) -> &'static str {
        "submit-races-close"
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        if self.shared.closed.load(Ordering::Acquire) {
            let mut state = self.shared.state.lock();
            state.stats.submitted += 1;
            state.stats.rejected.closed += 1;
            return Err(Rejected::new(RejectReason::Closed, job));
        }
        // THE BUG: the flag was read without the lock; a shutdown from
        // here to the push below closes, drains and joins without this job.
        let mut state = self.shared.state.lock();
        state.stats.submitted += 1;
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

/// The example as a subject: `workers` threads, at most that many jobs at
/// once (`bounded`), behind an unbounded queue (no overload, nothing
/// handed back but at an abort: not `queues`). It refuses a panic
/// handler (it never calls one).
pub fn subject() -> contend_tests::PoolSubject {
    let promises = contend_tests::StrategyCase {
        name: "submit-races-close",
        bounded: true,
        overload: false,
        queues: false,
        runs_on_caller: false,
        resizable: false,
    };
    contend_tests::PoolSubject::refusing(promises, |config| {
        let honoured = config.panic_handler.is_none();
        honoured.then(|| Box::new(SubmitRacesClose::new(config.workers)) as Box<dyn Executor>)
    })
}
