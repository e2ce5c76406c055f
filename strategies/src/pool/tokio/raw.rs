//! `tokio-raw`: tokio's own `Semaphore` and `tokio::spawn`, with none of
//! contend's machinery around them: the reference the tokio strategies
//! are measured against.
//!
//! This is what a person writes by hand for "at most N at once" on tokio:
//! take an `OwnedSemaphorePermit`, spawn a task that holds it, let the
//! task drop it when the job ends. contend's
//! [`TokioSemaphore`](super::TokioSemaphore) has the same shape on
//! contend's own permits (model-checkable, and shared with the thread
//! [`Semaphore`](crate::pool::Semaphore)); a scenario that runs both side by
//! side shows what that costs, and a strategy that cannot beat this one
//! has no reason to exist. The [`Executor`] contract still holds: the
//! overload policies map onto the semaphore's `try_acquire` and
//! `acquire`, and an abort makes every task not yet started hand its job
//! back instead of running it.

use tokio::runtime::Handle;

use super::permits::TokioPermits;
use super::{run_job, Tasks};
use crate::pool::run::JobContext;
use crate::pool::shutdown::Stop;
use crate::pool::{Admission, ConfigError, Executor, Job, PoolConfig, PoolStats, RejectReason};
use crate::pool::{Rejected, ShutdownMode, ShutdownReport};
use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::{Arc, Mutex};

/// A tokio task per job, bounded by a `tokio::sync::Semaphore` of N
/// permits: the hand-written reference.
///
/// Pick it as the yardstick for the other tokio strategies, or when you
/// want tokio's primitives and nothing else. Every policy but
/// `discard-oldest` (there is no queue) applies. `submit` waits for a
/// permit on the submitter's thread (`Handle::block_on`): call it from a
/// thread that is not one of the runtime's.
///
/// ```
/// use contend_strategies::pool::{Executor, Job, PoolConfig, ShutdownMode, TokioRaw};
/// use std::time::Duration;
///
/// let pool = TokioRaw::new(PoolConfig::new(10).runtime_threads(2)).unwrap();
/// for _ in 0..100 {
///     let call = async { tokio::time::sleep(Duration::from_millis(2)).await };
///     pool.submit(Job::from_future(call)).unwrap();
/// }
/// assert_eq!(pool.shutdown(ShutdownMode::DRAIN).completed, 100);
/// assert!(pool.stats().peak_concurrency <= 10);
/// ```
#[derive(Debug)]
pub struct TokioRaw {
    shared: Arc<Shared>,
    permits: TokioPermits,
    tasks: Tasks,
}

#[derive(Debug)]
struct Shared {
    context: JobContext,
    /// Set by an abort: a task that starts afterwards holds its job back.
    aborted: AtomicBool,
    held: Mutex<Vec<Job>>,
}

/// Closing the semaphore is the whole of "stop admitting": a blocked
/// `acquire` returns an error, and so does every later one.
struct Closing<'a> {
    shared: &'a Shared,
    permits: &'a TokioPermits,
}

impl Stop for Closing<'_> {
    fn close(&self) {
        self.permits.close();
    }

    fn abort(&self) -> Vec<Job> {
        self.shared.aborted.store(true, Ordering::Release);
        self.permits.close();
        std::mem::take(&mut *self.shared.held.lock())
    }
}

impl TokioRaw {
    /// The strategy's name in scenario files.
    pub const NAME: &'static str = "tokio-raw";

    /// At most `config.workers` tasks at once, on a runtime of its own with
    /// `config.runtime_threads` threads.
    pub fn new(config: PoolConfig) -> Result<Self, ConfigError> {
        Self::start(None, config)
    }

    /// At most `config.workers` tasks at once, on the runtime behind
    /// `handle`; `config.runtime_threads` is not used.
    pub fn with_handle(handle: Handle, config: PoolConfig) -> Result<Self, ConfigError> {
        Self::start(Some(handle), config)
    }

    fn start(handle: Option<Handle>, config: PoolConfig) -> Result<Self, ConfigError> {
        Ok(Self {
            permits: TokioPermits::new(Self::NAME, &config)?,
            tasks: Tasks::new(Self::NAME, handle, &config)?,
            shared: Arc::new(Shared {
                context: JobContext::new(Self::NAME, config.panic_handler),
                aborted: AtomicBool::new(false),
                held: Mutex::new(Vec::new()),
            }),
        })
    }

    fn closing(&self) -> Closing<'_> {
        Closing {
            shared: &self.shared,
            permits: &self.permits,
        }
    }
}

impl Executor for TokioRaw {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        let context = &self.shared.context;
        context.counters.submitted();
        let permit = match self.permits.acquire(&self.tasks.handle) {
            Ok(permit) => permit,
            Err(refusal) => return self.tasks.refuse(context, refusal, job),
        };
        let Some(live) = self.tasks.enter() else {
            return Err(context.reject(RejectReason::Closed, job));
        };
        let shared = Arc::clone(&self.shared);
        self.tasks.spawn(live, async move {
            let _permit = permit;
            if shared.aborted.load(Ordering::Acquire) {
                shared.held.lock().push(job);
            } else {
                run_job(&shared.context, job).await;
            }
        });
        Ok(Admission::Accepted)
    }

    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        self.tasks
            .shutdown(mode, &self.closing(), &self.shared.context)
    }

    /// Queued: tasks spawned whose job has not started.
    fn stats(&self) -> PoolStats {
        let context = &self.shared.context;
        let spawned = self.tasks.live.live();
        let queued = spawned.saturating_sub(context.counters.running());
        context.stats(0, queued)
    }
}
