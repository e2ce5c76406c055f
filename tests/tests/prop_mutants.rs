//! The proptest machines against every mutant: each mutant this suite is
//! expected to catch must break an invariant on some strategy. A run that
//! hangs (a dead worker never drains) counts as caught once it has hung
//! for `PATIENCE`.
#![cfg(all(not(loom), feature = "mutants"))]

use std::sync::mpsc;
use std::thread;

use contend_strategies::mutants::{self, Mutant};
use contend_tests::mutant_gate::{expected, report, Suite};
use contend_tests::{pool_machine, thread_strategies, PATIENCE};

/// The machine on one strategy; `Some(why)` when it failed or hung.
fn failure(name: &'static str) -> Option<String> {
    let (done, outcome) = mpsc::channel();
    thread::spawn(move || {
        let promises = contend_tests::StrategyCase::named(name);
        let result = pool_machine::explore(&promises, &|config| promises.build(config));
        let _ = done.send(result.err());
    });
    match outcome.recv_timeout(PATIENCE) {
        Ok(failure) => failure,
        Err(_) => Some(format!("{name}: hung for {PATIENCE:?}")),
    }
}

#[test]
fn the_proptest_suite_catches_every_mutant_it_should() {
    let mut survivors = Vec::new();
    for mutant in Mutant::ALL {
        let _on = mutants::activate(mutant);
        let caught_by = thread_strategies()
            .into_iter()
            .find_map(|case| failure(case.name))
            .map(|why| why.lines().next().unwrap_or_default().to_owned());
        report(mutant, Suite::Proptest, caught_by.as_deref());
        if caught_by.is_none() && expected(mutant, Suite::Proptest) {
            survivors.push(format!("{mutant} ({})", mutant.bug()));
        }
    }
    assert!(
        survivors.is_empty(),
        "mutants the proptest suite missed: {survivors:?}"
    );
}
