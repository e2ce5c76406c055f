//! The load tester with `QueuePool` beside contend's strategies: every
//! `contend` command (`list`, `run`, `compare`) knows `queue-pool` by name.
//!
//!     cargo run --release --features load-test -- run scenarios/queue-pool.toml

use contend::catalog::{Bounds, ExtraStrategy};
use contend_strategies::pool::{Executor, RunsOn};
use own_executor::QueuePool;

fn main() -> std::process::ExitCode {
    contend::cli::main_with([ExtraStrategy::new(
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
    )])
}
