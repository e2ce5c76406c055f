//! [`Workload`]: the load a scenario of any kind holds, each kind's own
//! table behind one type, so that a cell's spec and a results file carry
//! it whatever the kind.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::cache::CacheWorkload;
use super::fanin::FanInWorkload;
use super::pool::PoolWorkload;
use super::queue::QueueWorkload;
use super::StrategyParams;
use crate::units::duration::display as display_duration;

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
    /// `kind = "queue"`.
    Queue(QueueWorkload),
}

impl Workload {
    /// Scales the load down as `--quick` says: `count` and `duration` if
    /// given, else a tenth of the count (jobs, ops per reader, items per
    /// producer) and a fifth of the duration.
    pub fn scale_down(&mut self, count: Option<u64>, duration: Option<Duration>) {
        match self {
            Workload::Pool(w) => w.scale_down(count, duration),
            Workload::Cache(w) => w.scale_down(count, duration),
            Workload::FanIn(w) => w.scale_down(count),
            Workload::Queue(w) => w.scale_down(count),
        }
    }

    /// The work one repetition of a cell with `params` does, in the
    /// units progress counts (jobs, reader operations, items), if known.
    pub fn units(&self, params: &StrategyParams) -> Option<u64> {
        match self {
            Workload::Pool(w) => w.jobs,
            Workload::Cache(w) => w.units(params),
            Workload::FanIn(w) => Some(w.units(params)),
            Workload::Queue(w) => Some(w.jobs),
        }
    }

    /// One line for reports: how much load, in the kind's words.
    pub fn describe(&self) -> String {
        match self {
            Workload::Pool(w) => w.describe(),
            Workload::Cache(w) => w.describe(),
            Workload::FanIn(w) => w.describe(),
            Workload::Queue(w) => w.describe(),
        }
    }
}

/// `10000 jobs or 2s`: a load limited by a count, a duration or both.
pub(crate) fn limit(count: Option<u64>, what: &str, duration: Option<Duration>) -> String {
    match (count, duration) {
        (Some(n), Some(d)) => format!("{n} {what} or {}", display_duration(d)),
        (Some(n), None) => format!("{n} {what}"),
        (None, Some(d)) => display_duration(d),
        (None, None) => String::new(),
    }
}
