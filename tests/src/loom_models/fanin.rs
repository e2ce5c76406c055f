//! Loom models of the hand-written fan-ins: the close racing the last
//! send, cancellation racing a rendezvous, and the consumer leaving while
//! a producer is blocked.

use contend_strategies::fanin::{
    Capacity, Closer, Consumer, DropClose, FanIn, Producer, SendError,
};
use contend_strategies::sync::thread;

use super::{Model, NamedModel};

/// Two producers send one item each; the consumer gets both, then `None`:
/// the close never overtakes the last send.
pub fn close_races_the_last_send<F: FanIn<u32> + Clone + Send + Sync + 'static>(
    variant: F,
) -> Model {
    Box::new(move || {
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
        assert_eq!(
            received,
            [Some(1), Some(2)],
            "the stream ended before the last send"
        );
        assert_eq!(consumer.recv(), None);
        for handle in handles {
            crate::watchdog::joined("handle thread", handle.join());
        }
    })
}

/// A rendezvous send racing a cancel: the item is received or returned,
/// never both, never neither.
pub fn rendezvous_races_cancel<F: FanIn<u32> + Clone + Send + Sync + 'static>(variant: F) -> Model {
    Box::new(move || {
        let channel = variant.channel(1, Capacity::Bounded(0)).unwrap();
        let producer = channel.producers.into_iter().next().unwrap();
        let mut consumer = channel.consumer;
        let sender = thread::spawn(move || producer.send(7));
        let receiver = thread::spawn(move || consumer.recv());
        channel.canceller.cancel();
        let sent = crate::watchdog::joined("sender thread", sender.join());
        let received = crate::watchdog::joined("receiver thread", receiver.join());
        match sent {
            Ok(()) => assert_eq!(received, Some(7), "sent, but not received"),
            Err(SendError::Cancelled(7)) => assert_eq!(received, None, "returned and received"),
            Err(other) => panic!("unexpected {other:?}"),
        }
    })
}

/// The consumer is dropped while a producer may be blocked on a full
/// channel: the producer wakes with its item.
pub fn consumer_drop_races_a_blocked_send<F: FanIn<u32> + Clone + Send + Sync + 'static>(
    variant: F,
) -> Model {
    Box::new(move || {
        let channel = variant.channel(1, Capacity::Bounded(1)).unwrap();
        let producer = channel.producers.into_iter().next().unwrap();
        let sender = thread::spawn(move || (producer.send(1), producer.send(2)));
        drop(channel.consumer);
        let (first, second) = crate::watchdog::joined("sender thread", sender.join());
        // The first send may beat the drop; the second then blocks on the
        // full slot until the drop wakes it.
        assert!(matches!(first, Ok(()) | Err(SendError::Disconnected(1))));
        assert_eq!(second, Err(SendError::Disconnected(2)));
    })
}

/// A producer blocked on a full channel is cancelled: its send fails and
/// gives the item back, it is not reported sent and lost.
pub fn cancel_unblocks_a_full_send<F: FanIn<u32> + Clone + Send + Sync + 'static>(
    variant: F,
) -> Model {
    Box::new(move || {
        let channel = variant.channel(1, Capacity::Bounded(1)).unwrap();
        let producer = channel.producers.into_iter().next().unwrap();
        let sender = thread::spawn(move || (producer.send(1), producer.send(2)));
        channel.canceller.cancel();
        let (first, second) = crate::watchdog::joined("sender thread", sender.join());
        // The first send may beat the cancel (and fill the one slot); the
        // second finds the slot full, or the channel cancelled.
        assert!(matches!(first, Ok(()) | Err(SendError::Cancelled(1))));
        assert_eq!(
            second,
            Err(SendError::Cancelled(2)),
            "a cancelled send must give its item back"
        );
        drop(channel.consumer);
    })
}

/// The models any fan-in with a bounded capacity of 1 is held to (any
/// `Clone` value: a unit struct, or one carrying its configuration), named
/// `name: what`: what a user's fan-in gets from one call, under loom
/// (`explore_suite`) or shuttle (`shuttle_models::explore_suite`). The
/// rendezvous model (capacity 0) is reported as skipped for a variant
/// that refuses a rendezvous.
pub fn variant_suite<F: FanIn<u32> + Clone + Send + Sync + 'static>(
    name: &str,
    variant: F,
) -> Vec<NamedModel> {
    let rendezvous = format!("{name}: rendezvous racing cancel");
    let skipping = rendezvous.clone();
    let refuser = variant.clone();
    let racing = rendezvous_races_cancel(variant.clone());
    vec![
        NamedModel::new(
            rendezvous,
            Box::new(move || {
                if refuser.channel(1, Capacity::Bounded(0)).is_err() {
                    super::note_refused(&skipping);
                    return;
                }
                racing();
            }),
        ),
        NamedModel::new(
            format!("{name}: close racing the last send"),
            close_races_the_last_send(variant.clone()),
        ),
        NamedModel::new(
            format!("{name}: consumer drop racing a blocked send"),
            consumer_drop_races_a_blocked_send(variant.clone()),
        ),
        NamedModel::new(
            format!("{name}: cancel unblocks a full send"),
            cancel_unblocks_a_full_send(variant),
        ),
    ]
}

/// The fan-in models on both hand-written variants.
pub fn suite() -> Vec<NamedModel> {
    vec![
        NamedModel::new(
            "drop-close: close racing the last send",
            close_races_the_last_send(DropClose),
        ),
        NamedModel::new(
            "closer: close racing the last send",
            close_races_the_last_send(Closer),
        ),
        NamedModel::new(
            "drop-close: rendezvous racing cancel",
            rendezvous_races_cancel(DropClose),
        ),
        NamedModel::new(
            "closer: rendezvous racing cancel",
            rendezvous_races_cancel(Closer),
        ),
        NamedModel::new(
            "drop-close: consumer drop racing a blocked send",
            consumer_drop_races_a_blocked_send(DropClose),
        ),
        NamedModel::new(
            "closer: consumer drop racing a blocked send",
            consumer_drop_races_a_blocked_send(Closer),
        ),
    ]
}
