//! A whole map behind one lock: the body of `mutex` and `rwlock`, and of
//! each shard of `sharded`.
//!
//! The variants differ only in the lock, so the cache is written once,
//! generic over [`MapLock`], and each variant is the lock it plugs in. A
//! refresh and a `get_many` each take the lock once, which is what makes
//! these variants promise untorn refreshes. Plug in your own lock by
//! implementing [`MapLock`] for it.

use std::collections::HashMap;
use std::hash::Hash;

use super::{Cache, RefreshMode};

/// A lock that guards one whole `HashMap`.
pub trait MapLock: Send + Sync {
    /// The map's key type.
    type Key;
    /// The map's value type.
    type Value;

    /// The name of the cache built on this lock, as used in scenario files.
    const NAME: &'static str;

    /// An unlocked lock around `map`.
    fn new(map: HashMap<Self::Key, Self::Value>) -> Self;

    /// Runs `f` with the map locked for reading.
    fn read<R>(&self, f: impl FnOnce(&HashMap<Self::Key, Self::Value>) -> R) -> R;

    /// Runs `f` with the map locked for writing.
    fn write<R>(&self, f: impl FnOnce(&mut HashMap<Self::Key, Self::Value>) -> R) -> R;
}

/// A cache made of one map behind one lock of type `L`. Use it through
/// [`MutexCache`](super::MutexCache) and [`RwLockCache`](super::RwLockCache).
#[derive(Debug)]
pub struct LockedCache<L> {
    lock: L,
}

impl<L: MapLock> LockedCache<L> {
    /// An empty cache.
    pub fn new() -> Self {
        Self {
            lock: L::new(HashMap::new()),
        }
    }
}

impl<L: MapLock> Default for LockedCache<L> {
    fn default() -> Self {
        Self::new()
    }
}

impl<L> Cache<L::Key, L::Value> for LockedCache<L>
where
    L: MapLock,
    L::Key: Hash + Eq,
    L::Value: Clone,
{
    fn name(&self) -> &'static str {
        L::NAME
    }

    fn get(&self, key: &L::Key) -> Option<L::Value> {
        self.lock.read(|map| map.get(key).cloned())
    }

    fn get_many(&self, keys: &[L::Key]) -> Vec<Option<L::Value>> {
        self.lock
            .read(|map| keys.iter().map(|key| map.get(key).cloned()).collect())
    }

    fn insert(&self, key: L::Key, value: L::Value) -> Option<L::Value> {
        self.lock.write(|map| map.insert(key, value))
    }

    fn remove(&self, key: &L::Key) -> Option<L::Value> {
        self.lock.write(|map| map.remove(key))
    }

    fn refresh(&self, batch: Vec<(L::Key, L::Value)>, mode: RefreshMode) {
        self.lock.write(|map| mode.apply(map, batch));
    }

    fn len(&self) -> usize {
        self.lock.read(HashMap::len)
    }

    fn atomic_refresh(&self) -> bool {
        true
    }
}
