//! The results model: what `results.json` holds, and what every report
//! and `compare` read.
//!
//! A cell's child process sends one [`Repetition`]; the parent gathers the
//! repetitions of a cell into a [`CellResult`] and merges them
//! ([`Merged`]): histograms are added, and the spread of throughput and
//! percentiles across repetitions is kept, because it is the run-to-run
//! noise `compare` must see past. Bump [`SCHEMA_VERSION`] on any change a
//! reader of an older file would misread.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

mod books;

pub use books::{Books, KindBooks};

use crate::record::{HistogramData, Histograms, Metric, Summary};

/// The version of the results format. 2 added the status
/// `out_of_memory`; 3 added goodput (`succeeded`, `failed`, `goodput` per
/// repetition, `goodput` and `failed_share` merged); 4 wrote every kind's
/// books in one shape ([`Books`]: offered, done, lost, named counts, the
/// kind's ledger), merged the counts by name (`Merged::counts`) and the
/// workload's description beside it. Files of 1 to 3 are still read
/// ([`OLDEST_READABLE_SCHEMA`]): their books are read from the kind's
/// ledger they hold, their goodput derived from its counts
/// ([`ResultsDoc::derive_goodput`]).
pub const SCHEMA_VERSION: u32 = 4;

/// The first schema whose repetitions count what succeeded.
pub const GOODPUT_SCHEMA: u32 = 3;

/// The oldest results format this contend still reads.
pub const OLDEST_READABLE_SCHEMA: u32 = 1;

/// A results file: one or more scenarios.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResultsDoc {
    /// [`SCHEMA_VERSION`] of the writer.
    pub schema_version: u32,
    /// `contend <version>`.
    pub tool: String,
    /// The scenarios.
    pub scenarios: Vec<ScenarioResult>,
}

impl ResultsDoc {
    /// The same document without histograms: what a baseline needs
    /// (spreads and summaries), small enough to commit.
    pub fn without_histograms(mut self) -> Self {
        for cell in self.scenarios.iter_mut().flat_map(|s| s.cells.iter_mut()) {
            cell.histograms.clear();
            for rep in &mut cell.repetitions {
                rep.histograms.clear();
            }
        }
        self
    }

    /// Fills in the goodput a file older than [`GOODPUT_SCHEMA`] did not
    /// write, from the counts it holds: a pool job succeeded unless it
    /// panicked or its downstream call timed out, so `succeeded =
    /// completed - panicked - timeouts` (a lower bound: an old file cannot
    /// tell a job that both panicked and timed out). A repetition with no
    /// measurement keeps `None`, shown as unknown.
    pub fn derive_goodput(&mut self) {
        for cell in self.scenarios.iter_mut().flat_map(|s| s.cells.iter_mut()) {
            for rep in &mut cell.repetitions {
                if rep.succeeded.is_none() && measured(&rep.status) {
                    let succeeded = rep
                        .books
                        .done
                        .saturating_sub(rep.books.count("panicked") + rep.timeouts);
                    rep.set_succeeded(succeeded);
                }
            }
            let ok: Vec<&Repetition> = cell
                .repetitions
                .iter()
                .filter(|r| measured(&r.status))
                .collect();
            (cell.merged.goodput, cell.merged.failed_share) = goodput_spreads(&ok);
        }
    }

    /// A document of `scenarios` in the current schema.
    pub fn new(scenarios: Vec<ScenarioResult>) -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            tool: format!("contend {}", env!("CARGO_PKG_VERSION")),
            scenarios,
        }
    }
}

/// One scenario's run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioResult {
    /// Scenario name.
    pub name: String,
    /// What it shows.
    pub description: String,
    /// Strategy family (`pool`, `cache`, `fanin`, `queue`).
    pub kind: String,
    /// The scenario file.
    pub file: String,
    /// Whether `--quick` scaled it down.
    pub quick: bool,
    /// When it started, UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub started_at: String,
    /// CPUs available to the run.
    pub cores: usize,
    /// Label of the cell `compare --relative` divides by.
    pub reference: String,
    /// Repetitions per cell.
    pub repetitions: usize,
    /// The workload as run (after `--quick`), as its kind writes it.
    pub workload: serde_json::Value,
    /// The workload in one line, in the kind's words (absent from files
    /// before schema 4: the reader fills it in).
    #[serde(default)]
    pub workload_description: String,
    /// The cells, in file order.
    pub cells: Vec<CellResult>,
    /// The gates.
    pub gates: Vec<GateResult>,
    /// Ctrl-C stopped the run: cells after the interruption are missing.
    pub interrupted: bool,
    /// The scenario's `objective`, if it set one (absent from files
    /// written before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objective: Option<Objective>,
}

