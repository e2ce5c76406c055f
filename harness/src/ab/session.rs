//! One paired comparison from start to end: resolve and build the two
//! sides, list the cells both can run, run pairs round by round until
//! every cell is decided or has its most pairs, then write the reports.
//!
//! Round `i` runs pair `i` of every cell still undecided, so a burst of
//! load from elsewhere lands on pairs of different cells rather than on
//! every pair of one. Within a pair the two sides run one right after the
//! other, BASE first in even rounds and NEW first in odd ones.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use super::comparison::{CellComparison, Comparison, Failure, Pair, Plan, SideInfo};
use super::listing::{self, cell_args, ListedCell};
use super::metric::PairedMetric;
use super::revision::{self, BuildTarget, Side};
use super::stats::fewest_pairs;
use super::{html, markdown};
use crate::report;
use crate::results::{Repetition, Status};
use crate::run::child::{run_child, ChildCommand};
use crate::run::suite::{default_suite, stamp, unique_folder, utc};
use crate::HarnessError;

/// What `contend ab` was asked to do.
#[derive(Clone, Debug)]
pub struct AbOptions {
    /// BASE: a git revision or a built binary.
    pub base: String,
    /// NEW: a git revision or a built binary.
    pub new: String,
    /// Scenario files; empty: the default suite.
    pub files: Vec<PathBuf>,
    /// The scaled-down cells.
    pub quick: bool,
    /// Only these strategies (empty: all).
    pub filter: Vec<String>,
    /// A change smaller than this fraction never counts.
    pub threshold: f64,
    /// The chance the whole run flags nothing when nothing changed.
    pub confidence: f64,
    /// Pairs before the first look and between looks.
    pub look_every: usize,
    /// The most pairs per cell.
    pub max_pairs: usize,
    /// Metrics that gate (empty: every one).
    pub metrics: Vec<String>,
    /// Where the report folder goes.
    pub out: PathBuf,
    /// What to build of a side given as a revision.
    pub build: BuildTarget,
}

/// How a paired comparison went.
#[derive(Clone, Debug)]
pub struct AbOutcome {
    /// What was found.
    pub comparison: Comparison,
    /// The report folder.
    pub folder: PathBuf,
}

