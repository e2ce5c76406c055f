//! A run: every scenario asked for, every cell of each, every repetition;
//! then the gates and the reports.
//!
//! All scenario files are read and checked before the first cell starts,
//! so a typo in the last file costs no time. Ctrl-C stops after the cell
//! being measured reports what it has; everything measured so far is
//! written.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use contend_strategies::pool::available_cores;

use super::child::{run_child, ChildCommand};
use super::progress::Progress;
use crate::error::HarnessError;
use crate::kinds::PrepareError;
use crate::report;
use crate::report::index::{self, IndexEntry, RunHeading};
use crate::results::{CellResult, Merged, Repetition, ResultsDoc, ScenarioResult, Status};
use crate::scenario::{Kind, Scenario};

/// What `contend run` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Scenario files; empty: the default suite.
    pub files: Vec<PathBuf>,
    /// Run the scaled-down cells.
    pub quick: bool,
    /// Where report folders go.
    pub out: PathBuf,
    /// Only these strategies (empty: all).
    pub filter: Vec<String>,
    /// Also write every scenario's results into this one file.
    pub save_baseline: Option<PathBuf>,
}

/// How a run went.
#[derive(Clone, Debug, Default)]
pub struct RunOutcome {
    /// The run's index (`index.html`), when a scenario was reported.
    pub index: Option<PathBuf>,
    /// Report folders written.
    pub reports: Vec<PathBuf>,
    /// `scenario: check` of every failed gate.
    pub failed_gates: Vec<String>,
    /// `scenario / cell: message` of every repetition whose books failed.
    pub failed_books: Vec<String>,
    /// `scenario / cell: status` of cells that crashed or timed out.
    pub broken_cells: Vec<String>,
    /// Ctrl-C stopped it.
    pub interrupted: bool,
    /// `scenario: why` of every scenario skipped because this machine
    /// lacks a server it needs (PostgreSQL, Redis).
    pub skipped: Vec<String>,
}