impl ScenarioResult {
    /// A scenario of `kind` with `cores` and no gates around `cells`, for
    /// the tests of what reads results (compare, the verdict).
    #[cfg(test)]
    pub(crate) fn sample(kind: &str, cores: usize, cells: Vec<CellResult>) -> Self {
        ScenarioResult {
            name: "s".into(),
            description: String::new(),
            kind: kind.into(),
            file: "s.toml".into(),
            quick: true,
            started_at: String::new(),
            cores,
            reference: "serial".into(),
            repetitions: 3,
            workload: serde_json::json!({"jobs": 1}),
            workload_description: "1 jobs".into(),
            cells,
            gates: Vec::new(),
            interrupted: false,
            objective: None,
        }
    }
}

/// What the scenario asks of a cell, for the reports' verdict: the
/// latency a cell must keep to count as meeting it. Not a gate: missing
/// it fails nothing, the verdict only says so.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    /// The most the kind's main latency (end-to-end, read, delivery) may
    /// take at p99, ms.
    pub p99_ms: f64,
}

/// How a gate fared.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GateResult {
    /// The check as written.
    pub check: String,
    /// Its line in the scenario file.
    pub line: usize,
    /// `true` when every cell it checks passed (or was filtered out).
    pub passed: bool,
    /// One line per cell checked: the values and the outcome.
    pub details: Vec<String>,
}

/// How a repetition ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Status {
    /// It ran to the end and its books balance.
    Ok,
    /// Stopped early by Ctrl-C; what it measured is kept.
    Interrupted,
    /// Its books do not balance: a job was lost or run twice.
    BooksFailed {
        /// What does not add up.
        message: String,
    },
    /// The child process died (a panic outside a job, a signal, memory or
    /// threads exhausted).
    Crashed {
        /// Exit status and the end of its error output.
        message: String,
    },
    /// It ran past the scenario's cell timeout and was stopped.
    TimedOut,
    /// The child process ran out of memory (an allocation failed under the
    /// scenario's `memory_limit`) and died.
    OutOfMemory {
        /// The end of its error output.
        message: String,
    },
}

/// The status and, for a failure, what went wrong.
impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Status::BooksFailed { message }
            | Status::Crashed { message }
            | Status::OutOfMemory { message } => write!(f, "{}: {message}", self.word()),
            other => f.write_str(other.word()),
        }
    }
}

impl Status {
    /// Whether the numbers are complete and trustworthy.
    pub fn is_ok(&self) -> bool {
        matches!(self, Status::Ok)
    }

    /// A short word for tables.
    pub fn word(&self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Interrupted => "interrupted",
            Status::BooksFailed { .. } => "BOOKS FAILED",
            Status::Crashed { .. } => "crashed",
            Status::TimedOut => "timed out",
            Status::OutOfMemory { .. } => "out of memory",
        }
    }
}

/// One run of one cell, in its own process.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Repetition {
    /// How it ended.
    pub status: Status,
    /// From the first submit to the end of shutdown.
    pub wall_s: f64,
    /// Work done per second of `wall_s`: jobs that ran (pool), reader
    /// operations (cache), items received (fan-in).
    pub throughput: f64,
    /// User + system CPU of the process.
    pub cpu_s: f64,
    /// Peak resident memory of the process (VmHWM), KB.
    pub peak_rss_kb: u64,
    /// Most threads seen in the process.
    pub peak_threads: u64,
    /// Threads before the strategy was built (the harness's own).
    pub base_threads: u64,
    /// The books.
    pub books: Books,
    /// Downstream requests timed out.
    pub timeouts: u64,
    /// Most requests ever waiting for a downstream connection.
    pub peak_downstream_waiting: u64,
    /// Pool: the most jobs running at once, as the executor counted them.
    /// A tokio strategy doing blocking IO cannot get past its runtime's
    /// thread count here.
    #[serde(default)]
    pub peak_concurrency: u64,
    /// Units of work that succeeded: pool jobs that ran to their end
    /// without panicking and without their downstream call timing out;
    /// reader operations (cache); items received (fan-in). `None`: not
    /// measured (a failed repetition, or an old file it cannot be derived
    /// from).
    #[serde(default)]
    pub succeeded: Option<u64>,
    /// Units offered that did not succeed: `offered - succeeded`, where a
    /// pool offers every `submit` call (timed out, panicked, rejected,
    /// discarded, cancelled, handed back).
    #[serde(default)]
    pub failed: Option<u64>,
    /// `succeeded / wall_s`: the work done that was worth doing, per
    /// second. Throughput counts a timed-out call as done; this does not.
    #[serde(default)]
    pub goodput: Option<f64>,
    /// Summaries per metric.
    pub summaries: BTreeMap<Metric, Summary>,
    /// Histograms per metric, as the child sends them; emptied once the
    /// parent has merged them into the cell's.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub histograms: BTreeMap<Metric, HistogramData>,
    /// What the kind sampled while the repetition ran (a queue's arrival
    /// and service rates and its backlog), for the reports' charts over
    /// time; empty for kinds that sample nothing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub over_time: Vec<TimeSeries>,
}

