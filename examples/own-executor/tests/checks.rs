//! contend's checks on `QueuePool`, under std: the proptest state machine
//! (random submits, bursts, cancels, waits for progress and concurrent
//! shutdowns, each case under a watchdog).
#![cfg(not(loom))]

mod subject;

use contend_tests::pool_machine;

#[test]
fn queue_pool_passes_the_pool_state_machine() {
    let cases = pool_machine::check(&subject::queue_pool());
    assert!(cases > 0, "the machine ran no case");
}
