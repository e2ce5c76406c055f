//! The fan-in machine (`contend_tests::fanin_machine`) on every variant:
//! random producers, items, capacities and stopping points on real
//! threads. `PROPTEST_CASES` sets the cases per variant (default 256).
#![cfg(not(any(loom, feature = "shuttle")))]

use contend_strategies::fanin::{Closer, Crossbeam, DropClose, Flume, TokioMpsc};
use contend_tests::fanin_machine::{self, Case, Size, Stop};

#[test]
fn every_fan_in_variant_survives_random_runs() {
    let cases = fanin_machine::check_fanin(DropClose)
        + fanin_machine::check_fanin(Closer)
        + fanin_machine::check_fanin(TokioMpsc)
        + fanin_machine::check_fanin(Crossbeam)
        + fanin_machine::check_fanin(Flume);
    println!("contend-gate: proptest fan-in suite: {cases} cases");
}

#[test]
fn a_regression_case_replays_from_its_printed_form() {
    // The form a failure prints, kept as a regression test: a cancel while
    // two producers are blocked on a rendezvous.
    fanin_machine::replay(
        contend_strategies::fanin::Closer,
        &Case {
            items: vec![3, 5],
            size: Size::Rendezvous,
            stop: Stop::CancelAfter(2),
        },
    );
}
