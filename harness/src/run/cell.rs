//! One repetition of one cell, in the child process: the kind of the
//! cell's scenario runs it ([`ScenarioKind::run`](crate::kinds::ScenarioKind::run)).

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::kinds::CellSpec;
use crate::results::Repetition;

/// Runs the repetition `spec` describes, by its kind. `stop` ends it
/// early (the measurements so far are kept, the status says
/// `Interrupted`).
pub fn run_cell(spec: &CellSpec, stop: &Arc<AtomicBool>) -> Repetition {
    spec.kind.imp().run(spec, stop)
}
