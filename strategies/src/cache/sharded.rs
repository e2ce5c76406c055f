//! `sharded`: N read-write-locked maps, a key's hash picking its shard.
//! Threads working on different shards never meet, so contention falls
//! with the shard count; this is how `dashmap` and Java's old
//! `ConcurrentHashMap` are built.
//!
//! The price is the whole-map view: a refresh is applied shard by shard
//! and `get_many` reads shard by shard, so a reader can see one shard
//! refreshed and another not. Locking every shard would restore the
//! promise and give back the contention the shards removed.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hash};

use super::{Cache, RefreshMode, RwLockCache};

/// A sharded cache was asked for zero shards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShardCountError;

impl fmt::Display for ShardCountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cache `sharded` needs at least 1 shard; got 0 (allowed: 1 or more)")
    }
}

impl std::error::Error for ShardCountError {}

/// A cache split into shards, each a [`RwLockCache`].
///
/// Does **not** promise untorn refreshes: a concurrent
/// [`get_many`](Cache::get_many) may see a refresh applied to some shards
/// and not yet to others. Hand-written on the [`sync`](crate::sync)
/// facade, so it is model-checked under loom.
///
/// ```
/// use contend_strategies::cache::{Cache, ShardedCache};
///
/// assert!(ShardedCache::<u64, u64>::new(0).is_err());
///
/// let cache = ShardedCache::new(16).unwrap();
/// for key in 0..1_000_u64 {
///     cache.insert(key, key * 2);
/// }
/// assert_eq!(cache.get(&21), Some(42));
/// assert_eq!(cache.len(), 1_000);
/// assert!(!cache.atomic_refresh());
/// ```
pub struct ShardedCache<K, V> {
    shards: Box<[RwLockCache<K, V>]>,
    hasher: RandomState,
}

impl<K, V> ShardedCache<K, V>
where
    K: Hash + Eq + Send + Sync,
    V: Clone + Send + Sync,
{
    /// An empty cache of `shards` shards (at least 1).
    pub fn new(shards: usize) -> Result<Self, ShardCountError> {
        if shards == 0 {
            return Err(ShardCountError);
        }
        Ok(Self {
            shards: (0..shards).map(|_| RwLockCache::new()).collect(),
            hasher: RandomState::new(),
        })
    }

    /// The number of shards.
    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    fn shard_index(&self, key: &K) -> usize {
        // The remainder is below the shard count, so it fits in a usize.
        (self.hasher.hash_one(key) % self.shards.len() as u64) as usize
    }

    fn shard(&self, key: &K) -> &RwLockCache<K, V> {
        &self.shards[self.shard_index(key)]
    }
}

impl<K, V> fmt::Debug for ShardedCache<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShardedCache")
            .field("shards", &self.shards.len())
            .finish_non_exhaustive()
    }
}

impl<K, V> Cache<K, V> for ShardedCache<K, V>
where
    K: Hash + Eq + Send + Sync,
    V: Clone + Send + Sync,
{
    fn name(&self) -> &'static str {
        "sharded"
    }

    fn get(&self, key: &K) -> Option<V> {
        self.shard(key).get(key)
    }

    fn insert(&self, key: K, value: V) -> Option<V> {
        self.shard(&key).insert(key, value)
    }

    fn remove(&self, key: &K) -> Option<V> {
        self.shard(key).remove(key)
    }

    /// Applies the batch shard by shard: each shard's part atomically,
    /// the whole batch not.
    fn refresh(&self, batch: Vec<(K, V)>, mode: RefreshMode) {
        let mut parts: Vec<Vec<(K, V)>> = self.shards.iter().map(|_| Vec::new()).collect();
        for (key, value) in batch {
            parts[self.shard_index(&key)].push((key, value));
        }
        for (shard, part) in self.shards.iter().zip(parts) {
            shard.refresh(part, mode);
        }
    }

    fn len(&self) -> usize {
        self.shards.iter().map(|shard| shard.len()).sum()
    }
}