/// Runs `options`; `interrupted` is set by the Ctrl-C handler.
pub fn run(options: &AbOptions, interrupted: &AtomicBool) -> Result<AbOutcome, HarnessError> {
    let gated = check(options)?;
    let files = if options.files.is_empty() {
        default_suite()?
    } else {
        options.files.clone()
    };
    let say = |line: &str| eprintln!("{line}");
    let base = revision::side("BASE", &options.base, &options.build, &say)?;
    let new = revision::side("NEW", &options.new, &options.build, &say)?;
    let keep =
        |cell: &ListedCell| options.filter.is_empty() || options.filter.contains(&cell.strategy);
    let base_cells: Vec<ListedCell> = listing::ask(&base, &files)?
        .into_iter()
        .filter(keep)
        .collect();
    let new_cells: Vec<ListedCell> = listing::ask(&new, &files)?
        .into_iter()
        .filter(keep)
        .collect();
    let new_keys: BTreeMap<String, &ListedCell> = new_cells.iter().map(|c| (c.key(), c)).collect();
    let cells: Vec<ListedCell> = base_cells
        .iter()
        .filter(|c| new_keys.contains_key(&c.key()))
        .cloned()
        .collect();
    let only = |these: &[ListedCell], other: &[ListedCell]| -> Vec<String> {
        these
            .iter()
            .filter(|c| !other.iter().any(|o| o.key() == c.key()))
            .map(ListedCell::key)
            .collect()
    };
    if cells.is_empty() {
        return Err(HarnessError::BadInput(format!(
            "BASE and NEW have no cell in common in {} (after --filter)",
            files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let looks = options.max_pairs.div_ceil(options.look_every);
    let plan = Plan {
        threshold: options.threshold,
        confidence: options.confidence,
        interval_confidence: Plan::corrected(options.confidence, cells.len() * gated.len(), looks),
        look_every: options.look_every,
        max_pairs: options.max_pairs,
        gated,
        quick: options.quick,
    };
    let fewest = fewest_pairs(plan.interval_confidence);
    say(&format!(
        "{} cells × {} gated metrics, {} to {} pairs (a look every {}); each interval at {:.4}% \
         so the run keeps {:.0}% confidence; an interval needs {fewest} pairs to decide anything",
        cells.len(),
        plan.gated.len(),
        plan.look_every.min(plan.max_pairs),
        plan.max_pairs,
        plan.look_every,
        plan.interval_confidence * 100.0,
        plan.confidence * 100.0,
    ));
    if fewest > plan.max_pairs {
        say(&format!(
            "warning: {} pairs cannot decide anything at this confidence; raise --max-pairs to {fewest} \
             or more, or gate fewer cells or metrics",
            plan.max_pairs
        ));
    }
    let started_at = utc(SystemTime::now());
    let compared = run_pairs(&cells, &base, &new, &plan, interrupted);
    let comparison = Comparison {
        started_at,
        base: SideInfo {
            spec: base.spec.clone(),
            describe: base.describe.clone(),
        },
        new: SideInfo {
            spec: new.spec.clone(),
            describe: new.describe.clone(),
        },
        plan,
        cells: compared,
        only_in_base: only(&base_cells, &new_cells),
        only_in_new: only(&new_cells, &base_cells),
        interrupted: interrupted.load(Ordering::Relaxed),
    };
    let folder = unique_folder(&options.out, &stamp());
    report::write_atomic(
        &folder.join("ab.md"),
        markdown::render(&comparison).as_bytes(),
    )?;
    report::write_atomic(
        &folder.join("ab.html"),
        html::render(&comparison).as_bytes(),
    )?;
    let json = serde_json::to_string_pretty(&comparison).expect("a comparison serialises");
    report::write_atomic(&folder.join("ab.json"), json.as_bytes())?;
    Ok(AbOutcome { comparison, folder })
}

/// Checks the numbers and names the options carry; the gated metrics.
fn check(options: &AbOptions) -> Result<Vec<PairedMetric>, HarnessError> {
    let bad = |message: String| Err(HarnessError::BadInput(message));
    if !(options.threshold > 0.0 && options.threshold.is_finite()) {
        return bad(format!(
            "--threshold {}: give a percentage above 0",
            options.threshold * 100.0
        ));
    }
    if !(options.confidence > 0.0 && options.confidence < 1.0) {
        return bad(format!(
            "--confidence {}: give a percentage between 0 and 100, e.g. 95",
            options.confidence * 100.0
        ));
    }
    if options.look_every == 0 || options.max_pairs < options.look_every {
        return bad(format!(
            "--pairs {} --max-pairs {}: give at least 1 pair, and a cap no lower",
            options.look_every, options.max_pairs
        ));
    }
    if options.metrics.is_empty() {
        return Ok(PairedMetric::ALL.to_vec());
    }
    let mut gated = Vec::new();
    for name in options.metrics.iter().flat_map(|m| m.split(',')) {
        match PairedMetric::parse(name.trim()) {
            Some(metric) if !gated.contains(&metric) => gated.push(metric),
            Some(_) => {}
            None => {
                return bad(format!(
                    "--metric {name}: unknown; allowed: {}",
                    PairedMetric::ALL.map(PairedMetric::name).join(", ")
                ))
            }
        }
    }
    Ok(gated)
}

/// A cell's pairs so far and whether it needs more.
struct Progress {
    cell: ListedCell,
    pairs: Vec<Pair>,
    failure: Option<Failure>,
    done: bool,
}

fn run_pairs(
    cells: &[ListedCell],
    base: &Side,
    new: &Side,
    plan: &Plan,
    interrupted: &AtomicBool,
) -> Vec<CellComparison> {
    let mut cells: Vec<Progress> = cells
        .iter()
        .map(|cell| Progress {
            cell: cell.clone(),
            pairs: Vec::new(),
            failure: None,
            done: false,
        })
        .collect();
    'rounds: for round in 0..plan.max_pairs {
        for progress in cells.iter_mut().filter(|p| !p.done) {
            if interrupted.load(Ordering::Relaxed) {
                break 'rounds;
            }
            let run = |side: &Side| {
                let command = ChildCommand {
                    program: side.program.clone(),
                    args: cell_args(&progress.cell, round, plan.quick),
                };
                run_child(&command, progress.cell.timeout(), interrupted, &mut |_| {})
            };
            let base_first = round % 2 == 0;
            let (base_rep, new_rep) = if base_first {
                let b = run(base);
                (b, run(new))
            } else {
                let n = run(new);
                (run(base), n)
            };
            if interrupted.load(Ordering::Relaxed) {
                break 'rounds;
            }
            progress.failure = failure("NEW", &new_rep).or_else(|| failure("BASE", &base_rep));
            progress.pairs.push(Pair {
                base: base_rep,
                new: new_rep,
                base_first,
            });
            if let Some(failed) = &progress.failure {
                eprintln!(
                    "  {}: {} {} in pair {}; the cell stops",
                    progress.cell.key(),
                    failed.side,
                    failed.status,
                    round + 1
                );
                progress.done = true;
            } else if plan.looks_at(progress.pairs.len()) {
                let compared =
                    CellComparison::of(progress.cell.clone(), &progress.pairs, plan, None);
                progress.done = compared.is_decided();
                eprintln!(
                    "  {} after {} pairs: {}",
                    progress.cell.key(),
                    progress.pairs.len(),
                    markdown::decisions_line(&compared)
                );
            }
        }
        if cells.iter().all(|p| p.done) {
            break;
        }
    }
    cells
        .into_iter()
        .map(|p| CellComparison::of(p.cell, &p.pairs, plan, p.failure))
        .collect()
}

/// The failure of `rep`, if it did not end ok.
fn failure(side: &str, rep: &Repetition) -> Option<Failure> {
    match &rep.status {
        Status::Ok | Status::Interrupted => None,
        other => Some(Failure {
            side: side.to_owned(),
            status: other.to_string(),
        }),
    }
}
