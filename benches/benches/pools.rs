//! Per-job cost of pushing a batch of empty jobs through each strategy,
//! beside a raw crossbeam-channel hand-off of boxed closures (the floor a
//! pool's per-job overhead is judged against).

use std::hint::black_box;
use std::thread;

use contend_strategies::pool::{build, Batch, Executor, PoolConfig, ShutdownMode};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const JOBS: usize = 10_000;
const WORKERS: usize = 2;

type Boxed = Box<dyn FnOnce() + Send>;

/// Sends `JOBS` boxed closures through one channel to `WORKERS` threads.
fn raw_channel_floor(c: &mut Criterion) {
    let (jobs_in, jobs_out) = crossbeam_channel::bounded::<Boxed>(1024);
    let (done_in, done_out) = crossbeam_channel::unbounded::<()>();
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let jobs_out = jobs_out.clone();
            thread::spawn(move || {
                for job in jobs_out {
                    job();
                }
            })
        })
        .collect();
    let mut group = c.benchmark_group("empty_jobs");
    group.throughput(Throughput::Elements(JOBS as u64));
    group.bench_function("raw-channel", |b| {
        b.iter(|| {
            for _ in 0..JOBS {
                let done = done_in.clone();
                jobs_in
                    .send(Box::new(move || {
                        let _ = done.send(());
                    }))
                    .unwrap();
            }
            for _ in 0..JOBS {
                done_out.recv().unwrap();
            }
        })
    });
    group.finish();
    drop(jobs_in);
    for worker in workers {
        worker.join().unwrap();
    }
}

/// Sends `JOBS` empty jobs through each pooled strategy and waits for them.
fn strategies(c: &mut Criterion) {
    let mut group = c.benchmark_group("empty_jobs");
    group.throughput(Throughput::Elements(JOBS as u64));
    for name in ["serial", "fixed", "dispatcher", "elastic"] {
        let pool = build(name, PoolConfig::new(WORKERS).queue_capacity(1024)).unwrap();
        group.bench_with_input(BenchmarkId::from_parameter(name), &pool, |b, pool| {
            b.iter(|| {
                let batch = Batch::new();
                for _ in 0..JOBS {
                    pool.submit(batch.job(|| black_box(()))).unwrap();
                }
                black_box(batch.wait(None))
            })
        });
        pool.shutdown(ShutdownMode::DRAIN);
    }
    group.finish();
}

criterion_group!(benches, raw_channel_floor, strategies);
criterion_main!(benches);
