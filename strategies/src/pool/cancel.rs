//! A cancellation token shared by a batch of jobs.
//!
//! Cancelling is cooperative, as with Go's `context.Context`: a job that
//! has not started when its token is cancelled is never started (the pool
//! counts it as cancelled); a job already running can poll
//! [`CancelToken::is_cancelled`] and return early.

use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::Arc;

/// A cloneable flag that stops a batch of jobs. Clones share one flag.
#[derive(Clone, Debug, Default)]
pub struct CancelToken {
    cancelled: Arc<AtomicBool>,
}

impl CancelToken {
    /// A token that is not cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels every job carrying this token (or a clone of it). Idempotent.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Release);
    }

    /// Whether [`CancelToken::cancel`] has been called on this token or a clone.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Acquire)
    }
}
