//! The worked example's executor under the loom models: anything built on
//! `contend_strategies::sync` can be model-checked this way.
#![cfg(loom)]

mod common;

use contend_tests::loom_models::{explore_suite, pool as loom_models};

#[test]
fn a_user_executor_passes_the_loom_models() {
    explore_suite(
        "single-worker",
        loom_models::subject_suite(&common::single_worker::subject()),
    );
}

/// loom's child processes run only the test that called the suite (one
/// model each): this test, beside the suite in the same binary, fails in
/// a child, and so would fail every model above if a child ran it.
#[test]
fn a_test_beside_the_suite_is_not_run_by_its_child_processes() {
    assert!(
        std::env::var_os("CONTEND_LOOM_CHILD").is_none(),
        "a loom child process ran a test beside the suite it explores"
    );
}

/// A deadlock names each blocked thread's wait and where it was called,
/// though loom's own message names only the threads.
#[test]
fn a_deadlock_names_each_blocked_thread_s_wait() {
    use contend_tests::loom_models::NamedModel;

    let opposite_orders = NamedModel::new(
        "two locks in opposite orders",
        common::opposite_orders::model(),
    );
    let failure = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        explore_suite("deadlock", vec![opposite_orders])
    }))
    .expect_err("loom finds the deadlock");
    let message = contend_tests::watchdog::panic_message(failure.as_ref());
    assert!(message.contains("deadlock"), "{message}");
    assert_eq!(
        message.matches(common::opposite_orders::BLOCKED_AT).count(),
        2,
        "both blocked locks, with their lines: {message}"
    );
}
