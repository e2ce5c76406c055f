//! The load tester with `QueuePool` and `TaskPool` beside contend's
//! strategies: every `contend` command (`list`, `run`, `compare`) knows
//! `queue-pool` and `task-pool` by name. `task-pool` runs on tokio tasks
//! (`RunsOn::Tasks`), so its jobs come as futures: an awaited sleep or
//! downstream call, as the built-in tokio strategies get them.
//!
//!     cargo run --release --features load-test -- run scenarios/queue-pool.toml

use contend::catalog::{Bounds, ExtraStrategy};
use contend_strategies::pool::{Blocking, Executor, RunsOn};
use own_executor::{QueuePool, TaskPool};

fn main() -> std::process::ExitCode {
    contend::cli::main_with([
        ExtraStrategy::new(
            QueuePool::NAME,
            "workers on one unbounded queue behind a mutex (examples/own-executor)",
            RunsOn::Threads,
            Bounds::Unbounded,
            |config| match QueuePool::new(&config) {
                Some(pool) => Ok(Box::new(pool) as Box<dyn Executor>),
                None => Err(format!(
                    "workers must be 1 to {}",
                    own_executor::MAX_WORKERS
                )),
            },
        ),
        ExtraStrategy::new(
            TaskPool::NAME,
            "a tokio task per job, at most `workers` at once, submits awaited (examples/own-executor)",
            RunsOn::Tasks,
            Bounds::Bounded,
            // An async executor: the load tester's submitter threads drive
            // it through `Blocking`, as they drive the built-in tokio
            // strategies' blocking submits.
            |config| match TaskPool::new(&config) {
                Some(pool) => Ok(Box::new(Blocking::new(pool)) as Box<dyn Executor>),
                None => Err(
                    "workers and runtime_threads must be at least 1, the policy block or fail-fast"
                        .to_owned(),
                ),
            },
        ),
    ])
}
