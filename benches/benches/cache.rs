//! Read-mostly caches: contend's variants against the maps people would
//! use directly, under operation mixes, key skew, thread counts and a
//! periodic bulk refresh.
//!
//! # Ids
//!
//! `cache/<workload>/<variant>/t<T>`: group `cache/<workload>`, function
//! the variant, parameter the number of worker threads `T`. On disk:
//! `target/criterion/cache_<workload>/<variant>/t<T>/new/estimates.json`.
//! One iteration is one operation on each worker thread, so `slope` is
//! the time in which every worker does one operation, and the throughput
//! criterion prints counts the operations of all workers (ops per second).
//!
//! Workloads (percent read/insert/remove/get_many, then the key
//! distribution):
//!
//! | group | mix | keys | threads |
//! |---|---|---|---|
//! | `cache/read-only-uniform` | 100/0/0/0 | uniform | 1, 2, 8 |
//! | `cache/read-only-zipf` | 100/0/0/0 | zipf | 2 |
//! | `cache/98-1-1-uniform` | 98/1/1/0 | uniform | 1, 2, 8 |
//! | `cache/98-1-1-zipf` | 98/1/1/0 | zipf | 2 |
//! | `cache/94-2-3-1-uniform`, `…-zipf` | 94/2/3/1 | both | 2 |
//! | `cache/10-40-40-10-uniform`, `…-zipf` | 10/40/40/10 | both | 2 |
//! | `cache/periodic-refresh` | readers only, uniform, plus one writer | | 2, 8 |
//!
//! 8 threads on the 2-core machine is the 4× oversubscription case.
//! The fourth operation is `get_many` of 8 keys: the consistent
//! multi-key read that the untorn-refresh promise is about (a handler
//! reading several entries of one view). The bulk `refresh` is the
//! writer's operation and has its own workload, `periodic-refresh`: the
//! workers only read while one extra thread replaces the whole map (all
//! 10,000 keys, new values) every 10 ms; its `t2` is the "2 threads with
//! a periodic writer" of issue 6's snapshot target.
//!
//! Variants: `mutex`, `rwlock`, `sharded` (16 shards), `snapshot`
//! (contend's, through the `Cache` trait) and, used directly,
//! `raw-rwlock-hashmap` (`std::sync::RwLock<HashMap>`; its refresh builds
//! the new map outside the lock and swaps it in under the write lock, as
//! a careful user would), `raw-dashmap` and `raw-papaya` (refresh:
//! upsert every key; the key set never changes, so that equals a
//! replace). Every map uses std's default hasher.
//!
//! # Method
//!
//! The map starts with keys 0..10,000 (value = key). Each worker walks its
//! own precomputed sequence of 16,384 (operation, key) pairs, so no random
//! number is drawn in the timed loop. Inserts and removes draw from the
//! same keys, so a mixed workload settles during warm-up at its
//! insert/remove equilibrium (half the keys present for 1/1, 40% for
//! 2/3). The workers are a persistent [`Crew`], released together per
//! sample.

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::thread;
use std::time::Duration;

use contend_benches::config;
use contend_benches::crew::{Crew, Job};
use contend_benches::keys::KeyDist;
use contend_benches::mix::{Mix, Op, OpKind, GET_MANY};
use contend_strategies::cache::{
    Cache, MutexCache, RefreshMode, RwLockCache, ShardedCache, SnapshotCache,
};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// Keys in the map.
const KEYS: u64 = 10_000;
/// Operations in each worker's sequence.
const SEQUENCE: usize = 1 << 14;
/// Shards of `sharded`.
const SHARDS: usize = 16;
/// How often the periodic writer refreshes the whole map.
const REFRESH_PERIOD: Duration = Duration::from_millis(10);
/// The largest number of workers.
const MAX_THREADS: usize = 8;

const READ_ONLY: Mix = Mix::new("read-only", 100, 0, 0, 0);
const MOSTLY_READS: Mix = Mix::new("98-1-1", 98, 1, 1, 0);
const SOME_WRITES: Mix = Mix::new("94-2-3-1", 94, 2, 3, 1);
const WRITE_HEAVY: Mix = Mix::new("10-40-40-10", 10, 40, 40, 10);

