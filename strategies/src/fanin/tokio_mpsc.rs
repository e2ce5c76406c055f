//! `tokio-mpsc`: an adapter for `tokio::sync::mpsc`, the fan-in of async
//! Rust. The channel closes itself when the last sender is dropped.
//!
//! The ends here block, for producer and consumer threads outside any
//! runtime (as tokio's own `blocking_send`): each wait drives a small
//! future to completion with [`crate::sync::block_on`] (`futures`' own, or
//! shuttle's under the `shuttle` feature). Do not call
//! them from inside an async task: there a producer awaits
//! [`TokioProducer::send_async`] instead.
//!
//! Cancellation is a `watch` channel that flips to `true`. A blocked send
//! races "reserve a slot" against "cancelled": the item is handed over
//! only once a slot is reserved, so a cancelled send gives it back.
//!
//! tokio's bounded channel has no rendezvous: capacity 0 is refused.
//! Built on tokio's own primitives: load-tested, and model-checked by
//! shuttle through shuttle-tokio (never by loom).

use crate::sync::block_on;
use tokio::sync::{mpsc, watch};

use super::{
    Canceller, Capacity, CapacityError, Consumer, FanIn, FanInChannel, Producer, SendError,
    TryRecvError,
};

/// The fan-in on `tokio::sync::mpsc`. Supports capacities from 1 up to
/// tokio's `Semaphore::MAX_PERMITS`, and unbounded; capacity 0 (a
/// rendezvous) is refused with a [`CapacityError`]. Not built under
/// `--cfg loom`; model-checked by shuttle (through shuttle-tokio).
///
/// ```
/// use std::thread;
/// use contend_strategies::fanin::{Capacity, Consumer, FanIn, Producer, TokioMpsc};
///
/// assert!(FanIn::<u32>::channel(&TokioMpsc, 1, Capacity::Bounded(0)).is_err());
///
/// let channel = TokioMpsc.channel(2, Capacity::Bounded(16)).unwrap();
/// let mut consumer = channel.consumer;
/// thread::scope(|scope| {
///     for producer in channel.producers {
///         scope.spawn(move || {
///             for n in 0..10_u32 {
///                 producer.send(n).unwrap();
///             }
///         });
///     }
///     let total: u32 = std::iter::from_fn(|| consumer.recv()).sum();
///     assert_eq!(total, 2 * 45);
/// });
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioMpsc;

const NAME: &str = "tokio-mpsc";

#[derive(Debug)]
enum Sender<T> {
    Bounded(mpsc::Sender<T>),
    Unbounded(mpsc::UnboundedSender<T>),
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        match self {
            Sender::Bounded(items) => Sender::Bounded(items.clone()),
            Sender::Unbounded(items) => Sender::Unbounded(items.clone()),
        }
    }
}

#[derive(Debug)]
enum Receiver<T> {
    Bounded(mpsc::Receiver<T>),
    Unbounded(mpsc::UnboundedReceiver<T>),
}

impl<T> Receiver<T> {
    async fn recv(&mut self) -> Option<T> {
        match self {
            Receiver::Bounded(items) => items.recv().await,
            Receiver::Unbounded(items) => items.recv().await,
        }
    }

    fn try_recv(&mut self) -> Result<T, mpsc::error::TryRecvError> {
        match self {
            Receiver::Bounded(items) => items.try_recv(),
            Receiver::Unbounded(items) => items.try_recv(),
        }
    }
}

/// A producer of a [`TokioMpsc`] channel.
#[derive(Debug)]
pub struct TokioProducer<T> {
    items: Sender<T>,
    cancelled: watch::Receiver<bool>,
}

/// The consumer of a [`TokioMpsc`] channel.
#[derive(Debug)]
pub struct TokioConsumer<T> {
    items: Receiver<T>,
    cancelled: watch::Receiver<bool>,
}

fn is_cancelled(cancelled: &watch::Receiver<bool>) -> bool {
    *cancelled.borrow()
}

/// Completes once the channel is cancelled; never, if it cannot be any
/// more (every canceller was dropped).
async fn cancellation(mut cancelled: watch::Receiver<bool>) {
    if cancelled.wait_for(|&cancelled| cancelled).await.is_err() {
        std::future::pending::<()>().await;
    }
}

