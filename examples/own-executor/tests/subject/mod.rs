//! What `QueuePool` promises, and how the checks build it: the one place
//! a user describes their executor to contend.

use std::time::Duration;

use contend_strategies::pool::Executor;
use contend_tests::{PoolSubject, StrategyCase};
use own_executor::QueuePool;

/// `QueuePool` as a subject of contend's checks.
pub fn queue_pool() -> PoolSubject {
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
    PoolSubject::refusing(promises, |config| {
        QueuePool::new(&config).map(|pool| Box::new(pool) as Box<dyn Executor>)
    })
    // Any state the checks wait for comes at once; 20 s only bounds a hang.
    .watchdog(Duration::from_secs(20))
}
