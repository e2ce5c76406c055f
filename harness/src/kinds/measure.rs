//! What every kind's runner shares: the probes of the cell's process
//! (threads, CPU, memory), progress lines for the parent's bar, and
//! `finish`, which turns what a runner measured into a [`Repetition`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::spec::PROGRESS_PREFIX;
use crate::probe::{cpu_seconds, peak_rss_kb, threads_now, ThreadSampler};
use crate::record::{HistogramData, Histograms, Metric, Summary};
use crate::results::{Books, Repetition, Status};

/// The probes every cell reads: threads before the strategy exists, CPU
/// time and the peak thread count while it runs.
pub(crate) struct Probes {
    base_threads: u64,
    cpu_before: f64,
    pub(crate) sampler: ThreadSampler,
}

impl Probes {
    /// Starts measuring; call before building the strategy.
    pub(crate) fn start() -> Self {
        Self {
            base_threads: threads_now(),
            cpu_before: cpu_seconds(),
            sampler: ThreadSampler::start(Duration::from_millis(5)),
        }
    }

    /// Takes a thread sample now (while the strategy's threads still run).
    pub(crate) fn sample(&self) {
        self.sampler.sample();
    }
}

/// What a runner measured in one repetition.
pub(crate) struct Measured {
    /// From the start of the load to the end of the shutdown.
    pub(crate) wall: Duration,
    /// Units of work done (jobs, reader operations, items).
    pub(crate) done: u64,
    /// The books, checked here.
    pub(crate) books: Books,
    /// Stopped early.
    pub(crate) interrupted: bool,
    /// The latencies.
    pub(crate) histograms: Histograms,
}

/// Runs `body` while a thread prints `done()` every 200 ms on stderr (if
/// `enabled`), for the parent's progress bar.
pub(crate) fn with_progress<R>(
    enabled: bool,
    done: &(dyn Fn() -> u64 + Sync),
    body: impl FnOnce() -> R,
) -> R {
    let finished = AtomicBool::new(false);
    std::thread::scope(|scope| {
        if enabled {
            scope.spawn(|| {
                while !finished.load(Ordering::Relaxed) {
                    eprintln!("{PROGRESS_PREFIX}{}", done());
                    std::thread::sleep(Duration::from_millis(200));
                }
            });
        }
        let result = body();
        finished.store(true, Ordering::Relaxed);
        result
    })
}

/// A [`Repetition`] from what a runner measured: the books decide the
/// status, the probes are read now.
pub(crate) fn finish(probes: Probes, measured: Measured) -> Repetition {
    let peak_threads = probes.sampler.finish();
    let status = match measured.books.check() {
        Err(message) => Status::BooksFailed { message },
        Ok(()) if measured.interrupted => Status::Interrupted,
        Ok(()) => Status::Ok,
    };
    let histograms = &measured.histograms;
    let used: Vec<Metric> = Metric::ALL
        .into_iter()
        .filter(|m| !histograms.get(*m).is_empty())
        .collect();
    let wall = measured.wall.as_secs_f64();
    let mut repetition = Repetition {
        status,
        wall_s: wall,
        throughput: measured.done as f64 / wall.max(1e-9),
        cpu_s: cpu_seconds() - probes.cpu_before,
        peak_rss_kb: peak_rss_kb(),
        peak_threads,
        base_threads: probes.base_threads,
        books: measured.books,
        timeouts: 0,
        peak_downstream_waiting: 0,
        peak_concurrency: 0,
        succeeded: None,
        failed: None,
        goodput: None,
        summaries: used
            .iter()
            .map(|m| (*m, Summary::of(histograms.get(*m))))
            .collect(),
        histograms: used
            .iter()
            .map(|m| (*m, HistogramData::capture(histograms.get(*m))))
            .collect(),
        over_time: Vec::new(),
    };
    // What a cache or fan-in cell did is what succeeded; a pool cell
    // replaces it with the jobs that succeeded.
    repetition.set_succeeded(measured.done);
    repetition
}

/// The repetition of a cell whose spec carries another kind's workload:
/// a parent and child that disagree, reported instead of run.
pub(crate) fn wrong_workload(kind: &str) -> Repetition {
    Repetition::failed(Status::Crashed {
        message: format!("a `{kind}` cell was sent another kind's workload"),
    })
}
