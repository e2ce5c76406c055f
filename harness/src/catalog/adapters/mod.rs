//! Adapters: the pools people pick instead of contend's, behind the
//! [`Executor`] trait, so that any pool scenario measures them side by
//! side with the built-in strategies in one run.
//!
//! | name | library | what a job becomes |
//! |---|---|---|
//! | `rayon` | a [`rayon::ThreadPool`](::rayon::ThreadPool) of `workers` threads | a `spawn` |
//! | `threadpool` | `threadpool::ThreadPool::new(workers)` | an `execute` |
//! | `tokio-spawn-blocking` | a tokio runtime with `max_blocking_threads = workers` | a `spawn_blocking` |
//!
//! # Honest books
//!
//! Each adapter counts around the library with
//! [`JobContext`](contend_strategies::pool::JobContext) and its
//! [`Counters`](contend_strategies::pool::Counters): submits, starts,
//! completions, panics and cancels, with each job run through
//! `JobContext::execute` inside the library's closure (so a panic is
//! caught and counted on the library's thread, and a cancelled job is
//! skipped and reported to its `Batch`). `queued` is counted here, as the
//! jobs accepted and not yet started by the library, and after shutdown
//! `PoolStats::unaccounted()` is zero. A submit after shutdown is
//! rejected as `Closed`, with the job inside the rejection.
//!
//! # Unbounded
//!
//! All three queue every job they are given, without limit: they have no
//! bound and no overload policy. A scenario that sets `queue`, `policy`,
//! `block_timeout` or `max_blocked_submitters` on one of them is refused
//! when it is checked, before anything runs.
//!
//! # Shutdown
//!
//! - Drain waits until every accepted job has finished (with a deadline:
//!   jobs the library had not reached when it passed come back, unrun, to
//!   a later shutdown call).
//! - Abort: none of these libraries can take a queued job back. The
//!   adapter sets a flag that each job's closure reads when the library
//!   starts it; from then on the closure hands its job back unrun instead
//!   of running it. Abort returns once the running jobs have ended and the
//!   library has passed over every queued closure (each returns at once),
//!   with every unstarted job in the report's `handed_back`, counted as
//!   handed back. No job starts after the abort began.
//! - Threads: `tokio-spawn-blocking` joins its blocking threads before
//!   shutdown returns (it drops the runtime); `rayon` joins its threads
//!   when the adapter is dropped; `threadpool` cannot join its threads at
//!   all: they exit on their own once the pool is dropped.
//!
//! They are measured, not model-checked: loom and shuttle cannot see
//! inside the libraries.

mod accounting;
mod rayon;
mod spawn_blocking;
mod threadpool;

use contend_strategies::pool::{Executor, RunsOn};

pub use self::rayon::Rayon;
pub use self::spawn_blocking::SpawnBlocking;
pub use self::threadpool::ThreadPool;

use super::{Bounds, ExtraStrategy};

fn boxed<E: Executor + 'static>(
    built: Result<E, contend_strategies::pool::ConfigError>,
) -> Result<Box<dyn Executor>, String> {
    built
        .map(|executor| Box::new(executor) as Box<dyn Executor>)
        .map_err(|error| error.to_string())
}

/// Every adapter, as the catalog lists them.
pub fn all() -> Vec<ExtraStrategy> {
    vec![
        ExtraStrategy::new(
            Rayon::NAME,
            "rayon's ThreadPool of `workers` threads, a `spawn` per job",
            RunsOn::Threads,
            Bounds::Unbounded,
            |config| boxed(Rayon::new(config)),
        ),
        ExtraStrategy::new(
            ThreadPool::NAME,
            "the threadpool crate's ThreadPool::new(workers), an `execute` per job",
            RunsOn::Threads,
            Bounds::Unbounded,
            |config| boxed(ThreadPool::new(config)),
        ),
        ExtraStrategy::new(
            SpawnBlocking::NAME,
            "tokio's blocking pool, max_blocking_threads = workers, a `spawn_blocking` per job",
            RunsOn::Threads,
            Bounds::Unbounded,
            |config| boxed(SpawnBlocking::new(config)),
        ),
    ]
}
