//! Throwaway servers for scenarios that call a real downstream.
//!
//! A scenario that measures what a strategy does to a database needs a
//! database that is the same on every run: fresh, alone, with a known
//! connection limit, and gone afterwards. A server here is started from
//! the machine's own installation into a temporary folder, on a free
//! port of 127.0.0.1, and owned by a guard that stops it and removes the
//! folder when it drops.
//!
//! - [`postgres`]: PostgreSQL ([`postgres::PostgresServer`]).
//! - [`process`]: what every server shares (PostgreSQL here, Redis in
//!   [`crate::broker`]): the guard owning the process
//!   and its folder, free ports, surviving Ctrl-C, not outliving the
//!   harness.
//! - [`user`]: who a server runs as (not root).
//! - [`error`]: why a server could not be had, and which of those reasons
//!   mean "not installed here" (tests skip on those).

pub mod error;
pub mod postgres;
pub mod process;
pub mod user;

pub use error::ServerError;
