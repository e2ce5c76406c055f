//! `closer`: Go's WaitGroup-then-close. Each producer is a member of a
//! WaitGroup and calls `done` when it finishes (here: when it is dropped,
//! Go's `defer wg.Done()`); one closer thread waits for the whole group
//! and then closes the channel, exactly once:
//!
//! ```go
//! go func() { wg.Wait(); close(ch) }()
//! ```
//!
//! The channel itself knows nothing about its producers, unlike
//! `drop-close`: the close is a separate actor. That is what the pattern
//! is for when producers are not values you can count (goroutines, tasks
//! spawned elsewhere), and it is the pattern's classic bug when the closer
//! does not wait for every producer: the consumer's loop ends early and
//! late sends fail.

use super::ring::{self, Ring};
use super::wait_group::WaitGroup;
use super::{Capacity, CapacityError, FanIn, FanInChannel, Producer, RingConsumer, SendError};
use crate::sync::{thread, Arc};

/// The fan-in closed by a closer thread that waits for every producer.
///
/// Hand-written on the [`sync`](crate::sync) facade, so it is
/// model-checked under loom. Supports every capacity, 0 (a rendezvous)
/// included. Each channel starts one closer thread, which exits once
/// every producer has been dropped; a producer that is leaked (never
/// dropped) keeps the closer, and the consumer, waiting forever.
///
/// ```
/// use std::thread;
/// use contend_strategies::fanin::{Capacity, Closer, Consumer, FanIn, Producer};
///
/// let channel = Closer.channel(4, Capacity::Unbounded).unwrap();
/// thread::scope(|scope| {
///     for (id, producer) in channel.producers.into_iter().enumerate() {
///         scope.spawn(move || {
///             for n in 0..25 {
///                 producer.send((id, n)).unwrap();
///             }
///         }); // dropping `producer` is its `wg.Done()`
///     }
///     let mut consumer = channel.consumer;
///     let items: Vec<(usize, i32)> = std::iter::from_fn(|| consumer.recv()).collect();
///     assert_eq!(items.len(), 100);
/// });
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Closer;

/// A producer of a [`Closer`] channel: a member of the closer's WaitGroup
/// that calls `done` when dropped.
#[derive(Debug)]
pub struct CloserProducer<T> {
    ring: Arc<Ring<T>>,
    group: WaitGroup,
}

impl<T: Send> Producer<T> for CloserProducer<T> {
    fn send(&self, item: T) -> Result<(), SendError<T>> {
        self.ring.send(item)
    }
}

impl<T> Drop for CloserProducer<T> {
    fn drop(&mut self) {
        self.group.done();
    }
}

impl<T: Send + 'static> FanIn<T> for Closer {
    type Producer = CloserProducer<T>;
    type Consumer = RingConsumer<T>;

    fn name(&self) -> &'static str {
        "closer"
    }

    fn channel(
        &self,
        producers: usize,
        capacity: Capacity,
    ) -> Result<FanInChannel<Self::Producer, Self::Consumer>, CapacityError> {
        let (ring, consumer, canceller) = ring::open(capacity);
        let group = WaitGroup::new(producers);
        let closer_group = group.clone();
        let closer_ring = Arc::clone(&ring);
        thread::spawn(move || {
            // The mutant closes once the first producer is done.
            let unfinished = if mutant!(EagerCloser) {
                producers.saturating_sub(1)
            } else {
                0
            };
            closer_group.wait_until_at_most(unfinished);
            let first = closer_ring.close();
            assert!(first, "the closer is the only one that closes the channel");
        });
        let producers = (0..producers)
            .map(|_| CloserProducer {
                ring: Arc::clone(&ring),
                group: group.clone(),
            })
            .collect();
        Ok(FanInChannel {
            producers,
            consumer,
            canceller,
        })
    }
}
