//! An executor under check: what it promises, how to build it for a
//! configuration (or refuse to), and how long a check may wait on it.
//!
//! Every pool check takes a [`PoolSubject`], so the same checks run on a
//! built-in strategy ([`PoolSubject::builtin`]) and on yours
//! ([`PoolSubject::new`], or [`PoolSubject::refusing`] when your executor
//! supports only some configurations: a check whose configuration you
//! refuse is skipped and reported as skipped, never passed).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use contend_strategies::pool::{Executor, PoolConfig};

use crate::StrategyCase;

/// How a subject is built: `None` refuses the configuration.
pub type BuildFn = dyn Fn(PoolConfig) -> Option<Box<dyn Executor>> + Send + Sync;

/// How an async subject is built, as an
/// [`AsyncPool`](crate::awaiting_pool::AsyncPool): `None` refuses.
#[cfg(not(loom))]
pub type AwaitingBuildFn =
    dyn Fn(PoolConfig) -> Option<crate::awaiting_pool::AsyncPool> + Send + Sync;

/// The watchdog's limit when none is set: `CONTEND_WATCHDOG_SECS` if set,
/// else 30 s (see [`crate::watchdog::default_limit`], the one setting of
/// every family's checks).
pub fn default_watchdog() -> Duration {
    crate::watchdog::default_limit()
}

/// An executor under check.
#[derive(Clone)]
pub struct PoolSubject {
    /// Its name and what it promises (which checks apply).
    pub promises: StrategyCase,
    build: Arc<BuildFn>,
    /// How long one check (one case, one test) may run before it counts
    /// as hung, and fails naming the state it hung in.
    pub watchdog: Duration,
    /// For an [`AsyncExecutor`](contend_strategies::pool::AsyncExecutor):
    /// how to build it as itself, for the checks that await it.
    #[cfg(not(loom))]
    awaiting: Option<Arc<AwaitingBuildFn>>,
}

impl PoolSubject {
    /// Your executor, built by `build` for every configuration.
    pub fn new(
        promises: StrategyCase,
        build: impl Fn(PoolConfig) -> Box<dyn Executor> + Send + Sync + 'static,
    ) -> Self {
        Self::refusing(promises, move |config| Some(build(config)))
    }

    /// Your executor, built by `build`, which answers `None` for a
    /// configuration it does not support (a single-worker executor asked
    /// for two workers, say).
    pub fn refusing(
        promises: StrategyCase,
        build: impl Fn(PoolConfig) -> Option<Box<dyn Executor>> + Send + Sync + 'static,
    ) -> Self {
        Self {
            promises,
            build: Arc::new(build),
            watchdog: default_watchdog(),
            #[cfg(not(loom))]
            awaiting: None,
        }
    }

    /// Your [`AsyncExecutor`](contend_strategies::pool::AsyncExecutor),
    /// built by `build` (`None` refuses a configuration). The awaiting
    /// checks (`pool_suites::awaiting`) await its `submit` and `shutdown`
    /// from tasks; every other check, the machine and the loom and shuttle
    /// models drive it from threads through
    /// [`Blocking`](contend_strategies::pool::Blocking), and shuttle's
    /// models also from shuttle's tasks.
    #[cfg(not(loom))]
    pub fn awaiting<E>(
        promises: StrategyCase,
        build: impl Fn(PoolConfig) -> Option<E> + Send + Sync + 'static,
    ) -> Self
    where
        E: contend_strategies::pool::AsyncExecutor + 'static,
    {
        use contend_strategies::pool::Blocking;
        let build = Arc::new(build);
        let blocking = Arc::clone(&build);
        let mut subject = Self::refusing(promises, move |config| {
            blocking(config).map(|pool| Box::new(Blocking::new(pool)) as Box<dyn Executor>)
        });
        subject.awaiting = Some(Arc::new(move |config| {
            build(config).map(|pool| Arc::new(pool) as crate::awaiting_pool::AsyncPool)
        }));
        subject
    }

    /// Builds it as an async executor for `config`: `None` if it refuses
    /// the configuration or was not made by [`PoolSubject::awaiting`].
    #[cfg(not(loom))]
    pub fn build_awaiting(&self, config: PoolConfig) -> Option<crate::awaiting_pool::AsyncPool> {
        self.awaiting.as_ref().and_then(|build| build(config))
    }

    /// Whether it was made by [`PoolSubject::awaiting`].
    pub fn awaits(&self) -> bool {
        #[cfg(not(loom))]
        return self.awaiting.is_some();
        #[cfg(loom)]
        false
    }

    /// The async builder, to move into a model that builds it again and
    /// again (shuttle); `None` unless made by [`PoolSubject::awaiting`].
    #[cfg(not(loom))]
    pub fn awaiting_builder(&self) -> Option<Arc<AwaitingBuildFn>> {
        self.awaiting.clone()
    }

    /// The built-in strategy called `name`.
    pub fn builtin(name: &str) -> Self {
        let promises = StrategyCase::named(name);
        Self::new(promises, move |config| promises.build(config))
    }

    /// The same subject with the watchdog's limit set to `limit`.
    pub fn watchdog(mut self, limit: Duration) -> Self {
        self.watchdog = limit;
        self
    }

    /// Its name.
    pub fn name(&self) -> &'static str {
        self.promises.name
    }

    /// Builds it for `config`; `None` if it refuses the configuration.
    pub fn build(&self, config: PoolConfig) -> Option<Box<dyn Executor>> {
        (self.build)(config)
    }

    /// The builder itself, to move into a model that builds it again and
    /// again (loom, shuttle).
    pub fn builder(&self) -> Arc<BuildFn> {
        Arc::clone(&self.build)
    }
}

impl fmt::Debug for PoolSubject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolSubject")
            .field("promises", &self.promises)
            .field("watchdog", &self.watchdog)
            .finish_non_exhaustive()
    }
}
