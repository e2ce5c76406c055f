//! What a build of contend is asked, by the build that runs `contend ab`:
//! the cells of the scenario files as it reads them (`contend cells
//! FILE… [--quick]`, JSON on stdout), and one repetition of one of them
//! (`contend cell --scenario FILE --label LABEL --repetition N
//! [--quick]`, a [`Repetition`](crate::results::Repetition) as JSON, as
//! `contend cell --spec` prints).
//!
//! Each side reads the scenario files with its own parser and runs the
//! cell with its own code, so the two need to agree only on this
//! protocol, not on the internals of a cell's spec: a scenario that one
//! side cannot read is that side's error, reported as such.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::revision::{last_lines, Side};
use crate::error::exit;
use crate::kinds::CellSpec;
use crate::run::suite::load_all;
use crate::scenario::{Kind, Scenario};
use crate::HarnessError;

/// One cell of a scenario file, as a build reads it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListedCell {
    /// The scenario's name.
    pub scenario: String,
    /// The file, as given.
    pub file: PathBuf,
    /// Its kind (`pool`, `cache`, `fanin`, `queue`).
    pub kind: String,
    /// The cell's label, unique in its scenario.
    pub label: String,
    /// Its strategy.
    pub strategy: String,
    /// How long a repetition may run before it is stopped, ms.
    pub timeout_ms: u64,
}

impl ListedCell {
    /// `scenario / label`.
    pub fn key(&self) -> String {
        format!("{} / {}", self.scenario, self.label)
    }

    /// The kind, read from its name (`pool` for a name this build does
    /// not know).
    pub fn kind(&self) -> Kind {
        Kind::from_name(&self.kind).unwrap_or(Kind::Pool)
    }

    /// The repetition timeout.
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }
}

/// The child's side of `contend cells`: every cell of `files`.
pub fn list(files: &[PathBuf]) -> Result<Vec<ListedCell>, HarnessError> {
    Ok(load_all(files)?
        .iter()
        .flat_map(|scenario| {
            scenario.cells.iter().map(|plan| ListedCell {
                scenario: scenario.name.clone(),
                file: scenario.file.clone(),
                kind: scenario.kind.name().to_owned(),
                label: plan.label.clone(),
                strategy: plan.strategy.clone(),
                timeout_ms: scenario.cell_timeout.as_millis() as u64,
            })
        })
        .collect())
}

/// The child's side of `contend cell --scenario`: the spec of repetition
/// `repetition` of the cell `label` of `file`.
pub fn spec_of(
    file: &Path,
    label: &str,
    repetition: usize,
    quick: bool,
) -> Result<CellSpec, HarnessError> {
    let scenario = Scenario::load(file)?;
    let plan = scenario
        .cells
        .iter()
        .find(|plan| plan.label == label)
        .ok_or_else(|| {
            HarnessError::BadInput(format!(
                "{}: no cell `{label}`; its cells: {}",
                file.display(),
                scenario
                    .cells
                    .iter()
                    .map(|p| p.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    let (workload, _) = scenario.plan(quick);
    Ok(scenario.cell_spec(plan, &workload, repetition, false))
}

/// The arguments that run repetition `repetition` of `cell`.
pub fn cell_args(cell: &ListedCell, repetition: usize, quick: bool) -> Vec<String> {
    let mut args = vec![
        "cell".to_owned(),
        "--scenario".to_owned(),
        cell.file.to_string_lossy().into_owned(),
        "--label".to_owned(),
        cell.label.clone(),
        "--repetition".to_owned(),
        repetition.to_string(),
    ];
    if quick {
        args.push("--quick".to_owned());
    }
    args
}

/// Asks `side` for the cells of `files`: its error (a scenario it cannot
/// read, a build that predates `contend ab`) is bad input, named.
pub fn ask(side: &Side, files: &[PathBuf]) -> Result<Vec<ListedCell>, HarnessError> {
    let output = Command::new(&side.program)
        .arg("cells")
        .args(files)
        .output()
        .map_err(|e| {
            HarnessError::BadInput(format!(
                "{} ({}): cannot run {}: {e}",
                side.role,
                side.describe,
                side.program.display()
            ))
        })?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        let why = if stderr.contains("unrecognized subcommand") {
            "it has no `cells` command: it predates `contend ab`; pair revisions that have it, \
             or compare runs with `contend compare`"
                .to_owned()
        } else if output.status.code() == Some(exit::BAD_INPUT) {
            format!(
                "it cannot run these scenarios:\n{}",
                last_lines(&output, 20)
            )
        } else {
            format!("`cells` failed:\n{}", last_lines(&output, 20))
        };
        return Err(HarnessError::BadInput(format!(
            "{} ({}): {why}",
            side.role, side.describe
        )));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| {
        HarnessError::BadInput(format!(
            "{} ({}): `cells` answered what this contend cannot read: {e}",
            side.role, side.describe
        ))
    })
}
