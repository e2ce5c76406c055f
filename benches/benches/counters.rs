//! The in-house counters side by side: `AtomicCounter` (one `fetch_add`)
//! against `MutexCounter` (lock, add, unlock), each thread incrementing
//! the one shared counter.
//!
//! # Ids
//!
//! `counter/increment/<variant>/t<T>`: group `counter/increment`, function
//! `atomic` or `mutex`, parameter the thread count (1 or 2). On disk:
//! `target/criterion/counter_increment/<variant>/t<T>/new/estimates.json`.
//! One iteration is one increment per thread, so `slope` is the time in
//! which every thread increments once, and the throughput criterion
//! prints counts the increments of all threads.
//!
//! The threads are a persistent [`Crew`]: no thread is spawned inside a
//! measurement. With one thread the lock is never contended; with two on
//! two cores, every increment moves the counter's cache line between
//! cores, and the mutex also moves its lock word.

use std::sync::Arc;

use contend_benches::config;
use contend_benches::crew::{Crew, Job};
use contend_strategies::counter::{AtomicCounter, Counter, MutexCounter};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// The thread counts measured.
const THREADS: [usize; 2] = [1, 2];

fn measure(c: &mut Criterion, crew: &Crew, make: fn() -> Arc<dyn Counter>) {
    let mut group = c.benchmark_group("counter/increment");
    for threads in THREADS {
        let counter = make();
        group.throughput(Throughput::Elements(threads as u64));
        let id = BenchmarkId::new(counter.name(), format!("t{threads}"));
        group.bench_function(id, |b| {
            b.iter_custom(|iters| {
                let before = counter.get();
                let jobs: Vec<Job> = (0..threads)
                    .map(|_| {
                        let counter = Arc::clone(&counter);
                        Box::new(move || (0..iters).for_each(|_| counter.increment())) as Job
                    })
                    .collect();
                let (elapsed, ()) = crew.time(jobs, || ());
                assert_eq!(
                    counter.get() - before,
                    iters * threads as u64,
                    "lost increments"
                );
                elapsed
            });
        });
    }
    group.finish();
}

fn counters(c: &mut Criterion) {
    let crew = Crew::new(THREADS.into_iter().max().expect("thread counts"));
    measure(c, &crew, || Arc::new(AtomicCounter::new()));
    measure(c, &crew, || Arc::new(MutexCounter::new()));
}

criterion_group! {
    name = benches;
    config = config::criterion().sample_size(20);
    targets = counters
}
criterion_main!(benches);