/// A map as the bench drives it.
trait Map: Send + Sync {
    fn get(&self, key: u64) -> Option<u64>;
    fn insert(&self, key: u64, value: u64);
    fn remove(&self, key: u64);
    /// The sum of the values found, from one view where the map has one.
    fn get_many(&self, keys: &[u64]) -> u64;
    /// Replaces the whole map with `batch`.
    fn refresh(&self, batch: Vec<(u64, u64)>);
}

/// One of contend's caches, through the `Cache` trait.
struct Ours<C>(C);

impl<C: Cache<u64, u64>> Map for Ours<C> {
    fn get(&self, key: u64) -> Option<u64> {
        self.0.get(&key)
    }

    fn insert(&self, key: u64, value: u64) {
        self.0.insert(key, value);
    }

    fn remove(&self, key: u64) {
        self.0.remove(&key);
    }

    fn get_many(&self, keys: &[u64]) -> u64 {
        self.0.get_many(keys).into_iter().flatten().sum()
    }

    fn refresh(&self, batch: Vec<(u64, u64)>) {
        self.0.refresh(batch, RefreshMode::Replace);
    }
}

impl Map for RwLock<HashMap<u64, u64>> {
    fn get(&self, key: u64) -> Option<u64> {
        self.read().unwrap().get(&key).copied()
    }

    fn insert(&self, key: u64, value: u64) {
        self.write().unwrap().insert(key, value);
    }

    fn remove(&self, key: u64) {
        self.write().unwrap().remove(&key);
    }

    fn get_many(&self, keys: &[u64]) -> u64 {
        let map = self.read().unwrap();
        keys.iter().filter_map(|key| map.get(key)).sum()
    }

    fn refresh(&self, batch: Vec<(u64, u64)>) {
        let next: HashMap<u64, u64> = batch.into_iter().collect();
        let previous = std::mem::replace(&mut *self.write().unwrap(), next);
        drop(previous); // freed outside the lock
    }
}

impl Map for dashmap::DashMap<u64, u64> {
    fn get(&self, key: u64) -> Option<u64> {
        dashmap::DashMap::get(self, &key).map(|entry| *entry)
    }

    fn insert(&self, key: u64, value: u64) {
        dashmap::DashMap::insert(self, key, value);
    }

    fn remove(&self, key: u64) {
        dashmap::DashMap::remove(self, &key);
    }

    fn get_many(&self, keys: &[u64]) -> u64 {
        keys.iter().filter_map(|key| Map::get(self, *key)).sum()
    }

    fn refresh(&self, batch: Vec<(u64, u64)>) {
        for (key, value) in batch {
            dashmap::DashMap::insert(self, key, value);
        }
    }
}

impl Map for papaya::HashMap<u64, u64> {
    fn get(&self, key: u64) -> Option<u64> {
        self.pin().get(&key).copied()
    }

    fn insert(&self, key: u64, value: u64) {
        self.pin().insert(key, value);
    }

    fn remove(&self, key: u64) {
        self.pin().remove(&key);
    }

    fn get_many(&self, keys: &[u64]) -> u64 {
        let map = self.pin();
        keys.iter().filter_map(|key| map.get(key)).sum()
    }

    fn refresh(&self, batch: Vec<(u64, u64)>) {
        let map = self.pin();
        for (key, value) in batch {
            map.insert(key, value);
        }
    }
}

