//! The load of a `queue` scenario: how many jobs the producer publishes
//! and when, what each costs a consumer, how many consumer processes take
//! them, which one dies, and where the broker is.
//!
//! The strategy a consumer runs and its sizes (`workers`, `queue`,
//! `policy`) are the cell's parameters, as in a pool scenario; the
//! workload is everything around the consumers.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::load::arrival::Arrival;
use crate::load::service::{Dist, ServiceModel};

/// The load of a `queue` scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueWorkload {
    /// Jobs the producer publishes (ids `0..jobs`).
    pub jobs: u64,
    /// When it publishes them (open loop: bursts are absorbed by the
    /// queue, not pushed back on the producer).
    pub arrival: Arrival,
    /// What a job costs its consumer (a sleep of this long).
    pub service: ServiceModel,
    /// Consumer processes.
    pub consumers: usize,
    /// SIGKILL consumer 0 this long after publishing starts, if set.
    pub kill_worker: Option<Duration>,
    /// The broker's URL: the scenario's own, or the throwaway server's
    /// that [`prepare`](crate::kinds::ScenarioKind::prepare) started.
    pub broker_url: Option<String>,
    /// The command prefix each consumer process is started with
    /// (`["ip", "netns", "exec", "ns1"]`, `["ssh", "host"]`), by index; an
    /// empty one, or none for that index, runs it here.
    pub consumer_launcher: Vec<Vec<String>>,
    /// Seed of the arrival schedule and the service times.
    pub seed: u64,
}

impl QueueWorkload {
    /// A tenth of the jobs (or `count`).
    pub(crate) fn scale_down(&mut self, count: Option<u64>) {
        self.jobs = count.unwrap_or((self.jobs / 10).max(1));
    }

    /// One line for reports.
    pub(crate) fn describe(&self) -> String {
        let kill = self
            .kill_worker
            .map(|after| {
                format!(
                    ", consumer 0 killed after {}",
                    crate::units::duration::display(after)
                )
            })
            .unwrap_or_default();
        format!(
            "{} jobs, arrival: {}, {} consumers{kill}",
            self.jobs, self.arrival, self.consumers
        )
    }

    /// The command prefix consumer `index` is started with (empty: none).
    pub fn launcher(&self, index: usize) -> &[String] {
        self.consumer_launcher.get(index).map_or(&[], Vec::as_slice)
    }

    /// How long a consumer leaves a message pending at another consumer
    /// before it claims it: longer than a live consumer holds one (a
    /// prefetch of a pool's worth, so a couple of service times), so only
    /// a dead consumer's messages are taken. 500 ms, or ten mean service
    /// times if that is longer.
    pub fn claim_after(&self) -> Duration {
        let mean = match self.service.dist {
            Dist::Fixed { mean } | Dist::Exponential { mean } | Dist::LogNormal { mean, .. } => {
                mean
            }
        };
        Duration::from_millis(500).max(mean.saturating_mul(10))
    }
}
