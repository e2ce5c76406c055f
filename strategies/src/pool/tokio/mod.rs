//! The tokio strategies: jobs run as tokio tasks.
//!
//! A tokio task is the true analogue of a goroutine: cheap to create (a
//! small allocation, no OS thread), scheduled by a work-stealing runtime
//! over a few threads, and parked for free while it awaits IO or a timer.
//! The thread strategies pay a thread (or a thread's stack and a context
//! switch) per waiting job; these pay a task. So the three Go patterns the
//! thread strategies reproduce are here again, on tasks:
//!
//! - [`TokioSpawn`] (`tokio-spawn`): `go f()`, a task per job and no
//!   bound. The cheapest way to start a job, and the way to swamp a
//!   downstream: kept to measure what a bound buys.
//! - [`TokioSemaphore`] (`tokio-semaphore`): a buffered channel used as a
//!   semaphore, then `go f()`. Pick it for async IO against a downstream
//!   with a connection limit: at most N requests in flight, no queue, and
//!   the overload policy decides what a submitter does when all N are out.
//! - [`TokioWorkers`] (`tokio-workers`): N long-lived tasks ranging over a
//!   bounded channel. Pick it for async jobs with back-pressure: bursts
//!   wait in the queue, the queue's bound pushes back on submitters, and
//!   every overload policy, `discard-oldest` included, applies.
//!
//! And two that Go has no word for:
//!
//! - [`TokioMultiplex`] (`tokio-multiplex`): the same channel as
//!   `tokio-workers`, but N jobs in flight on one driver task per runtime
//!   thread, each polling its running futures as a set
//!   (`FuturesUnordered`, what `buffer_unordered` is built on). No task
//!   per job and no hand-off per job: on a million 10 ms jobs it takes
//!   0.57 x the wall time and memory of tokio's own `Semaphore` + `spawn`
//!   (the `ants` scenario). Jobs of one driver share its thread, so keep
//!   CPU work out of it.
//! - [`TokioRaw`] (`tokio-raw`): tokio's own `Semaphore` and `spawn`,
//!   nothing of contend's around them: the reference the others are
//!   measured against, and what to beat.
//!
//! # Jobs
//!
//! A job made with [`Job::from_future`](super::Job::from_future) is awaited
//! in its task and may use anything tokio offers (timers, IO, channels). A
//! job made with [`Job::new`](super::Job::new) is a blocking closure run
//! inline in the task: it holds a runtime thread until it returns, so the
//! runtime runs at most `runtime_threads` of them at once and everything
//! else on that runtime waits meanwhile. Worse, a closure that blocks
//! until another task makes progress can wait for ever: tokio may have
//! parked that task in the blocked thread's LIFO slot, which no other
//! thread steals. Blocking work belongs on a thread strategy; the closure
//! form is here so that one workload (short closures) can be compared
//! across every strategy.
//!
//! # Runtime
//!
//! `new` builds a multi-thread runtime of the strategy's own, with
//! [`PoolConfig::runtime_threads`](super::PoolConfig::runtime_threads)
//! threads named `contend-<strategy>`; `with_handle` runs the tasks on a
//! runtime you already have. Dropping an executor without a shutdown drains
//! in the background: jobs already accepted still run, and an owned runtime
//! is kept alive by a reaper thread until its last task ends, then dropped
//! there (dropping a runtime inside an async context would panic). On your
//! own runtime, the tasks live as long as it does: shut it down first and
//! the jobs not yet run are dropped with their tasks.
//!
//! # Blocking calls
//!
//! `submit` and `shutdown` are synchronous, like every [`Executor`](super::Executor)
//! method: `submit` may wait for room (policy `block`) and `shutdown`
//! waits for the tasks. Call them from a thread that is not one of the
//! runtime's (a plain thread, or `spawn_blocking`); called from a task,
//! they block that runtime thread, and on the strategy's own runtime can
//! wait for jobs that need the very thread they hold.
//!
//! tokio's scheduler is not built on [`crate::sync`], so loom cannot check
//! these strategies; the module is left out of `--cfg loom` builds. Shuttle
//! can: the crate's `tokio` is `shuttle-tokio`, which is tokio itself in a
//! normal build and, with the `shuttle` feature, a model of it whose tasks,
//! timers and semaphores shuttle schedules (`tests/tests/shuttle_tokio.rs`).

