//! Shutting an executor down: the modes, the report, and the one sequence
//! every thread and tokio strategy follows.

use std::fmt;
use std::time::Duration;

use crate::sync::deadline_after;

use super::run::JobContext;
use super::workers::WorkerSet;
use super::Job;

/// How to shut an executor down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShutdownMode {
    /// Stop admitting, run every accepted job, then stop. With a deadline,
    /// jobs still queued when it passes are handed back unstarted and
    /// workers still busy are reported, not waited for.
    Drain {
        /// How long to wait for the queue to drain; `None` waits for ever.
        deadline: Option<Duration>,
    },
    /// Stop admitting, start no new job, hand back every job not started;
    /// wait for the running jobs to end.
    Abort,
}

impl ShutdownMode {
    /// Drain with no deadline.
    pub const DRAIN: ShutdownMode = ShutdownMode::Drain { deadline: None };
}

/// What a shutdown did.
pub struct ShutdownReport {
    /// Jobs completed over the executor's life (panicked ones included).
    pub completed: usize,
    /// Jobs accepted but never started, given back to the caller. Only one
    /// of several concurrent shutdown calls receives a given job.
    pub handed_back: Vec<Job>,
    /// Jobs still running when the deadline passed. Their workers exit when
    /// the jobs end and a later `shutdown` call joins them; zero means every
    /// worker was joined before `shutdown` returned.
    pub still_running: usize,
}

impl fmt::Debug for ShutdownReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShutdownReport")
            .field("completed", &self.completed)
            .field("handed_back", &self.handed_back.len())
            .field("still_running", &self.still_running)
            .finish()
    }
}

/// The two steps a strategy supplies to [`shutdown_threads`].
pub(crate) trait Stop {
    /// Stops admitting; workers finish the accepted jobs, then exit.
    fn close(&self);
    /// Stops admitting and starting jobs; returns every job not started.
    /// Called again once every worker has exited (after a drain too), to
    /// collect jobs a worker was holding when the abort came.
    fn abort(&self) -> Vec<Job>;
}

/// The shutdown sequence of every thread strategy, and of the tokio ones,
/// whose tasks a [`WorkerSet`] counts. Idempotent and safe to
/// call from several threads: each step tolerates being repeated, and the
/// join is done under one lock.
pub(crate) fn shutdown_threads(
    mode: ShutdownMode,
    stop: &impl Stop,
    workers: &WorkerSet,
    context: &JobContext,
) -> ShutdownReport {
    let mut handed_back = Vec::new();
    let first = workers.close();
    if mutant!(SecondShutdownEarly) && !first {
        // A later call trusts the first one to finish the job and returns
        // before the workers are joined.
        return ShutdownReport {
            completed: context.counters.completed(),
            handed_back,
            still_running: 0,
        };
    }
    let deadline = match mode {
        ShutdownMode::Drain { deadline } => {
            stop.close();
            deadline.and_then(deadline_after)
        }
        ShutdownMode::Abort => {
            handed_back.extend(stop.abort());
            None
        }
    };
    let mut still_running = workers.wait_exit(deadline);
    if mode != ShutdownMode::Abort && still_running > 0 {
        // Past the deadline: nothing more may start. Idle workers now exit
        // at once; busy ones are reported and joined by a later call.
        handed_back.extend(stop.abort());
        still_running = match context.counters.running() {
            0 => workers.wait_exit(None),
            busy => busy,
        };
    }
    if still_running == 0 {
        // Every worker has exited: collect the jobs one was holding when
        // the abort came, or left unstarted (a tokio task dropped unrun).
        handed_back.extend(stop.abort());
    }
    workers.join_if_all_exited();
    context.counters.handed_back(handed_back.len());
    ShutdownReport {
        completed: context.counters.completed(),
        handed_back,
        still_running,
    }
}
