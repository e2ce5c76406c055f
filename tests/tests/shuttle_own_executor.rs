//! The worked examples' executors under shuttle: anything built on
//! `contend_strategies::sync` (and, for an async one, on `tokio` taken
//! through shuttle-tokio) gets the same models as the built-in
//! strategies, sampled by shuttle's PCT and random schedulers, with one
//! call.
#![cfg(all(feature = "shuttle", not(loom)))]

mod common;

use contend_tests::loom_models::pool as models;
use contend_tests::shuttle_models::explore_suite;

#[test]
fn a_user_executor_passes_the_shuttle_models() {
    explore_suite(
        "single-worker",
        models::subject_suite(&common::single_worker::subject()),
    );
}

/// A model blocked where shuttle cannot see it (a `std` channel nobody
/// sends on) fails within the watchdog, naming the model, instead of
/// hanging the test process.
#[test]
fn a_model_blocked_outside_shuttle_s_view_fails_within_the_watchdog() {
    use contend_tests::loom_models::NamedModel;
    use contend_tests::shuttle_models::explore_suite_within;
    let blocked = NamedModel::new(
        "blocked: on a std channel",
        Box::new(|| {
            let (_never_sent, nothing) = std::sync::mpsc::channel::<()>();
            let _ = nothing.recv();
        }),
    );
    let failure = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        explore_suite_within("blocked", vec![blocked], std::time::Duration::from_secs(1))
    }))
    .expect_err("a hung model fails the suite");
    let message = contend_tests::watchdog::panic_message(failure.as_ref());
    assert!(
        message.contains("blocked: on a std channel") && message.contains("hung for 1s"),
        "{message}"
    );
}

/// A failure names the file shuttle wrote its schedule to (shuttle says
/// it on stderr, not in the panic contend reads), in the failures folder
/// of the running crate's target (or `CONTEND_FAILURES_DIR`), and that
/// file replays the failure.
#[test]
fn a_failing_model_names_its_schedule_file_and_the_file_replays_it() {
    use contend_strategies::sync::atomic::{AtomicBool, Ordering};
    use contend_strategies::sync::{thread, Arc};
    use contend_tests::loom_models::Model;
    use contend_tests::shuttle_models::{check, failures_dir, replay, Outcome};

    let model = || -> Model {
        Box::new(|| {
            let flag = Arc::new(AtomicBool::new(false));
            let setter = Arc::clone(&flag);
            let other = thread::spawn(move || setter.store(true, Ordering::SeqCst));
            let seen = flag.load(Ordering::SeqCst);
            other.join().unwrap();
            assert!(!seen, "the other thread ran first");
        })
    };
    let Outcome::Failed {
        message, schedule, ..
    } = check(model(), 100)
    else {
        panic!("a racy model held under 300 schedules");
    };
    assert!(message.contains("the other thread ran first"), "{message}");
    let file = schedule.expect("the failure names its schedule file");
    assert!(file.is_file(), "{}", file.display());
    assert!(file.starts_with(failures_dir()), "{}", file.display());
    let replayed =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| replay(model(), &file)))
            .expect_err("the schedule replays the failure");
    let said = contend_tests::watchdog::panic_message(replayed.as_ref());
    assert!(said.contains("the other thread ran first"), "{said}");
}

/// A deadlock names each blocked thread's wait and where it was called:
/// two threads taking two locks in opposite orders.
#[test]
fn a_deadlock_names_each_blocked_thread_s_wait() {
    use contend_tests::shuttle_models::{check, Outcome};

    let Outcome::Failed { message, .. } = check(common::opposite_orders::model(), 200) else {
        panic!("two locks taken in opposite orders never deadlocked");
    };
    assert!(message.contains("deadlock"), "{message}");
    assert_eq!(
        message.matches(common::opposite_orders::BLOCKED_AT).count(),
        2,
        "both blocked locks, with their lines: {message}"
    );
}