impl<T: Send> TokioProducer<T> {
    /// Sends `item` from async code, awaiting room while the channel is
    /// full: what a producer task does (the blocking [`Producer::send`]
    /// drives this same future on its thread). A cancelled send gives the
    /// item back, whether the cancellation came before or during the wait:
    /// the item is handed over only once a slot is reserved.
    pub async fn send_async(&self, item: T) -> Result<(), SendError<T>> {
        if is_cancelled(&self.cancelled) {
            return Err(SendError::Cancelled(item));
        }
        match &self.items {
            Sender::Unbounded(items) => items
                .send(item)
                .map_err(|error| SendError::Disconnected(error.0)),
            Sender::Bounded(items) => {
                tokio::select! {
                    biased;
                    () = cancellation(self.cancelled.clone()) => {
                        if mutant!(LossyAsyncSend) {
                            drop(item);
                            return Ok(());
                        }
                        Err(SendError::Cancelled(item))
                    }
                    permit = items.reserve() => match permit {
                        Ok(permit) => {
                            permit.send(item);
                            Ok(())
                        }
                        Err(_) => Err(SendError::Disconnected(item)),
                    },
                }
            }
        }
    }
}

impl<T: Send> Producer<T> for TokioProducer<T> {
    fn send(&self, item: T) -> Result<(), SendError<T>> {
        match &self.items {
            // Never waits: no future to drive.
            Sender::Unbounded(_) => block_on_ready(self.send_async(item)),
            Sender::Bounded(_) => block_on(self.send_async(item)),
        }
    }
}

/// The output of a future that completes on its first poll, without the
/// thread-local set-up of `block_on`.
fn block_on_ready<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(futures::task::noop_waker_ref());
    match future.as_mut().poll(&mut context) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => block_on(future),
    }
}

impl<T: Send> Consumer<T> for TokioConsumer<T> {
    fn recv(&mut self) -> Option<T> {
        if is_cancelled(&self.cancelled) {
            return None;
        }
        block_on(async {
            tokio::select! {
                biased;
                () = cancellation(self.cancelled.clone()) => None,
                item = self.items.recv() => item,
            }
        })
    }

    fn try_recv(&mut self) -> Result<T, TryRecvError> {
        if is_cancelled(&self.cancelled) {
            return Err(TryRecvError::Ended);
        }
        self.items.try_recv().map_err(|error| match error {
            mpsc::error::TryRecvError::Empty => TryRecvError::Empty,
            mpsc::error::TryRecvError::Disconnected => TryRecvError::Ended,
        })
    }
}

impl<T: Send + 'static> FanIn<T> for TokioMpsc {
    type Producer = TokioProducer<T>;
    type Consumer = TokioConsumer<T>;

    fn name(&self) -> &'static str {
        NAME
    }

    fn channel(
        &self,
        producers: usize,
        capacity: Capacity,
    ) -> Result<FanInChannel<Self::Producer, Self::Consumer>, CapacityError> {
        let (items_tx, items_rx) = match capacity {
            Capacity::Bounded(n) if (1..=tokio::sync::Semaphore::MAX_PERMITS).contains(&n) => {
                let (tx, rx) = mpsc::channel(n);
                (Sender::Bounded(tx), Receiver::Bounded(rx))
            }
            Capacity::Bounded(_) => {
                return Err(CapacityError {
                    variant: NAME,
                    requested: capacity,
                    allowed: "1 up to tokio's Semaphore::MAX_PERMITS, or unbounded \
                              (tokio's mpsc has no rendezvous)",
                })
            }
            Capacity::Unbounded => {
                let (tx, rx) = mpsc::unbounded_channel();
                (Sender::Unbounded(tx), Receiver::Unbounded(rx))
            }
        };
        let (cancel_tx, cancel_rx) = watch::channel(false);
        let canceller = Canceller::new(move || {
            cancel_tx.send_replace(true);
        });
        let producers = (0..producers)
            .map(|_| TokioProducer {
                items: items_tx.clone(),
                cancelled: cancel_rx.clone(),
            })
            .collect();
        Ok(FanInChannel {
            producers,
            consumer: TokioConsumer {
                items: items_rx,
                cancelled: cancel_rx,
            },
            canceller,
        })
    }
}
