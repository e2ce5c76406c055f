//! Checks for [`FanIn`] implementations: every item received exactly
//! once, order kept per producer, the stream ending exactly when the last
//! producer has finished, and cancellation or an early consumer drop
//! never leaving a producer blocked.
//!
//! Every check takes the variant by value (it must be `Clone + Send +
//! 'static`, as a unit struct is) and runs it at every capacity of
//! [`CAPACITIES`]; a variant may refuse only the rendezvous (capacity 0),
//! which the check then skips.

mod delivery;
mod stopping;
mod stress;

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use contend_strategies::fanin::{Capacity, Consumer, FanIn, FanInChannel, Producer, TryRecvError};

pub use delivery::{
    a_refused_rendezvous_names_the_allowed_capacities, a_rendezvous_send_waits_for_the_consumer,
    every_item_is_received_exactly_once, items_keep_their_order_per_producer,
    the_stream_does_not_end_while_a_producer_is_active,
    the_stream_ends_only_after_every_producer_finished, zero_producers_end_the_stream_at_once,
};
pub use stopping::{
    cancel_ends_a_waiting_consumer, cancel_unblocks_a_producer_stuck_on_a_full_channel,
    dropping_the_canceller_does_not_cancel, dropping_the_consumer_unblocks_producers,
};
pub use stress::{stress_cancellation, stress_consumer_drop, stress_delivery};

/// What the checks send: (producer id, sequence number within the producer).
pub type Item = (usize, u32);

/// A variant the checks can run: a [`FanIn`] of [`Item`]s that can be
/// moved onto the watchdog's thread.
pub trait Variant: FanIn<Item> + Clone + Send + 'static {}

impl<F: FanIn<Item> + Clone + Send + 'static> Variant for F {}

/// The capacities every check covers: rendezvous, one slot, a buffer, unbounded.
pub const CAPACITIES: [Capacity; 4] = [
    Capacity::Bounded(0),
    Capacity::Bounded(1),
    Capacity::Bounded(64),
    Capacity::Unbounded,
];

type Channel<F> = FanInChannel<<F as FanIn<Item>>::Producer, <F as FanIn<Item>>::Consumer>;

/// Builds a channel; `None` if the variant refuses a rendezvous. Any
/// other refusal fails the check.
fn open<F: Variant>(variant: &F, producers: usize, capacity: Capacity) -> Option<Channel<F>> {
    match variant.channel(producers, capacity) {
        Ok(channel) => Some(channel),
        Err(_) if capacity == Capacity::Bounded(0) => None,
        Err(error) => panic!("{}: refused capacity {capacity}: {error}", variant.name()),
    }
}

/// What one complete run delivered.
#[derive(Debug)]
struct Delivery {
    /// Every item, in the order the consumer received it.
    received: Vec<Item>,
    /// Producers that had not finished when `recv` returned `None`.
    unfinished_at_end: Vec<usize>,
    /// What `try_recv` and `recv` answered after the end.
    after_end: (Result<Item, TryRecvError>, Option<Item>),
}

/// Runs `producers` producers that each send `items` items and flag
/// themselves finished just before they drop their end, and a consumer
/// that receives until the stream ends.
fn deliver<F: Variant>(
    variant: &F,
    producers: usize,
    capacity: Capacity,
    items: u32,
) -> Option<Delivery> {
    let channel = open(variant, producers, capacity)?;
    let finished: Vec<AtomicBool> = (0..producers).map(|_| AtomicBool::new(false)).collect();
    let name = variant.name();
    Some(thread::scope(|scope| {
        let mut senders = Vec::new();
        for (id, producer) in channel.producers.into_iter().enumerate() {
            let finished = &finished;
            senders.push(scope.spawn(move || {
                for seq in 0..items {
                    if let Err(error) = producer.send((id, seq)) {
                        panic!("{name}: send failed with the consumer alive: {error}");
                    }
                }
                finished[id].store(true, Ordering::SeqCst);
                drop(producer);
            }));
        }
        let mut consumer = channel.consumer;
        let received: Vec<Item> = std::iter::from_fn(|| consumer.recv()).collect();
        let unfinished_at_end = (0..producers)
            .filter(|&id| !finished[id].load(Ordering::SeqCst))
            .collect();
        // Joined here, so that a producer's panic keeps its words (an
        // unjoined one would surface as "a scoped thread panicked").
        for (id, sender) in senders.into_iter().enumerate() {
            crate::watchdog::joined(&format!("producer {id}"), sender.join());
        }
        Delivery {
            received,
            unfinished_at_end,
            after_end: (consumer.try_recv(), consumer.recv()),
        }
    }))
}

/// Fails unless `received` holds each of `producers` × `items` items
/// exactly once.
fn assert_exactly_once(context: &str, received: &[Item], producers: usize, items: u32) {
    let mut seen = vec![vec![0_u32; items as usize]; producers];
    for &(id, seq) in received {
        assert!(
            id < producers && seq < items,
            "{context}: received an item never sent: {:?}",
            (id, seq)
        );
        seen[id][seq as usize] += 1;
    }
    for (id, counts) in seen.iter().enumerate() {
        for (seq, &count) in counts.iter().enumerate() {
            assert_eq!(
                count,
                1,
                "{context}: item {:?} received {count} times",
                (id, seq)
            );
        }
    }
}

/// Fails unless each producer's items in `received` are `0, 1, 2, …`: in
/// order, without gaps (a prefix of what it sent).
fn assert_prefix_in_order(context: &str, received: &[Item], producers: usize) {
    let mut next = vec![0_u32; producers];
    for &(id, seq) in received {
        assert_eq!(
            seq, next[id],
            "{context}: producer {id}'s item {seq} arrived when {} was expected",
            next[id]
        );
        next[id] += 1;
    }
}
