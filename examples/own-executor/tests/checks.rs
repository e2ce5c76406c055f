//! contend's checks on `QueuePool`, under std: the proptest state machine
//! (random submits, bursts, cancels, waits for progress and concurrent
//! shutdowns, each case under a watchdog) and the pool suites.
#![cfg(not(loom))]

mod subject;

use contend_tests::pool_machine;

#[test]
fn queue_pool_passes_the_pool_state_machine() {
    let cases = pool_machine::check(&subject::queue_pool());
    assert!(cases > 0, "the machine ran no case");
}

#[test]
fn queue_pool_passes_every_pool_suite() {
    // Lifecycle, bounds, panics, cancel, policies and edges: each check
    // its promises call for, one line each; a refused one is skipped.
    let report = contend_tests::pool_suites::check_all(&subject::queue_pool());
    assert!(
        report.passed().len() >= 10,
        "too little was checked: {report}"
    );
}
