//! The `pool` kind: executors (`contend_strategies::pool`, the adapters,
//! a user's own), fed jobs that measure themselves.
//!
//! - [`workload`]: the load ([`PoolWorkload`]); `table`: its
//!   `[workload]` table and checks.
//! - [`runner`]: one repetition: build the executor, [`driver`] submits
//!   the [`job`]s, shut down, balance the [`books`] against the
//!   [`ledger`] of which jobs ran.
//! - `columns`: its report columns.

pub mod books;
mod columns;
pub mod downstream;
pub mod driver;
pub mod job;
pub mod ledger;
pub mod runner;
pub(crate) mod table;
pub mod workload;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use contend_strategies::pool::{RunsOn, ShutdownMode};

pub use workload::PoolWorkload;

use super::fits::{memory, threads, Misfit, QUEUE_SLOT_BYTES, TASK_BYTES};
use super::params::Key;
use super::{
    About, CellSpec, Column, PrepareError, QuickKeys, ScenarioKind, Services, Shared,
    StrategyParams, Workload,
};
use crate::catalog::{Bounds, Catalog};
use crate::fields::{Checked, Source};
use crate::load::service::Io;
use crate::machine::Machine;
use crate::record::Metric;
use crate::results::Repetition;
use downstream::DownstreamSpec;

/// What the `pool` kind is called and counts.
const ABOUT: About = About {
    name: "pool",
    primary: Metric::EndToEnd,
    primary_words: "end-to-end",
    metrics: &[
        Metric::EndToEnd,
        Metric::QueueWait,
        Metric::Service,
        Metric::Lateness,
    ],
    unit: "jobs",
    throughput_unit: "jobs/s",
    quick: QuickKeys {
        count: "jobs",
        duration: true,
    },
    keys: &[
        Key::Workers,
        Key::Queue,
        Key::Policy,
        Key::BlockTimeout,
        Key::IdleTimeout,
        Key::MaxBlockedSubmitters,
        Key::Io,
    ],
    has_goodput: true,
    queues_work: true,
    count_names: books::COUNT_NAMES,
    books_meaning: "submitted = completed + rejected + discarded + cancelled + handed back; no job ran twice; with a PostgreSQL downstream, every committed record is in its table exactly once",
};

/// The `pool` kind.
pub struct Pool;

impl ScenarioKind for Pool {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn strategies(&self) -> Vec<(&'static str, &'static str)> {
        Catalog::active()
            .entries()
            .iter()
            .map(|entry| (entry.name, entry.summary))
            .collect()
    }

    fn check_key(&self, strategy: &str, key: Key) -> Result<(), String> {
        let catalog = Catalog::active();
        if key == Key::Io && !catalog.runs_on_tasks(strategy) {
            let tasks: Vec<_> = catalog
                .entries()
                .iter()
                .filter(|entry| entry.runs_on == RunsOn::Tasks)
                .map(|entry| entry.name)
                .collect();
            return Err(format!(
                "`io` applies only to the strategies on tokio tasks ({}): the jobs of `{strategy}` always block their thread",
                tasks.join(", ")
            ));
        }
        let unbounded = catalog
            .get(strategy)
            .is_some_and(|entry| entry.bounds == Bounds::Unbounded);
        if key.is_overload() && unbounded {
            let bounded: Vec<_> = catalog
                .entries()
                .iter()
                .filter(|entry| entry.bounds == Bounds::Bounded)
                .map(|entry| entry.name)
                .collect();
            return Err(format!(
                "`{}` does not apply to `{strategy}`: it is unbounded (it takes every job, without limit) and has no overload policy; the strategies that take it: {}",
                key.name(),
                bounded.join(", ")
            ));
        }
        Ok(())
    }

    fn workload(&self, src: Source<'_>) -> Checked<(Workload, Shared)> {
        table::read(src)
    }

    fn prepare(&self, workload: &mut Workload) -> Result<Services, PrepareError> {
        match workload {
            Workload::Pool(PoolWorkload {
                downstream: Some(DownstreamSpec::Postgres(spec)),
                ..
            }) => downstream::start_or_reach(spec),
            _ => Ok(Services::default()),
        }
    }

    fn fits(
        &self,
        strategy: &str,
        params: &StrategyParams,
        workload: &Workload,
        machine: &Machine,
    ) -> Result<(), Misfit> {
        let on_postgres = matches!(
            workload,
            Workload::Pool(PoolWorkload {
                downstream: Some(DownstreamSpec::Postgres(_)),
                ..
            })
        );
        if on_postgres
            && params.io == Some(Io::Blocking)
            && Catalog::active().runs_on_tasks(strategy)
        {
            // The blocking PostgreSQL client runs a runtime of its own,
            // which tokio refuses to start on one of its threads.
            return Err((
                Key::Io,
                format!("`io = \"blocking\"` cannot call PostgreSQL from `{strategy}`'s tokio threads (the blocking client runs a runtime of its own); drop `io` so its jobs use the async client"),
            ));
        }
        if Catalog::active().runs_on_tasks(strategy) {
            memory(
                machine,
                Key::Workers,
                params.workers,
                TASK_BYTES,
                "job in flight (a task)",
            )?;
        } else {
            threads(machine, Key::Workers, params.workers)?;
        }
        memory(
            machine,
            Key::Queue,
            params.queue,
            QUEUE_SLOT_BYTES,
            "queued job",
        )
    }

    fn try_build(&self, strategy: &str, small: &StrategyParams) -> Result<(), String> {
        Catalog::active()
            .build(strategy, small.to_config().runtime_threads(1))
            .map(|executor| {
                executor.shutdown(ShutdownMode::DRAIN);
            })
    }

    fn run(&self, spec: &CellSpec, stop: &Arc<AtomicBool>) -> Repetition {
        match &spec.workload {
            Workload::Pool(workload) => runner::run(spec, workload, stop),
            _ => super::measure::wrong_workload(ABOUT.name),
        }
    }

    fn columns(&self) -> Vec<Column> {
        columns::columns()
    }
}
