//! Scenario files: what to run, against which strategies, and the gates
//! the results must pass.
//!
//! A scenario is read and checked completely before anything runs: a
//! malformed file, an unknown strategy, key or policy, or an impossible
//! value (zero workers, a negative rate) is a [`ScenarioError`] naming the
//! file, the line and what is allowed. The format is documented in
//! `scenarios/README.md`.
//!
//! Every scenario has a [`Kind`]: `pool` (executors), `cache` (read-mostly
//! maps) or `fanin` (N producers, one consumer). Each kind has its own
//! workload table and cell runner; strategies, sweeps, repetitions, gates
//! and `[quick]` work the same way for all three.

mod error;
mod fits;
mod gate;
mod machine;
mod params;
mod raw;
mod validate;
mod workload;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use crate::units::duration::{display as display_duration, parse as parse_duration};
pub use crate::units::size::{display as display_size, parse as parse_size};
pub use error::ScenarioError;
pub use gate::{Gate, GateMetric, GateResult, Op, Operand, Stat};
pub use params::{CellPlan, StrategyParams};
pub use workload::{CacheWorkload, FanInWorkload, OpMix, Workload};

use crate::load::arrival::Arrival;
use crate::load::downstream::DownstreamModel;
use crate::load::service::ServiceModel;
use crate::record::Metric;

/// The family of strategies a scenario measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// Executors (`contend_strategies::pool`).
    #[serde(rename = "pool")]
    Pool,
    /// Read-mostly maps (`contend_strategies::cache`).
    #[serde(rename = "cache")]
    Cache,
    /// N producers merged into one consumer (`contend_strategies::fanin`).
    #[serde(rename = "fanin")]
    FanIn,
}

impl Kind {
    /// Kinds this build can run.
    pub const NAMES: [&'static str; 3] = ["pool", "cache", "fanin"];

    /// Every kind, in `NAMES` order.
    pub const ALL: [Kind; 3] = [Kind::Pool, Kind::Cache, Kind::FanIn];

    /// The name in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Pool => "pool",
            Kind::Cache => "cache",
            Kind::FanIn => "fanin",
        }
    }

    /// The kind named `name` in a scenario file or a results file.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The strategies of this kind, as scenario files name them.
    pub fn strategies(self) -> Vec<&'static str> {
        match self {
            Kind::Pool => crate::catalog::Catalog::active().names(),
            Kind::Cache => crate::run::cache::NAMES.to_vec(),
            Kind::FanIn => crate::run::fanin::NAMES.to_vec(),
        }
    }

    /// The latency a bare `p99(…)` gate, `compare`'s p50/p99 and the
    /// reports' p99 charts read.
    pub fn primary(self) -> Metric {
        match self {
            Kind::Pool => Metric::EndToEnd,
            Kind::Cache => Metric::Read,
            Kind::FanIn => Metric::Delivery,
        }
    }

    /// The latencies this kind records, in report order.
    pub fn metrics(self) -> &'static [Metric] {
        match self {
            Kind::Pool => &[
                Metric::EndToEnd,
                Metric::QueueWait,
                Metric::Service,
                Metric::Lateness,
            ],
            Kind::Cache => &[Metric::Read, Metric::Write, Metric::Refresh],
            Kind::FanIn => &[Metric::Delivery, Metric::Send],
        }
    }

    /// What progress counts: `jobs`, `ops` or `items`.
    pub fn unit(self) -> &'static str {
        match self {
            Kind::Pool => "jobs",
            Kind::Cache => "ops",
            Kind::FanIn => "items",
        }
    }

    /// What `throughput` counts, per second.
    pub fn throughput_unit(self) -> &'static str {
        match self {
            Kind::Pool => "jobs/s",
            Kind::Cache => "ops/s",
            Kind::FanIn => "items/s",
        }
    }
}

/// The load of a `pool` scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PoolWorkload {
    /// Jobs to submit (all of them, or until `duration`).
    pub jobs: Option<u64>,
    /// How long to submit for.
    pub duration: Option<Duration>,
    /// When jobs arrive.
    pub arrival: Arrival,
    /// What each job does.
    pub service: ServiceModel,
    /// Fraction of jobs that panic after their work.
    pub panic_rate: f64,
    /// Fraction of jobs whose cancellation token is cancelled right after
    /// they are submitted (skipped if not yet started).
    pub cancel_rate: f64,
    /// The downstream each job calls, if any.
    pub downstream: Option<DownstreamModel>,
    /// Seed of every random draw: arrivals, service times, panics.
    pub seed: u64,
}

/// What the scenario asks of a cell, for the reports' verdict: the
/// latency a cell must keep to count as meeting it. Not a gate: missing
/// it fails nothing, the verdict only says so.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    /// The most the kind's main latency (end-to-end, read, delivery) may
    /// take at p99, ms.
    pub p99_ms: f64,
}

/// What `--quick` changes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Quick {
    /// In quick mode: jobs (`pool`), operations per reader (`cache`) or
    /// items per producer (`fanin`); default: a tenth.
    pub count: Option<u64>,
    /// Duration in quick mode (default: a fifth).
    pub duration: Option<Duration>,
    /// Repetitions in quick mode (default: at most 2).
    pub repetitions: Option<usize>,
}

/// A scenario, checked and expanded into cells.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The file it came from.
    pub file: PathBuf,
    /// Its name (default: the file's stem).
    pub name: String,
    /// One line on what it shows.
    pub description: String,
    /// The strategy family.
    pub kind: Kind,
    /// Runs of each cell, each in a fresh process.
    pub repetitions: usize,
    /// The cell `compare --relative` divides by (default: the first).
    pub reference: String,
    /// A cell's repetition still running after this long is stopped.
    pub cell_timeout: Duration,
    /// The most private memory (heap and thread stacks) a cell's process
    /// may map, if limited: a strategy that needs more is reported as out
    /// of memory instead of swapping the machine.
    pub memory_limit: Option<u64>,
    /// The latency the verdict holds cells to, if the file sets one.
    pub objective: Option<Objective>,
    /// The load.
    pub workload: Workload,
    /// What `--quick` changes.
    pub quick: Quick,
    /// Every (strategy, parameters) combination, in file order.
    pub cells: Vec<CellPlan>,
    /// The gates.
    pub gates: Vec<Gate>,
}

impl Scenario {
    /// Reads and checks `file`.
    pub fn load(file: &Path) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(file).map_err(|error| ScenarioError {
            file: file.to_owned(),
            line: 1,
            column: 1,
            message: format!("cannot read the file: {error}"),
        })?;
        Self::parse(file, &text)
    }

    /// Checks `text`, the contents of `file`.
    pub fn parse(file: &Path, text: &str) -> Result<Scenario, ScenarioError> {
        validate::scenario(error::Source { file, text })
    }

    /// The workload and repetitions to run, full or quick.
    pub fn plan(&self, quick: bool) -> (Workload, usize) {
        let mut workload = self.workload.clone();
        if !quick {
            return (workload, self.repetitions);
        }
        workload.scale_down(&self.quick);
        let repetitions = self.quick.repetitions.unwrap_or(self.repetitions.min(2));
        (workload, repetitions)
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_kinds;
