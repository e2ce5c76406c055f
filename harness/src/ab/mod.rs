//! Paired comparisons of two builds (`contend ab BASE NEW`): each cell of
//! the chosen scenarios is run by BASE and NEW one right after the other
//! (BASE first in even pairs, NEW first in odd ones), in processes of
//! their own, and the two are compared pair by pair, so that load from
//! elsewhere on a shared machine, which slows both runs of a pair alike,
//! cancels out of their ratio.
//!
//! - [`revision`]: a side as a program: a built binary, or a git revision
//!   checked out and built once (contend's binary, or a user's).
//! - [`listing`]: what one build asks another: the cells of scenario
//!   files, and one repetition of one cell.
//! - [`session`]: one comparison from start to end: the sides, the pairs
//!   round by round, the looks, the reports.
//! - [`metric`]: what is compared per repetition.
//! - [`stats`]: the median of the paired ratios and its sign-test
//!   interval; what the interval decides against a threshold.
//! - [`comparison`]: the result per cell and metric, and the run's
//!   confidence shared among them; `markdown` and `html` write it.
//!
//! The benches' paired mode (`bench-ab`, in `contend-benches`) uses
//! [`revision`] and [`stats`] too.

pub mod comparison;
mod html;
pub mod listing;
mod markdown;
pub mod metric;
pub mod revision;
pub mod session;
pub mod stats;

pub use session::{run, AbOptions, AbOutcome};
