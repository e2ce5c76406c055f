//! `TaskPool`: an async executor a user writes: a tokio task per job on a
//! runtime of its own, each job's future awaited in its task.
//!
//! Its jobs go through [`JobContext::execute_async`], contend's awaiting
//! path (the one the built-in tokio strategies use): a job's future is
//! awaited, so a job waiting on a timer or a socket holds no runtime
//! thread, a panic is caught and counted, a cancelled job is skipped and
//! told so. Its own bookkeeping (live tasks, closed, jobs held back by an
//! abort) is on contend's sync facade, and its `tokio` is shuttle-tokio
//! (tokio itself unless the `shuttle` feature makes it shuttle's model),
//! so contend's shuttle models check it as they check the built-ins.

use contend_strategies::pool::{
    Admission, Executor, Job, JobContext, PoolStats, RejectReason, Rejected, ShutdownMode,
    ShutdownReport,
};
use contend_strategies::sync::{Arc, Condvar, Mutex};
use tokio::runtime::{Builder, Handle, Runtime};

#[derive(Default)]
struct State {
    /// Tasks spawned and not yet ended.
    live: usize,
    closed: bool,
    aborted: bool,
    /// Jobs whose task found an abort begun: handed back, never run.
    held: Vec<Job>,
}

struct Shared {
    state: Mutex<State>,
    /// A task ended.
    ended: Condvar,
    books: JobContext,
}

/// A tokio task per job, with no bound.
pub struct TaskPool {
    shared: Arc<Shared>,
    handle: Handle,
    _runtime: Runtime,
}

impl TaskPool {
    /// The name scenario files use.
    pub const NAME: &'static str = "task-pool";

    /// A pool on a runtime of `threads` threads; `None` for zero.
    pub fn new(threads: usize) -> Option<Self> {
        if threads == 0 {
            return None;
        }
        let runtime = Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
            .ok()?;
        Some(Self {
            shared: Arc::new(Shared {
                state: Mutex::new(State::default()),
                ended: Condvar::new(),
                books: JobContext::new(Self::NAME, None),
            }),
            handle: runtime.handle().clone(),
            _runtime: runtime,
        })
    }
}

/// The task of one job: awaits it (or holds it back after an abort),
/// then counts the task's end.
async fn run(shared: Arc<Shared>, job: Job) {
    let job = {
        let mut state = shared.state.lock();
        if state.aborted {
            state.held.push(job);
            None
        } else {
            Some(job)
        }
    };
    if let Some(job) = job {
        shared.books.execute_async(job).await;
    }
    shared.state.lock().live -= 1;
    shared.ended.notify_all();
}

impl Executor for TaskPool {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        self.shared.books.counters().submitted();
        let mut state = self.shared.state.lock();
        if state.closed {
            return Err(self.shared.books.reject(RejectReason::Closed, job));
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
        self.shared.books.counters().handed_back(handed_back.len());
        ShutdownReport {
            completed: self.shared.books.counters().completed(),
            handed_back,
            still_running: 0,
        }
    }

    fn stats(&self) -> PoolStats {
        let live = self.shared.state.lock().live;
        let running = self.shared.books.counters().running();
        self.shared.books.stats(0, live.saturating_sub(running))
    }
}
