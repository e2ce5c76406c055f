//! Real implementations of the classic ways to control concurrency, built
//! so that they can be model-checked with `loom` and load-tested side by
//! side.
//!
//! - [`pool`]: executors, from running jobs serially to elastic pools and
//!   tokio tasks, behind one [`Executor`](pool::Executor) trait.
//! - [`fanin`]: N producers merged into one consumer, the stream ending
//!   exactly when the last producer finishes, behind one [`fanin::FanIn`]
//!   trait.
//! - [`cache`]: read-mostly maps refreshed by a writer, from a mutex to
//!   snapshots whose readers never block, behind one [`cache::Cache`]
//!   trait.
//! - [`counter`]: the same statistic as an atomic and under a mutex.
//! - [`sync`]: the synchronisation facade every implementation is built
//!   on; `--cfg loom` swaps in loom's types.
//! - `mutants` (feature `mutants`): deliberately broken variants that the
//!   loom models and property tests must catch.
//!
//! # Which executor?
//!
//! Two questions decide most of it: how long is a job, and what does it
//! wait for?
//!
//! ## Long IO jobs: bound the concurrency, not the threads
//!
//! Ten thousand calls of 50 ms each take 500 s one after another; with 50
//! in flight they take about 10 s. The limit is the downstream's (its
//! connection pool, its rate limit), so bound the number in flight to it.
//! A thread per job is fine when jobs are few and long: use
//! [`Semaphore`](pool::Semaphore), or [`Elastic`](pool::Elastic) to keep
//! the threads between bursts and let them expire when the load goes.
//!
//! ```
//! use contend_strategies::pool::{Batch, Executor, PoolConfig, Semaphore, ShutdownMode};
//! use std::time::{Duration, Instant};
//!
//! // 200 "calls" of 5 ms, at most 50 at once: about 20 ms, not 1 s.
//! let pool = Semaphore::new(PoolConfig::new(50)).unwrap();
//! let batch = Batch::new();
//! let started = Instant::now();
//! for _ in 0..200 {
//!     batch.submit(&pool, || std::thread::sleep(Duration::from_millis(5))).unwrap();
//! }
//! let report = batch.wait(None);
//! assert_eq!(report.finished, 200);
//! println!("200 calls in {:?}", started.elapsed());
//! pool.shutdown(ShutdownMode::DRAIN);
//! ```
//!
//! With async IO, the same shape on tokio tasks (`TokioSemaphore`) costs a
//! task, not a thread, per call; `TokioMultiplex` costs not even a task
//! (N futures in flight on one driver task per runtime thread). Give
//! tokio strategies futures ([`Job::from_future`](pool::Job::from_future)):
//! a blocking closure holds one of the runtime's few threads while it
//! waits.
//!
//! ## Many tiny jobs: reuse the threads
//!
//! When a job takes microseconds, starting a thread for it costs more than
//! the job. [`Fixed`](pool::Fixed) starts its workers once and hands them
//! jobs through a bounded queue; a burst waits in the queue and the
//! [`OverloadPolicy`](pool::OverloadPolicy) says what happens when even
//! the queue is full.
//!
//! ```
//! use contend_strategies::pool::{Executor, Fixed, OverloadPolicy, PoolConfig, ShutdownMode};
//!
//! let pool = Fixed::new(
//!     PoolConfig::new(4).queue_capacity(1024).policy(OverloadPolicy::CallerRuns),
//! )
//! .unwrap();
//! for i in 0..100_000u64 {
//!     pool.execute(move || { std::hint::black_box(i * i); }).unwrap();
//! }
//! assert_eq!(pool.shutdown(ShutdownMode::DRAIN).completed, 100_000);
//! ```
//!
//! ## Sizing: CPU-bound vs IO-bound
//!
//! CPU-bound jobs keep a core busy for their whole run: more workers than
//! cores only adds switching, so use [`available_cores`](pool::available_cores).
//! IO-bound jobs mostly wait, so the count comes from Little's law:
//! workers ≈ arrival rate × job time (500 jobs/s × 50 ms = 25), capped by
//! what the downstream accepts.
//!
//! ```
//! use contend_strategies::pool::{available_cores, Fixed, PoolConfig, ShutdownMode, Executor};
//! use std::time::Duration;
//!
//! let cpu_pool = Fixed::new(PoolConfig::new(available_cores())).unwrap();
//!
//! let (rate_per_second, job_time) = (500.0, Duration::from_millis(50));
//! let io_workers = (rate_per_second * job_time.as_secs_f64()).ceil() as usize;
//! assert_eq!(io_workers, 25);
//! let io_pool = Fixed::new(PoolConfig::new(io_workers)).unwrap();
//!
//! cpu_pool.shutdown(ShutdownMode::DRAIN);
//! io_pool.shutdown(ShutdownMode::DRAIN);
//! ```
//!
//! ## Load that comes and goes: elastic
//!
//! [`Elastic`](pool::Elastic) starts workers only when jobs come, up to its
//! capacity, and lets idle ones expire, so an idle service holds no
//! threads; its capacity can be changed while it runs.
//!
//! ```
//! use contend_strategies::pool::{Elastic, Executor, OverloadPolicy, PoolConfig, ShutdownMode};
//! use std::time::Duration;
//!
//! let pool = Elastic::new(
//!     PoolConfig::new(8)
//!         .idle_timeout(Duration::from_millis(50))
//!         .policy(OverloadPolicy::FailFast), // ants' non-blocking mode
//! )
//! .unwrap();
//! pool.execute(|| {}).unwrap();
//! pool.resize(2).unwrap();
//! pool.shutdown(ShutdownMode::DRAIN);
//! ```
//!
//! The table in [`pool`] lists every strategy; each type's page has its
//! own example.
//!
//! # Fan-in
//!
//! Pick by how the producers end and where they run: [`fanin::DropClose`]
//! when each producer is a value that is dropped when done (the Rust
//! way), [`fanin::Closer`] for Go's WaitGroup-then-close, the adapters
//! (`TokioMpsc`, `Crossbeam`, `Flume`) to measure the libraries you would
//! otherwise use. Capacity 0 is a rendezvous (no producer runs ahead of
//! the consumer), a small buffer absorbs jitter, unbounded removes
//! back-pressure. Every variant hands back an item it could not send, and
//! can be cancelled without leaving anyone blocked.
//!
//! ```
//! use std::thread;
//! use contend_strategies::fanin::{Capacity, Consumer, DropClose, FanIn, Producer};
//!
//! let channel = DropClose.channel(2, Capacity::Bounded(4)).unwrap();
//! let mut consumer = channel.consumer;
//! thread::scope(|scope| {
//!     for producer in channel.producers {
//!         scope.spawn(move || (0..5).for_each(|n| producer.send(n).unwrap()));
//!     }
//!     assert_eq!(std::iter::from_fn(|| consumer.recv()).count(), 10);
//! });
//! ```
//!
//! # Cache
//!
//! Pick by read share, reader count and refresh size: [`cache::MutexCache`]
//! for few threads, [`cache::RwLockCache`] for many readers and small
//! refreshes, [`cache::ShardedCache`] for frequent single-key writes from
//! many threads, [`cache::SnapshotCache`] when readers must never wait,
//! even for a large refresh. `mutex`, `rwlock` and `snapshot` promise that
//! a reader never sees a half-applied refresh; `sharded` and the adapters
//! (`DashMapCache`, `PapayaCache`) do not.
//!
//! ```
//! use contend_strategies::cache::{Cache, RefreshMode, SnapshotCache};
//!
//! let progress = SnapshotCache::new();
//! progress.refresh(vec![("job-1", 40), ("job-2", 75)], RefreshMode::Replace);
//! assert_eq!(progress.get(&"job-2"), Some(75));
//! ```

#![deny(missing_docs)]

/// `true` where the named deliberately broken variant is switched on: only
/// ever with the `mutants` feature, and only while a test activates it.
/// Without the feature it is the constant `false`.
macro_rules! mutant {
    ($name:ident) => {{
        #[cfg(feature = "mutants")]
        let on = $crate::mutants::is_active($crate::mutants::Mutant::$name);
        #[cfg(not(feature = "mutants"))]
        let on = false;
        on
    }};
}

mod backoff;
pub mod cache;
pub mod counter;
pub mod fanin;
#[cfg(feature = "mutants")]
pub mod mutants;
mod padded;
pub mod pool;
pub mod sync;
