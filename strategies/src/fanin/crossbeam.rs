//! `crossbeam`: an adapter for `crossbeam-channel`, the channel most Rust
//! code on threads reaches for. The channel closes itself when the last
//! `Sender` is dropped, as `drop-close` does.
//!
//! Cancellation is a second channel that never carries a message: the
//! canceller drops its only sender, which disconnects it and so makes it
//! ready for every `Select` waiting on it. A blocked send selects over
//! "send the item" and "the cancel channel is ready", and crossbeam's
//! `Select` moves the item only if the send is the operation chosen, so a
//! cancelled send gives its item back.
//!
//! Built on crossbeam's own primitives: load-tested, never model-checked.

use std::convert::Infallible;

use ::crossbeam_channel as cb;

use super::{
    Canceller, Capacity, CapacityError, Consumer, FanIn, FanInChannel, Producer, SendError,
    TryRecvError,
};
/// The fan-in on `crossbeam-channel`. Supports every capacity, 0 (a
/// rendezvous) included. Cannot be model-checked with loom (not built
/// under `--cfg loom`).
///
/// ```
/// use std::thread;
/// use contend_strategies::fanin::{Capacity, Consumer, Crossbeam, FanIn, Producer};
///
/// let channel = Crossbeam.channel(2, Capacity::Bounded(0)).unwrap();
/// let mut consumer = channel.consumer;
/// thread::scope(|scope| {
///     for producer in channel.producers {
///         scope.spawn(move || producer.send("hello").unwrap());
///     }
///     assert_eq!(consumer.recv(), Some("hello"));
///     assert_eq!(consumer.recv(), Some("hello"));
///     assert_eq!(consumer.recv(), None);
/// });
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Crossbeam;

/// A producer of a [`Crossbeam`] channel.
#[derive(Debug)]
pub struct CrossbeamProducer<T> {
    items: cb::Sender<T>,
    cancelled: cb::Receiver<Infallible>,
    /// Keeps the cancel channel's sender alive while this end lives: only
    /// [`Canceller::cancel`] disconnects it, not dropping the canceller.
    _canceller: Canceller,
}

/// The consumer of a [`Crossbeam`] channel.
#[derive(Debug)]
pub struct CrossbeamConsumer<T> {
    items: cb::Receiver<T>,
    cancelled: cb::Receiver<Infallible>,
    /// Keeps the cancel channel's sender alive while this end lives: only
    /// [`Canceller::cancel`] disconnects it, not dropping the canceller.
    _canceller: Canceller,
}

/// Whether the cancel channel has been disconnected, i.e. cancelled.
fn is_cancelled(cancelled: &cb::Receiver<Infallible>) -> bool {
    cancelled.try_recv() == Err(cb::TryRecvError::Disconnected)
}

impl<T: Send> Producer<T> for CrossbeamProducer<T> {
    fn send(&self, item: T) -> Result<(), SendError<T>> {
        if is_cancelled(&self.cancelled) {
            return Err(SendError::Cancelled(item));
        }
        let mut select = cb::Select::new();
        let send = select.send(&self.items);
        select.recv(&self.cancelled);
        let operation = select.select();
        if operation.index() == send {
            operation
                .send(&self.items, item)
                .map_err(|error| SendError::Disconnected(error.into_inner()))
        } else {
            // The cancel channel never carries a message: this is its
            // disconnection.
            let _ = operation.recv(&self.cancelled);
            Err(SendError::Cancelled(item))
        }
    }
}

impl<T: Send> Consumer<T> for CrossbeamConsumer<T> {
    fn recv(&mut self) -> Option<T> {
        if is_cancelled(&self.cancelled) {
            return None;
        }
        let mut select = cb::Select::new();
        let recv = select.recv(&self.items);
        select.recv(&self.cancelled);
        let operation = select.select();
        if operation.index() == recv {
            operation.recv(&self.items).ok()
        } else {
            let _ = operation.recv(&self.cancelled);
            None
        }
    }

    fn try_recv(&mut self) -> Result<T, TryRecvError> {
        if is_cancelled(&self.cancelled) {
            return Err(TryRecvError::Ended);
        }
        self.items.try_recv().map_err(|error| match error {
            cb::TryRecvError::Empty => TryRecvError::Empty,
            cb::TryRecvError::Disconnected => TryRecvError::Ended,
        })
    }
}

impl<T: Send + 'static> FanIn<T> for Crossbeam {
    type Producer = CrossbeamProducer<T>;
    type Consumer = CrossbeamConsumer<T>;

    fn name(&self) -> &'static str {
        "crossbeam"
    }

    fn channel(
        &self,
        producers: usize,
        capacity: Capacity,
    ) -> Result<FanInChannel<Self::Producer, Self::Consumer>, CapacityError> {
        let (items_tx, items_rx) = match capacity {
            Capacity::Bounded(n) => cb::bounded(n),
            Capacity::Unbounded => cb::unbounded(),
        };
        let (cancel_tx, cancel_rx) = cb::bounded::<Infallible>(0);
        let canceller = Canceller::dropping(cancel_tx);
        let producers = (0..producers)
            .map(|_| CrossbeamProducer {
                items: items_tx.clone(),
                cancelled: cancel_rx.clone(),
                _canceller: canceller.clone(),
            })
            .collect();
        Ok(FanInChannel {
            producers,
            consumer: CrossbeamConsumer {
                items: items_rx,
                cancelled: cancel_rx,
                _canceller: canceller.clone(),
            },
            canceller,
        })
    }
}
