//! The `contend` harness: load-tests the strategies of `contend-strategies`
//! side by side and writes reports that a person reads and a CI job gates
//! on.
//!
//! The modules, from the bottom up (each imports only modules above it
//! in this list, never one that imports it back):
//!
//! - [`units`]: durations and sizes as files write them; [`probe`]: what
//!   the operating system says about this process; [`machine`]: the
//!   threads and memory it may have.
//! - [`record`]: per-thread latency recorders merged into HdrHistograms.
//! - [`servers`]: throwaway servers (PostgreSQL) in a temporary folder
//!   on a free loopback port, stopped and removed when dropped.
//! - [`load`]: arrival processes, service times, the downstream a job
//!   calls (simulated, or PostgreSQL).
//! - [`broker`]: the `queue` kind's message broker (Redis Streams) and a
//!   throwaway `redis-server`; books read from the broker's state.
//! - [`results`]: the results model, `results.json`'s schema, the same
//!   for every kind.
//! - [`fields`]: one value of a scenario file and its errors.
//! - [`catalog`]: every pool strategy by name: the built-ins, the
//!   [adapters](catalog::adapters) (rayon, threadpool, tokio's blocking
//!   pool) and a user's extras.
//! - [`kinds`]: each scenario kind (`pool`, `cache`, `fanin`, `queue`) behind one
//!   trait: its workload table and checks, its cell runner, its books, its
//!   report columns.
//! - [`scenario`]: scenario files, checked before anything runs.
//! - [`report`]: JSON, `.hgrm`, Markdown and HTML, written from results;
//!   [`compare`]: a run against a baseline, beyond the noise.
//! - [`run`]: each (scenario, strategy, parameters) cell in a child
//!   process.
//! - [`ab`]: paired runs of two builds (`contend ab BASE NEW`), compared
//!   pair by pair.
//! - [`cli`]: the command line, and [`cli::main_with`] for a user's own
//!   binary that load-tests their executor with the same scenario files;
//!   [`list`]: `contend list`.
//!
//! The harness sees strategies only through the
//! [`Executor`](contend_strategies::pool::Executor) trait and the
//! [`catalog`], so a user's own executor is measured the same way.

#![deny(missing_docs)]

pub mod ab;
pub mod broker;
pub mod catalog;
pub mod cli;
pub mod compare;
pub mod error;
pub mod fields;
pub mod kinds;
pub mod list;
pub mod load;
pub mod machine;
pub mod probe;
pub mod record;
pub mod report;
pub mod results;
pub mod run;
pub mod scenario;
pub mod servers;
pub mod units;

pub use error::HarnessError;
