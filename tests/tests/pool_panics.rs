//! Panic isolation, on every built-in strategy: the library's panics
//! suite (`contend_tests::pool_suites::panics`): a panicking job is counted
//! and shown to the handler, and its worker survives, so capacity is not
//! lost.
#![cfg(not(any(loom, feature = "shuttle")))]

use contend_tests::pool_suites;

mod support;

#[test]
fn the_panics_suite_passes_on_every_built_in_strategy() {
    support::check_every_builtin(&pool_suites::panics::SUITE);
}
