//! Running cells: each (scenario, strategy, parameters) cell, once per
//! repetition, in a process of its own.
//!
//! Cells of `cache` and `fanin` scenarios run in [`cache`] and [`fanin`]
//! instead of the pool driver, with their own books.
//!
//! The parent ([`suite`]) re-invokes its own binary as
//! `contend cell --spec <json>` ([`child`]); the child ([`cell`]) builds
//! the strategy, drives the load ([`driver`]) with self-measuring jobs
//! ([`job`]), checks the [`books`] against the [`ledger`], reads the
//! [`probe`]s and prints one [`Repetition`](crate::results::Repetition)
//! as JSON on stdout.

pub mod books;
pub mod cache;
pub mod cell;
pub mod child;
mod crash;
pub mod driver;
pub mod fanin;
pub mod job;
pub mod ledger;
pub mod limits;
pub mod progress;
pub mod spec;
pub mod suite;
