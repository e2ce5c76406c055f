//! A user's binary that load-tests their own executor with contend's
//! scenario files: `cargo run --example own_strategy -- list`, or
//! `… -- run my-scenario.toml` with `name = "thread-per-job"` in a
//! `[[strategy]]` table. Each cell's child process is this same binary,
//! which is why the extra goes to `main_with` (not to a `run` call).

mod executor;

use contend::catalog::{Bounds, ExtraStrategy};
use contend_strategies::pool::{Executor, RunsOn};
use executor::ThreadPerJob;

fn main() -> std::process::ExitCode {
    contend::cli::main_with([ExtraStrategy::new(
        ThreadPerJob::NAME,
        "a std thread per job (examples/own_strategy)",
        RunsOn::Threads,
        Bounds::Unbounded,
        |config| Ok(Box::new(ThreadPerJob::new(config)) as Box<dyn Executor>),
    )])
}