/// One line of values over a repetition's time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimeSeries {
    /// The chart it is drawn in, with its unit (`rate, messages/s`):
    /// series of one chart share its axis.
    pub chart: String,
    /// The line's name (`arrivals`).
    pub name: String,
    /// `(seconds since the start, value)`, in time order.
    pub points: Vec<(f64, f64)>,
}

impl Repetition {
    /// A repetition with no measurement (the child died or never answered).
    pub fn failed(status: Status) -> Self {
        Self {
            status,
            wall_s: 0.0,
            throughput: 0.0,
            cpu_s: 0.0,
            peak_rss_kb: 0,
            peak_threads: 0,
            base_threads: 0,
            books: Books::default(),
            timeouts: 0,
            peak_downstream_waiting: 0,
            peak_concurrency: 0,
            succeeded: None,
            failed: None,
            goodput: None,
            summaries: BTreeMap::new(),
            histograms: BTreeMap::new(),
            over_time: Vec::new(),
        }
    }

    /// Records that `succeeded` units of work succeeded: sets `failed`
    /// (what was offered and did not) and `goodput`.
    pub fn set_succeeded(&mut self, succeeded: u64) {
        let offered = self.books.offered;
        self.succeeded = Some(succeeded);
        self.failed = Some(offered.saturating_sub(succeeded));
        self.goodput = Some(if self.wall_s > 0.0 {
            succeeded as f64 / self.wall_s
        } else {
            0.0
        });
    }

    /// `failed / offered`, 0 to 1; `None` when not measured.
    pub fn failed_share(&self) -> Option<f64> {
        let failed = self.failed? as f64;
        let offered = self.books.offered;
        Some(if offered == 0 {
            0.0
        } else {
            failed / offered as f64
        })
    }
}

/// Whether a repetition's numbers are kept in the merge: it ended ok, or
/// was interrupted with balanced books.
fn measured(status: &Status) -> bool {
    matches!(status, Status::Ok | Status::Interrupted)
}

/// Goodput and failed share across `ok` repetitions; `None` when one of
/// them does not know its goodput (or there are none).
fn goodput_spreads(ok: &[&Repetition]) -> (Option<Spread>, Option<Spread>) {
    let goodput: Option<Vec<f64>> = ok.iter().map(|r| r.goodput).collect();
    let failed: Option<Vec<f64>> = ok.iter().map(|r| r.failed_share()).collect();
    let spread =
        |values: Option<Vec<f64>>| values.filter(|v| !v.is_empty()).map(|v| Spread::of(&v));
    (spread(goodput), spread(failed))
}

/// Mean and sample standard deviation over repetitions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (0 with one repetition).
    pub stdev: f64,
}

impl Spread {
    /// The spread of `values`.
    pub fn of(values: &[f64]) -> Self {
        if values.is_empty() {
            return Self::default();
        }
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let stdev = if values.len() > 1 {
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
        } else {
            0.0
        };
        Self { mean, stdev }
    }
}

/// A cell's repetitions merged.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Merged {
    /// Repetitions merged: those that ended ok or were interrupted with
    /// balanced books.
    pub ok_repetitions: usize,
    /// Latency summaries of the merged histograms.
    pub summaries: BTreeMap<Metric, Summary>,
    /// Throughput across repetitions.
    pub throughput: Spread,
    /// Goodput (units that succeeded per second) across repetitions;
    /// `None` when unknown.
    #[serde(default)]
    pub goodput: Option<Spread>,
    /// Failed share (`failed / offered`, 0 to 1) across repetitions;
    /// `None` when unknown.
    #[serde(default)]
    pub failed_share: Option<Spread>,
    /// p50 of the kind's main latency (end-to-end, read, delivery)
    /// across repetitions, ms.
    pub p50_ms: Spread,
    /// p99 of the kind's main latency across repetitions, ms.
    pub p99_ms: Spread,
    /// CPU seconds across repetitions.
    pub cpu_s: Spread,
    /// Wall seconds across repetitions.
    pub wall_s: Spread,
    /// Largest peak RSS, MB.
    pub peak_rss_mb: f64,
    /// Most threads.
    pub peak_threads: u64,
    /// Pool: most jobs running at once in any repetition.
    #[serde(default)]
    pub peak_concurrency: u64,
    /// Rejections (all reasons) per repetition.
    pub rejected: Spread,
    /// Discards per repetition.
    pub discarded: Spread,
    /// Downstream timeouts per repetition.
    pub timeouts: Spread,
    /// Most jobs (or items) lost or run (received) twice in any repetition.
    pub lost: u64,
    /// Torn `get_many` reads per repetition (cache).
    #[serde(default)]
    pub torn_reads: Spread,
    /// Every count the kind's books keep, by name, per repetition
    /// (schema 4 on).
    #[serde(default)]
    pub counts: BTreeMap<String, Spread>,
}

