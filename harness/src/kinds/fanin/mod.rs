//! The `fanin` kind: N producers merged into one consumer
//! (`contend_strategies::fanin`), Go's fan-in with a single closer.
//!
//! - [`workload`]: the load; `table`: its `[workload]` table and checks.
//! - [`runner`]: the variants and one repetition; [`books`]: what must
//!   balance, and the consumer's tally.
//! - `columns`: its report columns.

pub mod books;
mod columns;
pub mod runner;
mod table;
pub mod workload;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

pub use workload::FanInWorkload;

use super::fits::{memory, threads, Misfit, TASK_BYTES};
use super::params::Key;
use super::{About, CellSpec, Column, QuickKeys, ScenarioKind, Shared, StrategyParams, Workload};
use crate::fields::{Checked, Source};
use crate::load::service::Io;
use crate::machine::Machine;
use crate::record::Metric;
use crate::results::Repetition;

/// The least a slot of a bounded fan-in channel holds: one item (bounded
/// `crossbeam` allocates its slots up front).
const CHANNEL_SLOT_BYTES: u64 = std::mem::size_of::<runner::Item>() as u64;

/// What the `fanin` kind is called and counts.
const ABOUT: About = About {
    name: "fanin",
    primary: Metric::Delivery,
    primary_words: "delivery",
    metrics: &[Metric::Delivery, Metric::Send],
    unit: "items",
    throughput_unit: "items/s",
    quick: QuickKeys {
        count: "items",
        duration: false,
    },
    keys: &[Key::Producers, Key::Capacity, Key::Send],
    has_goodput: false,
    queues_work: false,
    count_names: &[],
    books_meaning: "every item sent was received exactly once, in order per producer; the stream ended only after every producer finished",
};

/// The `fanin` kind.
pub struct FanIn;

impl ScenarioKind for FanIn {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn strategies(&self) -> Vec<(&'static str, &'static str)> {
        runner::STRATEGIES.to_vec()
    }

    fn workload(&self, src: Source<'_>) -> Checked<(Workload, Shared)> {
        table::read(src)
    }

    fn fits(
        &self,
        _strategy: &str,
        params: &StrategyParams,
        workload: &Workload,
        machine: &Machine,
    ) -> Result<(), Misfit> {
        if params.send == Some(Io::Async) {
            memory(
                machine,
                Key::Producers,
                params.producers,
                TASK_BYTES,
                "producer task",
            )?;
        } else {
            threads(machine, Key::Producers, params.producers)?;
        }
        if let Some(capacity) = params.capacity {
            memory(
                machine,
                Key::Capacity,
                capacity,
                CHANNEL_SLOT_BYTES,
                "channel slot",
            )?;
        }
        if let Workload::FanIn(load) = workload {
            // The books keep a bit per item of every producer.
            let per_producer = load.items.div_ceil(64).saturating_mul(8);
            memory(
                machine,
                Key::Producers,
                params.producers,
                per_producer,
                "producer's books (a bit per item: `items` / 8)",
            )?;
        }
        Ok(())
    }

    fn try_build(&self, strategy: &str, small: &StrategyParams) -> Result<(), String> {
        runner::check(strategy, small)
    }

    fn run(&self, spec: &CellSpec, stop: &Arc<AtomicBool>) -> Repetition {
        match &spec.workload {
            Workload::FanIn(workload) => runner::run(spec, workload, stop),
            _ => super::measure::wrong_workload(ABOUT.name),
        }
    }

    fn columns(&self) -> Vec<Column> {
        columns::columns()
    }
}
