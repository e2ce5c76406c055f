//! The `contend` command line, as a library: the `contend` binary is
//! [`main`], and a user's binary that measures their own executor is
//! [`main_with`] and a list of [`ExtraStrategy`]s.
//!
//! Exit codes: 0 ok; 1 a gate, a cell's books or a comparison failed, or
//! a cell crashed or timed out; 2 bad input or usage (an unknown
//! strategy, a malformed scenario, an extra strategy whose name is
//! taken); 130 interrupted by Ctrl-C, with the results so far written.
//!
//! # Your own executor, load-tested
//!
//! Each cell runs in a child process that is the same binary started
//! again (`<binary> cell --spec …`), so the extras must be known to that
//! process too: that is why they are handed to `main_with`, which serves
//! every command (the child's included), rather than registered by a
//! `run` call. A ten-line binary in your own crate (`contend` as a
//! dependency) does it; `MyExecutor` implements
//! [`Executor`](contend_strategies::pool::Executor) and keeps its books
//! with [`JobContext`](contend_strategies::pool::JobContext):
//!
//! ```no_run
//! use contend::catalog::{Bounds, ExtraStrategy};
//! use contend_strategies::pool::{Executor, PoolConfig, RunsOn, Serial};
//! # struct MyExecutor; impl MyExecutor { fn new(_: PoolConfig) -> Serial { Serial::new() } }
//!
//! fn main() -> std::process::ExitCode {
//!     contend::cli::main_with([ExtraStrategy::new(
//!         "mine",                             // the name scenario files use
//!         "my executor: one line for `list`", // its summary
//!         RunsOn::Threads,                    // jobs are closures (Tasks: futures)
//!         Bounds::Unbounded,                  // `queue`/`policy` are refused on it
//!         |config: PoolConfig| Ok(Box::new(MyExecutor::new(config)) as Box<dyn Executor>),
//!     )])
//! }
//! ```
//!
//! Then `cargo run --release -- run scenarios/mine.toml` with a scenario
//! naming `mine` next to `fixed` or `rayon`, and `cargo run -- list` shows
//! it. `examples/own_strategy/` is this binary with a thread-per-job
//! executor, and `tests/own_strategy.rs` runs it end to end.

mod args;
mod dispatch;

use std::process::ExitCode;

use clap::Parser;

use crate::catalog::{Catalog, ExtraStrategy};
use crate::error::exit;
use crate::HarnessError;

/// The `contend` binary: [`main_with`] no extra strategy.
pub fn main() -> ExitCode {
    main_with([])
}

/// The `contend` command line with `extras` beside the built-in
/// strategies and the adapters: scenario files, `--filter`, `list` and
/// each cell's child process know them by name. An extra whose name is
/// taken (or cannot be written in a scenario file) exits with code 2 and
/// says why, before any argument is read.
pub fn main_with(extras: impl IntoIterator<Item = ExtraStrategy>) -> ExitCode {
    let installed = Catalog::with_extras(extras).and_then(Catalog::install);
    if let Err(error) = installed {
        eprintln!("error: {error}");
        return ExitCode::from(exit::BAD_INPUT as u8);
    }
    // clap exits with code 2 on bad usage, as the exit-code table asks.
    let cli = args::Cli::parse();
    let code = match dispatch::dispatch(cli.command) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            error
                .downcast_ref::<HarnessError>()
                .map_or(exit::BAD_INPUT, HarnessError::exit_code)
        }
    };
    ExitCode::from(code as u8)
}
