//! `TaskPool`: an async executor a user writes: a tokio task per job on a
//! runtime of its own, at most `workers` of them at once, with `submit`
//! and `shutdown` awaited by tasks (contend's
//! [`AsyncExecutor`](contend_strategies::pool::AsyncExecutor)).
//!
//! A submitter finding every slot taken awaits room: under policy `block`
//! its `submit` returns `Pending` until a job ends, so a submitting task
//! holds no runtime thread while it waits (policy `fail-fast` refuses it
//! instead). A `shutdown` awaits the jobs the same way. Jobs go through
//! [`JobContext::execute_async`], contend's awaiting path: a job's future
//! is awaited, a panic is caught and counted, a cancelled job is skipped.
//!
//! The three places users get wrong, done right here:
//! - the waiter registers for the wake-up (`Notify::notified`) *before* it
//!   checks for room, so a job ending between the check and the await
//!   still wakes it (a lost wake-up otherwise);
//! - it waits by awaiting, never by parking the thread on a condition
//!   variable (which, on a runtime of few threads, can stop the very task
//!   that would make room);
//! - a submit counts its job only once the answer is decided, so a submit
//!   future dropped while it waits (a `select!`, a timeout) leaves the
//!   books balanced.
//!
//! Each has a broken twin ([`Bug`]) that contend's checks must catch.
//! Its bookkeeping is on contend's sync facade and its `tokio` is
//! shuttle-tokio (tokio itself unless the `shuttle` feature makes it
//! shuttle's model), so contend's shuttle models check it as they check
//! the built-ins.

use contend_strategies::pool::{
    Admission, AsyncExecutor, Job, JobContext, OverloadPolicy, PoolConfig, PoolStats, RejectReason,
    Rejected, ShutdownMode, ShutdownReport,
};
use contend_strategies::sync::{Arc, Condvar, Mutex, MutexGuard};
use tokio::runtime::{Builder, Handle, Runtime};
use tokio::sync::Notify;

/// A deliberate bug of a [`TaskPool`], one per thing users get wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bug {
    /// A waiter registers for the wake-up after it has checked for room
    /// and let go of the lock: a job ending in between wakes nobody.
    LostWakeUp,
    /// A submit waits for room by parking its thread on a condition
    /// variable instead of awaiting.
    ParksForRoom,
    /// A shutdown waits for the jobs by parking its thread.
    ParksForTheJobs,
    /// A submit counts its job before it waits: dropped while waiting, it
    /// leaves a job counted and never settled.
    CountsBeforeWaiting,
}

#[derive(Default)]
struct State {
    /// Tasks spawned and not yet ended: at most `limit`.
    live: usize,
    closed: bool,
    aborted: bool,
    /// Jobs whose task found an abort begun: handed back, never run.
    held: Vec<Job>,
}

struct Shared {
    state: Mutex<State>,
    /// A task ended or the pool closed: waiters look again.
    changed: Notify,
    /// The same, for the twins that park a thread instead.
    changed_for_threads: Condvar,
    books: JobContext,
    limit: usize,
    policy: OverloadPolicy,
    bug: Option<Bug>,
}

/// A tokio task per job, at most `workers` at once.
pub struct TaskPool {
    shared: Arc<Shared>,
    handle: Handle,
    _runtime: Runtime,
}

impl TaskPool {
    /// The name scenario files use.
    pub const NAME: &'static str = "task-pool";

    /// At most `config.workers` jobs at once on a runtime of
    /// `config.runtime_threads` threads. `None` for zero of either, for a
    /// policy other than `block` or `fail-fast`, or with a panic handler
    /// (it never calls one).
    pub fn new(config: &PoolConfig) -> Option<Self> {
        Self::build(config, None)
    }

    /// The same pool with `bug`, to show contend catching it.
    pub fn with_bug(config: &PoolConfig, bug: Bug) -> Option<Self> {
        Self::build(config, Some(bug))
    }

