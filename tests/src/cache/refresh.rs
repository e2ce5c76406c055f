//! The refresh invariants, checked with versioned values: a writer
//! refreshes every key to version 1, then 2, …, while readers read.
//!
//! - In every variant, a key present in both the old map and the batch
//!   never vanishes, and a reader never sees a key's version go back.
//! - In the variants that promise it ([`Cache::atomic_refresh`]), one
//!   `get_many` of every key sees one version: never part of a refresh.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Barrier;
use std::thread;

use contend_strategies::cache::{Cache, RefreshMode};

use super::Variant;
use crate::support::{within_deadline, Rng};

/// The size of one race between a refreshing writer and its readers.
#[derive(Clone, Copy, Debug)]
pub(super) struct Race {
    /// Keys `0..keys`, all refreshed each time.
    pub(super) keys: u64,
    /// Refreshes, to versions `1..=versions`.
    pub(super) versions: u64,
    /// Reader threads.
    pub(super) readers: usize,
}

const RACE: Race = Race {
    keys: 64,
    versions: 300,
    readers: 3,
};

/// Runs one race on a fresh cache: every key starts at version 0, the
/// writer refreshes (alternating `Merge` and `Replace`) while each reader
/// calls `read` until the writer is done, then once more. Each reader has
/// its own slice of the last version it saw per key, and its own `Rng`.
pub(super) fn race<C: Variant>(
    cache: &C,
    race: Race,
    read: impl Fn(&C, &[u64], &mut [u64], &mut Rng) + Sync,
) {
    let keys: Vec<u64> = (0..race.keys).collect();
    let versioned = |version: u64| keys.iter().map(|&key| (key, version)).collect();
    cache.refresh(versioned(0), RefreshMode::Replace);
    let start = Barrier::new(race.readers + 1);
    let done = AtomicBool::new(false);
    thread::scope(|scope| {
        let mut readers = Vec::new();
        for reader in 0..race.readers {
            let (start, done, keys, read) = (&start, &done, &keys, &read);
            readers.push(scope.spawn(move || {
                let mut seen = vec![0; keys.len()];
                let mut rng = Rng::new(reader as u64);
                start.wait();
                while !done.load(Ordering::SeqCst) {
                    read(cache, keys, &mut seen, &mut rng);
                }
                read(cache, keys, &mut seen, &mut rng);
            }));
        }
        start.wait();
        for version in 1..=race.versions {
            let mode = if version % 2 == 0 {
                RefreshMode::Replace
            } else {
                RefreshMode::Merge
            };
            cache.refresh(versioned(version), mode);
        }
        done.store(true, Ordering::SeqCst);
        // Joined here, so that a reader's broken invariant is the failure's
        // message rather than "a scoped thread panicked".
        for (index, reader) in readers.into_iter().enumerate() {
            crate::watchdog::joined(&format!("reader {index}"), reader.join());
        }
    });
    let last = vec![Some(race.versions); keys.len()];
    assert_eq!(
        cache.get_many(&keys),
        last,
        "{}: after the last refresh",
        cache.name()
    );
}

/// The reader of [`keys_never_vanish_or_go_back_during_refreshes`]: one
/// random key, present, and not older than last time.
pub(super) fn read_one_key<C: Cache<u64, u64>>(
    cache: &C,
    keys: &[u64],
    seen: &mut [u64],
    rng: &mut Rng,
) {
    let key = keys[rng.index(keys.len())];
    let version = cache
        .get(&key)
        .unwrap_or_else(|| panic!("{}: key {key} vanished during a refresh", cache.name()));
    let last = &mut seen[key as usize];
    assert!(
        version >= *last,
        "{}: key {key} went back from version {last} to {version}",
        cache.name()
    );
    *last = version;
}

/// The reader of [`a_refresh_is_never_seen_half_applied`]: every key in
/// one `get_many`, all at one version, not older than last time.
pub(super) fn read_all_keys<C: Cache<u64, u64>>(
    cache: &C,
    keys: &[u64],
    seen: &mut [u64],
    _rng: &mut Rng,
) {
    let values = cache.get_many(keys);
    let first = values[0].unwrap_or_else(|| panic!("{}: key 0 vanished", cache.name()));
    if values.iter().any(|&value| value != Some(first)) {
        let mut versions: Vec<Option<u64>> = values.clone();
        versions.sort();
        versions.dedup();
        panic!(
            "{}: a refresh was seen half-applied: one get_many saw versions {versions:?}",
            cache.name()
        );
    }
    assert!(first >= seen[0], "{}: went back in time", cache.name());
    seen[0] = first;
}

/// Readers of single keys never miss a key that every refresh keeps, nor
/// see its version go back. Holds for every variant.
pub fn keys_never_vanish_or_go_back_during_refreshes<C: Variant>(make: fn() -> C) {
    within_deadline("refresh race", move || race(&make(), RACE, read_one_key));
}

/// A `get_many` of every key never sees a refresh half-applied. For the
/// variants that promise it; fails at once for one that does not claim to.
pub fn a_refresh_is_never_seen_half_applied<C: Variant>(make: fn() -> C) {
    let cache = make();
    assert!(
        cache.atomic_refresh(),
        "{} does not promise untorn refreshes",
        cache.name()
    );
    within_deadline("refresh race", move || race(&cache, RACE, read_all_keys));
}
