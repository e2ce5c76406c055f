//! Loom models of the pool family's hard interleavings. Run with
//! `RUSTFLAGS="--cfg loom" cargo test -p contend-tests --profile loom --test loom_pool`.
#![cfg(loom)]

use contend_strategies::pool::{Executor, Fixed, Job, PoolConfig, RejectReason, ShutdownMode};
use contend_strategies::sync::atomic::{AtomicUsize, Ordering};
use contend_strategies::sync::{thread, Arc};

/// Explores `model` under loom with the preemption bound of
/// `LOOM_MAX_PREEMPTIONS` (default 2) and prints the interleavings seen.
fn explore(name: &str, model: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(2);
    }
    let iterations = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&iterations);
    builder.check(move || {
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        model();
    });
    println!(
        "{name}: {} interleavings explored",
        iterations.load(std::sync::atomic::Ordering::Relaxed)
    );
}

#[test]
fn fixed_submit_racing_a_drain_shutdown_never_loses_the_job() {
    explore("fixed submit vs drain", || {
        let pool = Arc::new(Fixed::new(PoolConfig::new(1).queue_capacity(1)).unwrap());
        let ran = Arc::new(AtomicUsize::new(0));
        let submitter = {
            let (pool, ran) = (Arc::clone(&pool), Arc::clone(&ran));
            thread::spawn(move || {
                let job = Job::new(move || {
                    ran.fetch_add(1, Ordering::SeqCst);
                });
                pool.submit(job).map_err(|rejected| rejected.reason())
            })
        };
        let report = pool.shutdown(ShutdownMode::DRAIN);
        let outcome = submitter.join().unwrap();
        match outcome {
            Ok(_) => {
                // Accepted: drained or, if accepted after the drain's wait,
                // impossible: the queue was closed first.
                let report = pool.shutdown(ShutdownMode::DRAIN);
                assert_eq!(ran.load(Ordering::SeqCst), 1);
                assert_eq!(report.completed, 1);
            }
            Err(reason) => {
                assert_eq!(reason, RejectReason::Closed);
                assert_eq!(ran.load(Ordering::SeqCst), 0);
                assert_eq!(report.completed, 0);
            }
        }
    });
}
