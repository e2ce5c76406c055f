//! The executor state machine against every strategy, on threads and on
//! tokio tasks: random
//! submits, cancels, resizes and shutdowns, checked against the reference
//! model (see `contend_tests::pool_machine`). `PROPTEST_CASES` sets the
//! cases per strategy (default 256).
#![cfg(not(any(loom, feature = "shuttle")))]

use contend_tests::pool_machine::{self, Case, JobKind, Mode, Op, Policy};
use contend_tests::{all_strategies, PoolSubject, StrategyCase};

#[test]
fn every_strategy_survives_random_operation_sequences() {
    let mut cases = 0;
    for promises in all_strategies() {
        cases += pool_machine::check(&PoolSubject::builtin(promises.name));
    }
    println!("contend-gate: proptest pool suite: {cases} cases");
}

#[test]
fn a_regression_case_replays_from_its_printed_form() {
    // The form a failure prints, kept as a regression test.
    pool_machine::replay_builtin(
        "fixed",
        &Case {
            workers: 1,
            queue_capacity: 1,
            policy: Policy::DiscardOldest,
            ops: vec![
                Op::Submit(JobKind::Slow),
                Op::Submit(JobKind::Slow),
                Op::Submit(JobKind::Panicking),
                Op::Shutdown {
                    mode: Mode::DrainWithDeadline,
                    concurrent: true,
                },
                Op::Submit(JobKind::Quick),
            ],
        },
    );
    assert_eq!(StrategyCase::named("fixed").name, "fixed");
}
