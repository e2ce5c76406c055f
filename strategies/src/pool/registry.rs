//! Every strategy by name: what scenario files, the CLI and the tests use
//! to build one from a [`PoolConfig`].

use super::{ConfigError, Executor, PoolConfig};
use super::{Dispatcher, Elastic, Fixed, Semaphore, Serial, Unbounded};

/// A strategy that can be built by name.
#[derive(Clone, Copy, Debug)]
pub struct StrategyInfo {
    /// The name used in scenario files.
    pub name: &'static str,
    /// One line on what it is.
    pub summary: &'static str,
    /// What its jobs run on, and so which form of job suits it.
    pub runs_on: RunsOn,
    /// Builds it.
    pub build: fn(PoolConfig) -> Result<Box<dyn Executor>, ConfigError>,
}

/// What a strategy runs its jobs on: the load tester gives thread
/// strategies blocking closures and task strategies futures, as real code
/// would.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunsOn {
    /// OS threads: a job is a closure, and waiting on IO holds its thread.
    Threads,
    /// Tokio tasks: a job is best a future ([`Job::from_future`](super::Job::from_future)),
    /// and waiting on IO holds nothing; a blocking closure holds one of
    /// the runtime's few threads.
    Tasks,
}

fn boxed<E: Executor + 'static>(
    built: Result<E, ConfigError>,
) -> Result<Box<dyn Executor>, ConfigError> {
    built.map(|executor| Box::new(executor) as Box<dyn Executor>)
}

/// Every strategy, in the order of the crate docs.
pub const STRATEGIES: &[StrategyInfo] = &[
    StrategyInfo {
        name: Serial::NAME,
        summary: "the caller runs each job; the baseline",
        runs_on: RunsOn::Threads,
        build: |config| boxed(Ok(Serial::with_panic_handler(config.panic_handler))),
    },
    StrategyInfo {
        name: Unbounded::NAME,
        summary: "a thread per job, no limit; the anti-pattern",
        runs_on: RunsOn::Threads,
        build: |config| boxed(Ok(Unbounded::with_panic_handler(config.panic_handler))),
    },
    StrategyInfo {
        name: Semaphore::NAME,
        summary: "a thread per job, at most `workers` at once",
        runs_on: RunsOn::Threads,
        build: |config| boxed(Semaphore::new(config)),
    },
    StrategyInfo {
        name: Fixed::NAME,
        summary: "`workers` long-lived threads on one bounded queue",
        runs_on: RunsOn::Threads,
        build: |config| boxed(Fixed::new(config)),
    },
    StrategyInfo {
        name: Dispatcher::NAME,
        summary: "idle workers offer their hand-off slot; a dispatcher matches jobs to them",
        runs_on: RunsOn::Threads,
        build: |config| boxed(Dispatcher::new(config)),
    },
    StrategyInfo {
        name: Elastic::NAME,
        summary: "workers on demand up to a capacity, idle expiry, resizable",
        runs_on: RunsOn::Threads,
        build: |config| boxed(Elastic::new(config)),
    },
    #[cfg(all(not(loom), feature = "third-party"))]
    StrategyInfo {
        name: super::TokioSpawn::NAME,
        summary: "a tokio task per job, no limit; the analogue of `go f()`",
        runs_on: RunsOn::Tasks,
        build: |config| boxed(super::TokioSpawn::new(config)),
    },
    #[cfg(all(not(loom), feature = "third-party"))]
    StrategyInfo {
        name: super::TokioSemaphore::NAME,
        summary: "a tokio task per job, at most `workers` at once",
        runs_on: RunsOn::Tasks,
        build: |config| boxed(super::TokioSemaphore::new(config)),
    },
    #[cfg(all(not(loom), feature = "third-party"))]
    StrategyInfo {
        name: super::TokioWorkers::NAME,
        summary: "`workers` tokio tasks on one bounded async channel",
        runs_on: RunsOn::Tasks,
        build: |config| boxed(super::TokioWorkers::new(config)),
    },
    #[cfg(all(not(loom), feature = "third-party"))]
    StrategyInfo {
        name: super::TokioMultiplex::NAME,
        summary: "at most `workers` futures in flight on one driver task per runtime thread",
        runs_on: RunsOn::Tasks,
        build: |config| boxed(super::TokioMultiplex::new(config)),
    },
    #[cfg(all(not(loom), feature = "third-party"))]
    StrategyInfo {
        name: super::TokioRaw::NAME,
        summary: "tokio's own Semaphore + spawn, nothing around them: the reference",
        runs_on: RunsOn::Tasks,
        build: |config| boxed(super::TokioRaw::new(config)),
    },
];

/// Every strategy's name.
pub fn names() -> Vec<&'static str> {
    STRATEGIES.iter().map(|info| info.name).collect()
}

/// The strategy called `name`, if there is one.
pub fn info(name: &str) -> Option<&'static StrategyInfo> {
    STRATEGIES.iter().find(|info| info.name == name)
}

/// Builds the strategy called `name`.
pub fn build(name: &str, config: PoolConfig) -> Result<Box<dyn Executor>, ConfigError> {
    let info = info(name).ok_or_else(|| ConfigError::UnknownStrategy {
        name: name.to_owned(),
    })?;
    (info.build)(config)
}
