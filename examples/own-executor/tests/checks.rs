//! contend's checks on this crate's executors, fan-in and cache, under
//! std: the proptest state machines (random submits, bursts, cancels,
//! waits for progress and concurrent shutdowns, each case under a
//! watchdog; random producers, capacities and stops; random operations
//! and refreshes racing reads) and the pool suites. Each deliberately
//! broken twin must be caught.
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

#[test]
fn task_pool_passes_the_pool_state_machine() {
    let cases = pool_machine::check(&subject::task_pool());
    assert!(cases > 0, "the machine ran no case");
}

#[test]
fn task_pool_passes_every_pool_suite() {
    // No bound and no queue: fewer checks apply than to `QueuePool`.
    let report = contend_tests::pool_suites::check_all(&subject::task_pool());
    assert!(
        report.passed().len() >= 9,
        "too little was checked: {report}"
    );
}

#[test]
fn a_wake_up_lost_between_the_check_and_the_wait_is_caught_by_the_machine() {
    let failure = pool_machine::explore(&subject::queue_pool_with_a_lost_wake_up())
        .expect_err("the machine catches the lost wake-up");
    assert!(
        failure.contains("queue-pool: invariant broken"),
        "{failure}"
    );
    assert!(failure.contains("pool_machine::replay("), "{failure}");
}

#[test]
fn queue_fan_in_passes_the_fan_in_machine() {
    let cases = contend_tests::fanin_machine::check_fanin(own_executor::QueueFanIn::new());
    assert!(cases > 0, "the machine ran no case");
}

#[test]
fn a_stream_that_ends_at_the_first_producer_s_end_is_caught_by_the_machine() {
    let failure = contend_tests::fanin_machine::explore(own_executor::QueueFanIn::eager())
        .expect_err("the machine catches the eager end");
    assert!(
        failure.contains("queue-fan-in-eager: invariant broken"),
        "{failure}"
    );
}

#[test]
fn map_cache_passes_the_cache_machine() {
    let cases = contend_tests::cache_machine::check_cache(own_executor::MapCache::new);
    assert!(cases > 0, "the machine ran no case");
}

#[test]
fn a_refresh_applied_key_by_key_while_claiming_atomicity_is_caught_by_the_machine() {
    let failure = contend_tests::cache_machine::explore(own_executor::MapCache::key_by_key)
        .expect_err("the machine catches the torn refresh");
    assert!(
        failure.contains("map-cache-key-by-key: invariant broken"),
        "{failure}"
    );
}

/// Each deliberate bug of `TaskPool` against the awaiting check that must
/// catch it: a wait that parks the thread hangs its check (named, with
/// the step it hung at), a submit counting its job before it waits leaves
/// the books unbalanced once dropped. (A submit that parks for room also
/// fails the dropped-submit check: it never returns to be dropped.)
#[test]
fn the_awaiting_checks_catch_task_pool_s_broken_twins() {
    use contend_tests::pool_suites::{awaiting, Outcome};
    use own_executor::Bug;
    let twins = [
        (
            Bug::ParksForRoom,
            "a_submit_awaiting_room_yields_its_thread",
            "hung",
        ),
        (
            Bug::ParksForTheJobs,
            "a_shutdown_awaiting_the_jobs_yields_its_thread",
            "hung",
        ),
        (
            Bug::CountsBeforeWaiting,
            "a_submit_dropped_while_awaiting_room_takes_nothing",
            "the books do not balance",
        ),
    ];
    for (bug, check, says) in twins {
        let report = awaiting::SUITE.report(&subject::task_pool_with_bug(bug));
        let failed = report.failed();
        let caught = failed.iter().find(|failed| failed.check == check);
        let Some(Outcome::Failed(message)) = caught.map(|caught| &caught.outcome) else {
            panic!("{bug:?}: {check} did not fail: {report}");
        };
        assert!(message.contains(says), "{bug:?}: {message}");
    }
}
