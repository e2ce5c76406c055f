//! Executor configuration, shared by every strategy, and its errors.
//!
//! One [`PoolConfig`] describes any strategy so that the harness can build
//! a strategy by name from a scenario file; each strategy reads the fields
//! it uses and refuses values it cannot honour, naming what is allowed.

use std::fmt;
use std::time::Duration;

use super::run::{JobPanic, PanicHandler};
use super::OverloadPolicy;

/// The largest `queue_capacity` of `fixed` and `dispatcher`, which
/// allocate their queue's slots up front: 16,777,216 jobs, 512 MiB.
pub const MAX_ALLOCATED_QUEUE: usize = 1 << 24;

/// How to build an executor. Start from [`PoolConfig::new`] and adjust.
#[derive(Clone)]
pub struct PoolConfig {
    /// Workers (`fixed`, `dispatcher`, `tokio-workers`), the concurrency
    /// limit (`semaphore`, `tokio-semaphore`, `tokio-raw`, jobs in flight
    /// on `tokio-multiplex`) or the capacity (`elastic`).
    pub workers: usize,
    /// Jobs waiting for a worker (`fixed`, `dispatcher`, `tokio-workers`,
    /// `tokio-multiplex`).
    pub queue_capacity: usize,
    /// What `submit` does when the bound is reached.
    pub policy: OverloadPolicy,
    /// How long an idle `elastic` worker lives before it exits.
    pub idle_timeout: Duration,
    /// At most this many submitters blocked at once on `elastic`; one more
    /// is rejected as full. `None`: no cap.
    pub max_blocked_submitters: Option<usize>,
    /// Threads of the runtime a tokio strategy creates for itself (and
    /// `tokio-multiplex`'s driver tasks, one per thread).
    pub runtime_threads: usize,
    /// Called on the worker after a job panics.
    pub panic_handler: Option<PanicHandler>,
}

impl fmt::Debug for PoolConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolConfig")
            .field("workers", &self.workers)
            .field("queue_capacity", &self.queue_capacity)
            .field("policy", &self.policy)
            .field("idle_timeout", &self.idle_timeout)
            .field("max_blocked_submitters", &self.max_blocked_submitters)
            .field("runtime_threads", &self.runtime_threads)
            .field("panic_handler", &self.panic_handler.is_some())
            .finish()
    }
}

/// The number of CPUs this process may use (1 if unknown).
pub fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

impl PoolConfig {
    /// `workers` workers (or permits, or capacity), a queue of 1,024 jobs,
    /// the `Block` policy, one second of idle time before an elastic worker
    /// exits, no cap on blocked submitters, a runtime thread per core and
    /// no panic handler.
    pub fn new(workers: usize) -> Self {
        Self {
            workers,
            queue_capacity: 1024,
            policy: OverloadPolicy::Block,
            idle_timeout: Duration::from_secs(1),
            max_blocked_submitters: None,
            runtime_threads: available_cores(),
            panic_handler: None,
        }
    }

    /// Sets the queue capacity. `fixed` and `dispatcher` allocate their
    /// queue's slots up front (about 32 bytes each), and accept at most
    /// [`MAX_ALLOCATED_QUEUE`].
    pub fn queue_capacity(mut self, capacity: usize) -> Self {
        self.queue_capacity = capacity;
        self
    }

