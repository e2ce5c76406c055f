//! The harness's errors, and the exit code each one means.

use std::path::PathBuf;

use crate::fields::ScenarioError;

/// What stops the harness before it can answer (bad input; an output
/// directory it cannot write). Gate failures and regressions are not
/// errors: they are answers, carried in the outcome of `run` and
/// `compare`.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// A scenario file that cannot run.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// Other bad input: an unknown `--filter` name, a truncated or foreign
    /// results file.
    #[error("{0}")]
    BadInput(String),
    /// A report could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// Where.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Exit codes of the `contend` binary.
pub mod exit {
    /// Everything ran and passed.
    pub const OK: i32 = 0;
    /// A gate, a cell's books or a comparison failed.
    pub const FAILED: i32 = 1;
    /// Bad input or usage.
    pub const BAD_INPUT: i32 = 2;
    /// Stopped by Ctrl-C; the results so far were written.
    pub const INTERRUPTED: i32 = 130;
}

impl HarnessError {
    /// The exit code for this error.
    pub fn exit_code(&self) -> i32 {
        exit::BAD_INPUT
    }
}
