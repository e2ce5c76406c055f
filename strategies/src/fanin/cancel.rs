//! The handle that cancels one fan-in channel.
//!
//! A flag alone (such as [`pool::CancelToken`](crate::pool::CancelToken))
//! is not enough here: a producer blocked on a full channel, or a consumer
//! blocked on an empty one, is asleep and never looks at the flag. Each
//! variant therefore supplies the action that both records the
//! cancellation and wakes its own sleepers (notifying its condition
//! variables, dropping the sender of a cancel channel, …). The handle is a
//! type-erased closure, so every variant, including a user's own, hands
//! out the same [`Canceller`] type.

use std::fmt;

use crate::sync::{Arc, Mutex};

/// Cancels a fan-in channel; clones cancel the same channel.
///
/// After [`Canceller::cancel`], every `send` fails with
/// [`SendError::Cancelled`](super::SendError::Cancelled) (blocked ones
/// wake up and fail), `recv` returns `None` and items still queued are
/// dropped with the channel.
#[derive(Clone)]
pub struct Canceller {
    // Boxed, then shared: loom's `Arc` cannot hold an unsized value.
    cancel: Arc<Box<dyn Fn() + Send + Sync>>,
}

impl Canceller {
    /// A canceller that runs `cancel`. The action must be idempotent and
    /// must wake every producer and consumer blocked on the channel.
    pub fn new(cancel: impl Fn() + Send + Sync + 'static) -> Self {
        Self {
            cancel: Arc::new(Box::new(cancel)),
        }
    }

    /// A canceller that drops `value` when cancelled: for channel
    /// libraries in which dropping the last sender of a side channel
    /// wakes every select waiting on it. `value` is also dropped when the
    /// last clone of the canceller is, so the channel's ends must hold a
    /// clone: dropping an unused canceller must not cancel.
    pub fn dropping<V: Send + 'static>(value: V) -> Self {
        let slot = Mutex::new(Some(value));
        Self::new(move || drop(slot.lock().take()))
    }

    /// Cancels the channel. Idempotent; callable from any thread.
    pub fn cancel(&self) {
        (self.cancel)();
    }
}

impl fmt::Debug for Canceller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Canceller").finish_non_exhaustive()
    }
}
