//! `MapCache`: a read-mostly cache a user writes: one `HashMap` behind
//! one mutex of contend's sync facade, refreshed whole under that lock,
//! so it promises untorn refreshes (`atomic_refresh`).
//!
//! [`MapCache::key_by_key`] is the same cache with the bug such caches
//! ship with, kept here to show contend catching it: its refresh takes
//! the lock once per key (to keep readers waiting less) while it still
//! claims atomic refreshes, so a reader can see half a refresh.

use std::collections::HashMap;

use contend_strategies::cache::{Cache, RefreshMode};
use contend_strategies::sync::Mutex;

/// One map behind one lock.
#[derive(Default)]
pub struct MapCache {
    map: Mutex<HashMap<u64, u64>>,
    /// The bug: a refresh applied one key at a time.
    key_by_key: bool,
}

impl MapCache {
    /// The cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The cache with its refresh applied one key at a time, though it
    /// still claims untorn refreshes: the deliberate bug.
    pub fn key_by_key() -> Self {
        Self {
            key_by_key: true,
            ..Self::default()
        }
    }
}

impl Cache<u64, u64> for MapCache {
    fn name(&self) -> &'static str {
        if self.key_by_key {
            "map-cache-key-by-key"
        } else {
            "map-cache"
        }
    }

    fn get(&self, key: &u64) -> Option<u64> {
        self.map.lock().get(key).copied()
    }

    fn get_many(&self, keys: &[u64]) -> Vec<Option<u64>> {
        let map = self.map.lock();
        keys.iter().map(|key| map.get(key).copied()).collect()
    }

    fn insert(&self, key: u64, value: u64) -> Option<u64> {
        self.map.lock().insert(key, value)
    }

    fn remove(&self, key: &u64) -> Option<u64> {
        self.map.lock().remove(key)
    }

    fn refresh(&self, batch: Vec<(u64, u64)>, mode: RefreshMode) {
        if !self.key_by_key {
            let mut map = self.map.lock();
            if mode == RefreshMode::Replace {
                map.clear();
            }
            map.extend(batch);
            return;
        }
        if mode == RefreshMode::Replace {
            let keep: Vec<u64> = batch.iter().map(|(key, _)| *key).collect();
            self.map.lock().retain(|key, _| keep.contains(key));
        }
        for (key, value) in batch {
            self.map.lock().insert(key, value);
        }
    }

    fn len(&self) -> usize {
        self.map.lock().len()
    }

    fn atomic_refresh(&self) -> bool {
        true
    }
}
