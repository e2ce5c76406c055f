//! Empty jobs per second through a strategy: `cargo run --release -p
//! contend-strategies --example throughput -- fixed 2 1000000`.

use std::time::Instant;

use contend_strategies::pool::{build, PoolConfig, ShutdownMode};

fn main() {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "fixed".into());
    let workers: usize = args.next().map_or(2, |arg| arg.parse().expect("workers"));
    let jobs: usize = args
        .next()
        .map_or(1_000_000, |arg| arg.parse().expect("jobs"));
    let pool = build(&name, PoolConfig::new(workers).queue_capacity(1024)).expect("strategy");
    let started = Instant::now();
    for _ in 0..jobs {
        pool.submit(contend_strategies::pool::Job::new(|| {}))
            .expect("accepted");
    }
    let report = pool.shutdown(ShutdownMode::DRAIN);
    let elapsed = started.elapsed();
    assert_eq!(report.completed, jobs);
    println!(
        "{name}: {jobs} empty jobs on {workers} workers in {elapsed:?}: {:.0} jobs/s, {:.0} ns/job",
        jobs as f64 / elapsed.as_secs_f64(),
        elapsed.as_nanos() as f64 / jobs as f64
    );
}
