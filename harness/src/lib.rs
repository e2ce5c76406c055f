//! The `contend` harness: load-tests the strategies of `contend-strategies`
//! side by side and writes reports that a person reads and a CI job gates
//! on.
//!
//! - [`scenario`]: scenario files, checked before anything runs.
//! - [`load`]: arrival processes, service times, a simulated downstream.
//! - [`run`]: each (scenario, strategy, parameters) cell in a child
//!   process; the books every cell must balance.
//! - [`record`]: per-thread latency recorders merged into HdrHistograms.
//! - [`results`]: the results model, `results.json`'s schema.
//! - [`report`]: JSON, `.hgrm`, Markdown and HTML, written from results.
//! - [`compare`]: a run against a baseline, beyond the noise.
//!
//! The harness sees strategies only through the
//! [`Executor`](contend_strategies::pool::Executor) trait and the
//! registry, so a user's own executor is measured the same way.

#![deny(missing_docs)]

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
