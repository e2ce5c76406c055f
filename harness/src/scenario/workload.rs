//! The workloads of the `cache` and `fanin` kinds, and [`Workload`], the
//! one a scenario of any kind holds.
//!
//! Sweepable values (readers, producers, capacity) are strategy
//! parameters, not workload fields: written in `[workload]` they apply to
//! every strategy table (see `params.rs`), so they live in each cell's
//! [`StrategyParams`](super::StrategyParams).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{display_duration, PoolWorkload, Quick, StrategyParams};

/// What a cache reader does, in percent of its operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpMix {
    /// `get` of one random key.
    pub get: u32,
    /// `get_many` over keys the writer refreshes (the torn-read probe).
    pub get_many: u32,
    /// `insert` of one random key outside the refreshed ones.
    pub insert: u32,
    /// `remove` of one random key outside the refreshed ones.
    pub remove: u32,
}

impl OpMix {
    /// The keys of the `mix` table, in order.
    pub const NAMES: [&'static str; 4] = ["get", "get_many", "insert", "remove"];
}

impl Default for OpMix {
    fn default() -> Self {
        Self {
            get: 90,
            get_many: 10,
            insert: 0,
            remove: 0,
        }
    }
}

/// The load of a `cache` scenario: readers (a strategy parameter) run
/// the op mix back to back while one writer refreshes a batch of keys
/// every `refresh_every`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CacheWorkload {
    /// Operations per reader (all of them, or until `duration`).
    pub ops: Option<u64>,
    /// How long the readers run.
    pub duration: Option<Duration>,
    /// Keys `0..keys` exist; the cache starts with all of them.
    pub keys: u64,
    /// The writer refreshes keys `0..refresh_keys` in one batch.
    pub refresh_keys: u64,
    /// Time between the end of one refresh and the start of the next.
    pub refresh_every: Duration,
    /// Keys one `get_many` reads (spread over the refreshed keys).
    pub read_batch: usize,
    /// The readers' operation mix.
    pub mix: OpMix,
    /// Seed of the readers' random draws.
    pub seed: u64,
}

/// The load of a `fanin` scenario: every producer (a strategy parameter)
/// sends `items` numbered items as fast as the channel takes them; one
/// consumer receives until the stream ends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FanInWorkload {
    /// Items each producer sends.
    pub items: u64,
}

/// The load of a scenario, by kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Workload {
    /// `kind = "pool"`.
    Pool(PoolWorkload),
    /// `kind = "cache"`.
    Cache(CacheWorkload),
    /// `kind = "fanin"`.
    FanIn(FanInWorkload),
}

impl Workload {
    /// Scales the load down as `--quick` says: `quick`'s values, or a
    /// tenth of the count (jobs, ops per reader, items per producer) and
    /// a fifth of the duration.
    pub(crate) fn scale_down(&mut self, quick: &Quick) {
        let count = |n: Option<u64>| quick.count.or(n.map(|n| (n / 10).max(1)));
        let duration = |d: Option<Duration>| quick.duration.or(d.map(|d| d / 5));
        match self {
            Workload::Pool(w) => {
                w.jobs = count(w.jobs);
                w.duration = duration(w.duration);
            }
            Workload::Cache(w) => {
                w.ops = count(w.ops);
                w.duration = duration(w.duration);
            }
            Workload::FanIn(w) => w.items = count(Some(w.items)).unwrap_or(w.items),
        }
    }

    /// The work one repetition of a cell with `params` does, in the
    /// units progress counts (jobs, reader operations, items), if known.
    pub fn units(&self, params: &StrategyParams) -> Option<u64> {
        match self {
            Workload::Pool(w) => w.jobs,
            Workload::Cache(w) => w.ops.map(|ops| ops * params.readers as u64),
            Workload::FanIn(w) => Some(w.items * params.producers as u64),
        }
    }

    /// One line for reports: how much load, in the kind's words.
    pub fn describe(&self) -> String {
        let limit =
            |count: Option<u64>, what: &str, duration: Option<Duration>| match (count, duration) {
                (Some(n), Some(d)) => format!("{n} {what} or {}", display_duration(d)),
                (Some(n), None) => format!("{n} {what}"),
                (None, Some(d)) => display_duration(d),
                (None, None) => String::new(),
            };
        match self {
            Workload::Pool(w) => format!(
                "{}, arrival: {}",
                limit(w.jobs, "jobs", w.duration),
                w.arrival
            ),
            Workload::Cache(w) => format!(
                "{} per reader, {} keys, a refresh of {} keys every {}, mix get {}% / get_many {}% ({} keys) / insert {}% / remove {}%",
                limit(w.ops, "ops", w.duration),
                w.keys,
                w.refresh_keys,
                display_duration(w.refresh_every),
                w.mix.get,
                w.mix.get_many,
                w.read_batch,
                w.mix.insert,
                w.mix.remove
            ),
            Workload::FanIn(w) => format!("{} items per producer", w.items),
        }
    }
}