    /// Sets the overload policy.
    pub fn policy(mut self, policy: OverloadPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets how long an idle elastic worker lives.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Caps the submitters blocked at once (elastic).
    pub fn max_blocked_submitters(mut self, cap: usize) -> Self {
        self.max_blocked_submitters = Some(cap);
        self
    }

    /// Sets the runtime threads of a tokio strategy.
    pub fn runtime_threads(mut self, threads: usize) -> Self {
        self.runtime_threads = threads;
        self
    }

    /// Sets the panic handler.
    pub fn panic_handler(
        mut self,
        handler: impl Fn(&JobPanic<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.panic_handler = Some(std::sync::Arc::new(handler));
        self
    }

    /// Refuses zero workers.
    pub(crate) fn require_workers(&self, strategy: &'static str) -> Result<(), ConfigError> {
        if self.workers == 0 {
            return Err(ConfigError::ZeroWorkers { strategy });
        }
        Ok(())
    }

    /// Refuses a zero queue.
    pub(crate) fn require_queue(&self, strategy: &'static str) -> Result<(), ConfigError> {
        if self.queue_capacity == 0 {
            return Err(ConfigError::ZeroQueueCapacity { strategy });
        }
        Ok(())
    }

    /// Refuses a queue too large to allocate up front (`fixed` and
    /// `dispatcher`, whose queue is a ring of `queue_capacity` slots).
    pub(crate) fn require_allocatable_queue(
        &self,
        strategy: &'static str,
    ) -> Result<(), ConfigError> {
        if self.queue_capacity > MAX_ALLOCATED_QUEUE {
            return Err(ConfigError::QueueTooLarge {
                strategy,
                max: MAX_ALLOCATED_QUEUE,
            });
        }
        Ok(())
    }

    /// Refuses a policy that needs a queue on a strategy without one.
    pub(crate) fn require_queueless_policy(
        &self,
        strategy: &'static str,
    ) -> Result<(), ConfigError> {
        if self.policy.needs_queue() {
            return Err(ConfigError::UnsupportedPolicy {
                strategy,
                policy: self.policy.name(),
            });
        }
        Ok(())
    }
}

/// A configuration a strategy cannot honour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// `workers` was zero.
    ZeroWorkers {
        /// The strategy being built.
        strategy: &'static str,
    },
    /// `queue_capacity` was zero.
    ZeroQueueCapacity {
        /// The strategy being built.
        strategy: &'static str,
    },
    /// `queue_capacity` was larger than the strategy allocates up front.
    QueueTooLarge {
        /// The strategy being built.
        strategy: &'static str,
        /// The largest capacity it accepts.
        max: usize,
    },
    /// The strategy has no queue for this policy to act on.
    UnsupportedPolicy {
        /// The strategy being built.
        strategy: &'static str,
        /// The policy's name.
        policy: &'static str,
    },
    /// The strategy cannot change its size at run time.
    ResizeUnsupported {
        /// The strategy asked to resize.
        strategy: &'static str,
    },
    /// No strategy has this name.
    UnknownStrategy {
        /// The name asked for.
        name: String,
    },
    /// The executor's threads or runtime could not be started.
    Startup {
        /// The strategy being built.
        strategy: &'static str,
        /// What the operating system or the runtime builder said.
        message: String,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::ZeroWorkers { strategy } => {
                write!(f, "{strategy}: workers must be at least 1")
            }
            ConfigError::ZeroQueueCapacity { strategy } => write!(
                f,
                "{strategy}: queue_capacity must be at least 1 (for a direct hand-off with no queue, use `dispatcher` or `elastic`)"
            ),
            ConfigError::QueueTooLarge { strategy, max } => write!(
                f,
                "{strategy}: queue_capacity must be at most {max} (its queue's slots are allocated up front, like a Go buffered channel's; for an unbounded backlog use `elastic` or `unbounded`)"
            ),
            ConfigError::UnsupportedPolicy { strategy, policy } => write!(
                f,
                "{strategy}: policy `{policy}` needs a queue and {strategy} has none; allowed: block, fail-fast, block-timeout, discard, caller-runs"
            ),
            ConfigError::ResizeUnsupported { strategy } => {
                write!(f, "{strategy}: cannot be resized at run time (only `elastic` can)")
            }
            ConfigError::UnknownStrategy { name } => write!(
                f,
                "unknown strategy `{name}`; known: {}",
                super::registry::names().join(", ")
            ),
            ConfigError::Startup { strategy, message } => {
                write!(f, "{strategy}: could not start: {message}")
            }
        }
    }
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    /// The operating system refused a worker thread while building.
    pub(crate) fn thread_refused(strategy: &'static str) -> Self {
        ConfigError::Startup {
            strategy,
            message: "the operating system refused to start a worker thread".into(),
        }
    }
}
