//! `mutex`: the map behind one mutex, readers included. Every access is
//! serialised, so nothing is simpler to trust, and nothing scales less
//! with the number of readers.

use std::collections::HashMap;

use super::{LockedCache, MapLock};
use crate::sync::Mutex;

/// The cache whose map sits behind one [`Mutex`]: readers wait for each
/// other and for writers.
///
/// Promises untorn refreshes (a refresh and a `get_many` each hold the
/// lock once). Hand-written on the [`sync`](crate::sync) facade, so it is
/// model-checked under loom.
///
/// ```
/// use contend_strategies::cache::{Cache, MutexCache, RefreshMode};
///
/// let cache = MutexCache::new();
/// cache.insert("requests", 1);
/// cache.refresh(vec![("requests", 2), ("errors", 0)], RefreshMode::Merge);
/// assert_eq!(cache.get_many(&["requests", "errors"]), [Some(2), Some(0)]);
/// assert!(cache.atomic_refresh());
/// ```
pub type MutexCache<K, V> = LockedCache<Mutex<HashMap<K, V>>>;

impl<K: Send, V: Send> MapLock for Mutex<HashMap<K, V>> {
    type Key = K;
    type Value = V;

    const NAME: &'static str = "mutex";

    fn new(map: HashMap<K, V>) -> Self {
        Mutex::new(map)
    }

    fn read<R>(&self, f: impl FnOnce(&HashMap<K, V>) -> R) -> R {
        f(&self.lock())
    }

    fn write<R>(&self, f: impl FnOnce(&mut HashMap<K, V>) -> R) -> R {
        f(&mut self.lock())
    }
}
