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
//! maps), `fanin` (N producers, one consumer) or `queue` (consumer
//! processes on a broker). This module checks what
//! every kind shares (name, repetitions, strategies and their sweeps,
//! gates, `[quick]`); the kind ([`crate::kinds`]) checks its own
//! `[workload]` table, its strategies' keys and sizes.

mod gate;
mod raw;
mod validate;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use crate::fields::ScenarioError;
pub use crate::kinds::{CellPlan, Kind, StrategyParams, Workload};
pub use crate::results::{GateResult, Objective};
pub use crate::units::duration::{display as display_duration, parse as parse_duration};
pub use crate::units::size::{display as display_size, parse as parse_size};
pub use gate::{gate_value, Gate, GateMetric, Op, Operand, Stat};

use crate::fields::Source;
use crate::kinds::CellSpec;

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
        validate::scenario(Source { file, text })
    }

    /// The workload and repetitions to run, full or quick.
    pub fn plan(&self, quick: bool) -> (Workload, usize) {
        let mut workload = self.workload.clone();
        if !quick {
            return (workload, self.repetitions);
        }
        workload.scale_down(self.quick.count, self.quick.duration);
        let repetitions = self.quick.repetitions.unwrap_or(self.repetitions.min(2));
        (workload, repetitions)
    }

    /// Repetition `repetition` of `plan`, one of its cells, under
    /// `workload` (its own, full or quick): what the cell's child process
    /// is told.
    pub fn cell_spec(
        &self,
        plan: &CellPlan,
        workload: &Workload,
        repetition: usize,
        progress: bool,
    ) -> CellSpec {
        CellSpec {
            scenario: self.name.clone(),
            kind: self.kind,
            label: plan.label.clone(),
            strategy: plan.strategy.clone(),
            params: plan.params.clone(),
            workload: workload.clone(),
            repetition,
            memory_limit: self.memory_limit,
            progress,
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_kinds;
