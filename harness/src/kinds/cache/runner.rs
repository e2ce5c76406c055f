//! A `cache` cell, in the child process: reader threads run the op mix
//! against one [`Cache`] while a writer refreshes a batch of keys
//! periodically; then the books.
//!
//! Values are versions. The cache starts with every key at version 0; the
//! writer's refresh number `v` sets keys `0..refresh_keys` to `v` in one
//! [`Cache::refresh`] (merge). A `get_many` over refreshed keys that sees
//! two versions (or a missing refreshed key) saw a half-applied refresh:
//! a *torn read*. Variants whose [`Cache::atomic_refresh`] is true promise
//! none, so one fails the books; for the others torn reads are a metric.
//! Readers' single-key inserts and removes use the keys above the
//! refreshed ones, so they never disturb the versions. After the run
//! every refreshed key must hold the last version (no refresh lost).

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use contend_strategies::cache::{Cache, RefreshMode};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::books::CacheBooks;
use super::strategies::build;
use super::workload::CacheWorkload;
use crate::kinds::measure::{finish, with_progress, Measured, Probes};
use crate::kinds::CellSpec;
use crate::record::{Collector, Metric};
use crate::results::{Books, Repetition, Status};

/// Whether a `get_many` over refreshed keys saw one refresh: every key
/// present, every version the same.
pub fn untorn(values: &[Option<u64>]) -> bool {
    match values.first() {
        None => true,
        Some(None) => false,
        Some(first) => values.iter().all(|v| v == first),
    }
}

/// What one reader did.
#[derive(Default)]
struct ReaderTally {
    ops: u64,
    get_many: u64,
    torn: u64,
}

/// Runs one repetition of a cache cell.
pub fn run(spec: &CellSpec, workload: &CacheWorkload, stop: &AtomicBool) -> Repetition {
    let probes = Probes::start();
    let cache = match build(&spec.strategy, &spec.params) {
        Ok(cache) => cache,
        Err(message) => {
            return Repetition::failed(Status::Crashed {
                message: format!("could not build: {message}"),
            })
        }
    };
    let cache: &dyn Cache<u64, u64> = cache.as_ref();
    cache.refresh(
        (0..workload.keys).map(|k| (k, 0)).collect(),
        RefreshMode::Merge,
    );
    let collector = Collector::new();
    let progress = AtomicU64::new(0);
    let readers_done = AtomicBool::new(false);
    let started = Instant::now();
    let deadline = workload.duration.map(|d| started + d);
    let (tallies, refreshes) =
        with_progress(spec.progress, &|| progress.load(Ordering::Relaxed), || {
            std::thread::scope(|scope| {
                let writer = scope.spawn(|| {
                    let refreshes = writer(cache, workload, &collector, &readers_done, stop);
                    collector.flush_thread();
                    refreshes
                });
                let readers: Vec<_> = (0..spec.params.readers as u64)
                    .map(|index| {
                        let (collector, progress) = (&collector, &progress);
                        scope.spawn(move || {
                            let tally =
                                reader(cache, workload, index, deadline, collector, progress, stop);
                            collector.flush_thread();
                            tally
                        })
                    })
                    .collect();
                let tallies: Vec<ReaderTally> = readers
                    .into_iter()
                    .map(|r| r.join().expect("a reader never panics"))
                    .collect();
                readers_done.store(true, Ordering::Relaxed);
                (tallies, writer.join().expect("the writer never panics"))
            })
        });
    probes.sample();
    let wall = started.elapsed();
    let refreshed: Vec<u64> = (0..workload.refresh_keys).collect();
    let stale_keys = cache
        .get_many(&refreshed)
        .iter()
        .filter(|v| **v != Some(refreshes))
        .count() as u64;
    let histograms = collector.finish();
    let recorded = [Metric::Read, Metric::Write, Metric::Refresh]
        .iter()
        .map(|m| histograms.get(*m).len())
        .sum();
    let books = CacheBooks {
        reader_ops: tallies.iter().map(|t| t.ops).sum(),
        get_many: tallies.iter().map(|t| t.get_many).sum(),
        refreshes,
        torn_reads: tallies.iter().map(|t| t.torn).sum(),
        atomic_refresh: cache.atomic_refresh(),
        stale_keys,
        recorded,
    };
    finish(
        probes,
        Measured {
            wall,
            done: books.reader_ops,
            books: Books::of(&books),
            interrupted: stop.load(Ordering::Relaxed),
            histograms,
        },
    )
}

