//! Real implementations of the classic ways to control concurrency, built
//! so that they can be model-checked with `loom` and load-tested side by
//! side.
//!
//! - [`pool`]: executors, from running jobs serially to elastic pools and
//!   tokio tasks, behind one [`pool::Executor`] trait.
//! - [`fanin`]: N producers merged into one consumer, the stream ending
//!   exactly when the last producer finishes, behind one [`fanin::FanIn`]
//!   trait.
//! - [`cache`]: read-mostly maps refreshed by a writer, from a mutex to
//!   snapshots whose readers never block, behind one [`cache::Cache`]
//!   trait.
//! - [`counter`]: the same statistic as an atomic and under a mutex.
//! - [`sync`]: the synchronisation facade every implementation is built
//!   on; `--cfg loom` swaps in loom's types.
//!
//! Start with the table in [`pool`] to choose a strategy.
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

pub mod cache;
pub mod counter;
pub mod fanin;
pub mod pool;
pub mod sync;
