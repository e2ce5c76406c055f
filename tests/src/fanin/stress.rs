//! Stress versions: many rounds on real threads, each with a random
//! producer count (1 to 16), item count and stopping point, at every
//! capacity. Each round is seeded by its number, so a failure names the
//! round that replays it.

use std::thread;

use contend_strategies::fanin::{Capacity, Consumer, SendError};

use super::stopping::send_until_refused;
use super::{
    assert_exactly_once, assert_prefix_in_order, deliver, open, Item, Variant, CAPACITIES,
};
use crate::support::{within_deadline, Rng};

/// Runs `round(variant, rng, capacity, context)` for `rounds` rounds at
/// every capacity, each under the watchdog.
fn rounds_of<F: Variant>(
    variant: F,
    rounds: usize,
    what: &str,
    round: fn(&F, &mut Rng, Capacity, &str),
) {
    for number in 0..rounds {
        for capacity in CAPACITIES {
            let variant = variant.clone();
            let context = format!(
                "{} {what}, round {number}, capacity {capacity}",
                variant.name()
            );
            within_deadline(&context.clone(), move || {
                let mut rng = Rng::new(number as u64);
                round(&variant, &mut rng, capacity, &context);
            });
        }
    }
}

/// Complete runs: every item exactly once, in order per producer, and the
/// stream ending only after every producer finished.
pub fn stress_delivery<F: Variant>(variant: F, rounds: usize) {
    rounds_of(
        variant,
        rounds,
        "delivery",
        |variant, rng, capacity, context| {
            let producers = rng.below(1..17) as usize;
            let items = rng.below(1..64) as u32;
            let Some(delivery) = deliver(variant, producers, capacity, items) else {
                return;
            };
            assert_exactly_once(context, &delivery.received, producers, items);
            assert_prefix_in_order(context, &delivery.received, producers);
            assert!(
                delivery.unfinished_at_end.is_empty(),
                "{context}: the stream ended while producers {:?} were active",
                delivery.unfinished_at_end
            );
        },
    );
}

/// The channel is cancelled after a random number of items: every
/// producer's send ends with `Cancelled` and its own item, the consumer's
/// loop ends, nothing is received twice or out of order, and nothing is
/// received that was not sent successfully.
pub fn stress_cancellation<F: Variant>(variant: F, rounds: usize) {
    rounds_of(
        variant,
        rounds,
        "cancellation",
        |variant, rng, capacity, context| {
            let producers = rng.below(1..17) as usize;
            let cancel_after = rng.below(0..64) as usize;
            let Some(channel) = open(variant, producers, capacity) else {
                return;
            };
            thread::scope(|scope| {
                let senders: Vec<_> = channel
                    .producers
                    .into_iter()
                    .enumerate()
                    .map(|(id, producer)| scope.spawn(move || send_until_refused(&producer, id)))
                    .collect();
                let mut consumer = channel.consumer;
                let mut received: Vec<Item> = Vec::new();
                if cancel_after == 0 {
                    channel.canceller.cancel();
                }
                while let Some(item) = consumer.recv() {
                    received.push(item);
                    if received.len() == cancel_after {
                        channel.canceller.cancel();
                    }
                }
                if received.len() < cancel_after {
                    panic!("{context}: the stream ended before the cancellation");
                }
                // The consumer stays alive until every producer has stopped,
                // so that the only way to fail is the cancellation.
                for (id, sender) in senders.into_iter().enumerate() {
                    let (error, attempted) =
                        crate::watchdog::joined("producer thread", sender.join());
                    assert_eq!(
                        error,
                        SendError::Cancelled((id, attempted)),
                        "{context}: producer {id} stopped with the wrong error or item"
                    );
                    let got = received.iter().filter(|&&(from, _)| from == id).count();
                    assert!(
                        got <= attempted as usize,
                        "{context}: producer {id} had {attempted} items accepted, {got} received"
                    );
                }
                assert_prefix_in_order(context, &received, producers);
                drop(consumer);
            });
        },
    );
}

/// The consumer is dropped after a random number of items: every
/// producer's send ends with `Disconnected` and its own item.
pub fn stress_consumer_drop<F: Variant>(variant: F, rounds: usize) {
    rounds_of(
        variant,
        rounds,
        "consumer drop",
        |variant, rng, capacity, context| {
            let producers = rng.below(1..17) as usize;
            let drop_after = rng.below(0..64) as usize;
            let Some(channel) = open(variant, producers, capacity) else {
                return;
            };
            thread::scope(|scope| {
                let senders: Vec<_> = channel
                    .producers
                    .into_iter()
                    .enumerate()
                    .map(|(id, producer)| scope.spawn(move || send_until_refused(&producer, id)))
                    .collect();
                let mut consumer = channel.consumer;
                let received: Vec<Item> = (0..drop_after).map_while(|_| consumer.recv()).collect();
                assert_eq!(
                    received.len(),
                    drop_after,
                    "{context}: the stream ended early"
                );
                assert_prefix_in_order(context, &received, producers);
                drop(consumer);
                for (id, sender) in senders.into_iter().enumerate() {
                    let (error, attempted) =
                        crate::watchdog::joined("producer thread", sender.join());
                    assert_eq!(
                        error,
                        SendError::Disconnected((id, attempted)),
                        "{context}: producer {id} stopped with the wrong error or item"
                    );
                }
            });
        },
    );
}