/// The periodic writer: a refresh now, then one every `refresh_every`
/// until the readers are done. Returns the refreshes applied (the last
/// version).
fn writer(
    cache: &dyn Cache<u64, u64>,
    workload: &CacheWorkload,
    collector: &Collector,
    readers_done: &AtomicBool,
    stop: &AtomicBool,
) -> u64 {
    let mut version = 0;
    while !readers_done.load(Ordering::Relaxed) && !stop.load(Ordering::Relaxed) {
        version += 1;
        let batch: Vec<(u64, u64)> = (0..workload.refresh_keys).map(|k| (k, version)).collect();
        let begun = Instant::now();
        cache.refresh(batch, RefreshMode::Merge);
        collector.record(Metric::Refresh, begun.elapsed().as_nanos() as u64);
        let next = Instant::now() + workload.refresh_every;
        while !readers_done.load(Ordering::Relaxed) && !stop.load(Ordering::Relaxed) {
            let now = Instant::now();
            if now >= next {
                break;
            }
            std::thread::sleep((next - now).min(Duration::from_millis(20)));
        }
    }
    version
}

/// One reader: the op mix, back to back, each operation timed.
fn reader(
    cache: &dyn Cache<u64, u64>,
    workload: &CacheWorkload,
    index: u64,
    deadline: Option<Instant>,
    collector: &Collector,
    progress: &AtomicU64,
    stop: &AtomicBool,
) -> ReaderTally {
    let mut rng = StdRng::seed_from_u64(workload.seed.wrapping_add(index));
    let mix = workload.mix;
    let (get, get_many, insert) = (
        mix.get,
        mix.get + mix.get_many,
        mix.get + mix.get_many + mix.insert,
    );
    let stride = (workload.refresh_keys / workload.read_batch as u64).max(1);
    let mut batch = vec![0u64; workload.read_batch];
    let ops = workload.ops.unwrap_or(u64::MAX);
    let mut tally = ReaderTally::default();
    while tally.ops < ops {
        if tally.ops % 256 == 0 {
            if stop.load(Ordering::Relaxed) || deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
            if tally.ops > 0 {
                progress.fetch_add(256, Ordering::Relaxed);
            }
        }
        let draw = rng.random_range(0..100);
        if draw < get {
            let key = rng.random_range(0..workload.keys);
            let begun = Instant::now();
            black_box(cache.get(&key));
            collector.record(Metric::Read, begun.elapsed().as_nanos() as u64);
        } else if draw < get_many {
            let offset = rng.random_range(0..workload.refresh_keys);
            for (i, key) in batch.iter_mut().enumerate() {
                *key = (offset + i as u64 * stride) % workload.refresh_keys;
            }
            let begun = Instant::now();
            let values = cache.get_many(&batch);
            collector.record(Metric::Read, begun.elapsed().as_nanos() as u64);
            tally.get_many += 1;
            if !untorn(&values) {
                tally.torn += 1;
            }
        } else {
            let key = rng.random_range(workload.refresh_keys..workload.keys);
            let begun = Instant::now();
            if draw < insert {
                black_box(cache.insert(key, u64::MAX));
            } else {
                black_box(cache.remove(&key));
            }
            collector.record(Metric::Write, begun.elapsed().as_nanos() as u64);
        }
        tally.ops += 1;
    }
    tally
}
