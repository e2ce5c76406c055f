//! The counter checks of `contend_tests::counter`, run on both counters.

// The adapters are not built under `--cfg loom`; the loom models are in
// the `loom_*` suites.
#![cfg(not(any(loom, feature = "shuttle")))]

use contend_tests::counter;
use contend_tests::support::stress_rounds;

macro_rules! counter_tests {
    ($module:ident, $make:expr) => {
        mod $module {
            use super::*;

            #[test]
            fn n_threads_times_m_increments_give_n_times_m() {
                counter::n_threads_times_m_increments_give_n_times_m($make);
            }

            #[test]
            fn additions_of_any_size_sum_exactly() {
                counter::additions_of_any_size_sum_exactly($make);
            }

            #[test]
            fn stress_counts_are_exact() {
                counter::stress_counts_are_exact($make, stress_rounds(200));
            }
        }
    };
}

use contend_strategies::counter::{AtomicCounter, MutexCounter};

counter_tests!(atomic, AtomicCounter::new);
counter_tests!(mutex, MutexCounter::new);
