//! `dashmap`: an adapter for `DashMap`, the concurrent map most Rust code
//! reaches for. Inside, it is `sharded`: read-write-locked shards chosen
//! by hash, tuned and with a richer entry API.
//!
//! A refresh is applied key by key (see `RefreshMode::apply_in_place`), so
//! readers can see it half-applied. Built on dashmap's own locks:
//! load-tested, never model-checked.

use std::hash::Hash;

use ::dashmap::DashMap;

use super::{Cache, RefreshMode};

/// The cache on [`DashMap`](::dashmap::DashMap).
///
/// Does **not** promise untorn refreshes. Cannot be model-checked with
/// loom (not built under `--cfg loom`).
///
/// ```
/// use contend_strategies::cache::{Cache, DashMapCache, RefreshMode};
///
/// let cache = DashMapCache::new();
/// cache.refresh(vec![(1, "one"), (2, "two")], RefreshMode::Replace);
/// cache.refresh(vec![(2, "deux")], RefreshMode::Replace);
/// assert_eq!(cache.get_many(&[1, 2]), [None, Some("deux")]);
/// ```
#[derive(Debug, Default)]
pub struct DashMapCache<K: Hash + Eq, V> {
    map: DashMap<K, V>,
}

impl<K: Hash + Eq, V> DashMapCache<K, V> {
    /// An empty cache.
    pub fn new() -> Self {
        Self {
            map: DashMap::new(),
        }
    }
}

impl<K, V> Cache<K, V> for DashMapCache<K, V>
where
    K: Hash + Eq + Clone + Send + Sync,
    V: Clone + Send + Sync,
{
    fn name(&self) -> &'static str {
        "dashmap"
    }

    fn get(&self, key: &K) -> Option<V> {
        self.map.get(key).map(|entry| entry.value().clone())
    }

    fn insert(&self, key: K, value: V) -> Option<V> {
        self.map.insert(key, value)
    }

    fn remove(&self, key: &K) -> Option<V> {
        self.map.remove(key).map(|(_, value)| value)
    }

    fn refresh(&self, batch: Vec<(K, V)>, mode: RefreshMode) {
        mode.apply_in_place(
            batch,
            |key, value| {
                self.map.insert(key, value);
            },
            |keep| self.map.retain(|key, _| keep(key)),
        );
    }

    fn len(&self) -> usize {
        self.map.len()
    }
}
