//! An executor written outside `contend-strategies`, as a user would: one
//! worker thread on an unbounded queue. It is built on contend's sync
//! facade, so the loom models check it too.

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
    changed: Condvar,
}

/// One worker thread draining an unbounded queue.
pub struct SingleWorker {
    shared: Arc<Shared>,
    worker: Mutex<Option<JoinHandle<()>>>,
}

impl SingleWorker {
    pub fn new() -> Self {
        let shared = Arc::new(Shared::default());
        let worker_shared = Arc::clone(&shared);
        let worker = thread::spawn(move || work(&worker_shared));
        Self {
            shared,
            worker: Mutex::new(Some(worker)),
        }
    }
}

fn work(shared: &Shared) {
    let mut state = shared.state.lock();
    loop {
        let Some(job) = state.queue.pop_front() else {
            if state.closed {
                return;
            }
            state = shared.changed.wait(state);
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
        shared.changed.notify_all();
    }
}

impl Executor for SingleWorker {
    fn name(&self) -> &'static str {
        "single-worker"
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
        self.shared.changed.notify_all();
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
        self.shared.changed.notify_all();
        // Held while joining, so a concurrent caller returns after the join.
        let mut worker = self.worker.lock();
        if let Some(worker) = worker.take() {
            worker.join().expect("the worker catches every panic");
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

/// The example as a subject of every checker. It runs one job at a time
/// (`bounded`) behind an unbounded queue, so no submit meets the bound
/// (not `overload`: the policy checks do not apply), and it hands nothing
/// back at shutdown (not `queues`). It refuses what it cannot be: more
/// than one worker (a check needing N jobs at once asks for N) and a
/// panic handler (it never calls one); those checks are skipped, and say
/// so.
pub fn subject() -> contend_tests::PoolSubject {
    let promises = contend_tests::StrategyCase {
        name: "single-worker",
        bounded: true,
        overload: false,
        queues: false,
        runs_on_caller: false,
        resizable: false,
    };
    contend_tests::PoolSubject::refusing(promises, |config| {
        let honoured = config.workers == 1 && config.panic_handler.is_none();
        honoured.then(|| Box::new(SingleWorker::new()) as Box<dyn Executor>)
    })
}
