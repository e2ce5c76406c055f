//! `rwlock`: the map behind one read-write lock, the textbook fix for a
//! read-mostly map. Readers share the lock; a writer, a refresh included,
//! waits for every reader to leave and then blocks all of them.

use std::collections::HashMap;

use super::{LockedCache, MapLock};
use crate::sync::RwLock;

/// The cache whose map sits behind one [`RwLock`]: readers share it,
/// writers take it alone.
///
/// Promises untorn refreshes (a refresh and a `get_many` each hold the
/// lock once). Hand-written on the [`sync`](crate::sync) facade, so it is
/// model-checked under loom. Whether a stream of readers can starve the
/// writer depends on the platform's lock (std's is writer-preferring on
/// Linux).
///
/// ```
/// use contend_strategies::cache::{Cache, RefreshMode, RwLockCache};
///
/// let cache = RwLockCache::new();
/// cache.refresh((0..100_u64).map(|job| (job, 0_u8)).collect(), RefreshMode::Replace);
/// assert_eq!(cache.len(), 100);
/// assert_eq!(cache.remove(&7), Some(0));
/// assert_eq!(cache.get(&7), None);
/// ```
pub type RwLockCache<K, V> = LockedCache<RwLock<HashMap<K, V>>>;

impl<K: Send + Sync, V: Send + Sync> MapLock for RwLock<HashMap<K, V>> {
    type Key = K;
    type Value = V;

    const NAME: &'static str = "rwlock";

    fn new(map: HashMap<K, V>) -> Self {
        RwLock::new(map)
    }

    fn read<R>(&self, f: impl FnOnce(&HashMap<K, V>) -> R) -> R {
        f(&self.read())
    }

    fn write<R>(&self, f: impl FnOnce(&mut HashMap<K, V>) -> R) -> R {
        f(&mut self.write())
    }
}
