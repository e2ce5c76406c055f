//! What the example's executors promise, and how the checks build them: the
//! one place a user describes an executor to contend.
//!
//! Each test file uses the part it needs, so the rest is unused there.
#![allow(dead_code)]

use std::time::Duration;

use contend_strategies::pool::Executor;
use contend_tests::{PoolSubject, StrategyCase};
use own_executor::QueuePool;

/// `QueuePool` as a subject of contend's checks.
pub fn queue_pool() -> PoolSubject {
    queue_pool_built_by(QueuePool::new)
}

/// `QueuePool` with its deliberate bug (a wake-up lost between the check
/// and the wait), which every checker must catch.
pub fn queue_pool_with_a_lost_wake_up() -> PoolSubject {
    queue_pool_built_by(QueuePool::with_a_lost_wake_up)
}

fn queue_pool_built_by(
    build: fn(&contend_strategies::pool::PoolConfig) -> Option<QueuePool>,
) -> PoolSubject {
    let promises = StrategyCase {
        name: QueuePool::NAME,
        // At most `workers` jobs at once...
        bounded: true,
        // ...behind an unbounded queue: no submit meets the bound, so the
        // overload policies never apply.
        overload: false,
        // Accepted jobs wait in the queue, and an abort hands them back.
        queues: true,
        runs_on_caller: false,
        resizable: false,
    };
    // `QueuePool::new` refuses zero workers or more than MAX_WORKERS;
    // a check that asks for such a configuration is skipped, not passed.
    PoolSubject::refusing(promises, move |config| {
        build(&config).map(|pool| Box::new(pool) as Box<dyn Executor>)
    })
    // Any state the checks wait for comes at once; 5 s only bounds a hang.
    .watchdog(Duration::from_secs(5))
}

/// `TaskPool` as a subject of contend's checks: an async executor, a task
/// per job and at most `workers` at once.
#[cfg(not(loom))]
pub fn task_pool() -> PoolSubject {
    task_pool_with(None)
}

/// `TaskPool` with one of its deliberate bugs.
#[cfg(not(loom))]
pub fn task_pool_with_bug(bug: own_executor::Bug) -> PoolSubject {
    task_pool_with(Some(bug))
}

#[cfg(not(loom))]
fn task_pool_with(bug: Option<own_executor::Bug>) -> PoolSubject {
    use own_executor::TaskPool;
    let promises = StrategyCase {
        name: TaskPool::NAME,
        // At most `workers` jobs at once...
        bounded: true,
        // ...and a submit meets that bound: it awaits room (policy block)
        // or is refused (fail-fast); other policies it refuses to build.
        overload: true,
        // Every task starts its job at once: none waits to be handed back.
        queues: false,
        runs_on_caller: false,
        resizable: false,
    };
    // `PoolSubject::awaiting`: the awaiting checks await its `submit` and
    // `shutdown` from tasks; every other check drives it from threads.
    // The checks' jobs are futures it awaits, so two runtime threads hold
    // any number of them.
    PoolSubject::awaiting(promises, move |config| {
        let config = config.runtime_threads(2);
        match bug {
            None => TaskPool::new(&config),
            Some(bug) => TaskPool::with_bug(&config, bug),
        }
    })
    .watchdog(Duration::from_secs(5))
}

/// The deliberately broken twins, each with the suite that must catch
/// it: the loom and shuttle tests run the same three.
#[cfg(any(loom, feature = "shuttle"))]
pub fn broken_twins() -> Vec<(&'static str, Vec<contend_tests::loom_models::NamedModel>)> {
    use contend_tests::loom_models::{cache, fanin, pool};
    use own_executor::{MapCache, QueueFanIn};
    #[allow(unused_mut)] // shuttle adds the async twin
    let mut twins = vec![
        (
            "queue-pool-lost-wake-up",
            pool::subject_suite(&queue_pool_with_a_lost_wake_up()),
        ),
        (
            "queue-fan-in-eager",
            fanin::variant_suite("queue-fan-in-eager", QueueFanIn::eager()),
        ),
        (
            "map-cache-key-by-key",
            cache::variant_suite("map-cache-key-by-key", MapCache::key_by_key, true),
        ),
    ];
    // Tasks awaiting room, which only shuttle (not loom) can schedule.
    #[cfg(feature = "shuttle")]
    twins.push((
        "task-pool-lost-wake-up",
        contend_tests::loom_models::awaiting::subject_suite(&task_pool_with_bug(
            own_executor::Bug::LostWakeUp,
        )),
    ));
    twins
}

/// Runs each broken twin's suite with `explore` (loom's or shuttle's
/// `explore_suite`) and returns what each failure said; panics if one
/// passes.
#[cfg(any(loom, feature = "shuttle"))]
pub fn failures_of_the_broken_twins(
    explore: fn(&str, Vec<contend_tests::loom_models::NamedModel>),
) -> Vec<String> {
    broken_twins()
        .into_iter()
        .map(|(family, suite)| {
            let failed =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| explore(family, suite)))
                    .err()
                    .unwrap_or_else(|| panic!("{family}: the models missed the deliberate bug"));
            contend_tests::watchdog::panic_message(failed.as_ref())
        })
        .collect()
}
