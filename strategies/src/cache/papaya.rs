//! `papaya`: an adapter for `papaya::HashMap`, a lock-free map whose
//! readers never block and which reclaims memory with epochs (`seize`).
//! It suits read-heavy single-key access from many threads.
//!
//! A refresh is applied key by key (see `RefreshMode::apply_in_place`), so
//! readers can see it half-applied. Built on papaya's own atomics:
//! load-tested, never model-checked.

use std::hash::Hash;

use super::{Cache, RefreshMode};

/// The cache on [`papaya::HashMap`](::papaya::HashMap).
///
/// Does **not** promise untorn refreshes. Cannot be model-checked with
/// loom (not built under `--cfg loom`).
///
/// ```
/// use contend_strategies::cache::{Cache, PapayaCache};
///
/// let cache = PapayaCache::new();
/// assert_eq!(cache.insert("progress", 10), None);
/// assert_eq!(cache.insert("progress", 20), Some(10));
/// assert_eq!(cache.get(&"progress"), Some(20));
/// ```
pub struct PapayaCache<K, V> {
    map: ::papaya::HashMap<K, V>,
}

impl<K, V> PapayaCache<K, V> {
    /// An empty cache.
    pub fn new() -> Self {
        Self {
            map: ::papaya::HashMap::new(),
        }
    }
}

impl<K, V> Default for PapayaCache<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K, V> std::fmt::Debug for PapayaCache<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PapayaCache").finish_non_exhaustive()
    }
}

impl<K, V> Cache<K, V> for PapayaCache<K, V>
where
    K: Hash + Eq + Clone + Send + Sync,
    V: Clone + Send + Sync,
{
    fn name(&self) -> &'static str {
        "papaya"
    }

    fn get(&self, key: &K) -> Option<V> {
        self.map.pin().get(key).cloned()
    }

    fn insert(&self, key: K, value: V) -> Option<V> {
        self.map.pin().insert(key, value).cloned()
    }

    fn remove(&self, key: &K) -> Option<V> {
        self.map.pin().remove(key).cloned()
    }

    fn refresh(&self, batch: Vec<(K, V)>, mode: RefreshMode) {
        let map = self.map.pin();
        mode.apply_in_place(
            batch,
            |key, value| {
                map.insert(key, value);
            },
            |keep| map.retain(|key, _| keep(key)),
        );
    }

    fn len(&self) -> usize {
        self.map.len()
    }
}
