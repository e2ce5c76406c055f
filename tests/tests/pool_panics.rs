//! Panic isolation: a panicking job is counted and shown to the handler,
//! and its worker survives, so capacity is not lost.
#![cfg(not(any(loom, feature = "shuttle")))]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use contend_strategies::pool::{Job, PoolConfig, ShutdownMode};
use contend_tests::{thread_strategies, Gate, Probe};

const WORKERS: usize = 4;
const PANICS: usize = 1_000;

fn silence_panics() {
    // The expected panics would otherwise print a thousand messages.
    std::panic::set_hook(Box::new(|_| {}));
}

#[test]
fn a_thousand_panicking_jobs_leave_the_pool_at_full_strength() {
    silence_panics();
    for case in thread_strategies()
        .into_iter()
        .filter(|case| !case.runs_on_caller)
    {
        let seen = Arc::new(AtomicUsize::new(0));
        let messages = Arc::new(Mutex::new(Vec::new()));
        let config = {
            let seen = Arc::clone(&seen);
            let messages = Arc::clone(&messages);
            PoolConfig::new(WORKERS)
                .queue_capacity(64)
                .panic_handler(move |panic| {
                    seen.fetch_add(1, Ordering::SeqCst);
                    if let Some(message) = panic.message {
                        messages.lock().unwrap().push(message.to_owned());
                    }
                })
        };
        let pool = Arc::new(case.build(config));
        for i in 0..PANICS {
            pool.submit(Job::new(move || panic!("job {i} fails")))
                .unwrap();
        }
        // Full strength: WORKERS jobs that wait for each other all run at
        // once, which needs every worker (or permit) to be alive.
        let gate = Gate::new();
        let probe = Probe::new();
        let submitter = {
            let (pool, gate, probe) = (Arc::clone(&pool), gate.clone(), probe.clone());
            thread::spawn(move || {
                for _ in 0..WORKERS {
                    let gate = gate.clone();
                    pool.submit(probe.job(move || gate.pass())).unwrap();
                }
            })
        };
        gate.await_waiting(WORKERS);
        gate.open();
        submitter.join().unwrap();
        let report = pool.shutdown(ShutdownMode::DRAIN);
        let stats = pool.stats();
        assert_eq!(report.completed, PANICS + WORKERS, "{}", case.name);
        assert_eq!(stats.panicked, PANICS, "{}", case.name);
        assert_eq!(
            seen.load(Ordering::SeqCst),
            PANICS,
            "{}: handler saw each",
            case.name
        );
        assert_eq!(messages.lock().unwrap().len(), PANICS, "{}", case.name);
        assert!(messages.lock().unwrap().contains(&"job 7 fails".to_owned()));
        assert_eq!(probe.peak(), WORKERS, "{}", case.name);
        assert_eq!(stats.unaccounted(), 0, "{}", case.name);
    }
}

#[test]
fn serial_survives_a_panicking_job_and_counts_it() {
    silence_panics();
    let case = thread_strategies()
        .into_iter()
        .find(|case| case.runs_on_caller)
        .unwrap();
    let pool = case.build(PoolConfig::new(1));
    for _ in 0..10 {
        pool.submit(Job::new(|| panic!("boom"))).unwrap();
    }
    let probe = Probe::new();
    pool.submit(probe.job(|| {})).unwrap();
    assert_eq!(probe.ran(), 1);
    assert_eq!(pool.stats().panicked, 10);
    assert_eq!(pool.shutdown(ShutdownMode::DRAIN).completed, 11);
}
