//! Scenario kinds: each family of strategies contend measures, behind one
//! trait, [`ScenarioKind`].
//!
//! A kind is one folder: its `[workload]` table and the checks on it, the
//! sizes its cells may take on this machine, its cell runner, its books
//! and its report columns. Adding a kind is a folder and a line in
//! [`Kind`]; `scenario` (the file's common keys), `results` (the data
//! model) and `report` do not change, because they reach a kind only
//! through this trait.
//!
//! - [`pool`]: executors (`contend_strategies::pool`), the jobs they run,
//!   the downstream those jobs call.
//! - [`cache`]: read-mostly maps (`contend_strategies::cache`).
//! - [`fanin`]: N producers merged into one consumer
//!   (`contend_strategies::fanin`).
//! - [`queue`]: a producer publishing to a broker, consumer processes
//!   running the pool's strategies on what they fetch.
//!
//! What every kind shares: the [`params`] a `[[strategy]]` table sets,
//! the [`CellSpec`] a cell's child process receives, the [`measure`]ment
//! of a repetition, the machine's limits ([`fits`]) and the [`Column`]
//! type.

pub mod cache;
pub mod columns;
pub mod fanin;
pub mod fits;
pub mod measure;
pub mod params;
pub mod pool;
pub mod queue;
pub mod spec;
mod workload;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use toml::Spanned;

pub use columns::Column;
pub use params::{CellPlan, StrategyParams};
pub use spec::CellSpec;
pub use workload::Workload;

use crate::fields::{Checked, Source};
use crate::machine::Machine;
use crate::record::Metric;
use crate::results::Repetition;
use fits::Misfit;
use params::Key;

/// The family of strategies a scenario measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// Executors (`contend_strategies::pool`).
    #[serde(rename = "pool")]
    Pool,
    /// Read-mostly maps (`contend_strategies::cache`).
    #[serde(rename = "cache")]
    Cache,
    /// N producers merged into one consumer (`contend_strategies::fanin`).
    #[serde(rename = "fanin")]
    FanIn,
    /// A producer publishing jobs to a broker, consumer processes running
    /// pool strategies on them.
    #[serde(rename = "queue")]
    Queue,
}

impl Kind {
    /// Every kind, in the order `contend list` and errors name them.
    pub const ALL: [Kind; 4] = [Kind::Pool, Kind::Cache, Kind::FanIn, Kind::Queue];

    /// What the kind is and does.
    pub fn imp(self) -> &'static dyn ScenarioKind {
        match self {
            Kind::Pool => &pool::Pool,
            Kind::Cache => &cache::CacheKind,
            Kind::FanIn => &fanin::FanIn,
            Kind::Queue => &queue::QueueKind,
        }
    }

    /// The name in scenario files.
    pub fn name(self) -> &'static str {
        self.imp().about().name
    }

    /// Every kind's name, for errors.
    pub fn names() -> Vec<&'static str> {
        Kind::ALL.into_iter().map(Kind::name).collect()
    }

    /// The kind named `name` in a scenario file or a results file.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// Its strategies' names ([`ScenarioKind::strategies`]).
    pub fn strategies(self) -> Vec<&'static str> {
        self.imp()
            .strategies()
            .into_iter()
            .map(|(name, _)| name)
            .collect()
    }

    /// Its main latency ([`About::primary`]).
    pub fn primary(self) -> Metric {
        self.imp().about().primary
    }

    /// Its latencies in report order ([`About::metrics`]).
    pub fn metrics(self) -> &'static [Metric] {
        self.imp().about().metrics
    }

    /// What its progress counts ([`About::unit`]).
    pub fn unit(self) -> &'static str {
        self.imp().about().unit
    }

    /// What its throughput counts ([`About::throughput_unit`]).
    pub fn throughput_unit(self) -> &'static str {
        self.imp().about().throughput_unit
    }

    /// The kind a results file names (`pool` for a name this build does
    /// not know).
    pub fn of(result: &crate::results::ScenarioResult) -> Kind {
        Kind::from_name(&result.kind).unwrap_or(Kind::Pool)
    }
}

/// The `[workload]` table of `src`, as the kind's raw type `W` (every
/// other key is `scenario`'s to check).
pub(crate) fn workload_table<W: serde::de::DeserializeOwned>(
    src: Source<'_>,
) -> Checked<Spanned<W>> {
    #[derive(Deserialize)]
    struct File<W> {
        workload: Spanned<W>,
    }
    crate::fields::parse::<File<W>>(src).map(|file| file.workload)
}

/// Strategy parameters written in `[workload]`, applied to every
/// strategy table that does not set them itself.
pub type Shared = Vec<(Key, Spanned<toml::Value>)>;

