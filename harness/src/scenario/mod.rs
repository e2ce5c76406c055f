//! Scenario files: what to run, against which strategies, and the gates
//! the results must pass.
//!
//! A scenario is read and checked completely before anything runs: a
//! malformed file, an unknown strategy, key or policy, or an impossible
//! value (zero workers, a negative rate) is a [`ScenarioError`] naming the
//! file, the line and what is allowed. The format is documented in
//! `scenarios/README.md`.
//!
//! Every scenario has a [`Kind`]. Today only `pool` (executors) exists;
//! `cache` and `fanin` scenarios will add their own workload tables and
//! cell runners beside it.

mod duration;
mod error;
mod gate;
mod params;
mod raw;
mod validate;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use duration::{display as display_duration, parse as parse_duration};
pub use error::ScenarioError;
pub use gate::{Gate, GateMetric, GateResult, Op, Operand, Stat};
pub use params::{CellPlan, StrategyParams};

use crate::load::arrival::Arrival;
use crate::load::downstream::DownstreamModel;
use crate::load::service::ServiceModel;

/// The family of strategies a scenario measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Executors (`contend_strategies::pool`).
    Pool,
}

impl Kind {
    /// Kinds this build can run.
    pub const NAMES: [&'static str; 1] = ["pool"];

    /// The name in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Pool => "pool",
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

/// What `--quick` changes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Quick {
    /// Jobs in quick mode (default: a tenth).
    pub jobs: Option<u64>,
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
    /// The load.
    pub workload: PoolWorkload,
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
    pub fn plan(&self, quick: bool) -> (PoolWorkload, usize) {
        let mut workload = self.workload.clone();
        if !quick {
            return (workload, self.repetitions);
        }
        workload.jobs = self
            .quick
            .jobs
            .or(workload.jobs.map(|jobs| (jobs / 10).max(1)));
        workload.duration = self.quick.duration.or(workload.duration.map(|d| d / 5));
        let repetitions = self.quick.repetitions.unwrap_or(self.repetitions.min(2));
        (workload, repetitions)
    }
}

#[cfg(test)]
mod tests;
