//! A strategy the harness does not ship: a user's own executor, handed to
//! [`cli::main_with`](crate::cli::main_with) so that their binary measures
//! it with the same scenario files as the built-in strategies.

use std::fmt;
use std::sync::Arc;

use contend_strategies::pool::{Executor, PoolConfig, RunsOn};

/// Builds an executor from a cell's parameters; an `Err` is shown as the
/// reason the cell (or the scenario, at check time) cannot run.
pub type Builder =
    Arc<dyn Fn(PoolConfig) -> Result<Box<dyn Executor>, String> + Send + Sync + 'static>;

/// Whether a strategy has a bound, and so whether the overload parameters
/// (`queue`, `policy`, `block_timeout`, `max_blocked_submitters`) mean
/// anything to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bounds {
    /// It has a bound and honours (or refuses, in its builder) the
    /// overload parameters a scenario sets.
    Bounded,
    /// It accepts every job (its queue, if any, grows without limit), so
    /// a scenario that sets an overload parameter on it is refused at
    /// check time rather than silently measuring something else.
    Unbounded,
}

/// One extra pool strategy: its name in scenario files, a one-line
/// summary for `contend list`, what its jobs run on (threads get blocking
/// closures, tasks get futures), its [`Bounds`] and how to build it.
#[derive(Clone)]
pub struct ExtraStrategy {
    /// The name scenario files, `--filter` and reports use.
    pub name: &'static str,
    /// One line on what it is.
    pub summary: &'static str,
    /// What its jobs run on, and so which form of job it is given.
    pub runs_on: RunsOn,
    /// Whether the overload parameters apply to it.
    pub bounds: Bounds,
    /// Builds it from a cell's parameters.
    pub build: Builder,
}

impl ExtraStrategy {
    /// An extra strategy called `name`, built by `build`.
    pub fn new(
        name: &'static str,
        summary: &'static str,
        runs_on: RunsOn,
        bounds: Bounds,
        build: impl Fn(PoolConfig) -> Result<Box<dyn Executor>, String> + Send + Sync + 'static,
    ) -> Self {
        Self {
            name,
            summary,
            runs_on,
            bounds,
            build: Arc::new(build),
        }
    }
}

impl fmt::Debug for ExtraStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtraStrategy")
            .field("name", &self.name)
            .field("summary", &self.summary)
            .field("runs_on", &self.runs_on)
            .field("bounds", &self.bounds)
            .finish_non_exhaustive()
    }
}
