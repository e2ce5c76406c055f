//! contend's correctness checks, written once against the strategy traits
//! and run on every variant.
//!
//! Each module holds the checks of one family as generic functions:
//! [`fanin`] for [`FanIn`](contend_strategies::fanin::FanIn), [`cache`]
//! for [`Cache`](contend_strategies::cache::Cache), [`counter`] for
//! [`Counter`](contend_strategies::counter::Counter). The suites in
//! `tests/` instantiate them for each built-in variant; call them with
//! your own implementation to hold it to the same invariants. A check
//! panics, with a message naming the variant and the invariant, when the
//! implementation breaks it.
//!
//! No check asserts anything about time. Where a broken implementation
//! would hang instead of failing, the check runs under a watchdog
//! ([`support::within_deadline`]) that turns the hang into a failure.

#![deny(missing_docs)]

pub mod cache;
pub mod counter;
pub mod fanin;
pub mod support;
