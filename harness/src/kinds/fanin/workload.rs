//! The load of a `fanin` scenario.
//!
//! Producers, the channel's capacity and how producers send are strategy
//! parameters (`params.rs`); the workload is the items each sends.

use serde::{Deserialize, Serialize};

use crate::kinds::StrategyParams;

/// The load of a `fanin` scenario: every producer (a strategy parameter)
/// sends `items` numbered items as fast as the channel takes them; one
/// consumer receives until the stream ends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FanInWorkload {
    /// Items each producer sends.
    pub items: u64,
}

impl FanInWorkload {
    /// A tenth of the items (or `count`).
    pub(crate) fn scale_down(&mut self, count: Option<u64>) {
        self.items = count.unwrap_or((self.items / 10).max(1));
    }

    /// Items of one repetition.
    pub(crate) fn units(&self, params: &StrategyParams) -> u64 {
        self.items * params.producers as u64
    }

    /// One line for reports.
    pub(crate) fn describe(&self) -> String {
        format!("{} items per producer", self.items)
    }
}
