//! Checks of a run that ends normally: what arrives, in which order, and
//! exactly when the stream ends.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use contend_strategies::fanin::{Capacity, Consumer, Producer, TryRecvError};

use super::{
    assert_exactly_once, assert_prefix_in_order, deliver, open, Item, Variant, CAPACITIES,
};
use crate::support::within_deadline;

const PRODUCERS: usize = 4;
const ITEMS: u32 = 200;

/// Runs `check` on a complete delivery at every capacity the variant
/// supports.
fn at_every_capacity<F: Variant>(
    variant: F,
    check: impl Fn(&str, &super::Delivery) + Send + Copy + 'static,
) {
    for capacity in CAPACITIES {
        let variant = variant.clone();
        let context = format!("{} at capacity {capacity}", variant.name());
        within_deadline(&context.clone(), move || {
            if let Some(delivery) = deliver(&variant, PRODUCERS, capacity, ITEMS) {
                check(&context, &delivery);
            }
        });
    }
}

/// Four producers send 200 items each: each arrives exactly once.
pub fn every_item_is_received_exactly_once<F: Variant>(variant: F) {
    at_every_capacity(variant, |context, delivery| {
        assert_exactly_once(context, &delivery.received, PRODUCERS, ITEMS);
    });
}

/// Each producer's items arrive in the order it sent them.
pub fn items_keep_their_order_per_producer<F: Variant>(variant: F) {
    at_every_capacity(variant, |context, delivery| {
        assert_prefix_in_order(context, &delivery.received, PRODUCERS);
    });
}

/// When `recv` returns `None`, every producer has finished (flagged just
/// before dropping its end), and the stream stays ended.
pub fn the_stream_ends_only_after_every_producer_finished<F: Variant>(variant: F) {
    at_every_capacity(variant, |context, delivery| {
        assert!(
            delivery.unfinished_at_end.is_empty(),
            "{context}: the stream ended while producers {:?} were still active",
            delivery.unfinished_at_end
        );
        assert_eq!(
            delivery.after_end,
            (Err(TryRecvError::Ended), None),
            "{context}: the stream did not stay ended"
        );
    });
}

/// With every producer but one finished, and that one blocked mid-way,
/// the consumer has received everything sent so far and the stream has
/// not ended (`try_recv` says `Empty`); once the last producer finishes,
/// it ends.
pub fn the_stream_does_not_end_while_a_producer_is_active<F: Variant>(variant: F) {
    for capacity in CAPACITIES {
        let variant = variant.clone();
        let context = format!("{} at capacity {capacity}", variant.name());
        within_deadline(&context.clone(), move || {
            let Some(channel) = open(&variant, PRODUCERS, capacity) else {
                return;
            };
            let mut free = channel.producers;
            let held = free.pop().expect("at least one producer");
            let held_id = free.len();
            let (release, released) = mpsc::channel::<()>();
            thread::scope(|scope| {
                // Owned by this closure, so that a failed assertion drops
                // it and frees the held producer instead of deadlocking.
                let release = release;
                let free: Vec<_> = free
                    .into_iter()
                    .enumerate()
                    .map(|(id, producer)| {
                        scope.spawn(move || {
                            for seq in 0..ITEMS {
                                producer.send((id, seq)).expect("consumer alive");
                            }
                        })
                    })
                    .collect();
                let last = scope.spawn(move || {
                    for seq in 0..ITEMS {
                        if seq == ITEMS / 2 {
                            released
                                .recv()
                                .expect("the check releases the last producer");
                        }
                        held.send((held_id, seq)).expect("consumer alive");
                    }
                });
                let mut consumer = channel.consumer;
                let before = held_id * ITEMS as usize + ITEMS as usize / 2;
                let mut received: Vec<Item> = (0..before)
                    .map(|_| {
                        consumer.recv().unwrap_or_else(|| {
                            panic!("{context}: the stream ended while a producer was active")
                        })
                    })
                    .collect();
                for producer in free {
                    crate::watchdog::joined("producer thread", producer.join());
                }
                // Not needed for the assertion; gives a closer that closes
                // too early (it runs on its own thread) the time to do so.
                thread::sleep(Duration::from_millis(20));
                assert_eq!(
                    consumer.try_recv(),
                    Err(TryRecvError::Empty),
                    "{context}: with one producer still active, the stream must be open and empty"
                );
                release.send(()).expect("last producer waiting");
                received.extend(std::iter::from_fn(|| consumer.recv()));
                crate::watchdog::joined("the last producer", last.join());
                assert_exactly_once(&context, &received, PRODUCERS, ITEMS);
            });
        });
    }
}

/// A channel built for no producer has ended before anything is received.
pub fn zero_producers_end_the_stream_at_once<F: Variant>(variant: F) {
    for capacity in CAPACITIES {
        let variant = variant.clone();
        let context = format!("{} at capacity {capacity}", variant.name());
        within_deadline(&context.clone(), move || {
            if let Some(channel) = open(&variant, 0, capacity) {
                let mut consumer = channel.consumer;
                assert_eq!(consumer.recv(), None, "{context}");
                assert_eq!(consumer.try_recv(), Err(TryRecvError::Ended), "{context}");
            }
        });
    }
}

/// At capacity 0, a send returns only after the consumer took the item.
/// For variants that support a rendezvous.
pub fn a_rendezvous_send_waits_for_the_consumer<F: Variant>(variant: F) {
    let context = format!("{} at capacity 0", variant.name());
    within_deadline(&context.clone(), move || {
        let channel = variant
            .channel(1, Capacity::Bounded(0))
            .unwrap_or_else(|error| panic!("{context}: {error}"));
        let producer = channel.producers.into_iter().next().expect("one producer");
        let returned = AtomicBool::new(false);
        thread::scope(|scope| {
            let returned = &returned;
            let sender = scope.spawn(move || {
                producer.send((0, 0)).expect("consumer alive");
                returned.store(true, Ordering::SeqCst);
            });
            // Time for a wrong (buffered) send to return; a correct one
            // cannot, however long this is.
            thread::sleep(Duration::from_millis(50));
            assert!(
                !returned.load(Ordering::SeqCst),
                "{context}: the send returned before the consumer took the item"
            );
            let mut consumer = channel.consumer;
            assert_eq!(consumer.recv(), Some((0, 0)), "{context}");
            crate::watchdog::joined("the rendezvous sender", sender.join());
        });
        assert!(returned.load(Ordering::SeqCst), "{context}");
    });
}

/// A variant without a rendezvous refuses capacity 0 with a message that
/// names the variant and the capacities it allows.
pub fn a_refused_rendezvous_names_the_allowed_capacities<F: Variant>(variant: F) {
    let error = variant
        .channel(1, Capacity::Bounded(0))
        .err()
        .unwrap_or_else(|| panic!("{}: accepted capacity 0", variant.name()));
    let message = error.to_string();
    assert!(
        message.contains(variant.name()) && message.contains("allowed"),
        "unclear refusal: {message}"
    );
}
