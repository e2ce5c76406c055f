//! Pools side by side: what one job costs in each of contend's strategies
//! and in what a user would pick instead.
//!
//! Every system gets 2 workers (the machine's cores), the same boxed-once
//! closure, and the same completion signal ([`Countdown`]); a batch of
//! jobs is submitted from 1 or 2 threads and waited for. Criterion's
//! throughput is jobs, so its time per element is the per-job overhead.
//!
//! Benchmark ids (read by `bench-report`, see `benches/targets.toml`):
//!
//! - `pool/<job>-<submitters>/<system>`: `job` is `empty` or `1us` (a
//!   calibrated microsecond of CPU), `submitters` is `1sub` or `2sub`,
//!   `system` is a contend strategy (`fixed`, `elastic`, …) or one of
//!   `raw-channel` (a crossbeam-channel hand-off of boxed closures to two
//!   threads: the floor), `threadpool`, `rayon`, `tokio-blocking`
//!   (`spawn_blocking`), `tokio-spawn-raw` (`tokio::spawn`).
//!   A batch is 100,000 jobs (the "throughput of 100,000 jobs"), except
//!   for the thread-per-job strategies (`unbounded`, `semaphore`), which
//!   get 5,000 so that one iteration stays under a second; per-job times
//!   are comparable, totals are not.
//! - `submit-full/<strategy>/<policy>`: the latency of one `submit` into a
//!   pool whose worker is held and whose queue is full, for each overload
//!   policy that returns (`block` waits for room by design; what it costs
//!   is the queue's service time, which the `burst-policies` scenario
//!   measures).

use std::hint::black_box;
use std::thread;
use std::time::Duration;

use contend_benches::config::criterion;
use contend_benches::countdown::Countdown;
use contend_benches::spin;
use contend_strategies::pool::{build, Executor, Job, OverloadPolicy, PoolConfig, ShutdownMode};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const WORKERS: usize = 2;
const QUEUE: usize = 1024;
const BATCH: usize = 100_000;
const THREAD_PER_JOB_BATCH: usize = 5_000;

type Boxed = Box<dyn FnOnce() + Send>;

/// A system jobs can be submitted to.
enum System {
    RawChannel {
        jobs: crossbeam_channel::Sender<Boxed>,
        workers: Vec<thread::JoinHandle<()>>,
    },
    ThreadPool(threadpool::ThreadPool),
    Rayon(rayon::ThreadPool),
    TokioBlocking(tokio::runtime::Runtime),
    TokioSpawn(tokio::runtime::Runtime),
    Contend(Box<dyn Executor>),
}

impl System {
    fn external(name: &str) -> System {
        match name {
            "raw-channel" => {
                let (jobs, queue) = crossbeam_channel::bounded::<Boxed>(QUEUE);
                let workers = (0..WORKERS)
                    .map(|_| {
                        let queue = queue.clone();
                        thread::spawn(move || {
                            for job in queue {
                                job();
                            }
                        })
                    })
                    .collect();
                System::RawChannel { jobs, workers }
            }
            "threadpool" => System::ThreadPool(threadpool::ThreadPool::new(WORKERS)),
            "rayon" => System::Rayon(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(WORKERS)
                    .build()
                    .expect("a rayon pool"),
            ),
            "tokio-blocking" => System::TokioBlocking(
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .max_blocking_threads(WORKERS)
                    .build()
                    .expect("a runtime"),
            ),
            "tokio-spawn-raw" => System::TokioSpawn(
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(WORKERS)
                    .build()
                    .expect("a runtime"),
            ),
            other => unreachable!("no external system {other}"),
        }
    }

    fn contend(name: &str) -> System {
        let config = PoolConfig::new(WORKERS).queue_capacity(QUEUE);
        System::Contend(build(name, config).expect("a built-in strategy"))
    }

    fn submit(&self, job: impl FnOnce() + Send + 'static) {
        match self {
            System::RawChannel { jobs, .. } => jobs.send(Box::new(job)).expect("workers alive"),
            System::ThreadPool(pool) => pool.execute(job),
            System::Rayon(pool) => pool.spawn(job),
            System::TokioBlocking(runtime) => drop(runtime.spawn_blocking(job)),
            System::TokioSpawn(runtime) => drop(runtime.spawn(async move { job() })),
            System::Contend(pool) => {
                pool.submit(Job::new(job)).expect("block admits every job");
            }
        }
    }

