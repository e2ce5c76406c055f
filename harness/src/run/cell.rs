//! One repetition of one cell, in the child process: build the strategy,
//! drive the load, shut down, check the books, read the probes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;
use std::time::{Duration, Instant};

use contend_strategies::pool::{build, ShutdownMode};

use super::books::Books;
use super::driver::drive;
use super::job::{DeliberatePanic, JobEnv};
use super::ledger::Ledger;
use super::probe::{cpu_seconds, peak_rss_kb, threads_now, ThreadSampler};
use super::spec::{CellSpec, PROGRESS_PREFIX};
use crate::load::downstream::Downstream;
use crate::load::service::SpinCalibration;
use crate::record::{Collector, HistogramData, Metric, Summary};
use crate::results::{Repetition, Status};

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

/// Runs the repetition `spec` describes. `stop` ends it early (the
/// measurements so far are kept, the status says `Interrupted`).
///
/// The job environment is leaked: a cell's process runs one cell, and
/// jobs then need no reference count.
pub fn run_cell(spec: &CellSpec, stop: &AtomicBool) -> Repetition {
    quiet_deliberate_panics();
    let workload = &spec.workload;
    let env: &'static JobEnv = Box::leak(Box::new(JobEnv {
        collector: Collector::new(),
        ledger: Ledger::new(),
        service: workload.service,
        calibration: SpinCalibration::measure(),
        downstream: workload.downstream.map(Downstream::new),
    }));
    let base_threads = threads_now();
    let cpu_before = cpu_seconds();
    let sampler = ThreadSampler::start(Duration::from_millis(5));
    let executor = match build(&spec.strategy, spec.params.to_config()) {
        Ok(executor) => executor,
        Err(error) => {
            sampler.finish();
            return Repetition::failed(Status::Crashed {
                message: format!("could not build: {error}"),
            });
        }
    };
    let started = Instant::now();
    let finished = AtomicBool::new(false);
    let submitted = std::thread::scope(|scope| {
        if spec.progress {
            scope.spawn(|| {
                while !finished.load(Ordering::Relaxed) {
                    eprintln!("{PROGRESS_PREFIX}{}", env.ledger.ran());
                    std::thread::sleep(Duration::from_millis(200));
                }
            });
        }
        let submitted = drive(env, executor.as_ref(), workload, stop);
        finished.store(true, Ordering::Relaxed);
        submitted
    });
    sampler.sample();
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
    let peak_threads = sampler.finish();
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
    let status = match books.check() {
        Err(message) => Status::BooksFailed { message },
        Ok(()) if interrupted => Status::Interrupted,
        Ok(()) => Status::Ok,
    };
    let recorded = histograms.get(Metric::EndToEnd).len();
    let status = match status {
        Status::Ok if recorded != ran => Status::Crashed {
            message: format!("the harness recorded {recorded} latencies for {ran} jobs that ran"),
        },
        other => other,
    };
    let used: Vec<Metric> = Metric::ALL
        .into_iter()
        .filter(|m| !histograms.get(*m).is_empty())
        .collect();
    Repetition {
        status,
        wall_s: wall.as_secs_f64(),
        throughput: ran as f64 / wall.as_secs_f64().max(1e-9),
        cpu_s: cpu_seconds() - cpu_before,
        peak_rss_kb: peak_rss_kb(),
        peak_threads,
        base_threads,
        books,
        timeouts: env.downstream.as_ref().map_or(0, Downstream::timeouts),
        peak_downstream_waiting: env.downstream.as_ref().map_or(0, Downstream::peak_waiting),
        summaries: used
            .iter()
            .map(|m| (*m, Summary::of(histograms.get(*m))))
            .collect(),
        histograms: used
            .iter()
            .map(|m| (*m, HistogramData::capture(histograms.get(*m))))
            .collect(),
    }
}
