//! The `cache` kind: read-mostly maps (`contend_strategies::cache`),
//! read by reader threads while one writer refreshes a batch of keys.
//!
//! - [`workload`]: the load; `table`: its `[workload]` table and checks.
//! - [`strategies`]: the variants and how each is built.
//! - [`runner`]: one repetition; [`books`]: what must balance.
//! - `columns`: its report columns.

pub mod books;
mod columns;
pub mod runner;
pub mod strategies;
mod table;
pub mod workload;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use contend_strategies::cache::RwLockCache;

pub use workload::{CacheWorkload, OpMix};

use super::fits::{memory, threads, Misfit};
use super::params::Key;
use super::{About, CellSpec, Column, QuickKeys, ScenarioKind, Shared, StrategyParams, Workload};
use crate::fields::{Checked, Source};
use crate::machine::Machine;
use crate::record::Metric;
use crate::results::Repetition;

/// The least a shard of the `sharded` cache holds: an empty `RwLockCache`,
/// allocated for every shard when the cache is built.
const SHARD_BYTES: u64 = std::mem::size_of::<RwLockCache<u64, u64>>() as u64;

/// What the `cache` kind is called and counts.
const ABOUT: About = About {
    name: "cache",
    primary: Metric::Read,
    primary_words: "read",
    metrics: &[Metric::Read, Metric::Write, Metric::Refresh],
    unit: "ops",
    throughput_unit: "ops/s",
    quick: QuickKeys {
        count: "ops",
        duration: true,
    },
    keys: &[Key::Readers, Key::Shards],
    has_goodput: false,
    queues_work: false,
    count_names: &[],
    books_meaning: "no torn `get_many` read on a variant that promises atomic refreshes; every refreshed key holds the last version; every operation timed",
};

/// The `cache` kind.
pub struct CacheKind;

impl ScenarioKind for CacheKind {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn strategies(&self) -> Vec<(&'static str, &'static str)> {
        strategies::STRATEGIES.to_vec()
    }

    fn workload(&self, src: Source<'_>) -> Checked<(Workload, Shared)> {
        table::read(src)
    }

    fn fits(
        &self,
        _strategy: &str,
        params: &StrategyParams,
        _workload: &Workload,
        machine: &Machine,
    ) -> Result<(), Misfit> {
        threads(machine, Key::Readers, params.readers)?;
        memory(machine, Key::Shards, params.shards, SHARD_BYTES, "shard")
    }

    fn try_build(&self, strategy: &str, small: &StrategyParams) -> Result<(), String> {
        strategies::build(strategy, small).map(drop)
    }

    fn run(&self, spec: &CellSpec, stop: &Arc<AtomicBool>) -> Repetition {
        match &spec.workload {
            Workload::Cache(workload) => runner::run(spec, workload, stop),
            _ => super::measure::wrong_workload(ABOUT.name),
        }
    }

    fn columns(&self) -> Vec<Column> {
        columns::columns()
    }
}