    fn stop(self) {
        match self {
            System::RawChannel { jobs, workers } => {
                drop(jobs);
                for worker in workers {
                    worker.join().expect("a worker");
                }
            }
            System::ThreadPool(pool) => pool.join(),
            System::Rayon(pool) => drop(pool),
            System::TokioBlocking(runtime) | System::TokioSpawn(runtime) => {
                runtime.shutdown_timeout(Duration::from_secs(10));
            }
            System::Contend(pool) => drop(pool.shutdown(ShutdownMode::DRAIN)),
        }
    }
}

/// Submits `jobs` jobs from `submitters` threads and waits for them all.
fn run_batch(system: &System, jobs: usize, submitters: usize, work: fn()) {
    let countdown = Countdown::new(jobs);
    thread::scope(|scope| {
        for part in 0..submitters {
            let countdown = countdown.clone();
            let share = jobs / submitters + usize::from(part < jobs % submitters);
            scope.spawn(move || {
                for _ in 0..share {
                    let countdown = countdown.clone();
                    system.submit(move || {
                        work();
                        countdown.done();
                    });
                }
            });
        }
    });
    countdown.wait();
}

fn empty() {
    black_box(());
}

const EXTERNAL: [&str; 5] = [
    "raw-channel",
    "threadpool",
    "rayon",
    "tokio-blocking",
    "tokio-spawn-raw",
];

/// Every contend strategy and every alternative, per job shape.
fn per_job(c: &mut Criterion) {
    spin::calibrate();
    let shapes: [(&str, fn()); 2] = [("empty", empty), ("1us", spin::one_microsecond)];
    for (job, work) in shapes {
        for submitters in [1, 2] {
            let mut group = c.benchmark_group(format!("pool/{job}-{submitters}sub"));
            let systems = EXTERNAL.iter().map(|name| (*name, true)).chain(
                contend_strategies::pool::names()
                    .into_iter()
                    .map(|n| (n, false)),
            );
            for (name, external) in systems {
                let batch = if matches!(name, "unbounded" | "semaphore") {
                    THREAD_PER_JOB_BATCH
                } else {
                    BATCH
                };
                let system = if external {
                    System::external(name)
                } else {
                    System::contend(name)
                };
                group.throughput(Throughput::Elements(batch as u64));
                group.bench_function(BenchmarkId::from_parameter(name), |b| {
                    b.iter(|| run_batch(&system, batch, submitters, work))
                });
                system.stop();
            }
            group.finish();
        }
    }
}

/// One submit into a full pool, per overload policy.
fn submit_when_full(c: &mut Criterion) {
    let policies = [
        ("fail-fast", OverloadPolicy::FailFast),
        ("discard", OverloadPolicy::Discard),
        ("discard-oldest", OverloadPolicy::DiscardOldest),
        ("caller-runs", OverloadPolicy::CallerRuns),
        (
            "block-timeout-1us",
            OverloadPolicy::BlockTimeout(Duration::from_micros(1)),
        ),
    ];
    for strategy in ["fixed", "dispatcher", "elastic"] {
        let mut group = c.benchmark_group(format!("submit-full/{strategy}"));
        for (policy_name, policy) in policies {
            let config = PoolConfig::new(1).queue_capacity(1).policy(policy);
            let pool = build(strategy, config).expect("a queueing strategy");
            let (release, held) = crossbeam_channel::bounded::<()>(0);
            let (started, worker_busy) = crossbeam_channel::bounded::<()>(1);
            pool.submit(Job::new(move || {
                let _ = started.send(());
                let _ = held.recv();
            }))
            .expect("the worker is free");
            worker_busy.recv().expect("the held job started");
            // Fill the queue (and the dispatcher's hand): more than enough
            // submits, whatever the policy answers once it is full.
            for _ in 0..8 {
                let _ = pool.submit(Job::new(empty));
            }
            group.bench_function(BenchmarkId::from_parameter(policy_name), |b| {
                b.iter(|| black_box(pool.submit(Job::new(empty)).is_ok()))
            });
            drop(release);
            pool.shutdown(ShutdownMode::DRAIN);
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = criterion();
    targets = per_job, submit_when_full
}
criterion_main!(benches);
