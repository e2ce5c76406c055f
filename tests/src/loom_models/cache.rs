//! Loom models of the hand-written caches: a refresh racing a reader
//! (never torn; for `snapshot`, also no data race on its slots) and two
//! writers racing (no lost update, no unsynchronised write).

use contend_strategies::cache::{Cache, MutexCache, RefreshMode, RwLockCache, SnapshotCache};
use contend_strategies::sync::{thread, Arc};

use super::{Model, NamedModel};

/// Builds the cache under test inside a model: any closure.
pub type Make<C> = std::sync::Arc<dyn Fn() -> C + Send + Sync>;

/// A writer refreshes keys 0 and 1 to version 1, then 2, while a reader
/// reads both twice: each read sees one version, never going back.
pub fn refresh_races_reads<C: Cache<u64, u64> + 'static>(make: Make<C>) -> Model {
    Box::new(move || {
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
        crate::watchdog::joined("writer thread", writer.join());
        assert_eq!(cache.get_many(&[0, 1]), [Some(2), Some(2)]);
    })
}

/// Two writers insert different keys at once: both land.
pub fn writers_race<C: Cache<u64, u64> + 'static>(make: Make<C>) -> Model {
    Box::new(move || {
        let cache = Arc::new(make());
        let other = {
            let cache = Arc::clone(&cache);
            thread::spawn(move || cache.insert(1, 10))
        };
        cache.insert(2, 20);
        assert_eq!(crate::watchdog::joined("other thread", other.join()), None);
        assert_eq!(
            cache.get_many(&[1, 2]),
            [Some(10), Some(20)],
            "an update was lost"
        );
    })
}

/// The models a user's cache is held to, named `name: what`, from one
/// call: no lost write, and (if `atomic_refresh`, as
/// `Cache::atomic_refresh` says) no torn refresh.
pub fn variant_suite<C: Cache<u64, u64> + 'static>(
    name: &str,
    make: impl Fn() -> C + Send + Sync + 'static,
    atomic_refresh: bool,
) -> Vec<NamedModel> {
    let make: Make<C> = std::sync::Arc::new(make);
    let mut suite = vec![NamedModel::new(
        format!("{name}: writers racing"),
        writers_race(make.clone()),
    )];
    if atomic_refresh {
        suite.push(NamedModel::new(
            format!("{name}: refresh racing reads"),
            refresh_races_reads(make),
        ));
    }
    suite
}

/// The cache models on every variant that promises untorn refreshes.
pub fn suite() -> Vec<NamedModel> {
    vec![
        NamedModel::new(
            "snapshot cache: refresh racing reads",
            refresh_races_reads(std::sync::Arc::new(SnapshotCache::new)),
        ),
        NamedModel::new(
            "rwlock cache: refresh racing reads",
            refresh_races_reads(std::sync::Arc::new(RwLockCache::new)),
        ),
        NamedModel::new(
            "mutex cache: refresh racing reads",
            refresh_races_reads(std::sync::Arc::new(MutexCache::new)),
        ),
        NamedModel::new(
            "snapshot cache: writers racing",
            writers_race(std::sync::Arc::new(SnapshotCache::new)),
        ),
        NamedModel::new(
            "mutex cache: writers racing",
            writers_race(std::sync::Arc::new(MutexCache::new)),
        ),
    ]
}
