//! What the parent tells a cell's child process: everything needed to run
//! one repetition, as JSON on the command line (`contend cell --spec …`).

use serde::{Deserialize, Serialize};

use super::{Kind, StrategyParams, Workload};

/// One repetition of one cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellSpec {
    /// The scenario's name (for messages).
    pub scenario: String,
    /// The strategy family.
    pub kind: Kind,
    /// The cell's label.
    pub label: String,
    /// The strategy to build.
    pub strategy: String,
    /// Its parameters, resolved.
    pub params: StrategyParams,
    /// The load.
    pub workload: Workload,
    /// Which repetition, from 0.
    pub repetition: usize,
    /// The private memory the child may map (`RLIMIT_DATA`), if limited.
    pub memory_limit: Option<u64>,
    /// Whether to print progress lines on stderr.
    pub progress: bool,
}

/// The prefix of a progress line on a child's stderr:
/// `contend-progress <units done>` (jobs, reader operations, items).
pub const PROGRESS_PREFIX: &str = "contend-progress ";
