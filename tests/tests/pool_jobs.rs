//! Jobs themselves: async work on thread strategies, and a rejected or
//! handed-back job keeps its work intact.
#![cfg(not(any(loom, feature = "shuttle")))]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use contend_strategies::pool::{Job, PoolConfig, ShutdownMode};
use contend_tests::all_strategies;

#[test]
fn every_strategy_drives_async_jobs_to_completion() {
    for case in all_strategies() {
        let pool = case.build(PoolConfig::new(2));
        let done = Arc::new(AtomicUsize::new(0));
        for _ in 0..20 {
            let done = Arc::clone(&done);
            let job = Job::from_future(async move {
                // A future that yields once before finishing.
                let mut yielded = false;
                std::future::poll_fn(|cx| {
                    if yielded {
                        std::task::Poll::Ready(())
                    } else {
                        yielded = true;
                        cx.waker().wake_by_ref();
                        std::task::Poll::Pending
                    }
                })
                .await;
                done.fetch_add(1, Ordering::SeqCst);
            });
            assert!(job.is_async());
            pool.submit(job).unwrap();
        }
        assert_eq!(
            pool.shutdown(ShutdownMode::DRAIN).completed,
            20,
            "{}",
            case.name
        );
        assert_eq!(done.load(Ordering::SeqCst), 20, "{}", case.name);
    }
}

#[test]
fn a_job_run_by_hand_propagates_its_panic() {
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = std::panic::catch_unwind(|| Job::new(|| panic!("by hand")).run());
    assert!(outcome.is_err());
}