/// The default suite: `scenarios/*.toml` under the current directory, or
/// beside this crate's sources when run from elsewhere.
pub fn default_suite() -> Result<Vec<PathBuf>, HarnessError> {
    let candidates = [
        PathBuf::from("scenarios"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios"),
    ];
    let folder = candidates.iter().find(|dir| dir.is_dir()).ok_or_else(|| {
        HarnessError::BadInput(
            "no scenarios/ folder here; name scenario files: contend run FILE...".into(),
        )
    })?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(|e| HarnessError::BadInput(format!("cannot read {}: {e}", folder.display())))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

/// Reads and checks every scenario file.
pub fn load_all(files: &[PathBuf]) -> Result<Vec<Scenario>, HarnessError> {
    files
        .iter()
        .map(|file| Scenario::load(file).map_err(HarnessError::from))
        .collect()
}

/// Runs `options`; `interrupted` is set by the Ctrl-C handler.
pub fn run(options: &RunOptions, interrupted: &AtomicBool) -> Result<RunOutcome, HarnessError> {
    let files = if options.files.is_empty() {
        default_suite()?
    } else {
        options.files.clone()
    };
    let scenarios = load_all(&files)?;
    let names: Vec<&str> = Kind::ALL.into_iter().flat_map(Kind::strategies).collect();
    for name in &options.filter {
        if !names.contains(&name.as_str()) {
            return Err(HarnessError::BadInput(format!(
                "--filter: unknown strategy `{name}`; allowed: {}",
                names.join(", ")
            )));
        }
    }
    let progress = Progress::detect();
    let mut outcome = RunOutcome::default();
    let mut all = Vec::new();
    // One folder per run: each scenario's folder in it, and the index.
    let run_dir = unique_folder(&options.out, &stamp());
    let heading = RunHeading {
        started_at: utc(SystemTime::now()),
        quick: options.quick,
        cores: available_cores(),
    };
    let mut entries = Vec::new();
    for scenario in &scenarios {
        if interrupted.load(Ordering::Relaxed) {
            break;
        }
        let Some(result) = run_scenario(scenario, options, &progress, interrupted, &mut outcome)?
        else {
            continue;
        };
        let folder = unique_folder(&run_dir, &scenario.name);
        report::write_all(&folder, &result)?;
        progress.say(&format!("  reports: {}", folder.display()));
        let name = folder
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let verdict = report::verdict::sentences(&result);
        entries.push(IndexEntry::of(&result, &name, verdict));
        outcome.reports.push(folder);
        all.push(result);
    }
    if !entries.is_empty() {
        let index = run_dir.join("index.html");
        report::write_atomic(&index, index::render_html(&heading, &entries).as_bytes())?;
        report::write_atomic(
            &run_dir.join("index.md"),
            index::render_markdown(&heading, &entries).as_bytes(),
        )?;
        progress.say(&format!("  index: {}", index.display()));
        outcome.index = Some(index);
    }
    if let Some(path) = &options.save_baseline {
        report::write_atomic(
            path,
            report::json::render(&ResultsDoc::new(all).without_histograms()).as_bytes(),
        )?;
    }
    outcome.interrupted = interrupted.load(Ordering::Relaxed);
    Ok(outcome)
}

fn run_scenario(
    scenario: &Scenario,
    options: &RunOptions,
    progress: &Progress,
    interrupted: &AtomicBool,
    outcome: &mut RunOutcome,
) -> Result<Option<ScenarioResult>, HarnessError> {
    let (mut workload, repetitions) = scenario.plan(options.quick);
    let cells: Vec<_> = scenario
        .cells
        .iter()
        .filter(|cell| options.filter.is_empty() || options.filter.contains(&cell.strategy))
        .collect();
    if cells.is_empty() {
        progress.say(&format!(
            "{}: no cell passes --filter; skipped",
            scenario.name
        ));
        return Ok(None);
    }
    // Servers the cells call (a throwaway database) run until the
    // scenario's last cell is over.
    let _services = match scenario.kind.imp().prepare(&mut workload) {
        Ok(services) => services,
        Err(PrepareError::Unavailable(why)) => {
            // Not this scenario's fault nor the user's: the machine lacks
            // a server. The rest of the suite runs.
            progress.say(&format!("SKIPPED: {}: {why}", scenario.name));
            outcome.skipped.push(format!("{}: {why}", scenario.name));
            return Ok(None);
        }
        Err(PrepareError::Bad(why)) => {
            return Err(HarnessError::BadInput(format!(
                "{}: {why}",
                scenario.file.display()
            )))
        }
    };
    progress.say(&format!(
        "{}{}: {} cells × {repetitions} repetitions — {}",
        scenario.name,
        if options.quick { " (quick)" } else { "" },
        cells.len(),
        scenario.description
    ));
    let started_at = utc(SystemTime::now());
    let mut results = Vec::new();
    for plan in cells {
        if interrupted.load(Ordering::Relaxed) {
            break;
        }
        let bar = progress.cell(
            &plan.label,
            scenario.kind.unit(),
            workload.units(&plan.params),
            repetitions,
        );
        let mut repetitions_run = Vec::new();
        let mut before = 0;
        for repetition in 0..repetitions {
            let spec = scenario.cell_spec(plan, &workload, repetition, progress.is_live());
            let rep = match ChildCommand::this_binary(&spec) {
                Ok(command) => {
                    run_child(&command, scenario.cell_timeout, interrupted, &mut |done| {
                        bar.update(before, done)
                    })
                }
                Err(message) => Repetition::failed(Status::Crashed { message }),
            };
            before += rep.books.done;
            let stop = interrupted.load(Ordering::Relaxed);
            repetitions_run.push(rep);
            if stop {
                break;
            }
        }
        let cell = CellResult::gather(
            plan.label.clone(),
            plan.strategy.clone(),
            plan.written.clone(),
            repetitions_run,
            scenario.kind.primary(),
        );
        let where_ = format!("{} / {}", scenario.name, cell.label);
        for rep in &cell.repetitions {
            match &rep.status {
                Status::BooksFailed { message } => {
                    progress.say(&format!("BOOKS FAILED: {where_}: {message}"));
                    outcome.failed_books.push(format!("{where_}: {message}"));
                }
                Status::Crashed { message } => outcome
                    .broken_cells
                    .push(format!("{where_}: crashed: {message}")),
                Status::TimedOut => outcome.broken_cells.push(format!("{where_}: timed out")),
                Status::OutOfMemory { message } => outcome
                    .broken_cells
                    .push(format!("{where_}: out of memory: {message}")),
                Status::Ok | Status::Interrupted => {}
            }
        }
        let m = &cell.merged;
        let summary = match cell.status() {
            Status::Ok => format!(
                "{:.0} {}, goodput {}, {} p99 {:.3} ms, {} threads",
                m.throughput.mean,
                scenario.kind.throughput_unit(),
                goodput_words(m, scenario.kind.throughput_unit()),
                scenario.kind.primary().name(),
                m.p99_ms.mean,
                m.peak_threads,
            ),
            other => other.word().to_owned(),
        };
        bar.finish(&summary);
        results.push(cell);
    }
    let gates: Vec<_> = scenario
        .gates
        .iter()
        .map(|gate| {
            if options.quick && !gate.in_quick {
                gate.skipped_in_quick()
            } else {
                gate.evaluate(&results)
            }
        })
        .collect();
    for gate in gates.iter().filter(|g| !g.passed) {
        progress.say(&format!(
            "GATE FAILED: {} (line {}): {}",
            scenario.name, gate.line, gate.check
        ));
        for detail in &gate.details {
            progress.say(&format!("    {detail}"));
        }
        outcome
            .failed_gates
            .push(format!("{}: {}", scenario.name, gate.check));
    }
    Ok(Some(ScenarioResult {
        name: scenario.name.clone(),
        description: scenario.description.clone(),
        kind: scenario.kind.name().to_owned(),
        file: scenario.file.display().to_string(),
        quick: options.quick,
        started_at,
        cores: available_cores(),
        reference: scenario.reference.clone(),
        repetitions,
        workload_description: workload.describe(),
        workload: serde_json::to_value(&workload).unwrap_or_default(),
        cells: results,
        gates,
        interrupted: interrupted.load(Ordering::Relaxed),
        objective: scenario.objective,
    }))
}

/// `83 jobs/s (94.4% failed)`: what succeeded per second and the share
/// of the offered work that failed, for the line printed per cell.
fn goodput_words(merged: &Merged, unit: &str) -> String {
    match (merged.goodput, merged.failed_share) {
        (Some(goodput), Some(failed)) => format!(
            "{:.0} {unit} ({:.1}% failed)",
            goodput.mean,
            failed.mean * 100.0
        ),
        _ => "unknown".to_owned(),
    }
}

/// `parent/name`, or `parent/name-2`, `-3`, … if that exists already (two
/// runs in one second, two scenarios of one name).
pub(crate) fn unique_folder(parent: &Path, name: &str) -> PathBuf {
    let first = parent.join(name);
    if !first.exists() {
        return first;
    }
    (2..)
        .map(|n| parent.join(format!("{name}-{n}")))
        .find(|candidate| !candidate.exists())
        .expect("some suffix is free")
}

/// `YYYYMMDD-HHMMSS` (UTC) for report folder names.
pub(crate) fn stamp() -> String {
    utc(SystemTime::now())
        .replace(['-', ':'], "")
        .replace('T', "-")
        .trim_end_matches('Z')
        .to_owned()
}

/// `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn utc_dates_are_civil_dates() {
        assert_eq!(utc(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            utc(UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
            "2023-11-14T22:13:20Z"
        );
    }
}
