//! The cache machine (`contend_tests::cache_machine`) on every variant:
//! random operation sequences against a `HashMap`, then refreshes racing
//! readers. `PROPTEST_CASES` sets the cases per variant (default 256).
#![cfg(not(any(loom, feature = "shuttle")))]

use contend_strategies::cache::{
    DashMapCache, MutexCache, PapayaCache, RwLockCache, ShardedCache, SnapshotCache,
};
use contend_tests::cache_machine::{self, Case, Op};

fn sharded() -> ShardedCache<u64, u64> {
    ShardedCache::new(4).expect("four shards")
}

#[test]
fn every_cache_variant_survives_random_operations_and_refreshes() {
    let cases = cache_machine::check_cache(MutexCache::new)
        + cache_machine::check_cache(RwLockCache::new)
        + cache_machine::check_cache(sharded)
        + cache_machine::check_cache(SnapshotCache::new)
        + cache_machine::check_cache(DashMapCache::new)
        + cache_machine::check_cache(PapayaCache::new);
    println!("contend-gate: proptest cache suite: {cases} cases");
}

#[test]
fn a_regression_case_replays_from_its_printed_form() {
    // The form a failure prints, kept as a regression test.
    cache_machine::replay(
        SnapshotCache::new,
        &Case {
            ops: vec![
                Op::Insert(1, 5),
                Op::Replace(vec![(2, 7)]),
                Op::Get(1),
                Op::Merge(vec![(1, 3)]),
                Op::Remove(2),
            ],
            versions: 5,
            readers: 2,
        },
    );
}
