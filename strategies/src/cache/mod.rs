//! Read-mostly caches: a map read by many threads, refreshed by a writer.
//!
//! The pattern is the progress cache of a service: request handlers read
//! it on every request, a periodic refresher replaces (or merges) a whole
//! batch of entries, and now and then a single entry is inserted or
//! removed. In Go the naive version is a plain map written while it is
//! read, a data race; the fixes are a mutex, a read-write lock, shards,
//! or an immutable snapshot swapped atomically. Each is here, behind one
//! [`Cache`] trait, with the maps people reach for instead.
//!
//! # Choosing a variant
//!
//! | variant | readers | a write | untorn refresh | pick it when |
//! |---|---|---|---|---|
//! | [`MutexCache`] | one at a time | blocks everyone | yes | few threads, or writes about as frequent as reads; the simplest to trust |
//! | [`RwLockCache`] | share the lock | blocks every reader | yes | a high read share and more than a few readers |
//! | [`ShardedCache`] | share a shard | blocks one shard | no | many threads and frequent single-key writes: contention is divided by the shard count |
//! | [`SnapshotCache`] | never block | copies the whole map | yes | read-mostly with rare, batched writes (the periodic refresh) and many readers |
//! | `DashMapCache` | sharded locks | blocks one shard | no | a general concurrent map for single-key operations |
//! | `PapayaCache` | lock-free | lock-free | no | read-heavy single-key access from many threads |
//!
//! The size of a refresh matters as much as the read share: `mutex` and
//! `rwlock` apply a refresh under the one write lock, so every reader
//! waits for the whole batch; `sharded` stalls one shard at a time;
//! `snapshot` builds the next map aside while readers keep reading the
//! current one, which makes it the only variant whose readers are
//! untouched by a large refresh, and the most expensive for a single
//! insert into a large map (O(n) copy).
//!
//! # Torn refreshes
//!
//! A reader sees a *torn* refresh when it observes some entries of a batch
//! and not others. Variants whose [`Cache::atomic_refresh`] is `true`
//! promise that [`Cache::get_many`] never does: `mutex` and `rwlock`
//! apply the batch and read the keys under one lock, `snapshot` swaps
//! whole maps and reads one snapshot. **`sharded`, `dashmap` and `papaya`
//! do not promise it**: they apply a batch key by key (or shard by shard),
//! and a concurrent `get_many` may see any mix of old and new values.
//! Single-key reads are never torn in any variant.
//!
//! The adapters (`DashMapCache`, `PapayaCache`) are built on their
//! libraries' own primitives: they are load-tested but cannot be
//! model-checked with loom, and are left out under `--cfg loom`.

#[cfg(all(not(loom), feature = "third-party"))]
mod dashmap;
mod local;
mod locked;
mod mutex;
#[cfg(all(not(loom), feature = "third-party"))]
mod papaya;
mod rwlock;
mod sharded;
mod snapshot;
mod swap;

use std::collections::HashMap;
use std::hash::Hash;

#[cfg(all(not(loom), feature = "third-party"))]
pub use self::dashmap::DashMapCache;
#[cfg(all(not(loom), feature = "third-party"))]
pub use self::papaya::PapayaCache;
pub use locked::{LockedCache, MapLock};
pub use mutex::MutexCache;
pub use rwlock::RwLockCache;
pub use sharded::{ShardCountError, ShardedCache};
pub use snapshot::SnapshotCache;

/// How [`Cache::refresh`] combines a batch with the current entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RefreshMode {
    /// The cache holds exactly the batch afterwards.
    Replace,
    /// The batch's entries are inserted (overwriting); others are kept.
    Merge,
}

impl RefreshMode {
    /// Applies `batch` to `map` in place (later duplicates win).
    pub(crate) fn apply<K: Hash + Eq, V>(self, map: &mut HashMap<K, V>, batch: Vec<(K, V)>) {
        if self == RefreshMode::Replace {
            map.clear();
        }
        map.extend(batch);
    }

    /// Applies `batch` to a map with no whole-map lock: every entry is
    /// upserted, then (for `Replace`) the keys not in the batch are
    /// retained out. A concurrent reader may see any mix of old and new
    /// values, but never misses a key that is in both the old map and the
    /// batch.
    #[cfg(all(not(loom), feature = "third-party"))]
    pub(crate) fn apply_in_place<K: Hash + Eq + Clone, V>(
        self,
        batch: Vec<(K, V)>,
        mut upsert: impl FnMut(K, V),
        retain: impl FnOnce(&dyn Fn(&K) -> bool),
    ) {
        let keep: Option<std::collections::HashSet<K>> = (self == RefreshMode::Replace)
            .then(|| batch.iter().map(|(key, _)| key.clone()).collect());
        for (key, value) in batch {
            upsert(key, value);
        }
        if let Some(keep) = keep {
            retain(&|key| keep.contains(key));
        }
    }
}

/// A concurrent map for read-mostly use.
///
/// Implement it for your own map and contend's tests and load tests
/// drive it exactly as they drive the built-in variants. Every method is
/// linearizable per key; the trait is object-safe.
pub trait Cache<K, V>: Send + Sync {
    /// The variant's name, as used in scenario files.
    fn name(&self) -> &'static str;

    /// A copy of the value for `key`.
    fn get(&self, key: &K) -> Option<V>;

    /// The values for several keys. If [`Cache::atomic_refresh`] is true,
    /// they come from one consistent view: never partly before and partly
    /// after a refresh. Otherwise (the default) key by key.
    fn get_many(&self, keys: &[K]) -> Vec<Option<V>> {
        keys.iter().map(|key| self.get(key)).collect()
    }

    /// Inserts or overwrites; returns the previous value.
    fn insert(&self, key: K, value: V) -> Option<V>;

    /// Removes `key`; returns its value.
    fn remove(&self, key: &K) -> Option<V>;

    /// Applies a whole batch of entries (see [`RefreshMode`]); the
    /// periodic refresher's write. Later duplicates in `batch` win.
    fn refresh(&self, batch: Vec<(K, V)>, mode: RefreshMode);

    /// The number of entries.
    fn len(&self) -> usize;

    /// Whether the cache has no entries.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether readers never see a half-applied [`Cache::refresh`]
    /// through [`Cache::get_many`] (see the module docs). `false` unless
    /// a variant promises it.
    fn atomic_refresh(&self) -> bool {
        false
    }
}
