//! loom models of the hand-written caches: a refresh racing a reader
//! (never torn; for `snapshot`, also no data race on its slots) and two
//! writers racing (no lost update). Run with
//! `RUSTFLAGS="--cfg loom" cargo test -p contend-tests --release --test loom_cache`.
#![cfg(loom)]

use contend_strategies::cache::{Cache, MutexCache, RefreshMode, RwLockCache, SnapshotCache};
use contend_strategies::sync::Arc;
use contend_tests::support::loom_model;
use loom::thread;

/// A writer refreshes keys 0 and 1 to version 1, then 2, while a reader
/// reads both twice: each read sees one version, never going back.
fn refresh_races_reads<C: Cache<u64, u64> + 'static>(name: &str, make: fn() -> C) {
    loom_model(name, move || {
        let cache = Arc::new(make());
        cache.refresh(vec![(0, 0), (1, 0)], RefreshMode::Replace);
        let writer = {
            let cache = Arc::clone(&cache);
            thread::spawn(move || {
                cache.refresh(vec![(0, 1), (1, 1)], RefreshMode::Merge);
                cache.refresh(vec![(0, 2), (1, 2)], RefreshMode::Replace);
            })
        };
        let mut last = 0;
        for _ in 0..2 {
            let values = cache.get_many(&[0, 1]);
            assert_eq!(values[0], values[1], "torn: {values:?}");
            let version = values[0].expect("present");
            assert!(version >= last, "went back from {last} to {version}");
            last = version;
        }
        writer.join().unwrap();
        assert_eq!(cache.get_many(&[0, 1]), [Some(2), Some(2)]);
    });
}

#[test]
fn a_snapshot_refresh_racing_reads_is_never_torn() {
    refresh_races_reads("snapshot", SnapshotCache::new);
}

#[test]
fn an_rwlock_refresh_racing_reads_is_never_torn() {
    refresh_races_reads("rwlock", RwLockCache::new);
}

#[test]
fn a_mutex_refresh_racing_reads_is_never_torn() {
    refresh_races_reads("mutex", MutexCache::new);
}

#[test]
fn snapshot_writers_racing_lose_no_update() {
    loom_model("snapshot writers", || {
        let cache = Arc::new(SnapshotCache::<u64, u64>::new());
        let other = {
            let cache = Arc::clone(&cache);
            thread::spawn(move || cache.insert(1, 10))
        };
        cache.insert(2, 20);
        assert_eq!(other.join().unwrap(), None);
        assert_eq!(cache.get_many(&[1, 2]), [Some(10), Some(20)]);
    });
}
