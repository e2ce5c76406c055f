//! The loom suite against every mutant: each mutant the loom suite is
//! expected to catch must fail at least one model, looked for first among
//! the models of its own strategy family.
#![cfg(all(loom, feature = "mutants"))]

use contend_tests::loom_models::{all_suites_from, failure, Family};
use contend_tests::mutant_gate::{catch_every_mutant, is_async, Suite};

#[test]
fn the_loom_suite_catches_every_mutant_it_should() {
    catch_every_mutant(Suite::Loom, |mutant| {
        // Tokio does not build under loom: nothing here can see them, and
        // looking would walk every model for nothing.
        if is_async(mutant) {
            return None;
        }
        all_suites_from(Family::home_of(mutant))
            .into_iter()
            .find_map(|model| {
                let name = model.name.clone();
                failure(model).map(|said| format!("{name}: {said}"))
            })
    });
}
