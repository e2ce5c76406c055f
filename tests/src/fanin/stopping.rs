//! Checks of a run that is stopped early: cancellation and a consumer
//! that goes away. Whatever is blocked must wake up, and an unsent item
//! must come back to its producer.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use contend_strategies::fanin::{Capacity, Consumer, Producer, SendError, TryRecvError};

use super::{assert_prefix_in_order, open, Item, Variant, CAPACITIES};
use crate::support::within_deadline;

/// Time for a thread that is about to block to actually block. Not needed
/// for any assertion: without it the check still passes on a correct
/// variant, it just exercises the non-blocked path more often.
const SETTLE: Duration = Duration::from_millis(20);

/// A producer blocked on a full channel (capacity 0 or 1) wakes up when
/// the channel is cancelled, and gets its item back as `Cancelled`; later
/// sends fail the same way, and the consumer sees the end.
pub fn cancel_unblocks_a_producer_stuck_on_a_full_channel<F: Variant>(variant: F) {
    for slots in [0_u32, 1] {
        let variant = variant.clone();
        let context = format!("{} at capacity {slots}", variant.name());
        within_deadline(&context.clone(), move || {
            let Some(channel) = open(&variant, 1, Capacity::Bounded(slots as usize)) else {
                return;
            };
            let producer = channel.producers.into_iter().next().expect("one producer");
            let (about_to_block, blocking) = mpsc::channel();
            let stuck = thread::spawn(move || {
                for seq in 0..slots {
                    producer.send((0, seq)).expect("room in the channel");
                }
                about_to_block.send(()).expect("check waiting");
                let blocked = producer.send((0, slots));
                let after = producer.send((0, slots + 1));
                (blocked, after)
            });
            blocking.recv().expect("producer about to block");
            thread::sleep(SETTLE);
            channel.canceller.cancel();
            let (blocked, after) = crate::watchdog::joined("producer thread", stuck.join());
            assert_eq!(blocked, Err(SendError::Cancelled((0, slots))), "{context}");
            assert_eq!(
                after,
                Err(SendError::Cancelled((0, slots + 1))),
                "{context}"
            );
            let mut consumer = channel.consumer;
            assert_eq!(consumer.recv(), None, "{context}: cancelled, yet not ended");
            assert_eq!(consumer.try_recv(), Err(TryRecvError::Ended), "{context}");
        });
    }
}

/// A consumer waiting on an empty channel, with every producer still
/// alive, gets `None` when the channel is cancelled; sends then fail with
/// `Cancelled`.
pub fn cancel_ends_a_waiting_consumer<F: Variant>(variant: F) {
    for capacity in CAPACITIES {
        let variant = variant.clone();
        let context = format!("{} at capacity {capacity}", variant.name());
        within_deadline(&context.clone(), move || {
            let Some(channel) = open(&variant, 2, capacity) else {
                return;
            };
            let mut consumer = channel.consumer;
            let waiting = thread::spawn(move || {
                let first = consumer.recv();
                (first, consumer)
            });
            thread::sleep(SETTLE);
            channel.canceller.cancel();
            let (first, mut consumer) = crate::watchdog::joined("consumer thread", waiting.join());
            assert_eq!(
                first, None,
                "{context}: cancelled, yet the consumer got an item"
            );
            assert_eq!(consumer.try_recv(), Err(TryRecvError::Ended), "{context}");
            for (id, producer) in channel.producers.iter().enumerate() {
                assert_eq!(
                    producer.send((id, 0)),
                    Err(SendError::Cancelled((id, 0))),
                    "{context}"
                );
            }
        });
    }
}

/// Producers sending as fast as they can: the consumer takes a few items
/// and is dropped. Every producer's next send fails with `Disconnected`
/// and gives back exactly the item it tried to send; none hangs.
pub fn dropping_the_consumer_unblocks_producers<F: Variant>(variant: F) {
    const PRODUCERS: usize = 4;
    for capacity in CAPACITIES {
        let variant = variant.clone();
        let context = format!("{} at capacity {capacity}", variant.name());
        within_deadline(&context.clone(), move || {
            let Some(channel) = open(&variant, PRODUCERS, capacity) else {
                return;
            };
            let producers: Vec<_> = channel
                .producers
                .into_iter()
                .enumerate()
                .map(|(id, producer)| thread::spawn(move || send_until_refused(&producer, id)))
                .collect();
            let mut consumer = channel.consumer;
            let received: Vec<Item> = (0..10).filter_map(|_| consumer.recv()).collect();
            assert_eq!(received.len(), 10, "{context}: the stream ended early");
            assert_prefix_in_order(&context, &received, PRODUCERS);
            drop(consumer);
            for (id, producer) in producers.into_iter().enumerate() {
                let (error, attempted) =
                    crate::watchdog::joined("producer thread", producer.join());
                assert!(
                    !error.is_cancelled(),
                    "{context}: {error}, not disconnected"
                );
                assert_eq!(
                    error.into_inner(),
                    (id, attempted),
                    "{context}: the failed send gave back the wrong item"
                );
            }
        });
    }
}

/// Sends `(id, 0)`, `(id, 1)`, … until a send fails; returns the error
/// and the sequence number of the refused item.
pub(super) fn send_until_refused<P: Producer<Item>>(
    producer: &P,
    id: usize,
) -> (SendError<Item>, u32) {
    for seq in 0.. {
        if let Err(error) = producer.send((id, seq)) {
            return (error, seq);
        }
    }
    unreachable!("2^32 items sent to a consumer that is dropped after ten")
}

/// A channel whose every [`Canceller`](contend_strategies::fanin::Canceller)
/// was dropped unused is not cancelled: dropping the handle is not
/// calling `cancel`, and the stream carries every item to its end.
pub fn dropping_the_canceller_does_not_cancel<F: Variant>(variant: F) {
    for capacity in CAPACITIES {
        let variant = variant.clone();
        let context = format!("{} at capacity {capacity}", variant.name());
        within_deadline(&context.clone(), move || {
            let Some(channel) = open(&variant, 1, capacity) else {
                return;
            };
            drop(channel.canceller);
            let producer = channel.producers.into_iter().next().expect("one producer");
            let sender = thread::spawn(move || {
                (0..3)
                    .map(|seq| producer.send((0, seq)).is_ok())
                    .collect::<Vec<_>>()
            });
            let mut consumer = channel.consumer;
            let received: Vec<Item> = std::iter::from_fn(|| consumer.recv()).collect();
            let sent = crate::watchdog::joined("producer thread", sender.join());
            assert_eq!(
                sent, [true; 3],
                "{context}: a send failed after the canceller was dropped"
            );
            assert_eq!(received, [(0, 0), (0, 1), (0, 2)], "{context}");
        });
    }
}
