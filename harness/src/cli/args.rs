//! The command line: `contend list`, `run`, `compare`, and the hidden
//! `cell` that the parent runs in each cell's child process.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Load-test concurrency strategies side by side.
#[derive(Debug, Parser)]
#[command(name = "contend", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// What `contend run`'s exit codes mean, for `--help`.
const RUN_EXIT_CODES: &str = "\
Exit codes:
  0    every cell ran, its books balanced and every gate passed
  1    a gate or a cell's books failed, or a cell crashed, ran out of memory or timed out
  2    bad input, before anything runs: a scenario file that cannot run (malformed, an
       unknown key, strategy or policy, a size this machine cannot give; the message
       names the file and line), an unknown --filter name, or bad usage
  130  stopped by Ctrl-C (the reports of what was measured are written)";

/// What `contend compare`'s exit codes mean, for `--help`.
const COMPARE_EXIT_CODES: &str = "\
Exit codes:
  0  no regression beyond the threshold and the noise
  1  a regression, or a cell measured in BASE failed in NEW
  2  bad input: a results file or folder that cannot be read (missing, not JSON,
     truncated, another schema version, no results.json in a folder; the message
     names the file), an unknown --metric, or bad usage";

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List the strategies, the overload policies and the default scenarios.
    List,
    /// Run scenarios (default: every scenarios/*.toml) and write reports.
    #[command(after_help = RUN_EXIT_CODES)]
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
    #[command(after_help = COMPARE_EXIT_CODES)]
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
