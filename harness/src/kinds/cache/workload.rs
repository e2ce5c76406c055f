//! The load of a `cache` scenario.
//!
//! The readers are a strategy parameter, not a workload field: written in
//! `[workload]` they apply to every strategy table (see `params.rs`), so
//! they live in each cell's `StrategyParams`.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::kinds::workload::limit;
use crate::kinds::StrategyParams;
use crate::units::duration::display as display_duration;

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

impl CacheWorkload {
    /// A tenth of the operations (or `count`), a fifth of the duration
    /// (or `duration`).
    pub(crate) fn scale_down(&mut self, count: Option<u64>, duration: Option<Duration>) {
        self.ops = count.or(self.ops.map(|n| (n / 10).max(1)));
        self.duration = duration.or(self.duration.map(|d| d / 5));
    }

    /// Reader operations of one repetition, if known.
    pub(crate) fn units(&self, params: &StrategyParams) -> Option<u64> {
        self.ops.map(|ops| ops * params.readers as u64)
    }

    /// One line for reports.
    pub(crate) fn describe(&self) -> String {
        format!(
            "{} per reader, {} keys, a refresh of {} keys every {}, mix get {}% / get_many {}% ({} keys) / insert {}% / remove {}%",
            limit(self.ops, "ops", self.duration),
            self.keys,
            self.refresh_keys,
            display_duration(self.refresh_every),
            self.mix.get,
            self.mix.get_many,
            self.read_batch,
            self.mix.insert,
            self.mix.remove
        )
    }
}
