//! Loom models of the counters: two threads adding at once lose nothing.

use contend_strategies::counter::{AtomicCounter, Counter, MutexCounter};
use contend_strategies::sync::{thread, Arc};

use super::{Model, NamedModel};

/// Two threads each add 1 then 2: the total is 6 in every interleaving.
pub fn two_threads_lose_no_increment<C: Counter + 'static>(make: fn() -> C) -> Model {
    Box::new(move || {
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
        crate::watchdog::joined("other thread", other.join());
        assert_eq!(counter.get(), 6, "an addition was lost");
    })
}

/// The counter models on both counters.
pub fn suite() -> Vec<NamedModel> {
    vec![
        NamedModel::new(
            "atomic counter: two adders",
            two_threads_lose_no_increment(AtomicCounter::new),
        ),
        NamedModel::new(
            "mutex counter: two adders",
            two_threads_lose_no_increment(MutexCounter::new),
        ),
    ]
}
