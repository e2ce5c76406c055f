//! The fan-in checks of `contend_tests::fanin`, run on every variant.

// The adapters are not built under `--cfg loom`; the loom models are in
// the `loom_*` suites.
#![cfg(not(any(loom, feature = "shuttle")))]

use contend_tests::fanin;
use contend_tests::support::stress_rounds;

/// The checks every variant passes, as one test per check.
macro_rules! fanin_tests {
    ($module:ident, $variant:expr, rendezvous: $rendezvous:ident) => {
        mod $module {
            use super::*;

            #[test]
            fn every_item_is_received_exactly_once() {
                fanin::every_item_is_received_exactly_once($variant);
            }

            #[test]
            fn items_keep_their_order_per_producer() {
                fanin::items_keep_their_order_per_producer($variant);
            }

            #[test]
            fn the_stream_ends_only_after_every_producer_finished() {
                fanin::the_stream_ends_only_after_every_producer_finished($variant);
            }

            #[test]
            fn the_stream_does_not_end_while_a_producer_is_active() {
                fanin::the_stream_does_not_end_while_a_producer_is_active($variant);
            }

            #[test]
            fn zero_producers_end_the_stream_at_once() {
                fanin::zero_producers_end_the_stream_at_once($variant);
            }

            #[test]
            fn cancel_unblocks_a_producer_stuck_on_a_full_channel() {
                fanin::cancel_unblocks_a_producer_stuck_on_a_full_channel($variant);
            }

            #[test]
            fn cancel_ends_a_waiting_consumer() {
                fanin::cancel_ends_a_waiting_consumer($variant);
            }

            #[test]
            fn dropping_the_canceller_does_not_cancel() {
                fanin::dropping_the_canceller_does_not_cancel($variant);
            }

            #[test]
            fn dropping_the_consumer_unblocks_producers() {
                fanin::dropping_the_consumer_unblocks_producers($variant);
            }

            fanin_tests!(@rendezvous $rendezvous, $variant);

            #[test]
            fn stress_every_item_arrives_once_in_order_before_the_end() {
                fanin::stress_delivery($variant, stress_rounds(200));
            }

            #[test]
            fn stress_cancellation_stops_everyone_and_returns_items() {
                fanin::stress_cancellation($variant, stress_rounds(200));
            }

            #[test]
            fn stress_dropping_the_consumer_stops_every_producer() {
                fanin::stress_consumer_drop($variant, stress_rounds(200));
            }
        }
    };
    (@rendezvous supported, $variant:expr) => {
        #[test]
        fn a_rendezvous_send_waits_for_the_consumer() {
            fanin::a_rendezvous_send_waits_for_the_consumer($variant);
        }
    };
    (@rendezvous refused, $variant:expr) => {
        #[test]
        fn a_refused_rendezvous_names_the_allowed_capacities() {
            fanin::a_refused_rendezvous_names_the_allowed_capacities($variant);
        }
    };
}

use contend_strategies::fanin::{Closer, Crossbeam, DropClose, Flume, TokioMpsc};

fanin_tests!(drop_close, DropClose, rendezvous: supported);
fanin_tests!(closer, Closer, rendezvous: supported);
fanin_tests!(tokio_mpsc, TokioMpsc, rendezvous: refused);
fanin_tests!(crossbeam, Crossbeam, rendezvous: supported);
fanin_tests!(flume, Flume, rendezvous: supported);