mod channel;
mod multiplex;
mod pending;
mod permits;
mod raw;
mod semaphore;
mod spawn;
mod workers;

pub use multiplex::TokioMultiplex;
pub use raw::TokioRaw;
pub use semaphore::TokioSemaphore;
pub use spawn::TokioSpawn;
pub use workers::TokioWorkers;

use std::future::Future;

use tokio::runtime::{Builder, Handle, Runtime};

use self::pending::PendingJobs;
use super::admission::Refusal;
use super::run::JobContext;
use super::shutdown::{shutdown_threads, Stop};
use super::workers::{ExitGuard, WorkerSet};
use super::{Admission, ConfigError, Job, PoolConfig, PoolStats, RejectReason, Rejected};
use super::{ShutdownMode, ShutdownReport};
use crate::sync::{thread, Arc, Mutex};

/// The runtime a tokio strategy spawns on, and the count of its live
/// tasks, which a shutdown waits for.
struct Tasks {
    live: Arc<WorkerSet>,
    handle: Handle,
    /// The runtime built by `new`; `None` on a caller's runtime.
    owned: Option<Runtime>,
}

impl std::fmt::Debug for Tasks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tasks")
            .field("live", &self.live)
            .field("owned_runtime", &self.owned.is_some())
            .finish_non_exhaustive()
    }
}

impl Tasks {
    /// Tasks on `handle`, or on a runtime of their own with
    /// `config.runtime_threads` threads.
    fn new(
        strategy: &'static str,
        handle: Option<Handle>,
        config: &PoolConfig,
    ) -> Result<Self, ConfigError> {
        let (handle, owned) = match handle {
            Some(handle) => (handle, None),
            None => {
                let runtime = build_runtime(strategy, config.runtime_threads)?;
                (runtime.handle().clone(), Some(runtime))
            }
        };
        Ok(Self {
            live: WorkerSet::new(strategy),
            handle,
            owned,
        })
    }

    /// Counts one more task, live until the guard drops; `None` once a
    /// shutdown has begun.
    fn enter(&self) -> Option<ExitGuard> {
        self.live.enter()
    }

    /// Spawns `task`, holding the guard from [`Tasks::enter`] until it
    /// ends or is dropped unfinished.
    fn spawn(&self, live: ExitGuard, task: impl Future<Output = ()> + Send + 'static) {
        self.handle.spawn(async move {
            let _live = live;
            task.await;
        });
    }

    /// Carries out a refusal inside the runtime's context, so that a job
    /// run by the caller (policy `caller-runs`) finds tokio's timers.
    fn refuse(
        &self,
        context: &JobContext,
        refusal: Refusal,
        job: Job,
    ) -> Result<Admission, Rejected> {
        // shuttle-tokio has no `enter`: there the runtime is shuttle's.
        #[cfg(not(feature = "shuttle"))]
        let _runtime = self.handle.enter();
        context.refuse(refusal, job)
    }

    /// The shared shutdown sequence, with these tasks as the workers.
    fn shutdown(
        &self,
        mode: ShutdownMode,
        stop: &impl Stop,
        context: &JobContext,
    ) -> ShutdownReport {
        shutdown_threads(mode, stop, &self.live, context)
    }
}

fn build_runtime(strategy: &'static str, threads: usize) -> Result<Runtime, ConfigError> {
    let startup = |message: String| ConfigError::Startup { strategy, message };
    if threads == 0 {
        return Err(startup("runtime_threads must be at least 1".into()));
    }
    Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name(format!("contend-{strategy}"))
        .enable_all()
        .build()
        .map_err(|error| startup(format!("the tokio runtime did not build: {error}")))
}

