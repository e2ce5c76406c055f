//! loom models of the counters: two threads adding at once lose nothing.
//! Run with `RUSTFLAGS="--cfg loom" cargo test -p contend-tests --release --test loom_counter`.
#![cfg(loom)]

use contend_strategies::counter::{AtomicCounter, Counter, MutexCounter};
use contend_strategies::sync::Arc;
use contend_tests::support::loom_model;
use loom::thread;

fn two_threads_lose_no_increment<C: Counter + 'static>(name: &str, make: fn() -> C) {
    loom_model(name, move || {
        let counter = Arc::new(make());
        let other = {
            let counter = Arc::clone(&counter);
            thread::spawn(move || {
                counter.increment();
                counter.add(2);
            })
        };
        counter.increment();
        counter.add(2);
        other.join().unwrap();
        assert_eq!(counter.get(), 6);
    });
}

#[test]
fn atomic_counter_loses_no_increment() {
    two_threads_lose_no_increment("atomic", AtomicCounter::new);
}

#[test]
fn mutex_counter_loses_no_increment() {
    two_threads_lose_no_increment("mutex", MutexCounter::new);
}
