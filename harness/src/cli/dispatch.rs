//! What each command does, and the exit code it answers with.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context as _;

use super::args::Command;
use crate::catalog::Catalog;
use crate::compare::{self, CompareOptions};
use crate::error::exit;
use crate::report::json;
use crate::run::cell::run_cell;
use crate::run::limits;
use crate::run::spec::CellSpec;
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
            let interrupted = Arc::new(AtomicBool::new(false));
            let flag = Arc::clone(&interrupted);
            ctrlc::set_handler(move || {
                if flag.swap(true, Ordering::Relaxed) {
                    std::process::exit(exit::INTERRUPTED);
                }
                eprintln!(
                    "\nstopping: finishing the current cell's report (Ctrl-C again to quit now)"
                );
            })
            .context("installing the Ctrl-C handler")?;
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
            Ok(if outcome.interrupted {
                exit::INTERRUPTED
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
        Command::Cell { spec } => {
            let spec: CellSpec = serde_json::from_str(&spec)
                .map_err(|e| HarnessError::BadInput(format!("--spec: {e}")))?;
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
