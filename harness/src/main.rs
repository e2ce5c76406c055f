//! The `contend` binary: parses arguments, dispatches, maps outcomes to
//! exit codes (0 ok, 1 a gate, books or comparison failed or a cell
//! crashed or timed out, 2 bad input or
//! usage, 130 interrupted by Ctrl-C with the results so far written).

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use contend::compare::{self, CompareOptions};
use contend::error::exit;
use contend::report::json;
use contend::run::cell::run_cell;
use contend::run::limits;
use contend::run::spec::CellSpec;
use contend::run::suite::{self, RunOptions};
use contend::HarnessError;

/// Load-test concurrency strategies side by side.
#[derive(Debug, Parser)]
#[command(name = "contend", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the strategies, the overload policies and the default scenarios.
    List,
    /// Run scenarios (default: every scenarios/*.toml) and write reports.
    Run {
        /// Scenario files; none: the default suite.
        files: Vec<PathBuf>,
        /// Run the scaled-down cells (for CI).
        #[arg(long)]
        quick: bool,
        /// Where report folders go.
        #[arg(long, default_value = "reports/runs")]
        out: PathBuf,
        /// Only these strategies (repeat or comma-separate).
        #[arg(long, value_delimiter = ',')]
        filter: Vec<String>,
        /// Also write all scenarios' results into this one file (e.g.
        /// reports/baseline.json).
        #[arg(long)]
        save_baseline: Option<PathBuf>,
    },
    /// Compare two results (files or folders of runs); exit 1 on a
    /// regression beyond the threshold and the noise.
    Compare {
        /// The baseline.
        base: PathBuf,
        /// The new results.
        new: PathBuf,
        /// Smallest change that can fail, in percent.
        #[arg(long, default_value_t = 10.0)]
        threshold: f64,
        /// Standard deviations of repetition noise a change must exceed.
        #[arg(long, default_value_t = 2.0)]
        sigmas: f64,
        /// Compare each cell's ratio to its scenario's reference cell
        /// (machine-independent; what CI uses).
        #[arg(long)]
        relative: bool,
        /// Gate only on these metrics (repeatable: throughput, p50, p99);
        /// default every metric. Latency ratios of microsecond jobs move
        /// more between machines than throughput ratios.
        #[arg(long = "metric", value_name = "METRIC")]
        metrics: Vec<String>,
    },
    /// Run one repetition of one cell (the parent runs this in a child).
    #[command(hide = true)]
    Cell {
        /// The cell, as JSON.
        #[arg(long)]
        spec: String,
    },
}

fn main() -> ExitCode {
    // clap exits with code 2 on bad usage, as the exit-code table asks.
    let cli = Cli::parse();
    let code = match dispatch(cli.command) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            error
                .downcast_ref::<HarnessError>()
                .map_or(exit::BAD_INPUT, HarnessError::exit_code)
        }
    };
    ExitCode::from(code as u8)
}

fn dispatch(command: Command) -> anyhow::Result<i32> {
    match command {
        Command::List => {
            let scenarios = suite::default_suite().unwrap_or_default();
            print!("{}", contend::list::render(&scenarios));
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