    fn build(config: &PoolConfig, bug: Option<Bug>) -> Option<Self> {
        let policies = [OverloadPolicy::Block, OverloadPolicy::FailFast];
        if config.workers == 0
            || !policies.contains(&config.policy)
            || config.panic_handler.is_some()
        {
            return None;
        }
        let runtime = Builder::new_multi_thread()
            .worker_threads(config.runtime_threads.max(1))
            .enable_all()
            .build()
            .ok()?;
        Some(Self {
            shared: Arc::new(Shared {
                state: Mutex::new(State::default()),
                changed: Notify::new(),
                changed_for_threads: Condvar::new(),
                books: JobContext::new(Self::NAME, None),
                limit: config.workers,
                policy: config.policy,
                bug,
            }),
            handle: runtime.handle().clone(),
            _runtime: runtime,
        })
    }
}

impl Shared {
    fn has(&self, bug: Bug) -> bool {
        self.bug == Some(bug)
    }

    /// Wakes every waiter: a task ended, or the pool closed.
    fn announce_change(&self) {
        self.changed.notify_waiters();
        self.changed_for_threads.notify_all();
    }

    /// Parks the thread until the state changes: what the twins that
    /// park do instead of awaiting.
    fn park<'a>(&self, state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.changed_for_threads.wait(state)
    }
}

impl TaskPool {
    /// Closes the pool (a first close wakes the submitters waiting for
    /// room, to refuse them) and, once no task is left, the report.
    fn close_or_finish(&self, mode: ShutdownMode) -> Option<ShutdownReport> {
        let shared = &self.shared;
        let mut state = shared.state.lock();
        let closing = !state.closed;
        state.closed = true;
        state.aborted |= mode == ShutdownMode::Abort;
        if closing {
            shared.announce_change();
        }
        if shared.has(Bug::ParksForTheJobs) {
            while state.live > 0 {
                state = shared.park(state);
            }
        }
        if state.live > 0 {
            return None;
        }
        let handed_back = std::mem::take(&mut state.held);
        drop(state);
        shared.books.counters().handed_back(handed_back.len());
        Some(ShutdownReport {
            completed: shared.books.counters().completed(),
            handed_back,
            still_running: 0,
        })
    }
}

/// The task of one job: awaits it (or holds it back after an abort),
/// then counts the task's end and wakes the waiters.
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
    shared.announce_change();
}

impl AsyncExecutor for TaskPool {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    async fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        let shared = &self.shared;
        let books = &shared.books;
        if shared.has(Bug::CountsBeforeWaiting) {
            books.counters().submitted();
        }
        let count = || {
            if !shared.has(Bug::CountsBeforeWaiting) {
                books.counters().submitted();
            }
        };
        loop {
            // Registered before the check: a change after it wakes us.
            let changed = (!shared.has(Bug::LostWakeUp)).then(|| shared.changed.notified());
            {
                let mut state = shared.state.lock();
                if shared.has(Bug::ParksForRoom) {
                    while !state.closed && state.live >= shared.limit {
                        state = shared.park(state);
                    }
                }
                if state.closed {
                    drop(state);
                    count();
                    return Err(books.reject(RejectReason::Closed, job));
                }
                if state.live < shared.limit {
                    state.live += 1;
                    drop(state);
                    count();
                    self.handle.spawn(run(Arc::clone(shared), job));
                    return Ok(Admission::Accepted);
                }
                if shared.policy == OverloadPolicy::FailFast {
                    drop(state);
                    count();
                    return Err(books.reject(RejectReason::Full, job));
                }
            }
            match changed {
                Some(changed) => changed.await,
                // The bug: registered only now, after the check.
                None => shared.changed.notified().await,
            }
        }
    }

    async fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        let shared = &self.shared;
        loop {
            let changed = shared.changed.notified();
            if let Some(report) = self.close_or_finish(mode) {
                return report;
            }
            changed.await;
        }
    }

    fn stats(&self) -> PoolStats {
        let live = self.shared.state.lock().live;
        let running = self.shared.books.counters().running();
        self.shared.books.stats(0, live.saturating_sub(running))
    }
}
