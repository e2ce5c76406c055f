//! The `contend` harness: load-tests the strategies of `contend-strategies`
//! side by side and writes reports that a person reads and a CI job gates
//! on.
//!
//! - [`ab`]: paired runs of two builds (`contend ab BASE NEW`), compared
//!   pair by pair.
//! - [`scenario`]: scenario files, checked before anything runs.
//! - [`load`]: arrival processes, service times, a simulated downstream.
//! - [`run`]: each (scenario, strategy, parameters) cell in a child
//!   process; the books every cell must balance.
//! - [`record`]: per-thread latency recorders merged into HdrHistograms.
//! - [`results`]: the results model, `results.json`'s schema.
//! - [`report`]: JSON, `.hgrm`, Markdown and HTML, written from results.
//! - [`compare`]: a run against a baseline, beyond the noise.
//! - [`catalog`]: every pool strategy by name: the built-ins, the
//!   [`adapters`] (rayon, threadpool, tokio's blocking pool) and a user's
//!   extras.
//! - [`broker`]: the `queue` scenario's message broker (Redis Streams) and
//!   a throwaway `redis-server`; the books read from the broker's state.
//! - [`cli`]: the command line, and [`cli::main_with`] for a user's own
//!   binary that load-tests their executor with the same scenario files.
//!
//! The harness sees strategies only through the
//! [`Executor`](contend_strategies::pool::Executor) trait and the
//! [`catalog`], so a user's own executor is measured the same way.

#![deny(missing_docs)]

pub mod ab;
pub mod adapters;
pub mod broker;
pub mod catalog;
pub mod cli;
pub mod compare;
pub mod error;
pub mod list;
pub mod load;
pub mod record;
pub mod report;
pub mod results;
pub mod run;
pub mod scenario;

pub use error::HarnessError;