/// A variant: its id and how to build an empty one.
type Variant = (&'static str, fn() -> Arc<dyn Map>);

/// Every variant, in id order.
const VARIANTS: [Variant; 7] = [
    ("mutex", || Arc::new(Ours(MutexCache::new()))),
    ("rwlock", || Arc::new(Ours(RwLockCache::new()))),
    ("sharded", || {
        Arc::new(Ours(ShardedCache::new(SHARDS).expect("at least one shard")))
    }),
    ("snapshot", || Arc::new(Ours(SnapshotCache::new()))),
    ("raw-rwlock-hashmap", || {
        Arc::new(RwLock::new(HashMap::<u64, u64>::new()))
    }),
    ("raw-dashmap", || {
        Arc::new(dashmap::DashMap::<u64, u64>::new())
    }),
    (
        "raw-papaya",
        || Arc::new(papaya::HashMap::<u64, u64>::new()),
    ),
];

/// A map of `variant` holding every key.
fn filled(variant: &Variant) -> Arc<dyn Map> {
    let map = (variant.1)();
    map.refresh((0..KEYS).map(|key| (key, key)).collect());
    map
}

/// Runs `iters` operations of `ops` (wrapping) on `map`.
fn run(map: &dyn Map, ops: &[Op], iters: u64) -> u64 {
    let mask = ops.len() - 1;
    let mut seen = 0_u64;
    for i in 0..iters as usize {
        let op = ops[i & mask];
        match op.kind {
            OpKind::Read => seen += map.get(op.key).unwrap_or(0),
            OpKind::Insert => map.insert(op.key, op.key),
            OpKind::Remove => map.remove(op.key),
            OpKind::GetMany => {
                let keys: [u64; GET_MANY] = std::array::from_fn(|j| ops[(i + j) & mask].key);
                seen += map.get_many(&keys);
            }
        }
    }
    seen
}

/// Times `threads` workers each running `iters` operations of its own
/// sequence.
fn time_workers(
    crew: &Crew,
    map: &Arc<dyn Map>,
    sequences: &[Arc<Vec<Op>>],
    threads: usize,
    iters: u64,
) -> Duration {
    let jobs: Vec<Job> = sequences[..threads]
        .iter()
        .map(|ops| {
            let map = Arc::clone(map);
            let ops = Arc::clone(ops);
            Box::new(move || {
                black_box(run(&*map, &ops, iters));
            }) as Job
        })
        .collect();
    crew.time(jobs, || ()).0
}

/// The per-worker sequences of a mix (worker `t` seeded with `t`).
fn sequences(mix: &Mix, dist: KeyDist) -> Vec<Arc<Vec<Op>>> {
    (0..MAX_THREADS as u64)
        .map(|seed| Arc::new(mix.sequence(dist, KEYS, SEQUENCE, seed)))
        .collect()
}

/// One workload group: `mix` under `dist` at each thread count.
fn mix_group(c: &mut Criterion, crew: &Crew, mix: &Mix, dist: KeyDist, threads: &[usize]) {
    let sequences = sequences(mix, dist);
    let mut group = c.benchmark_group(format!("cache/{}-{}", mix.name, dist.name()));
    for &threads in threads {
        group.throughput(Throughput::Elements(threads as u64));
        for variant in &VARIANTS {
            let map = filled(variant);
            group.bench_function(BenchmarkId::new(variant.0, format!("t{threads}")), |b| {
                b.iter_custom(|iters| time_workers(crew, &map, &sequences, threads, iters));
            });
        }
    }
    group.finish();
}

/// A thread that replaces the whole map every [`REFRESH_PERIOD`] until dropped.
struct PeriodicWriter {
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl PeriodicWriter {
    fn start(map: Arc<dyn Map>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = thread::spawn(move || {
            let mut generation = 0;
            while !stopped.load(Ordering::Relaxed) {
                thread::sleep(REFRESH_PERIOD);
                generation += 1;
                map.refresh((0..KEYS).map(|key| (key, key + generation)).collect());
            }
        });
        Self {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for PeriodicWriter {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.join().expect("the writer does not panic");
        }
    }
}

/// Readers reading while one writer refreshes the whole map periodically.
fn periodic_refresh(c: &mut Criterion, crew: &Crew) {
    let sequences = sequences(&READ_ONLY, KeyDist::Uniform);
    let mut group = c.benchmark_group("cache/periodic-refresh");
    for threads in [2, 8] {
        group.throughput(Throughput::Elements(threads as u64));
        for variant in &VARIANTS {
            let map = filled(variant);
            let _writer = PeriodicWriter::start(Arc::clone(&map));
            group.bench_function(BenchmarkId::new(variant.0, format!("t{threads}")), |b| {
                b.iter_custom(|iters| time_workers(crew, &map, &sequences, threads, iters));
            });
        }
    }
    group.finish();
}

fn cache(c: &mut Criterion) {
    let crew = Crew::new(MAX_THREADS);
    periodic_refresh(c, &crew);
    for mix in [READ_ONLY, MOSTLY_READS] {
        mix_group(c, &crew, &mix, KeyDist::Uniform, &[1, 2, 8]);
        mix_group(c, &crew, &mix, KeyDist::Zipf, &[2]);
    }
    for mix in [SOME_WRITES, WRITE_HEAVY] {
        for dist in [KeyDist::Uniform, KeyDist::Zipf] {
            mix_group(c, &crew, &mix, dist, &[2]);
        }
    }
}

criterion_group! {
    name = benches;
    config = config::criterion();
    targets = cache
}
criterion_main!(benches);
