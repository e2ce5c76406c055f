//! The loom suite against every mutant: each mutant the loom suite is
//! expected to catch must fail at least one model, looked for first among
//! the models of its own strategy family.
//!
//! Each mutant is looked for in a child process (this test binary, run
//! again with `CONTEND_LOOM_MUTANT` naming it): a model loom finds
//! deadlocked can take its process down (the pool's threads abort as
//! loom's panic unwinds them), and then the model the child was exploring
//! is the one that caught the mutant.
#![cfg(all(loom, feature = "mutants"))]

use std::process::Command;

use contend_strategies::mutants::{self, Mutant};
use contend_tests::loom_models::{failure, loom_jobs, suites_for};
use contend_tests::mutant_gate::{catch_every_mutant_in_children, Suite};
use contend_tests::watchdog::{loom_watchdog, output_within};

/// Set in a child process to the mutant it looks for.
const CHILD: &str = "CONTEND_LOOM_MUTANT";
/// The child's line before each model it explores.
const TRYING: &str = "contend-loom-trying: ";
/// The child's line when a model failed.
const FOUND: &str = "contend-loom-found: ";

#[test]
fn the_loom_suite_catches_every_mutant_it_should() {
    if let Ok(name) = std::env::var(CHILD) {
        look_for(&name);
        return;
    }
    // Tokio does not build under loom: the async mutants are not expected
    // of it, so they are not looked for.
    catch_every_mutant_in_children(Suite::Loom, loom_jobs(), look_in_child);
}

/// In the child: explores the models with `name` on until one fails.
fn look_for(name: &str) {
    let mutant = Mutant::ALL
        .into_iter()
        .find(|mutant| mutant.name() == name)
        .unwrap_or_else(|| panic!("no mutant called {name}"));
    let _on = mutants::activate(mutant);
    for model in suites_for(mutant) {
        println!("{TRYING}{}", model.name);
        let model_name = model.name.clone();
        if let Some(said) = failure(model) {
            println!("{FOUND}{model_name}: {said}");
            return;
        }
    }
}

/// Runs the child for `mutant`: which model caught it, if any.
fn look_in_child(mutant: Mutant) -> Option<String> {
    let exe = std::env::current_exe().expect("the test binary");
    let mut child = Command::new(exe);
    child
        .args(["--nocapture", "--test-threads=1", "--exact"])
        .arg("the_loom_suite_catches_every_mutant_it_should")
        .env(CHILD, mutant.name());
    let output = match output_within(&mut child, loom_watchdog()) {
        Ok(output) => output,
        // A model that never ends under a mutant has caught it too.
        Err(hung) => return Some(format!("the exploration hung: {hung}")),
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    // The test harness starts its own line first: a marker may follow it.
    let after = |marker: &'static str| {
        move |line: &str| line.split_once(marker).map(|(_, rest)| rest.to_owned())
    };
    if let Some(found) = stdout.lines().find_map(after(FOUND)) {
        return Some(found);
    }
    let last_tried = stdout.lines().rev().find_map(after(TRYING));
    match (output.status.success(), last_tried) {
        (true, _) => None,
        (false, Some(model)) => Some(format!(
            "{model}: the exploration aborted its process ({}): a deadlock",
            output.status
        )),
        (false, None) => panic!(
            "the child looking for {mutant} failed before any model:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}
