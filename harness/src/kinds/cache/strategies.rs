//! The cache variants a scenario may name, and how each is built.

use contend_strategies::cache::{
    Cache, DashMapCache, MutexCache, PapayaCache, RwLockCache, ShardedCache, SnapshotCache,
};

use crate::kinds::StrategyParams;

/// The cache variants a scenario may name, with one line each.
pub const STRATEGIES: [(&str, &str); 6] = [
    ("mutex", "one mutex around the map, readers included"),
    (
        "rwlock",
        "one read-write lock: readers share it, a refresh blocks them all",
    ),
    (
        "sharded",
        "read-write-locked shards (`shards`); refreshes not atomic",
    ),
    (
        "snapshot",
        "an immutable map swapped atomically: readers never block",
    ),
    (
        "dashmap",
        "the dashmap crate (sharded locks); refreshes not atomic",
    ),
    (
        "papaya",
        "the papaya crate (lock-free); refreshes not atomic",
    ),
];

/// The names of [`STRATEGIES`].
pub const NAMES: [&str; 6] = [
    STRATEGIES[0].0,
    STRATEGIES[1].0,
    STRATEGIES[2].0,
    STRATEGIES[3].0,
    STRATEGIES[4].0,
    STRATEGIES[5].0,
];

/// A cache of the variant `name`, empty.
pub fn build(name: &str, params: &StrategyParams) -> Result<Box<dyn Cache<u64, u64>>, String> {
    Ok(match name {
        "mutex" => Box::new(MutexCache::<u64, u64>::new()),
        "rwlock" => Box::new(RwLockCache::<u64, u64>::new()),
        "sharded" => Box::new(ShardedCache::new(params.shards).map_err(|e| e.to_string())?),
        "snapshot" => Box::new(SnapshotCache::new()),
        "dashmap" => Box::new(DashMapCache::new()),
        "papaya" => Box::new(PapayaCache::new()),
        other => {
            return Err(format!(
                "unknown cache strategy `{other}`; allowed: {}",
                NAMES.join(", ")
            ))
        }
    })
}
