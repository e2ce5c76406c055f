//! The load of a `pool` scenario: how many jobs, when they arrive, what
//! each does and what it calls.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::downstream::DownstreamSpec;
use crate::kinds::workload::limit;
use crate::load::arrival::Arrival;
use crate::load::service::ServiceModel;

/// The load of a `pool` scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PoolWorkload {
    /// Jobs to submit (all of them, or until `duration`).
    pub jobs: Option<u64>,
    /// How long to submit for.
    pub duration: Option<Duration>,
    /// When jobs arrive.
    pub arrival: Arrival,
    /// What each job does.
    pub service: ServiceModel,
    /// Fraction of jobs that panic after their work.
    pub panic_rate: f64,
    /// Fraction of jobs whose cancellation token is cancelled right after
    /// they are submitted (skipped if not yet started).
    pub cancel_rate: f64,
    /// The downstream each job calls, if any.
    pub downstream: Option<DownstreamSpec>,
    /// Seed of every random draw: arrivals, service times, panics.
    pub seed: u64,
}

impl PoolWorkload {
    /// A tenth of the jobs (or `count`), a fifth of the duration (or
    /// `duration`).
    pub(crate) fn scale_down(&mut self, count: Option<u64>, duration: Option<Duration>) {
        self.jobs = count.or(self.jobs.map(|n| (n / 10).max(1)));
        self.duration = duration.or(self.duration.map(|d| d / 5));
    }

    /// One line for reports.
    pub(crate) fn describe(&self) -> String {
        format!(
            "{}, arrival: {}",
            limit(self.jobs, "jobs", self.duration),
            self.arrival
        )
    }
}
