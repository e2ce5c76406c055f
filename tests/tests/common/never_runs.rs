//! A deliberately broken executor, for the test that a hang fails with
//! the state it hung in: it accepts every job and never runs one, so a
//! drain waits for ever. (An abort hands the jobs back and returns.)

use std::sync::{Condvar, Mutex};

use contend_strategies::pool::{
    Admission, Executor, Job, PoolStats, RejectReason, Rejected, ShutdownMode, ShutdownReport,
};

#[derive(Default)]
struct State {
    queue: Vec<Job>,
    closed: bool,
    stats: PoolStats,
}

/// Accepts jobs and never runs them.
#[derive(Default)]
pub struct NeverRuns {
    state: Mutex<State>,
    ran: Condvar,
}

impl Executor for NeverRuns {
    fn name(&self) -> &'static str {
        "never-runs"
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        let mut state = self.state.lock().unwrap();
        state.stats.submitted += 1;
        if state.closed {
            state.stats.rejected.closed += 1;
            return Err(Rejected::new(RejectReason::Closed, job));
        }
        state.queue.push(job);
        Ok(Admission::Accepted)
    }

    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        let mut state = self.state.lock().unwrap();
        state.closed = true;
        let handed_back = match mode {
            ShutdownMode::Abort => std::mem::take(&mut state.queue),
            ShutdownMode::Drain { .. } => {
                // The bug: nothing runs the queue, so this waits for ever.
                while !state.queue.is_empty() {
                    state = self.ran.wait(state).unwrap();
                }
                Vec::new()
            }
        };
        state.stats.handed_back += handed_back.len();
        ShutdownReport {
            completed: state.stats.completed,
            handed_back,
            still_running: 0,
        }
    }

    fn stats(&self) -> PoolStats {
        let state = self.state.lock().unwrap();
        PoolStats {
            queued: state.queue.len(),
            ..state.stats
        }
    }
}
