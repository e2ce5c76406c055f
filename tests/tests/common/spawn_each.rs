//! An async executor written outside `contend-strategies`, as a user
//! would: a tokio task per job on a runtime of its own, at most as many
//! as there are jobs. Its bookkeeping is built on contend's sync facade
//! and its tasks on `tokio` (shuttle-tokio's model under the `shuttle`
//! feature), so the shuttle models check it as they check the built-in
//! tokio strategies.

use std::panic::{catch_unwind, AssertUnwindSafe};

use contend_strategies::pool::{
    Admission, Executor, Job, PoolStats, RejectReason, Rejected, ShutdownMode, ShutdownReport,
};
use contend_strategies::sync::{Arc, Condvar, Mutex};
use tokio::runtime::{Builder, Handle, Runtime};

#[derive(Default)]
struct State {
    /// Tasks spawned and not yet ended.
    live: usize,
    closed: bool,
    aborted: bool,
    /// Jobs whose task started after an abort: handed back, not run.
    held: Vec<Job>,
    stats: PoolStats,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    ended: Condvar,
}

/// A tokio task per job.
pub struct SpawnEach {
    shared: Arc<Shared>,
    handle: Handle,
    _runtime: Runtime,
}

impl SpawnEach {
    pub fn new() -> Self {
        let runtime = Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime builds");
        Self {
            shared: Arc::new(Shared::default()),
            handle: runtime.handle().clone(),
            _runtime: runtime,
        }
    }
}

/// The task of one job: runs it (or holds it back after an abort) and
/// counts its end, panicking or not.
async fn run(shared: Arc<Shared>, job: Job) {
    let mut state = shared.state.lock();
    if state.aborted {
        state.held.push(job);
    } else if job.is_cancelled() {
        state.stats.cancelled += 1;
        // Tells its batch it was cancelled; a plain drop says dropped.
        job.drop_cancelled();
    } else {
        state.stats.running += 1;
        state.stats.peak_concurrency = state.stats.peak_concurrency.max(state.stats.running);
        drop(state);
        let panicked = catch_unwind(AssertUnwindSafe(|| job.run())).is_err();
        state = shared.state.lock();
        state.stats.running -= 1;
        state.stats.completed += 1;
        state.stats.panicked += usize::from(panicked);
    }
    state.live -= 1;
    drop(state);
    shared.ended.notify_all();
}

impl Executor for SpawnEach {
    fn name(&self) -> &'static str {
        "spawn-each"
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        let mut state = self.shared.state.lock();
        state.stats.submitted += 1;
        if state.closed {
            state.stats.rejected.closed += 1;
            return Err(Rejected::new(RejectReason::Closed, job));
        }
        state.live += 1;
        drop(state);
        self.handle.spawn(run(Arc::clone(&self.shared), job));
        Ok(Admission::Accepted)
    }

    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        let mut state = self.shared.state.lock();
        state.closed = true;
        state.aborted |= mode == ShutdownMode::Abort;
        while state.live > 0 {
            state = self.shared.ended.wait(state);
        }
        let handed_back = std::mem::take(&mut state.held);
        state.stats.handed_back += handed_back.len();
        ShutdownReport {
            completed: state.stats.completed,
            handed_back,
            still_running: 0,
        }
    }

    fn stats(&self) -> PoolStats {
        let state = self.shared.state.lock();
        PoolStats {
            queued: state.live - state.stats.running,
            ..state.stats
        }
    }
}

/// The example as a subject of every checker: a task per job, no bound.
/// Its runtime has two threads and a job holds one while it runs, so it
/// refuses more than two workers (a check needing N jobs at once asks
/// for N) and a panic handler (it never calls one).
pub fn subject() -> contend_tests::PoolSubject {
    let promises = contend_tests::StrategyCase {
        name: "spawn-each",
        bounded: false,
        overload: false,
        queues: false,
        runs_on_caller: false,
        resizable: false,
    };
    contend_tests::PoolSubject::refusing(promises, |config| {
        let honoured = config.workers <= 2 && config.panic_handler.is_none();
        honoured.then(|| Box::new(SpawnEach::new()) as Box<dyn Executor>)
    })
}
