//! The shuttle suite against every mutant: each mutant shuttle is expected
//! to catch must fail at least one model, looked for first among the
//! models of its own strategy family. Run with `./scripts/test-all`, or
//! alone: `cargo test --release -p contend-tests --features shuttle,mutants
//! --test shuttle_mutants -- --nocapture`.
#![cfg(all(feature = "shuttle", feature = "mutants", not(loom)))]

use contend_strategies::mutants::{self, Mutant};
use contend_tests::loom_models::{suites_for, Family};
use contend_tests::mutant_gate::{catch_every_mutant, Suite};
use contend_tests::shuttle_models::{failure, schedules};

#[test]
fn the_shuttle_suite_catches_every_mutant_it_should() {
    catch_every_mutant(Suite::Shuttle, |mutant| {
        suites_for(mutant).into_iter().find_map(|model| {
            let name = model.name.clone();
            failure(model, schedules()).map(|said| format!("{name}: {said}"))
        })
    });
}

/// The models loom cannot finish have teeth of their own: each pool
/// mutant that breaks a pool's books or bound breaks a crowded model too.
#[test]
fn the_crowded_pool_models_catch_the_pool_mutants() {
    use contend_tests::loom_models::crowded;
    let mut missed = Vec::new();
    for mutant in Mutant::ALL
        .into_iter()
        .filter(|m| Family::home_of(*m) == Family::Pool)
    {
        let _on = mutants::activate(mutant);
        let caught_by = crowded::suite().into_iter().find_map(|model| {
            let name = model.name.clone();
            failure(model, schedules()).map(|said| format!("{name}: {said}"))
        });
        match &caught_by {
            Some(check) => println!("contend-gate: crowded models catch mutant {mutant} ({check})"),
            None => missed.push(mutant.to_string()),
        }
    }
    assert!(
        missed.is_empty(),
        "pool mutants the crowded models missed: {missed:?}"
    );
}
