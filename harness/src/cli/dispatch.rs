//! What each command does, and the exit code it answers with.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context as _;

use super::args::Command;
use crate::ab::revision::BuildTarget;
use crate::ab::{self, listing, AbOptions};
use crate::catalog::Catalog;
use crate::compare::{self, CompareOptions};
use crate::error::exit;
use crate::kinds::queue::consumer::{self, ConsumerSpec};
use crate::kinds::CellSpec;
use crate::report::json;
use crate::run::cell::run_cell;
use crate::run::limits;
use crate::run::suite::{self, RunOptions};
use crate::HarnessError;

pub(crate) fn dispatch(command: Command) -> anyhow::Result<i32> {
    match command {
        Command::List => {
            let scenarios = suite::default_suite().unwrap_or_default();
            print!("{}", crate::list::render(Catalog::active(), &scenarios));
            Ok(exit::OK)
        }
        Command::Run {
            files,
            quick,
            out,
            filter,
            save_baseline,
        } => {
            let interrupted = ctrl_c_stops("stopping: finishing the current cell's report")?;
            let options = RunOptions {
                files,
                quick,
                out,
                filter,
                save_baseline,
            };
            let outcome = suite::run(&options, &interrupted)?;
            for line in &outcome.broken_cells {
                eprintln!("cell did not finish: {line}");
            }
            if !outcome.failed_books.is_empty() {
                eprintln!("\nBOOKS FAILED: a strategy lost or duplicated jobs:");
                for line in &outcome.failed_books {
                    eprintln!("  {line}");
                }
            }
            for line in &outcome.failed_gates {
                eprintln!("gate failed: {line}");
            }
            for line in &outcome.skipped {
                eprintln!("SKIPPED: {line}");
            }
            Ok(if outcome.interrupted {
                exit::INTERRUPTED
            } else if outcome.reports.is_empty() && !outcome.skipped.is_empty() {
                // Nothing could run: as bad as a file that does not load.
                exit::BAD_INPUT
            } else if outcome.failed_books.is_empty()
                && outcome.failed_gates.is_empty()
                && outcome.broken_cells.is_empty()
            {
                exit::OK
            } else {
                exit::FAILED
            })
        }
        Command::Compare {
            base,
            new,
            threshold,
            sigmas,
            relative,
            metrics,
        } => {
            let options = CompareOptions {
                threshold: threshold / 100.0,
                sigmas,
                relative,
            };
            let mut comparison = compare::compare(&json::read(&base)?, &json::read(&new)?, options);
            comparison.keep_metrics(&metrics)?;
            print!("{}", compare::render(&comparison, options));
            Ok(if comparison.regressions() == 0 {
                exit::OK
            } else {
                exit::FAILED
            })
        }
        Command::Ab {
            base,
            new,
            files,
            quick,
            filter,
            threshold,
            confidence,
            pairs,
            max_pairs,
            metrics,
            out,
            build_package,
            build_bin,
            build_features,
        } => {
            let interrupted = ctrl_c_stops("stopping: finishing the current pair, then reporting")?;
            let options = AbOptions {
                base,
                new,
                files,
                quick,
                filter,
                threshold: threshold / 100.0,
                confidence: confidence / 100.0,
                look_every: pairs,
                max_pairs,
                metrics,
                out,
                build: BuildTarget {
                    package: build_package,
                    bin: build_bin,
                    features: build_features,
                },
            };
            let outcome = ab::run(&options, &interrupted)?;
            let report = outcome.folder.join("ab.md");
            print!("{}", std::fs::read_to_string(&report).unwrap_or_default());
            eprintln!("reports: {}", outcome.folder.display());
            Ok(if outcome.comparison.interrupted {
                exit::INTERRUPTED
            } else if outcome.comparison.failing().is_empty() {
                exit::OK
            } else {
                exit::FAILED
            })
        }
        Command::QueueConsumer { spec, index } => {
            let spec: ConsumerSpec = serde_json::from_str(&spec)
                .map_err(|e| HarnessError::BadInput(format!("--spec: {e}")))?;
            match consumer::run(&spec, index) {
                Ok(report) => {
                    println!("{}", serde_json::to_string(&report)?);
                    Ok(exit::OK)
                }
                Err(message) => {
                    eprintln!("error: {message}");
                    Ok(exit::FAILED)
                }
            }
        }
        Command::Cells { files } => {
            println!("{}", serde_json::to_string(&listing::list(&files)?)?);
            Ok(exit::OK)
        }
        Command::Cell {
            spec,
            scenario,
            label,
            repetition,
            quick,
        } => {
            let spec_from_file = spec.is_none();
            let mut spec: CellSpec = match (spec, scenario) {
                (Some(spec), _) => serde_json::from_str(&spec)
                    .map_err(|e| HarnessError::BadInput(format!("--spec: {e}")))?,
                (None, Some(file)) => listing::spec_of(
                    &file,
                    label.as_deref().unwrap_or_default(),
                    repetition,
                    quick,
                )?,
                (None, None) => unreachable!("clap requires --spec or --scenario"),
            };
            // A cell `contend ab` runs by its label starts what its kind
            // needs itself (the run's parent does so for `--spec` cells).
            let _services = if spec_from_file {
                spec.kind
                    .imp()
                    .prepare(&mut spec.workload)
                    .map_err(|error| HarnessError::BadInput(error.to_string()))?
            } else {
                Default::default()
            };
            if let Some(bytes) = spec.memory_limit {
                limits::limit_memory(bytes).context("cannot apply memory_limit")?;
            }
            let stop = Arc::new(AtomicBool::new(false));
            // The parent closes our stdin to ask us to stop early.
            let watcher = Arc::clone(&stop);
            std::thread::spawn(move || {
                let _ = std::io::stdin().read_to_end(&mut Vec::new());
                watcher.store(true, Ordering::Relaxed);
            });
            let repetition = run_cell(&spec, &stop);
            println!("{}", serde_json::to_string(&repetition)?);
            Ok(exit::OK)
        }
    }
}

/// Installs the Ctrl-C handler: the first press sets the flag returned
/// (and says `what` happens now), the second quits at once.
fn ctrl_c_stops(what: &'static str) -> anyhow::Result<Arc<AtomicBool>> {
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&interrupted);
    ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::Relaxed) {
            std::process::exit(exit::INTERRUPTED);
        }
        eprintln!("\n{what} (Ctrl-C again to quit now)");
    })
    .context("installing the Ctrl-C handler")?;
    Ok(interrupted)
}
