//! What `QueuePool` promises, and how the checks build it: the one place
//! a user describes their executor to contend.

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

/// `TaskPool` as a subject of contend's checks: a task per job, no bound.
#[cfg(not(loom))]
pub fn task_pool() -> PoolSubject {
    let promises = StrategyCase {
        name: own_executor::TaskPool::NAME,
        bounded: false,
        overload: false,
        // Every task starts its job at once: none waits to be handed back.
        queues: false,
        runs_on_caller: false,
        resizable: false,
    };
    // It never calls a panic handler, so it refuses a configuration with
    // one; the checks' jobs are futures it awaits, so two runtime threads
    // hold any number of them.
    PoolSubject::refusing(promises, |config| {
        if config.panic_handler.is_some() {
            return None;
        }
        own_executor::TaskPool::new(2).map(|pool| Box::new(pool) as Box<dyn Executor>)
    })
    .watchdog(Duration::from_secs(5))
}
