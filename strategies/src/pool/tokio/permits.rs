//! The bound of the task-per-job strategies with a limit (`tokio-semaphore`
//! and `tokio-raw`): tokio's own `Semaphore`, taken under an overload
//! policy by a submitter outside the runtime.
//!
//! A permit is taken without a lock when one is free (`try_acquire`, one
//! compare-and-swap) and given back by the task that held it when the job
//! ends (dropping the permit). Only a submitter that finds none free
//! meets the policy: it waits on the runtime (`Handle::block_on`) for
//! `block` and `block-timeout`, and is turned away otherwise. There is no
//! queue, so `discard-oldest` is refused when the strategy is built.

use tokio::runtime::Handle;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};

use crate::pool::admission::{when_full, Refusal, WhenFull};
use crate::pool::{ConfigError, OverloadPolicy, PoolConfig, RejectReason};
use crate::sync::Arc;

/// `config.workers` permits handed out under `config.policy`.
#[derive(Debug)]
pub(super) struct TokioPermits {
    semaphore: Arc<Semaphore>,
    policy: OverloadPolicy,
}

impl TokioPermits {
    /// The permits of `strategy`, or why `config` cannot have them.
    pub(super) fn new(strategy: &'static str, config: &PoolConfig) -> Result<Self, ConfigError> {
        config.require_workers(strategy)?;
        config.require_queueless_policy(strategy)?;
        if config.workers > Semaphore::MAX_PERMITS {
            return Err(ConfigError::Startup {
                strategy,
                message: format!(
                    "tokio's Semaphore holds at most {} permits, asked for {}",
                    Semaphore::MAX_PERMITS,
                    config.workers
                ),
            });
        }
        Ok(Self {
            semaphore: Arc::new(Semaphore::new(config.workers)),
            policy: config.policy,
        })
    }

    /// A permit, taken as the policy says (waiting on `handle`'s runtime);
    /// `Err` says what to do with the job instead.
    pub(super) fn acquire(&self, handle: &Handle) -> Result<OwnedSemaphorePermit, Refusal> {
        let closed = Refusal::Reject(RejectReason::Closed);
        match Arc::clone(&self.semaphore).try_acquire_owned() {
            Ok(permit) => return Ok(permit),
            Err(TryAcquireError::Closed) => return Err(closed),
            Err(TryAcquireError::NoPermits) => {}
        }
        let wait = match when_full(self.policy) {
            WhenFull::Refuse(refusal) => return Err(refusal),
            WhenFull::DiscardOldest => unreachable!("refused by require_queueless_policy"),
            WhenFull::Wait(wait) => wait,
        };
        let acquire = Arc::clone(&self.semaphore).acquire_owned();
        match wait {
            None => handle.block_on(acquire).map_err(|_| closed),
            Some(limit) => handle.block_on(async move {
                match tokio::time::timeout(limit, acquire).await {
                    Ok(permit) => permit.map_err(|_| closed),
                    Err(_) => Err(Refusal::Reject(RejectReason::TimedOut)),
                }
            }),
        }
    }

    /// Stops handing out permits: a blocked submitter, and every later
    /// one, is refused as closed.
    pub(super) fn close(&self) {
        self.semaphore.close();
    }
}