/// What a scenario's [`ScenarioKind::prepare`] started for its cells
/// (throwaway servers), stopped and removed when dropped.
#[derive(Default)]
pub struct Services(pub Vec<Box<dyn std::any::Any>>);

/// Why [`ScenarioKind::prepare`] could not start or reach what the
/// scenario's cells need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrepareError {
    /// This machine lacks a server's programs (PostgreSQL's `initdb`,
    /// `redis-server`): the scenario is skipped with this reason, the
    /// rest of the suite runs.
    Unavailable(String),
    /// The scenario cannot run as written: a URL that names no reachable
    /// server, a refused login, a server that would not start.
    Bad(String),
}

impl std::fmt::Display for PrepareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrepareError::Unavailable(why) | PrepareError::Bad(why) => f.write_str(why),
        }
    }
}

/// What a kind is called and what it counts: the same for every scenario
/// of the kind, so a table each kind writes once rather than a method
/// each.
#[derive(Debug)]
pub struct About {
    /// The name in scenario files (`kind = "pool"`).
    pub name: &'static str,
    /// The latency a bare `p99(…)` gate, `compare`'s p50/p99 and the
    /// reports' p99 charts read.
    pub primary: Metric,
    /// The primary latency in words (`end-to-end`).
    pub primary_words: &'static str,
    /// The latencies this kind records, in report order.
    pub metrics: &'static [Metric],
    /// What progress counts: `jobs`, `ops` or `items`.
    pub unit: &'static str,
    /// What `throughput` counts, per second.
    pub throughput_unit: &'static str,
    /// What `[quick]` may set.
    pub quick: QuickKeys,
    /// The `[[strategy]]` keys its tables may set.
    pub keys: &'static [Key],
    /// Whether its cells count goodput apart from throughput (work that
    /// was worth doing, not work that merely ran).
    pub has_goodput: bool,
    /// Whether its cells queue work, so that Little's law reads their
    /// concurrency from throughput and latency.
    pub queues_work: bool,
    /// The names its books count by
    /// ([`KindBooks::counts`](crate::results::KindBooks::counts)), which
    /// gates may read (`refused(fixed) == 0`).
    pub count_names: &'static [&'static str],
    /// What balanced books mean, for the line under the table.
    pub books_meaning: &'static str,
}

/// What `[quick]` may set for a kind besides `repetitions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuickKeys {
    /// The key of the count it scales down (`jobs`, `ops`, `items`).
    pub count: &'static str,
    /// Whether `duration` applies (a kind whose load is a count only
    /// does not take it).
    pub duration: bool,
}

/// A scenario kind: everything that differs from one family of
/// strategies to the next.
pub trait ScenarioKind: Sync {
    /// What the kind is called and counts ([`About`]).
    fn about(&self) -> &'static About;

    /// The strategies of this kind and one line on each, as scenario
    /// files name them.
    fn strategies(&self) -> Vec<(&'static str, &'static str)>;

    /// Refuses a key a strategy of this kind does not take (`io` on a
    /// strategy that runs on threads, say); the key belongs to the kind.
    fn check_key(&self, _strategy: &str, _key: Key) -> Result<(), String> {
        Ok(())
    }

    /// Reads and checks the `[workload]` table of `src`, a file of this
    /// kind: the load, and the strategy parameters written there.
    fn workload(&self, src: Source<'_>) -> Checked<(Workload, Shared)>;

    /// Starts what the scenario's cells need outside their own process (a
    /// throwaway database server) and writes where it is into `workload`;
    /// checks a server the scenario names is reachable. Called once per
    /// scenario, before its first cell, by the process that runs the
    /// cells; what it returns keeps the servers running until dropped.
    /// An error is bad input (the run stops before the scenario's cells),
    /// or a server this machine does not have (the scenario is skipped).
    fn prepare(&self, _workload: &mut Workload) -> Result<Services, PrepareError> {
        Ok(Services::default())
    }

    /// Whether the sizes of one cell fit `machine`, on the numbers alone.
    fn fits(
        &self,
        strategy: &str,
        params: &StrategyParams,
        workload: &Workload,
        machine: &Machine,
    ) -> Result<(), Misfit>;

    /// Builds `strategy` once with `small` parameters (one worker, a
    /// queue of one), so a combination it refuses fails while the file is
    /// checked rather than in the middle of a run.
    fn try_build(&self, strategy: &str, small: &StrategyParams) -> Result<(), String>;

    /// Runs the repetition `spec` describes, in this (the cell's child)
    /// process. `stop` ends it early: what was measured is kept, the
    /// status says `Interrupted`.
    fn run(&self, spec: &CellSpec, stop: &Arc<AtomicBool>) -> Repetition;

    /// The summary table's columns, after the cell and its status (the
    /// columns every kind shares are added by [`columns::of`]).
    fn columns(&self) -> Vec<Column>;
}
