//! The pool machine catches the two races of an executor written outside
//! contend that loom and shuttle catch and plain runs almost never show:
//! a wake-up lost between a check and a wait and a submit racing a
//! close (`common/racy_pool.rs`). It
//! reaches their windows with the sync facade's schedule perturbation
//! (`contend_strategies::sync::perturb`) and with submitters racing a
//! shutdown; a correct executor still passes.
#![cfg(not(any(loom, feature = "shuttle")))]

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::racy_pool::{self, Bug};
use common::single_worker;
use contend_tests::{pool_machine, PoolSubject};

/// Runs of the machine per bug: each must catch it.
const RUNS: usize = 10;

/// Cases per run: the machine's default.
const CASES: u32 = 256;

/// No shrinking: the first failure is all these tests need (and the
/// count of cases built is then the count of cases it took).
const SHRINK_STEPS: u32 = 0;

/// `subject` with a short watchdog (a lost wake-up hangs a settle step
/// until it fires) and a count of the cases built.
fn counted(subject: PoolSubject, built: &Arc<AtomicU32>) -> PoolSubject {
    let built = Arc::clone(built);
    PoolSubject::refusing(subject.promises, move |config| {
        built.fetch_add(1, Ordering::Relaxed);
        subject.build(config)
    })
    .watchdog(Duration::from_secs(2))
}

/// Runs the machine `RUNS` times on the subject `make` builds; asserts
/// that every run fails naming `invariant`, and prints the cases each
/// needed.
fn caught_every_time(make: fn() -> PoolSubject, invariant: &str) {
    let mut needed = Vec::new();
    for run in 1..=RUNS {
        let built = Arc::new(AtomicU32::new(0));
        let started = Instant::now();
        let outcome = pool_machine::explore_with(&counted(make(), &built), CASES, SHRINK_STEPS);
        let cases = built.load(Ordering::Relaxed);
        let failure = outcome.err().unwrap_or_else(|| {
            panic!(
                "run {run} of {RUNS}: the machine passed {} in {CASES} cases",
                make().name()
            )
        });
        assert!(
            failure.contains(invariant),
            "run {run} of {RUNS} failed, but not naming {invariant:?}: {failure}"
        );
        println!(
            "{}: run {run} caught it at case {cases} in {:?}, {}",
            make().name(),
            started.elapsed(),
            where_caught(&failure)
        );
        needed.push(cases);
    }
    println!(
        "{}: caught in {RUNS} of {RUNS} runs, at cases {needed:?}",
        make().name()
    );
}

/// The step a failure names (the op a hang stopped at), else its first line.
fn where_caught(failure: &str) -> &str {
    let at = failure
        .find(": step ")
        .map_or(failure, |at| &failure[at + 2..]);
    let end = at.find(['{', ';', ',', '\n']).unwrap_or(at.len());
    at[..end].trim_end()
}

#[test]
fn the_machine_catches_a_wakeup_lost_between_a_check_and_a_wait_in_ten_of_ten_runs() {
    // A worker asleep with a job queued hangs the case where it shows: a
    // settle or trickle waiting for the job, or a shutdown whose wake-up
    // was the one lost, waiting to join it.
    caught_every_time(
        || racy_pool::subject(Bug::LostWakeUp),
        "(the watchdog's limit)",
    );
}

#[test]
fn the_machine_catches_a_submit_racing_a_close_in_ten_of_ten_runs() {
    caught_every_time(
        || racy_pool::subject(Bug::SubmitRacesClose),
        "a job was lost",
    );
}

#[test]
fn a_correct_user_executor_still_passes_the_machine() {
    let cases = pool_machine::check(&single_worker::subject());
    assert!(cases > 0, "no case was checked");
}
