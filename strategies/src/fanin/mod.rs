//! Fan-in: N producers merged into one consumer.
//!
//! The shape is Go's: several goroutines send into one channel, one
//! goroutine ranges over it, and the range must end exactly when the last
//! producer has finished: not before (items would be lost), not never (the
//! consumer would hang). Getting that close right is the whole difficulty,
//! and the variants here are the ways people get it right:
//!
//! - the channel closes itself when its last sender is dropped
//!   ([`DropClose`], and every Rust channel library);
//! - an explicit closer waits for every producer on a WaitGroup and closes
//!   exactly once ([`Closer`], Go's `wg.Wait(); close(ch)`).
//!
//! Every variant implements [`FanIn`], which builds a [`FanInChannel`]:
//! one [`Producer`] per producer thread, one [`Consumer`], and a
//! [`Canceller`]. Tests and load tests drive them all the same way;
//! implement the traits for your own fan-in and the same tests apply.
//!
//! # The contract
//!
//! - Every item sent successfully is received exactly once, unless the
//!   channel is cancelled or the consumer is dropped first (then queued
//!   items are dropped with the channel).
//! - Items from one producer arrive in the order it sent them.
//! - A producer has finished when it is dropped. [`Consumer::recv`]
//!   returns `None` only once every producer has finished and every item
//!   was received (or after cancellation), and returns it from then on.
//! - A failed send gives the item back ([`SendError`]): `Cancelled` after
//!   [`Canceller::cancel`], `Disconnected` once the consumer is gone. A
//!   producer blocked on a full channel wakes up for both; none hangs.
//!
//! # Choosing a variant
//!
//! | variant | capacities | model-checked | pick it when |
//! |---|---|---|---|
//! | [`DropClose`] | 0 (rendezvous), N, unbounded | yes | the baseline: a plain mutex and two condition variables, easy to audit |
//! | [`Closer`] | 0 (rendezvous), N, unbounded | yes | producers are not values you can drop in one place (Go style): a closer thread waits for all of them |
//! | `TokioMpsc` | N ≥ 1, unbounded | shuttle only | the consumer or producers live in async code |
//! | `Crossbeam` | 0, N, unbounded | no | throughput with many producers on threads |
//! | `Flume` | 0, N, unbounded | no | as crossbeam, with both sync and async ends |
//!
//! Capacity: a rendezvous (0) makes each producer wait for the consumer
//! to take its item, so producers can never run ahead; it costs a context
//! switch per item and suits few producers and large items. A small buffer
//! (1 to 64) absorbs jitter between producers and consumer; a large one
//! absorbs bursts, at the cost of memory and of latency hidden in the
//! queue. Unbounded never blocks a producer and so has no back-pressure:
//! if producers outpace the consumer, memory grows without limit. With many
//! producers on one lock (`drop-close`, `closer`) contention grows with the
//! producer count; the lock-free adapters scale further.
//!
//! The adapters (`TokioMpsc`, `Crossbeam`, `Flume`) are built on their
//! libraries' own primitives: they are load-tested but cannot be
//! model-checked with loom, and are left out under `--cfg loom`
//! (`TokioMpsc` is checked by shuttle, through shuttle-tokio).

mod cancel;
mod closer;
#[cfg(all(not(loom), feature = "third-party"))]
mod crossbeam;
mod drop_close;
mod error;
#[cfg(all(not(loom), feature = "third-party"))]
mod flume;
mod ring;
mod spin;
#[cfg(all(not(loom), feature = "third-party"))]
mod tokio_mpsc;
mod wait_group;

use std::fmt;

pub use cancel::Canceller;
pub use closer::{Closer, CloserProducer};
#[cfg(all(not(loom), feature = "third-party"))]
pub use crossbeam::{Crossbeam, CrossbeamConsumer, CrossbeamProducer};
pub use drop_close::{DropClose, DropCloseProducer};
pub use error::{CapacityError, SendError, TryRecvError};
#[cfg(all(not(loom), feature = "third-party"))]
pub use flume::{Flume, FlumeConsumer, FlumeProducer};
pub use ring::RingConsumer;
#[cfg(all(not(loom), feature = "third-party"))]
pub use tokio_mpsc::{TokioConsumer, TokioMpsc, TokioProducer};

/// How many items a channel holds before a send blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Capacity {
    /// At most this many queued items. `Bounded(0)` is a rendezvous: each
    /// send waits until the consumer takes the item.
    Bounded(usize),
    /// No bound: a send never blocks.
    Unbounded,
}

impl fmt::Display for Capacity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Capacity::Bounded(0) => f.write_str("0 (a rendezvous)"),
            Capacity::Bounded(n) => write!(f, "{n}"),
            Capacity::Unbounded => f.write_str("unbounded"),
        }
    }
}

/// The sending end held by one producer.
pub trait Producer<T>: Send {
    /// Sends `item`, waiting while the channel is full. A failed send
    /// gives the item back: [`SendError::Cancelled`] once the channel is
    /// cancelled, [`SendError::Disconnected`] once the consumer is gone.
    fn send(&self, item: T) -> Result<(), SendError<T>>;
}

/// The receiving end, held by the one consumer.
pub trait Consumer<T>: Send {
    /// The next item, waiting for one. `None` once the stream has ended:
    /// every producer has finished and every item was received, or the
    /// channel was cancelled.
    fn recv(&mut self) -> Option<T>;

    /// The next item if one is queued now, without waiting.
    fn try_recv(&mut self) -> Result<T, TryRecvError>;
}

/// The parts of one fan-in channel, as built by [`FanIn::channel`].
#[derive(Debug)]
pub struct FanInChannel<P, C> {
    /// One sending end per producer. A producer has finished when its end
    /// is dropped.
    pub producers: Vec<P>,
    /// The receiving end. Dropping it makes every send fail with
    /// [`SendError::Disconnected`].
    pub consumer: C,
    /// Cancels the channel (see [`Canceller`]).
    pub canceller: Canceller,
}

/// A way to merge N producers into one consumer.
///
/// Implement it for your own fan-in and contend's tests and load tests
/// drive it exactly as they drive the built-in variants.
pub trait FanIn<T: Send + 'static> {
    /// The sending end of this variant.
    type Producer: Producer<T> + 'static;
    /// The receiving end of this variant.
    type Consumer: Consumer<T> + 'static;

    /// The variant's name, as used in scenario files.
    fn name(&self) -> &'static str;

    /// Builds a channel for exactly `producers` producers (0 is allowed:
    /// the stream then ends at once), or says which capacities the
    /// variant supports.
    fn channel(
        &self,
        producers: usize,
        capacity: Capacity,
    ) -> Result<FanInChannel<Self::Producer, Self::Consumer>, CapacityError>;
}
