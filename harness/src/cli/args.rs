//! The command line: `contend list`, `run`, `compare`, `ab`, and the
//! hidden `cell` (one repetition, in each cell's child process) and
//! `cells` (a scenario's cells, for `ab`).

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

/// What `contend ab` does and what its exit codes mean, for `--help`.
const AB_HELP: &str = "\
How it works:
  BASE and NEW are each a git revision of the repository here (built once in release, in the
  worktree target/ab/checkout, and kept in target/ab/bin/ by source: a revision that changed
  no source reuses a build) or a path to a built binary: contend, or your binary that calls
  contend::cli::main_with (--build-package/--build-bin/--build-features build it from a
  revision). Both must have the `cells` command (contend ab's own protocol).
  Every cell of the scenarios both sides can run is run by BASE then NEW, then NEW then BASE,
  ..., each repetition in its own process; the pairs' ratios NEW/BASE are compared with the
  sign test's interval for their median, which assumes nothing of the noise. A cell stops
  once every gated metric is decided (its interval wholly beyond, or wholly within, the
  threshold), or at --max-pairs. The confidence holds for the whole run: each interval is
  computed at 1 - (1 - confidence) / (gated comparisons x looks).

Reports: <out>/<time>/ab.md (paste into a pull request), ab.html, ab.json.

Examples:
  contend ab main HEAD --quick scenarios/tiny-jobs.toml
  contend ab HEAD~1 target/release/contend --metric goodput,p99 --max-pairs 24
  contend ab main HEAD --build-package my-crate --build-bin load-test --build-features load-test

Exit codes:
  0    no gated metric regressed beyond the threshold (undecided ones do not fail)
  1    a gated metric regressed, or NEW crashed, timed out or failed its books in a cell
  2    bad input: a revision that does not exist or does not build (its cargo output is
       shown), a binary that cannot run, a scenario a side cannot read, no cell in
       common, bad options
  130  stopped by Ctrl-C (the reports of the pairs run so far are written)";

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
    /// Run two builds side by side, pair by pair, and report what NEW
    /// changed against BASE beyond the noise.
    #[command(after_help = AB_HELP)]
    Ab {
        /// The baseline: a git revision (main, HEAD~1, a tag) or a built
        /// binary.
        base: String,
        /// The new build: a git revision or a built binary.
        new: String,
        /// Scenario files; none: the default suite.
        files: Vec<PathBuf>,
        /// Run the scaled-down cells.
        #[arg(long)]
        quick: bool,
        /// Only these strategies (repeat or comma-separate).
        #[arg(long, value_delimiter = ',')]
        filter: Vec<String>,
        /// Smallest change that counts, in percent, either way.
        #[arg(long, default_value_t = 5.0)]
        threshold: f64,
        /// Confidence, in percent, that the whole run flags no regression
        /// where nothing changed.
        #[arg(long, default_value_t = 95.0)]
        confidence: f64,
        /// Pairs before the first look, and between looks.
        #[arg(long, default_value_t = 8)]
        pairs: usize,
        /// The most pairs a cell gets.
        #[arg(long, default_value_t = 32)]
        max_pairs: usize,
        /// Gate only on these metrics (repeat or comma-separate: goodput,
        /// p50, p99, p99.9, peak-rss, cpu); default every one. The others
        /// are reported, and do not fail the run.
        #[arg(long = "metric", value_name = "METRIC")]
        metrics: Vec<String>,
        /// Where the report folder goes.
        #[arg(long, default_value = "reports/ab")]
        out: PathBuf,
        /// The package to build of a revision: your crate whose binary
        /// calls contend::cli::main_with.
        #[arg(long, default_value = "contend")]
        build_package: String,
        /// The binary to build of a revision.
        #[arg(long, default_value = "contend")]
        build_bin: String,
        /// Features to build a revision with (comma-separated).
        #[arg(long, default_value = "")]
        build_features: String,
    },
    /// List the cells of scenario files as JSON (for `contend ab`).
    #[command(hide = true)]
    Cells {
        /// Scenario files.
        files: Vec<PathBuf>,
    },
    /// Run one consumer of a queue cell (the cell's process runs this in
    /// a child): the consumer's spec as JSON, and its index.
    #[command(hide = true)]
    QueueConsumer {
        /// The consumer, as JSON.
        #[arg(long)]
        spec: String,
        /// Which consumer, from 0.
        #[arg(long)]
        index: usize,
    },
    /// Run one repetition of one cell (the parent runs this in a child):
    /// the spec as JSON, or a scenario file and a cell's label.
    #[command(hide = true)]
    Cell {
        /// The cell, as JSON.
        #[arg(
            long,
            required_unless_present = "scenario",
            conflicts_with = "scenario"
        )]
        spec: Option<String>,
        /// The scenario file (with --label).
        #[arg(long, requires = "label")]
        scenario: Option<PathBuf>,
        /// The cell's label in it.
        #[arg(long)]
        label: Option<String>,
        /// Which repetition, from 0.
        #[arg(long, default_value_t = 0)]
        repetition: usize,
        /// The scaled-down cell.
        #[arg(long)]
        quick: bool,
    },
}
