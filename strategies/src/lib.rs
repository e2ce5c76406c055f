//! Real implementations of the classic ways to control concurrency, built
//! so that they can be model-checked with `loom` and load-tested side by
//! side.
//!
//! - [`pool`]: executors, from running jobs serially to elastic pools and
//!   tokio tasks, behind one [`pool::Executor`] trait.
//! - [`sync`]: the synchronisation facade every implementation is built
//!   on; `--cfg loom` swaps in loom's types.
//!
//! Start with the table in [`pool`] to choose a strategy.

#![deny(missing_docs)]

pub mod cache;
pub mod counter;
pub mod fanin;
pub mod pool;
pub mod sync;
