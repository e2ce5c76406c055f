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
    /// Builds it.
    pub build: fn(PoolConfig) -> Result<Box<dyn Executor>, ConfigError>,
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
        build: |config| boxed(Ok(Serial::with_panic_handler(config.panic_handler))),
    },
    StrategyInfo {
        name: Unbounded::NAME,
        summary: "a thread per job, no limit; the anti-pattern",
        build: |config| boxed(Ok(Unbounded::with_panic_handler(config.panic_handler))),
    },
    StrategyInfo {
        name: Semaphore::NAME,
        summary: "a thread per job, at most `workers` at once",
        build: |config| boxed(Semaphore::new(config)),
    },
    StrategyInfo {
        name: Fixed::NAME,
        summary: "`workers` long-lived threads on one bounded queue",
        build: |config| boxed(Fixed::new(config)),
    },
    StrategyInfo {
        name: Dispatcher::NAME,
        summary: "idle workers offer their hand-off slot; a dispatcher matches jobs to them",
        build: |config| boxed(Dispatcher::new(config)),
    },
    StrategyInfo {
        name: Elastic::NAME,
        summary: "workers on demand up to a capacity, idle expiry, resizable",
        build: |config| boxed(Elastic::new(config)),
    },
    #[cfg(not(loom))]
    StrategyInfo {
        name: super::TokioSpawn::NAME,
        summary: "a tokio task per job, no limit; the analogue of `go f()`",
        build: |config| boxed(super::TokioSpawn::new(config)),
    },
    #[cfg(not(loom))]
    StrategyInfo {
        name: super::TokioSemaphore::NAME,
        summary: "a tokio task per job, at most `workers` at once",
        build: |config| boxed(super::TokioSemaphore::new(config)),
    },
    #[cfg(not(loom))]
    StrategyInfo {
        name: super::TokioWorkers::NAME,
        summary: "`workers` tokio tasks on one bounded async channel",
        build: |config| boxed(super::TokioWorkers::new(config)),
    },
];

/// Every strategy's name.
pub fn names() -> Vec<&'static str> {
    STRATEGIES.iter().map(|info| info.name).collect()
}

/// Builds the strategy called `name`.
pub fn build(name: &str, config: PoolConfig) -> Result<Box<dyn Executor>, ConfigError> {
    let info = STRATEGIES
        .iter()
        .find(|info| info.name == name)
        .ok_or_else(|| ConfigError::UnknownStrategy {
            name: name.to_owned(),
        })?;
    (info.build)(config)
}
