//! `snapshot`: an immutable map, replaced whole. Readers take the current
//! map (an `Arc` clone, without ever blocking) and read it at leisure;
//! writers copy it, change the copy and swap it in (copy-on-write), one
//! writer at a time. A reader therefore always sees one whole map: never
//! a half-applied refresh, never a lock held by a writer.
//!
//! Each reader thread keeps its own copy of the current `Arc` and reloads
//! it only after a write (see the `local` module of the source), so a read
//! normally writes nothing that another thread reads: readers on
//! different cores do not slow each other down.
//!
//! The cost is on the write side: every insert or remove copies the whole
//! map, O(n). That is the right trade for the periodic refresher of a
//! read-mostly cache, whose refresh builds a new map anyway, and the wrong
//! one for a map with frequent single-key writes.

use std::collections::HashMap;
use std::hash::Hash;

use super::local::Local;
use super::swap::SwapArc;
use super::{Cache, RefreshMode};
use crate::sync::Arc;

/// The cache whose readers read an immutable snapshot, swapped atomically
/// by writers.
///
/// Readers never block: they neither take a lock nor wait for a writer.
/// Each reader thread reads its own copy of the current map, which it
/// reloads (counting itself in with a compare-and-swap; see the `swap`
/// module of the source) only when a write has happened since; so each
/// thread that reads keeps the map it read last alive until it reads
/// again. Keys and values must be `'static`. Promises untorn refreshes:
/// [`get_many`](Cache::get_many) reads one snapshot, and
/// [`SnapshotCache::snapshot`] hands the whole snapshot out. Hand-written
/// on the [`sync`](crate::sync) facade, so it is model-checked under loom.
///
/// ```
/// use contend_strategies::cache::{Cache, RefreshMode, SnapshotCache};
///
/// let cache = SnapshotCache::new();
/// cache.refresh(vec![("a", 1), ("b", 1)], RefreshMode::Replace);
/// let before = cache.snapshot();
/// cache.refresh(vec![("a", 2), ("b", 2)], RefreshMode::Replace);
/// // The old snapshot is unchanged: readers holding it are never torn.
/// assert_eq!((before["a"], before["b"]), (1, 1));
/// assert_eq!(cache.get_many(&["a", "b"]), [Some(2), Some(2)]);
/// ```
pub struct SnapshotCache<K, V> {
    current: SwapArc<HashMap<K, V>>,
    /// Each reader thread's copy of `current`.
    local: Local<HashMap<K, V>>,
}

impl<K, V> SnapshotCache<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    /// An empty cache.
    pub fn new() -> Self {
        Self {
            current: SwapArc::new(HashMap::new()),
            local: Local::new(),
        }
    }

    /// The current map: a consistent view that stays valid (and
    /// unchanged) for as long as it is held. Never blocks.
    pub fn snapshot(&self) -> Arc<HashMap<K, V>> {
        self.current.load()
    }

    /// Runs `f` on the current map (this thread's copy of it). Never blocks.
    fn read<R>(&self, f: impl FnOnce(&HashMap<K, V>) -> R) -> R {
        self.local.read(&self.current, f)
    }

    /// Replaces the map with `f` applied to a copy of it, unless `f`
    /// decides (by returning `false`) that nothing changes.
    fn write<R>(&self, f: impl FnOnce(&mut HashMap<K, V>) -> (bool, R)) -> R {
        self.current.update(|map| {
            let mut next = HashMap::clone(map);
            let (changed, result) = f(&mut next);
            (changed.then(|| Arc::new(next)), result)
        })
    }
}

impl<K, V> Default for SnapshotCache<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    fn default() -> Self {
        Self::new()
    }
}

impl<K, V> std::fmt::Debug for SnapshotCache<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnapshotCache").finish_non_exhaustive()
    }
}

impl<K, V> Cache<K, V> for SnapshotCache<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    fn name(&self) -> &'static str {
        "snapshot"
    }

    fn get(&self, key: &K) -> Option<V> {
        self.read(|map| map.get(key).cloned())
    }

    fn get_many(&self, keys: &[K]) -> Vec<Option<V>> {
        self.read(|map| keys.iter().map(|key| map.get(key).cloned()).collect())
    }

    fn insert(&self, key: K, value: V) -> Option<V> {
        self.write(|map| (true, map.insert(key, value)))
    }

    fn remove(&self, key: &K) -> Option<V> {
        if !self.read(|map| map.contains_key(key)) {
            return None;
        }
        self.write(|map| {
            let removed = map.remove(key);
            (removed.is_some(), removed)
        })
    }

    fn refresh(&self, batch: Vec<(K, V)>, mode: RefreshMode) {
        self.current.update(|map| {
            let mut next = match mode {
                RefreshMode::Replace => HashMap::with_capacity(batch.len()),
                RefreshMode::Merge => HashMap::clone(map),
            };
            mode.apply(&mut next, batch);
            (Some(Arc::new(next)), ())
        });
    }

    fn len(&self) -> usize {
        self.read(HashMap::len)
    }

    fn atomic_refresh(&self) -> bool {
        true
    }
}
