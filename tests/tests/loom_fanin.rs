//! loom models of the hand-written fan-ins: the close racing the last
//! send, cancellation racing a rendezvous, and the consumer leaving while
//! a producer is blocked. Run with
//! `RUSTFLAGS="--cfg loom" cargo test -p contend-tests --release --test loom_fanin`.
#![cfg(loom)]

use contend_strategies::fanin::{
    Capacity, Closer, Consumer, DropClose, FanIn, Producer, SendError,
};
use contend_tests::support::loom_model;
use loom::thread;

/// Two producers send one item each; the consumer gets both, then `None`.
fn close_races_the_last_send<F: FanIn<u32> + Copy + Send + Sync + 'static>(variant: F) {
    loom_model(variant.name(), move || {
        let channel = variant.channel(2, Capacity::Bounded(1)).unwrap();
        let handles: Vec<_> = channel
            .producers
            .into_iter()
            .zip([1, 2])
            .map(|(producer, item)| thread::spawn(move || producer.send(item).unwrap()))
            .collect();
        let mut consumer = channel.consumer;
        let mut received = vec![consumer.recv(), consumer.recv()];
        received.sort();
        assert_eq!(received, [Some(1), Some(2)]);
        assert_eq!(consumer.recv(), None);
        for handle in handles {
            handle.join().unwrap();
        }
    });
}

#[test]
fn drop_close_closes_only_after_the_last_send() {
    close_races_the_last_send(DropClose);
}

#[test]
fn closer_closes_only_after_every_producer() {
    close_races_the_last_send(Closer);
}

#[test]
fn a_rendezvous_item_is_received_or_returned_never_both() {
    loom_model("rendezvous racing cancel", || {
        let channel = FanIn::<u32>::channel(&DropClose, 1, Capacity::Bounded(0)).unwrap();
        let producer = channel.producers.into_iter().next().unwrap();
        let mut consumer = channel.consumer;
        let sender = thread::spawn(move || producer.send(7));
        let receiver = thread::spawn(move || consumer.recv());
        channel.canceller.cancel();
        let sent = sender.join().unwrap();
        let received = receiver.join().unwrap();
        match sent {
            Ok(()) => assert_eq!(received, Some(7), "sent, but not received"),
            Err(SendError::Cancelled(7)) => assert_eq!(received, None, "returned and received"),
            Err(other) => panic!("unexpected {other:?}"),
        }
    });
}

#[test]
fn dropping_the_consumer_wakes_a_blocked_producer() {
    loom_model("consumer drop racing a blocked send", || {
        let channel = FanIn::<u32>::channel(&DropClose, 1, Capacity::Bounded(1)).unwrap();
        let producer = channel.producers.into_iter().next().unwrap();
        let sender = thread::spawn(move || (producer.send(1), producer.send(2)));
        drop(channel.consumer);
        let (first, second) = sender.join().unwrap();
        // The first send may beat the drop; the second then blocks on the
        // full slot until the drop wakes it.
        assert!(matches!(first, Ok(()) | Err(SendError::Disconnected(1))));
        assert_eq!(second, Err(SendError::Disconnected(2)));
    });
}
