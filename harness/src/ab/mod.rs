//! Paired comparisons of two builds (`contend ab BASE NEW`): each cell of
//! the chosen scenarios is run by BASE, then NEW, then BASE … in processes
//! of their own, and the two are compared pair by pair, so that load from
//! elsewhere on a shared machine, which slows both runs of a pair alike,
//! cancels out of their ratio.
//!
//! - [`revision`]: a side as a program: a built binary, or a git revision
//!   checked out and built once.
//! - [`stats`]: the median of the paired ratios and its sign-test
//!   interval; what the interval decides against a threshold.

pub mod comparison;
mod html;
pub mod listing;
mod markdown;
pub mod metric;
pub mod revision;
pub mod session;
pub mod stats;

pub use session::{run, AbOptions, AbOutcome};
