//! One repetition of one cell, in the child process: build the strategy,
//! drive the load, shut down, check the books, read the probes.
//!
//! [`run_cell`] dispatches on the scenario's kind: pool cells run here,
//! cache and fan-in cells in [`cache`](super::cache) and
//! [`fanin`](super::fanin). All share `Probes` (threads, CPU, memory),
//! `with_progress` and `finish`, which turns what a runner measured
//! into a [`Repetition`].

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

use contend_strategies::pool::ShutdownMode;

use super::books::{Books, CellBooks};
use super::driver::drive;
use super::job::{DeliberatePanic, JobEnv, JobForm};
use super::ledger::Ledger;
use super::spec::{CellSpec, PROGRESS_PREFIX};
use crate::catalog::Catalog;
use crate::load::downstream::Downstream;
use crate::load::service::{Io, SpinCalibration};
use crate::probe::{cpu_seconds, peak_rss_kb, threads_now, ThreadSampler};
use crate::record::{Collector, HistogramData, Histograms, Metric, Summary};
use crate::results::{Repetition, Status};
use crate::scenario::{Kind, Workload};

/// Keeps the panics a workload asks for off stderr; every other panic is
/// reported as usual.
fn quiet_deliberate_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.payload().downcast_ref::<DeliberatePanic>().is_none() {
                default(info);
            }
        }));
    });
}

/// The probes every cell reads: threads before the strategy exists, CPU
/// time and the peak thread count while it runs.
pub(crate) struct Probes {
    base_threads: u64,
    cpu_before: f64,
    sampler: ThreadSampler,
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
    pub(crate) books: CellBooks,
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
    };
    // What a cache or fan-in cell did is what succeeded; a pool cell
    // replaces it with the jobs that succeeded.
    repetition.set_succeeded(measured.done);
    repetition
}

/// Runs the repetition `spec` describes, by its kind. `stop` ends it
/// early (the measurements so far are kept, the status says
/// `Interrupted`).
pub fn run_cell(spec: &CellSpec, stop: &Arc<AtomicBool>) -> Repetition {
    match (&spec.kind, &spec.workload) {
        (Kind::Pool, Workload::Pool(_)) => run_pool_cell(spec, stop),
        (Kind::Cache, Workload::Cache(workload)) => super::cache::run(spec, workload, stop),
        (Kind::FanIn, Workload::FanIn(workload)) => super::fanin::run(spec, workload, stop),
        (kind, _) => Repetition::failed(Status::Crashed {
            message: format!("a `{}` cell was sent another kind's workload", kind.name()),
        }),
    }
}

/// The form of a cell's jobs: futures for a strategy on tokio tasks
/// (unless the scenario asks for blocking IO there), closures otherwise.
pub(crate) fn job_form(strategy: &str, io: Option<Io>) -> JobForm {
    let on_tasks = Catalog::active().runs_on_tasks(strategy);
    match io {
        _ if !on_tasks => JobForm::Blocking,
        Some(Io::Blocking) => JobForm::Blocking,
        Some(Io::Async) | None => JobForm::Async,
    }
}

/// Runs one repetition of a pool cell.
///
/// The job environment is leaked: a cell's process runs one cell, and
/// jobs then need no reference count.
fn run_pool_cell(spec: &CellSpec, stop: &AtomicBool) -> Repetition {
    quiet_deliberate_panics();
    let Workload::Pool(workload) = &spec.workload else {
        unreachable!("run_cell dispatches on the workload");
    };
    let env: &'static JobEnv = Box::leak(Box::new(JobEnv {
        collector: Collector::new(),
        ledger: Ledger::new(),
        service: workload.service,
        calibration: SpinCalibration::measure(),
        downstream: workload.downstream.map(Downstream::new),
        form: job_form(&spec.strategy, spec.params.io),
        succeeded: AtomicU64::new(0),
    }));
    let probes = Probes::start();
    let executor = match Catalog::active().build(&spec.strategy, spec.params.to_config()) {
        Ok(executor) => executor,
        Err(error) => {
            probes.sampler.finish();
            return Repetition::failed(Status::Crashed {
                message: format!("could not build: {error}"),
            });
        }
    };
    let started = Instant::now();
    let submitted = with_progress(spec.progress, &|| env.ledger.ran(), || {
        drive(env, executor.as_ref(), workload, stop)
    });
    probes.sample();
    let interrupted = stop.load(Ordering::Relaxed);
    let mode = if interrupted {
        ShutdownMode::Abort
    } else {
        ShutdownMode::DRAIN
    };
    let report = executor.shutdown(mode);
    let wall = started.elapsed();
    let stats = executor.stats();
    let handed_back = report.handed_back.len() as u64;
    drop(report);
    drop(executor);
    let histograms = env.collector.finish();
    let ran = env.ledger.ran();
    let books = Books {
        submitted: submitted.calls,
        completed: ran,
        panicked: stats.panicked as u64,
        rejected: submitted.rejected,
        discarded: stats.discarded as u64,
        cancelled: stats.cancelled as u64,
        handed_back,
        duplicates: env.ledger.duplicates(),
        pool_submitted: stats.submitted as u64,
        pool_completed: stats.completed as u64,
        pool_unaccounted: stats.unaccounted() as i64,
    };
    let recorded = histograms.get(Metric::EndToEnd).len();
    let mut repetition = finish(
        probes,
        Measured {
            wall,
            done: ran,
            books: CellBooks::Pool(books),
            interrupted,
            histograms,
        },
    );
    if repetition.status.is_ok() && recorded != ran {
        repetition.status = Status::Crashed {
            message: format!("the harness recorded {recorded} latencies for {ran} jobs that ran"),
        };
    }
    repetition.timeouts = env.downstream.as_ref().map_or(0, Downstream::timeouts);
    repetition.set_succeeded(env.succeeded.load(Ordering::Relaxed));
    repetition.peak_concurrency = stats.peak_concurrency as u64;
    repetition.peak_downstream_waiting =
        env.downstream.as_ref().map_or(0, Downstream::peak_waiting);
    repetition
}
