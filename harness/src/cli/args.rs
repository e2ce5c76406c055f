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

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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
