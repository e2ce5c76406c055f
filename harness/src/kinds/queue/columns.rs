//! The `queue` kind's columns in the summary table: how fast messages
//! went through, how long they took from publish to acknowledgement, and
//! what the failure cost (redeliveries, claims, the backlog and its
//! drain).

use crate::kinds::columns::{column, count, latency, throughput, Column};
use crate::record::Metric;

/// Its columns, after the cell and its status.
pub(super) fn columns() -> Vec<Column> {
    vec![
        column("msgs/s", throughput),
        column("p50 ms", |c| latency(c, Metric::EndToEnd, |s| s.p50_ms)),
        column("p99 ms", |c| latency(c, Metric::EndToEnd, |s| s.p99_ms)),
        column("duplicates", |c| count(c, "duplicates")),
        column("claimed", |c| count(c, "claimed")),
        column("backlog peak", |c| count(c, "backlog_peak")),
        column("drain ms", |c| count(c, "drain_ms")),
    ]
}
