//! An [`AsyncExecutor`] behind a pointer, as the checks hold one.
//!
//! `AsyncExecutor`'s futures are `impl Future`, so the trait cannot be a
//! `dyn` object; [`AwaitingPool`] boxes them instead. It is implemented
//! for every `AsyncExecutor`, so a subject built from yours
//! ([`PoolSubject::awaiting`](crate::PoolSubject::awaiting)) is checked
//! through it with no code of yours.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use contend_strategies::pool::{Admission, AsyncExecutor, Job, PoolStats, Rejected};
use contend_strategies::pool::{ShutdownMode, ShutdownReport};

/// A boxed, sendable future borrowing the executor.
pub type Awaited<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// [`AsyncExecutor`] with boxed futures: what the checks call.
pub trait AwaitingPool: Send + Sync {
    /// [`AsyncExecutor::name`].
    fn name(&self) -> &'static str;
    /// [`AsyncExecutor::submit`].
    fn submit(&self, job: Job) -> Awaited<'_, Result<Admission, Rejected>>;
    /// [`AsyncExecutor::shutdown`].
    fn shutdown(&self, mode: ShutdownMode) -> Awaited<'_, ShutdownReport>;
    /// [`AsyncExecutor::stats`].
    fn stats(&self) -> PoolStats;
}

impl<E: AsyncExecutor> AwaitingPool for E {
    fn name(&self) -> &'static str {
        AsyncExecutor::name(self)
    }

    fn submit(&self, job: Job) -> Awaited<'_, Result<Admission, Rejected>> {
        Box::pin(AsyncExecutor::submit(self, job))
    }

    fn shutdown(&self, mode: ShutdownMode) -> Awaited<'_, ShutdownReport> {
        Box::pin(AsyncExecutor::shutdown(self, mode))
    }

    fn stats(&self) -> PoolStats {
        AsyncExecutor::stats(self)
    }
}

/// An async executor under check, shared with the tasks a check starts.
pub type AsyncPool = Arc<dyn AwaitingPool>;

/// An [`AsyncPool`] driven from threads, as
/// [`Blocking`](contend_strategies::pool::Blocking) drives yours: so that a
/// check can put the very executor it awaits into a state with the thread
/// fixtures.
pub struct Driven(pub AsyncPool);

impl contend_strategies::pool::Executor for Driven {
    fn name(&self) -> &'static str {
        self.0.name()
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        contend_strategies::sync::block_on(self.0.submit(job))
    }

    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        contend_strategies::sync::block_on(self.0.shutdown(mode))
    }

    fn stats(&self) -> PoolStats {
        self.0.stats()
    }
}
