//! The harness's own cost, which must stay far below what it measures:
//! recording one latency (target: under 100 ns), the same from several
//! threads at once, and the ledger mark every job makes.
//!
//! The runner's end-to-end speed (empty jobs per second through `fixed`,
//! open-loop start lateness) is measured by the `harness-throughput` and
//! `harness-lateness` scenarios; see reports/README.md.

use std::hint::black_box;
use std::time::Instant;

use contend::kinds::pool::ledger::Ledger;
use contend::record::{Collector, Metric};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn record_one_latency(c: &mut Criterion) {
    let collector = Collector::new();
    let mut group = c.benchmark_group("harness");
    group.throughput(Throughput::Elements(1));
    group.bench_function("record_one_latency", |b| {
        let mut value = 1_000u64;
        b.iter(|| {
            value = value
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            collector.record(Metric::EndToEnd, black_box(value >> 40));
        });
    });
    group.bench_function("three_latencies_and_two_clock_reads", |b| {
        // What a job adds around its work: the clock at start and end,
        // three recordings.
        let submitted = Instant::now();
        b.iter(|| {
            let start = Instant::now();
            collector.record(Metric::QueueWait, (start - submitted).as_nanos() as u64);
            let end = Instant::now();
            collector.record(Metric::Service, (end - start).as_nanos() as u64);
            collector.record(Metric::EndToEnd, (end - submitted).as_nanos() as u64);
        });
    });
    let ledger = Ledger::new();
    group.bench_function("ledger_mark", |b| {
        let mut id = 0u64;
        b.iter(|| {
            ledger.mark(black_box(id % Ledger::CAPACITY));
            id += 1;
        });
    });
    group.finish();
    black_box(collector.finish());
}

fn record_from_two_threads(c: &mut Criterion) {
    let mut group = c.benchmark_group("harness");
    const PER_THREAD: u64 = 100_000;
    group.throughput(Throughput::Elements(2 * PER_THREAD));
    group.bench_function("record_two_threads_100k_each", |b| {
        b.iter(|| {
            let collector = Collector::new();
            std::thread::scope(|scope| {
                for _ in 0..2 {
                    let collector = collector.clone();
                    scope.spawn(move || {
                        for i in 0..PER_THREAD {
                            collector.record(Metric::Service, 1_000 + i);
                        }
                    });
                }
            });
            black_box(collector.finish())
        });
    });
    group.finish();
}

criterion_group!(benches, record_one_latency, record_from_two_threads);
criterion_main!(benches);
