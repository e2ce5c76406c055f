//! One repetition of a pool cell: build the executor, drive the load,
//! shut down, check the books.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Once;
use std::time::Instant;

use contend_strategies::pool::ShutdownMode;

use super::books::PoolBooks;
use super::downstream::DownstreamSpec;
use super::driver::drive;
use super::job::{DeliberatePanic, JobEnv, JobForm};
use super::ledger::Ledger;
use super::PoolWorkload;
use crate::catalog::Catalog;
use crate::kinds::measure::{finish, with_progress, Measured, Probes};
use crate::kinds::CellSpec;
use crate::load::downstream::Downstream;
use crate::load::postgres::PostgresDownstream;
use crate::load::service::{Io, SpinCalibration};
use crate::record::{Collector, Metric};
use crate::results::{Books, Repetition, Status};

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
pub(crate) fn run(spec: &CellSpec, workload: &PoolWorkload, stop: &AtomicBool) -> Repetition {
    quiet_deliberate_panics();
    let (simulated, database) = match &workload.downstream {
        None => (None, None),
        Some(DownstreamSpec::Simulated(model)) => (Some(Downstream::new(*model)), None),
        // A table of this process's own: repetitions never share rows.
        Some(DownstreamSpec::Postgres(spec)) => {
            match PostgresDownstream::prepare(spec.target.clone(), &std::process::id().to_string())
            {
                Ok(database) => (None, Some(database)),
                Err(message) => {
                    return Repetition::failed(Status::Crashed {
                        message: format!("could not prepare the database: {message}"),
                    })
                }
            }
        }
    };
    let env: &'static JobEnv = Box::leak(Box::new(JobEnv {
        collector: Collector::new(),
        ledger: Ledger::new(),
        service: workload.service,
        calibration: SpinCalibration::measure(),
        downstream: simulated,
        database,
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
    // The database's books are read from its table, after every job is
    // over: every committed record must be there exactly once.
    // A server gone by now leaves the calls' counts and a problem.
    let (database, database_unread) = match &env.database {
        None => (None, None),
        Some(database) => match database.finish() {
            Ok(books) => (Some(books), None),
            Err(message) => (Some(database.unchecked()), Some(message)),
        },
    };
    let db_timeouts = database.as_ref().map_or(0, |books| books.timed_out);
    let books = PoolBooks {
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
        database,
        database_unread,
    };
    let recorded = histograms.get(Metric::EndToEnd).len();
    let mut repetition = finish(
        probes,
        Measured {
            wall,
            done: ran,
            books: Books::of(&books),
            interrupted,
            histograms,
        },
    );
    if repetition.status.is_ok() && recorded != ran {
        repetition.status = Status::Crashed {
            message: format!("the harness recorded {recorded} latencies for {ran} jobs that ran"),
        };
    }
    repetition.timeouts = env.downstream.as_ref().map_or(0, Downstream::timeouts) + db_timeouts;
    repetition.set_succeeded(env.succeeded.load(Ordering::Relaxed));
    repetition.peak_concurrency = stats.peak_concurrency as u64;
    repetition.peak_downstream_waiting =
        env.downstream.as_ref().map_or(0, Downstream::peak_waiting);
    repetition
}
