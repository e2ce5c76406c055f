//! Why a throwaway server could not be had.
//!
//! One type for every server kind, so a test or a run handles "this
//! machine has no such server" the same way for each: [`ServerError::is_unavailable`]
//! tells a missing installation (skip, loudly) from a server that is
//! installed but broke (fail, with its log).

use std::io;

/// Why a throwaway server could not be started.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The server's programs are not on this machine.
    #[error("{server} is not installed: {searched}")]
    NotInstalled {
        /// Which server ("PostgreSQL").
        server: &'static str,
        /// What was looked for, and where.
        searched: String,
    },
    /// The harness runs as root, the server refuses to, and there is no
    /// system user to run it as.
    #[error("{server} refuses to run as root, and there is no `{user}` user to run it as")]
    NoServerUser {
        /// Which server.
        server: &'static str,
        /// The user looked for.
        user: &'static str,
    },
    /// A file-system or process operation failed.
    #[error("{server}: cannot {doing}: {source}")]
    Io {
        /// Which server.
        server: &'static str,
        /// What the harness was doing.
        doing: String,
        /// The operating system's answer.
        source: io::Error,
    },
    /// Creating the server's data folder failed (PostgreSQL's `initdb`).
    #[error("{server}: initialising the data folder failed; its log ends:\n{log}")]
    InitFailed {
        /// Which server.
        server: &'static str,
        /// The end of the initialisation's output.
        log: String,
    },
    /// The server exited, or did not accept connections in time.
    #[error("{server} did not start: {reason}; its log ends:\n{log}")]
    StartFailed {
        /// Which server.
        server: &'static str,
        /// What went wrong.
        reason: String,
        /// The end of the server's log.
        log: String,
    },
}

impl ServerError {
    /// Whether the machine lacks the server (not installed, or no user to
    /// run it as), rather than the server failing: a test skips on these.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::NotInstalled { .. } | Self::NoServerUser { .. })
    }
}
