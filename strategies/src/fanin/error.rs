//! What the two ends of a fan-in answer when they cannot do their job.
//!
//! As with crossbeam's `SendError<T>`, an item that could not be sent
//! travels back to the producer inside the error, so it is never silently
//! lost: the producer can log it, retry it elsewhere or drop it on purpose.

use std::fmt;

use super::Capacity;

/// An item the channel did not accept, given back with the reason.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SendError<T> {
    /// The consumer is gone (dropped) or the channel is closed: nobody
    /// will ever receive the item.
    Disconnected(T),
    /// The channel was cancelled; the producer should stop.
    Cancelled(T),
}

impl<T> SendError<T> {
    /// The item that was not sent.
    pub fn into_inner(self) -> T {
        match self {
            SendError::Disconnected(item) | SendError::Cancelled(item) => item,
        }
    }

    /// Whether the channel was cancelled (rather than disconnected).
    pub fn is_cancelled(&self) -> bool {
        matches!(self, SendError::Cancelled(_))
    }
}

// Like crossbeam's, `Debug` does not require `T: Debug`: the item is
// usually a payload nobody wants in a panic message.
impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Disconnected(_) => f.write_str("Disconnected(..)"),
            SendError::Cancelled(_) => f.write_str("Cancelled(..)"),
        }
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SendError::Disconnected(_) => "sending on a channel whose consumer is gone",
            SendError::Cancelled(_) => "sending on a cancelled channel",
        })
    }
}

impl<T> std::error::Error for SendError<T> {}

/// Why [`Consumer::try_recv`](super::Consumer::try_recv) returned no item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TryRecvError {
    /// Nothing is queued now, but some producer is still active: more
    /// items may come.
    Empty,
    /// The stream has ended: every producer has finished and every item
    /// was received, or the channel was cancelled.
    Ended,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TryRecvError::Empty => "no item is queued yet",
            TryRecvError::Ended => "the stream has ended",
        })
    }
}

impl std::error::Error for TryRecvError {}

/// A variant was asked for a capacity it does not support.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapacityError {
    /// The variant's name.
    pub variant: &'static str,
    /// The capacity asked for.
    pub requested: Capacity,
    /// The capacities the variant supports, in words.
    pub allowed: &'static str,
}

impl fmt::Display for CapacityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "fan-in `{}` does not support capacity {}; allowed: {}",
            self.variant, self.requested, self.allowed
        )
    }
}

impl std::error::Error for CapacityError {}