impl Drop for Tasks {
    /// The executor has stopped admitting (its own `Drop` ran first), but
    /// accepted jobs may still be running or waiting: an owned runtime is
    /// handed to a reaper thread that drops it once the last task ends.
    fn drop(&mut self) {
        let Some(runtime) = self.owned.take() else {
            return;
        };
        if self.live.live() == 0 {
            return dispose(runtime);
        }
        // The runtime rides in a slot so that a refused thread gives it back.
        let slot = Arc::new(Mutex::new(Some(runtime)));
        let reaper_slot = Arc::clone(&slot);
        let live = Arc::clone(&self.live);
        let reaper = thread::Builder::new()
            .name("contend-tokio-reaper".into())
            .spawn(move || {
                live.wait_exit(None);
                let runtime = reaper_slot.lock().take();
                dispose_off_runtime(runtime);
            });
        if reaper.is_err() {
            let runtime = slot.lock().take();
            if let Some(runtime) = runtime {
                if Handle::try_current().is_err() {
                    // Not in an async context: wait here instead.
                    self.live.wait_exit(None);
                }
                // In an async context nothing may block: the last resort
                // cancels the tasks, and their jobs are dropped unrun.
                dispose(runtime);
            }
        }
    }
}

/// Drops a runtime without panicking: inside an async context (or an
/// entered runtime) it is shut down in the background instead of joined.
fn dispose(runtime: Runtime) {
    // shuttle-tokio's runtime has nothing to shut down in the background.
    #[cfg(not(feature = "shuttle"))]
    if Handle::try_current().is_ok() {
        runtime.shutdown_background();
        return;
    }
    dispose_off_runtime(Some(runtime));
}

/// Drops a runtime from a thread outside it, which joins its threads.
/// (Under shuttle the runtime is shuttle's and dropping it is nothing.)
#[cfg_attr(feature = "shuttle", allow(clippy::drop_non_drop))]
fn dispose_off_runtime(runtime: Option<Runtime>) {
    drop(runtime);
}

/// Runs one job in a task: [`JobContext::execute_async`], the awaiting
/// path every async executor (these, and yours) shares.
async fn run_job(context: &JobContext, job: Job) {
    context.execute_async(job).await;
}

/// The core of the task-per-job strategies (`tokio-spawn` and
/// `tokio-semaphore`). Each accepted job waits in a [`PendingJobs`] slot
/// until its task takes it out to start it; an abort empties the slots,
/// so every job whose task has not started comes back.
#[derive(Debug)]
struct TaskPerJob {
    context: JobContext,
    pending: PendingJobs,
}

impl TaskPerJob {
    fn new(context: JobContext) -> Arc<Self> {
        Arc::new(Self {
            context,
            pending: PendingJobs::new(),
        })
    }

    /// Spawns a task that runs `job` unless an abort takes it first.
    /// `on_end` is dropped when the task ends, or here if no task starts
    /// because a shutdown has begun; the job then comes back.
    fn spawn<D: Send + 'static>(
        self: &Arc<Self>,
        tasks: &Tasks,
        job: Job,
        on_end: D,
    ) -> Result<(), Job> {
        // The task is counted under its slot's lock: an abort closes the
        // task set before it empties the slots, so no job slips into a
        // slot after the abort emptied it.
        let (key, live) = self.pending.insert(job, || tasks.enter())?;
        let core = Arc::clone(self);
        tasks.spawn(live, async move {
            let _on_end = on_end;
            if let Some(job) = core.pending.take(key) {
                run_job(&core.context, job).await;
            }
        });
        Ok(())
    }

    /// Submits through [`TaskPerJob::spawn`], refusing as closed after a
    /// shutdown.
    fn submit<D: Send + 'static>(
        self: &Arc<Self>,
        tasks: &Tasks,
        job: Job,
        on_end: D,
    ) -> Result<Admission, Rejected> {
        match self.spawn(tasks, job, on_end) {
            Ok(()) => Ok(Admission::Accepted),
            Err(job) => Err(self.context.reject(RejectReason::Closed, job)),
        }
    }

    /// The stats: no idle workers; queued are the jobs whose task has not
    /// started them yet.
    fn stats(&self) -> PoolStats {
        self.context.stats(0, self.pending.len())
    }

    /// Takes every job whose task has not started it.
    fn take_pending(&self) -> Vec<Job> {
        self.pending.take_all()
    }
}
