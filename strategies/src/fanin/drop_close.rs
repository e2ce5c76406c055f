//! `drop-close`: the channel closes itself when its last producer is
//! dropped, the way every Rust channel does (std's mpsc, crossbeam,
//! flume). A shared count of live producers decides it: the producer whose
//! drop takes the count to zero closes the ring, so there is exactly one
//! close and it cannot come before any producer's last send, because a
//! send happens-before its producer's drop.

use super::ring::{self, Ring};
use super::{Capacity, CapacityError, FanIn, FanInChannel, Producer, RingConsumer, SendError};
use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::Arc;

/// The fan-in whose channel closes when the last producer is dropped.
///
/// Hand-written on the [`sync`](crate::sync) facade, so it is
/// model-checked under loom. Supports every capacity, 0 (a rendezvous)
/// included.
///
/// ```
/// use std::thread;
/// use contend_strategies::fanin::{Capacity, Consumer, DropClose, FanIn, Producer};
///
/// let channel = DropClose.channel(3, Capacity::Bounded(8)).unwrap();
/// let producers: Vec<_> = channel
///     .producers
///     .into_iter()
///     .enumerate()
///     .map(|(id, producer)| {
///         thread::spawn(move || {
///             for n in 0..10 {
///                 producer.send(id * 100 + n).unwrap();
///             }
///             // `producer` is dropped here: this producer has finished.
///         })
///     })
///     .collect();
///
/// let mut consumer = channel.consumer;
/// let mut received = 0;
/// while let Some(_item) = consumer.recv() {
///     received += 1;
/// }
/// // `recv` returned `None`: every producer has finished.
/// assert_eq!(received, 30);
/// for producer in producers {
///     producer.join().unwrap();
/// }
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct DropClose;

/// A producer of a [`DropClose`] channel; dropping the last one closes it.
#[derive(Debug)]
pub struct DropCloseProducer<T> {
    ring: Arc<Ring<T>>,
    live: Arc<AtomicUsize>,
}

impl<T: Send> Producer<T> for DropCloseProducer<T> {
    fn send(&self, item: T) -> Result<(), SendError<T>> {
        self.ring.send(item)
    }
}

impl<T> Drop for DropCloseProducer<T> {
    fn drop(&mut self) {
        // AcqRel: the closing drop sees every other producer's sends.
        if self.live.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.ring.close();
        }
    }
}

impl<T: Send + 'static> FanIn<T> for DropClose {
    type Producer = DropCloseProducer<T>;
    type Consumer = RingConsumer<T>;

    fn name(&self) -> &'static str {
        "drop-close"
    }

    fn channel(
        &self,
        producers: usize,
        capacity: Capacity,
    ) -> Result<FanInChannel<Self::Producer, Self::Consumer>, CapacityError> {
        let (ring, consumer, canceller) = ring::open(capacity);
        if producers == 0 {
            ring.close();
        }
        let live = Arc::new(AtomicUsize::new(producers));
        let producers = (0..producers)
            .map(|_| DropCloseProducer {
                ring: Arc::clone(&ring),
                live: Arc::clone(&live),
            })
            .collect();
        Ok(FanInChannel {
            producers,
            consumer,
            canceller,
        })
    }
}
