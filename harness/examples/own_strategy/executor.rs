//! A user's own executor, as it would live in their crate: a std thread
//! per job, no queue, no bound. It keeps honest books with
//! `JobContext`: each job runs through `JobContext::execute` (panics
//! caught and counted, a cancelled job skipped and counted), a submit
//! after shutdown comes back rejected as closed, and shutdown waits for
//! every thread it started.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

use contend_strategies::pool::{
    Admission, Executor, Job, JobContext, PoolConfig, PoolStats, RejectReason, Rejected,
    ShutdownMode, ShutdownReport,
};

/// A thread per job.
pub struct ThreadPerJob {
    shared: Arc<Shared>,
}

struct Shared {
    context: JobContext,
    state: Mutex<State>,
    ended: Condvar,
}

struct State {
    closed: bool,
    /// Jobs accepted whose thread has not finished.
    live: usize,
}

impl ThreadPerJob {
    /// The name it has in scenario files.
    pub const NAME: &'static str = "thread-per-job";

    /// A new executor; it has no workers to size, so only the panic
    /// handler of `config` applies.
    pub fn new(config: PoolConfig) -> Self {
        Self {
            shared: Arc::new(Shared {
                context: JobContext::new(Self::NAME, config.panic_handler),
                state: Mutex::new(State {
                    closed: false,
                    live: 0,
                }),
                ended: Condvar::new(),
            }),
        }
    }
}

impl Executor for ThreadPerJob {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        let context = &self.shared.context;
        context.counters().submitted();
        {
            let mut state = self.shared.state.lock().unwrap();
            if state.closed {
                drop(state);
                return Err(context.reject(RejectReason::Closed, job));
            }
            state.live += 1;
        }
        let shared = Arc::clone(&self.shared);
        // std::thread::spawn panics if the OS refuses a thread: the cell
        // is then reported as crashed, not silently short of a job.
        std::thread::spawn(move || {
            shared.context.execute(job);
            let mut state = shared.state.lock().unwrap();
            state.live -= 1;
            if state.live == 0 {
                shared.ended.notify_all();
            }
        });
        Ok(Admission::Accepted)
    }

    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        // Every accepted job has its thread already, so abort has nothing
        // to hand back: both modes wait for the threads.
        let deadline = match mode {
            ShutdownMode::Drain { deadline } => deadline.map(|after| Instant::now() + after),
            ShutdownMode::Abort => None,
        };
        let mut state = self.shared.state.lock().unwrap();
        state.closed = true;
        while state.live > 0 {
            state = match deadline {
                None => self.shared.ended.wait(state).unwrap(),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    self.shared.ended.wait_timeout(state, left).unwrap().0
                }
            };
        }
        ShutdownReport {
            completed: self.shared.context.counters().completed(),
            handed_back: Vec::new(),
            still_running: state.live,
        }
    }

    fn stats(&self) -> PoolStats {
        let live = self.shared.state.lock().unwrap().live;
        let running = self.shared.context.counters().running();
        // Accepted, thread not yet running the job.
        self.shared.context.stats(0, live.saturating_sub(running))
    }
}
