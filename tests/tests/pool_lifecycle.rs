//! Shutdown and the books, on every built-in strategy: the library's
//! lifecycle suite (`contend_tests::pool_suites::lifecycle`, which holds
//! jobs at an async gate, so it runs on the tokio strategies too), plus
//! what the built-ins promise beyond the `Executor` contract: dropping one
//! without a shutdown still runs its jobs.
#![cfg(not(any(loom, feature = "shuttle")))]

use contend_strategies::pool::PoolConfig;
use contend_tests::{all_strategies, eventually, pool_suites, Probe};

mod support;

#[test]
fn the_lifecycle_suite_passes_on_every_built_in_strategy() {
    support::check_every_builtin(&pool_suites::lifecycle::SUITE);
}

/// Documented by the built-ins (a dropped executor drains), not by the
/// `Executor` contract: a user's executor may drop its queue with itself.
#[test]
fn dropping_a_pool_without_shutdown_still_runs_its_queued_jobs() {
    for case in all_strategies() {
        let pool = case.build(PoolConfig::new(2).queue_capacity(100));
        let probe = Probe::new();
        for _ in 0..100 {
            pool.submit(probe.job(|| {})).unwrap();
        }
        drop(pool);
        eventually(
            &format!("{}: dropped pool finished its jobs", case.name),
            || probe.ran() == 100,
        );
    }
}