/// A cell and its repetitions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellResult {
    /// `strategy key=value …`.
    pub label: String,
    /// Strategy name.
    pub strategy: String,
    /// Parameters as written in the scenario.
    pub params: BTreeMap<String, String>,
    /// Every repetition, in order.
    pub repetitions: Vec<Repetition>,
    /// The repetitions merged.
    pub merged: Merged,
    /// Merged histograms (kept out of `merged` so summaries read first;
    /// absent from a baseline).
    #[serde(default)]
    pub histograms: BTreeMap<Metric, HistogramData>,
}

impl CellResult {
    /// Its strategy and parameters but `key`: the name of the series a
    /// sweep over `key` puts it in (`fixed queue=16` for `workers`).
    pub fn label_without(&self, key: &str) -> String {
        let others: Vec<String> = self
            .params
            .iter()
            .filter(|(k, _)| *k != key)
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        format!("{} {}", self.strategy, others.join(" "))
            .trim()
            .to_owned()
    }

    /// Gathers `repetitions` of a cell and merges the ok ones; `primary`
    /// is the latency `p50_ms` and `p99_ms` follow (the kind's main one).
    pub fn gather(
        label: String,
        strategy: String,
        params: BTreeMap<String, String>,
        repetitions: Vec<Repetition>,
        primary: Metric,
    ) -> Self {
        // Interrupted repetitions balanced their books too: their partial
        // numbers are kept (and the cell's status says interrupted).
        let ok: Vec<&Repetition> = repetitions.iter().filter(|r| measured(&r.status)).collect();
        let (goodput, failed_share) = goodput_spreads(&ok);
        let mut merged_histograms = Histograms::default();
        for rep in &ok {
            for (metric, data) in &rep.histograms {
                for &(value, count) in &data.buckets {
                    merged_histograms.record_n(*metric, value, count);
                }
            }
        }
        let spread = |f: &dyn Fn(&Repetition) -> f64| {
            Spread::of(&ok.iter().map(|r| f(r)).collect::<Vec<_>>())
        };
        let e2e = |r: &Repetition, q: fn(&Summary) -> f64| r.summaries.get(&primary).map_or(0.0, q);
        let merged = Merged {
            ok_repetitions: ok.len(),
            summaries: Metric::ALL
                .into_iter()
                .filter(|m| !merged_histograms.get(*m).is_empty())
                .map(|m| (m, Summary::of(merged_histograms.get(m))))
                .collect(),
            throughput: spread(&|r| r.throughput),
            goodput,
            failed_share,
            p50_ms: spread(&|r| e2e(r, |s| s.p50_ms)),
            p99_ms: spread(&|r| e2e(r, |s| s.p99_ms)),
            cpu_s: spread(&|r| r.cpu_s),
            wall_s: spread(&|r| r.wall_s),
            peak_rss_mb: ok
                .iter()
                .map(|r| r.peak_rss_kb as f64 / 1024.0)
                .fold(0.0, f64::max),
            peak_threads: ok.iter().map(|r| r.peak_threads).max().unwrap_or(0),
            peak_concurrency: ok.iter().map(|r| r.peak_concurrency).max().unwrap_or(0),
            rejected: spread(&|r| r.books.count("rejected") as f64),
            discarded: spread(&|r| r.books.count("discarded") as f64),
            torn_reads: spread(&|r| r.books.count("torn_reads") as f64),
            counts: ok
                .iter()
                .flat_map(|r| r.books.counts.keys())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .map(|name| {
                    let per_repetition = spread(&|r| r.books.count(name) as f64);
                    (name.clone(), per_repetition)
                })
                .collect(),
            timeouts: spread(&|r| r.timeouts as f64),
            lost: repetitions.iter().map(|r| r.books.lost).max().unwrap_or(0),
        };
        let histograms = Metric::ALL
            .into_iter()
            .filter(|m| !merged_histograms.get(*m).is_empty())
            .map(|m| (m, HistogramData::capture(merged_histograms.get(m))))
            .collect();
        // The merged histograms carry the distribution; each repetition
        // keeps its summaries only, so results files stay small.
        let repetitions = repetitions
            .into_iter()
            .map(|mut rep| {
                rep.histograms.clear();
                rep
            })
            .collect();
        Self {
            label,
            strategy,
            params,
            repetitions,
            merged,
            histograms,
        }
    }

    /// The worst status over the repetitions.
    pub fn status(&self) -> &Status {
        self.repetitions
            .iter()
            .map(|r| &r.status)
            .find(|s| !s.is_ok())
            .unwrap_or(&Status::Ok)
    }
}
