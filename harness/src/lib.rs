//! The `contend` harness: the command line that lists, and (as the
//! scenario runner lands) load-tests, the strategies of
//! `contend-strategies` side by side.
//!
//! The harness sees strategies only through the
//! [`Executor`](contend_strategies::pool::Executor) trait and the
//! registry, so a user's own executor is measured the same way.

#![deny(missing_docs)]

pub mod list;
