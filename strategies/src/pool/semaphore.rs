//! `semaphore`: a thread per job, at most N at once.
//!
//! Go's buffered channel used as a semaphore plus a WaitGroup: take a
//! permit, start a goroutine, give the permit back when it ends. No queue:
//! when every permit is taken the [`OverloadPolicy`](super::OverloadPolicy)
//! decides (by default the submitter waits). It suits a few long blocking
//! jobs against a downstream with a connection limit; for many short jobs
//! the thread creation per job dominates and `fixed` wins.

use super::admission::{await_room, Bounded, Refusal, Verdict};
use super::run::JobContext;
use super::shutdown::{shutdown_threads, Stop};
use super::workers::WorkerSet;
use super::{Admission, ConfigError, Executor, Job, PoolConfig, PoolStats, Rejected};
use super::{OverloadPolicy, ShutdownMode, ShutdownReport};
use crate::sync::{Arc, Condvar, Mutex};

/// Thread per job, bounded by N permits.
///
/// ```
/// use contend_strategies::pool::{Executor, PoolConfig, Semaphore, ShutdownMode};
/// use std::time::Duration;
///
/// // 20 slow IO calls, at most 5 at once (the downstream's limit).
/// let pool = Semaphore::new(PoolConfig::new(5)).unwrap();
/// for _ in 0..20 {
///     pool.execute(|| std::thread::sleep(Duration::from_millis(5))).unwrap();
/// }
/// pool.shutdown(ShutdownMode::DRAIN);
/// assert!(pool.stats().peak_concurrency <= 5);
/// ```
#[derive(Debug)]
pub struct Semaphore {
    shared: Arc<Shared>,
    workers: Arc<WorkerSet>,
}

#[derive(Debug)]
struct Shared {
    permits: Permits,
    context: JobContext,
}

/// N permits taken under an overload policy and given back when a job's
/// work has ended: the bound of `semaphore`.
#[derive(Debug)]
pub(crate) struct Permits {
    state: Mutex<PermitState>,
    permit_freed: Condvar,
    policy: OverloadPolicy,
}

#[derive(Debug)]
struct PermitState {
    in_use: usize,
    limit: usize,
    closed: bool,
    blocked_submitters: usize,
}

impl Bounded for PermitState {
    fn closed(&self) -> bool {
        self.closed
    }

    fn has_room(&self) -> bool {
        self.in_use < self.limit
    }

    fn blocked_submitters(&mut self) -> &mut usize {
        &mut self.blocked_submitters
    }
}

impl Permits {
    /// `limit` permits handed out under `policy`, which must not need a
    /// queue (see `PoolConfig::require_queueless_policy`).
    pub(crate) fn new(limit: usize, policy: OverloadPolicy) -> Self {
        Self {
            state: Mutex::new(PermitState {
                in_use: 0,
                limit,
                closed: false,
                blocked_submitters: 0,
            }),
            permit_freed: Condvar::new(),
            policy,
        }
    }

    /// Takes a permit, waiting if the policy says so; otherwise says how
    /// the job is to be refused.
    pub(crate) fn acquire(&self) -> Result<(), Refusal> {
        match await_room(self.policy, self.state.lock(), &self.permit_freed, None) {
            Verdict::Room(mut state) => {
                state.in_use += 1;
                Ok(())
            }
            Verdict::DiscardOldest(_) => unreachable!("refused by require_queueless_policy"),
            Verdict::Refuse(refusal) => Err(refusal),
        }
    }

    /// Gives a permit back; called once the job's work has ended.
    pub(crate) fn release(&self) {
        let mut state = self.state.lock();
        state.in_use -= 1;
        let wake = state.blocked_submitters > 0;
        drop(state);
        if wake {
            self.permit_freed.notify_one();
        }
    }

    /// No permit is handed out from now on; blocked submitters are woken
    /// and refused as closed.
    pub(crate) fn close(&self) {
        self.state.lock().closed = true;
        self.permit_freed.notify_all();
    }
}

impl Stop for Shared {
    fn close(&self) {
        self.permits.close();
    }

    /// Nothing is queued: blocked submitters get their jobs back as closed.
    fn abort(&self) -> Vec<Job> {
        self.close();
        Vec::new()
    }
}

impl Semaphore {
    /// The strategy's name in scenario files.
    pub const NAME: &'static str = "semaphore";

    /// At most `config.workers` jobs at once, each on its own thread.
    pub fn new(config: PoolConfig) -> Result<Self, ConfigError> {
        config.require_workers(Self::NAME)?;
        config.require_queueless_policy(Self::NAME)?;
        Ok(Self {
            shared: Arc::new(Shared {
                permits: Permits::new(config.workers, config.policy),
                context: JobContext::new(Self::NAME, config.panic_handler),
            }),
            workers: WorkerSet::new(Self::NAME),
        })
    }
}

impl Executor for Semaphore {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        let shared = &self.shared;
        shared.context.counters.submitted();
        if let Err(refusal) = shared.permits.acquire() {
            return shared.context.refuse(refusal, job);
        }
        let thread_shared = Arc::clone(shared);
        match self.workers.spawn(job, move |job| {
            if mutant!(EarlyPermitRelease) {
                thread_shared.permits.release();
                thread_shared.context.execute(job);
                return;
            }
            thread_shared.context.execute(job);
            thread_shared.permits.release();
        }) {
            Ok(()) => Ok(Admission::Accepted),
            Err(failure) => {
                shared.permits.release();
                let (reason, job) = failure.into_rejection();
                Err(shared.context.reject(reason, job))
            }
        }
    }

    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        shutdown_threads(mode, &*self.shared, &self.workers, &self.shared.context)
    }

    fn stats(&self) -> PoolStats {
        self.shared.context.stats(0, 0)
    }
}
