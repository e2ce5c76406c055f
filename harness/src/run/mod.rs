//! Running cells: each (scenario, strategy, parameters) cell, once per
//! repetition, in a process of its own.
//!
//! The parent ([`suite`]) re-invokes its own binary as
//! `contend cell --spec <json>` ([`child`]); the child ([`cell`]) hands
//! the [`CellSpec`](crate::kinds::CellSpec) to the cell's kind
//! ([`ScenarioKind::run`](crate::kinds::ScenarioKind::run)), which builds
//! the strategy, drives the load, checks its books and prints one
//! [`Repetition`](crate::results::Repetition) as JSON on stdout.

pub mod cell;
pub mod child;
mod crash;
pub mod limits;
pub mod progress;
pub mod suite;
