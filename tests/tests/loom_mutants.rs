//! The loom suite against every mutant: each mutant the loom suite is
//! expected to catch must fail at least one model, looked for first among
//! the models of its own strategy family.
#![cfg(all(loom, feature = "mutants"))]

use contend_strategies::mutants::{self, Mutant};
use contend_tests::loom_models::{all_suites_from, failure, Family};
use contend_tests::mutant_gate::{expected, report, Suite};

#[test]
fn the_loom_suite_catches_every_mutant_it_should() {
    let mut survivors = Vec::new();
    for mutant in Mutant::ALL {
        let _on = mutants::activate(mutant);
        let caught_by = all_suites_from(Family::home_of(mutant))
            .into_iter()
            .find_map(|model| {
                let name = model.name.clone();
                failure(model).map(|said| format!("{name}: {said}"))
            });
        report(mutant, Suite::Loom, caught_by.as_deref());
        if caught_by.is_none() && expected(mutant, Suite::Loom) {
            survivors.push(format!("{mutant} ({})", mutant.bug()));
        }
    }
    assert!(
        survivors.is_empty(),
        "mutants the loom suite missed: {survivors:?}"
    );
}
