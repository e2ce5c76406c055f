//! What became of one call, and how a client error is read as one.
//!
//! The outcomes are the ones a scenario's report needs to tell apart:
//! the database said no to a connection (the strategy opened more than
//! the server admits, the failure a pool exists to prevent), the call ran
//! out of time (waiting behind others), or something else broke (the
//! server went away, a statement is wrong). A refused or timed-out call
//! is load; a failed one is usually a fault.

use std::error::Error as StdError;
use std::io;

use postgres::error::SqlState;
use serde::{Deserialize, Serialize};

/// What became of one call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallOutcome {
    /// The statement ran and its transaction committed within the timeout.
    Committed,
    /// The server refused the connection: SQLSTATE 53300 "too many
    /// clients", or 57P03 (starting up or shutting down); for a pool,
    /// it could not open a connection for the same reason.
    Refused,
    /// The call did not finish within the target's timeout: connecting,
    /// waiting for a pooled connection, or running the statement
    /// (cancelled by the server's `statement_timeout`, SQLSTATE 57014).
    TimedOut,
    /// Anything else, with the error: the server went away mid-call, is
    /// not listening, or the statement failed.
    Failed(String),
}

/// A call that did not commit, with the message for the books.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    Refused(String),
    TimedOut(String),
    Failed(String),
}

impl Failure {
    /// The outcome this failure is reported as.
    pub(crate) fn outcome(&self) -> CallOutcome {
        match self {
            Failure::Refused(_) => CallOutcome::Refused,
            Failure::TimedOut(_) => CallOutcome::TimedOut,
            Failure::Failed(message) => CallOutcome::Failed(message.clone()),
        }
    }

    /// The message, prefixed with the outcome, as the books list it.
    pub(crate) fn describe(&self) -> String {
        match self {
            Failure::Refused(message) => format!("refused: {message}"),
            Failure::TimedOut(message) => format!("timed out: {message}"),
            Failure::Failed(message) => format!("failed: {message}"),
        }
    }
}

/// Reads a client error (blocking or async: one type) as an outcome.
pub(crate) fn classify(error: &postgres::Error) -> Failure {
    if let Some(db) = error.as_db_error() {
        let message = format!(
            "{}: {} (SQLSTATE {})",
            db.severity(),
            db.message(),
            db.code().code()
        );
        return match *db.code() {
            SqlState::TOO_MANY_CONNECTIONS | SqlState::CANNOT_CONNECT_NOW => {
                Failure::Refused(message)
            }
            SqlState::QUERY_CANCELED => Failure::TimedOut(message),
            _ => Failure::Failed(message),
        };
    }
    let message = describe(error);
    if io_kind(error) == Some(io::ErrorKind::TimedOut) {
        Failure::TimedOut(message)
    } else {
        Failure::Failed(message)
    }
}

/// An error and its sources, joined with ": " (the client's own messages
/// say little alone: "error connecting to server").
pub(crate) fn describe(error: &dyn StdError) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.ends_with(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

/// The kind of the first I/O error among `error`'s sources.
pub(crate) fn io_kind(error: &(dyn StdError + 'static)) -> Option<io::ErrorKind> {
    let mut source: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<io::Error>() {
            return Some(io.kind());
        }
        source = cause.source();
    }
    None
}
