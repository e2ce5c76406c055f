//! `flume`: an adapter for the `flume` channel, popular for offering both
//! blocking and async ends on one channel. It closes itself when the last
//! `Sender` is dropped, as `drop-close` does.
//!
//! Cancellation is a second channel that never carries a message; the
//! canceller drops its only sender, which disconnects it. The consumer
//! waits on both channels with flume's `Selector`. A producer cannot: a
//! `Selector` send that loses the race drops its item inside flume, and
//! the item must come back to the producer. So a blocked send waits in
//! slices of `Flume::CANCEL_POLL` with `send_timeout`, which does give the item
//! back, and looks at the cancel channel between slices. Room in the
//! channel still wakes the sender at once; only cancellation can take up
//! to one slice to be noticed.
//!
//! Built on flume's own primitives: load-tested, never model-checked.

use std::convert::Infallible;
use std::time::Duration;

use super::{
    Canceller, Capacity, CapacityError, Consumer, FanIn, FanInChannel, Producer, SendError,
    TryRecvError,
};
/// The fan-in on `flume`. Supports every capacity, 0 (a rendezvous)
/// included. A send blocked on a full channel notices a cancellation
/// within [`Flume::CANCEL_POLL`] (flume cannot wake it and give the item
/// back). Cannot be model-checked with loom (not built under
/// `--cfg loom`).
///
/// ```
/// use std::thread;
/// use contend_strategies::fanin::{Capacity, Consumer, FanIn, Flume, Producer};
///
/// let channel = Flume.channel(3, Capacity::Bounded(1)).unwrap();
/// let mut consumer = channel.consumer;
/// thread::scope(|scope| {
///     for (id, producer) in channel.producers.into_iter().enumerate() {
///         scope.spawn(move || producer.send(id).unwrap());
///     }
///     let mut ids: Vec<usize> = std::iter::from_fn(|| consumer.recv()).collect();
///     ids.sort();
///     assert_eq!(ids, [0, 1, 2]);
/// });
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Flume;

impl Flume {
    /// How long a blocked send waits before it checks again whether the
    /// channel was cancelled.
    pub const CANCEL_POLL: Duration = Duration::from_millis(5);
}

/// A producer of a [`Flume`] channel.
#[derive(Debug)]
pub struct FlumeProducer<T> {
    items: ::flume::Sender<T>,
    cancelled: ::flume::Receiver<Infallible>,
    /// Keeps the cancel channel's sender alive while this end lives: only
    /// [`Canceller::cancel`] disconnects it, not dropping the canceller.
    _canceller: Canceller,
}

/// The consumer of a [`Flume`] channel.
#[derive(Debug)]
pub struct FlumeConsumer<T> {
    items: ::flume::Receiver<T>,
    cancelled: ::flume::Receiver<Infallible>,
    /// Keeps the cancel channel's sender alive while this end lives: only
    /// [`Canceller::cancel`] disconnects it, not dropping the canceller.
    _canceller: Canceller,
}

impl<T: Send> Producer<T> for FlumeProducer<T> {
    fn send(&self, mut item: T) -> Result<(), SendError<T>> {
        loop {
            if self.cancelled.is_disconnected() {
                return Err(SendError::Cancelled(item));
            }
            match self.items.send_timeout(item, Flume::CANCEL_POLL) {
                Ok(()) => return Ok(()),
                Err(::flume::SendTimeoutError::Disconnected(back)) => {
                    return Err(SendError::Disconnected(back))
                }
                Err(::flume::SendTimeoutError::Timeout(back)) => item = back,
            }
        }
    }
}

impl<T: Send> Consumer<T> for FlumeConsumer<T> {
    fn recv(&mut self) -> Option<T> {
        if self.cancelled.is_disconnected() {
            return None;
        }
        ::flume::Selector::new()
            .recv(&self.items, Result::ok)
            .recv(&self.cancelled, |_| None)
            .wait()
    }

    fn try_recv(&mut self) -> Result<T, TryRecvError> {
        if self.cancelled.is_disconnected() {
            return Err(TryRecvError::Ended);
        }
        self.items.try_recv().map_err(|error| match error {
            ::flume::TryRecvError::Empty => TryRecvError::Empty,
            ::flume::TryRecvError::Disconnected => TryRecvError::Ended,
        })
    }
}

impl<T: Send + 'static> FanIn<T> for Flume {
    type Producer = FlumeProducer<T>;
    type Consumer = FlumeConsumer<T>;

    fn name(&self) -> &'static str {
        "flume"
    }

    fn channel(
        &self,
        producers: usize,
        capacity: Capacity,
    ) -> Result<FanInChannel<Self::Producer, Self::Consumer>, CapacityError> {
        let (items_tx, items_rx) = match capacity {
            Capacity::Bounded(n) => ::flume::bounded(n),
            Capacity::Unbounded => ::flume::unbounded(),
        };
        let (cancel_tx, cancel_rx) = ::flume::bounded::<Infallible>(0);
        let canceller = Canceller::dropping(cancel_tx);
        let producers = (0..producers)
            .map(|_| FlumeProducer {
                items: items_tx.clone(),
                cancelled: cancel_rx.clone(),
                _canceller: canceller.clone(),
            })
            .collect();
        Ok(FanInChannel {
            producers,
            consumer: FlumeConsumer {
                items: items_rx,
                cancelled: cancel_rx,
                _canceller: canceller.clone(),
            },
            canceller,
        })
    }
}
