//! The `pool` kind's columns in the summary table.

use crate::kinds::columns::{column, count, failed_percent, goodput, latency, throughput, Column};
use crate::record::Metric;

/// Its columns, after the cell and its status.
pub(super) fn columns() -> Vec<Column> {
    vec![
        column("jobs/s", throughput),
        column("goodput jobs/s", goodput),
        column("failed", failed_percent),
        column("p50 ms", |c| latency(c, Metric::EndToEnd, |s| s.p50_ms)),
        column("p99 ms", |c| latency(c, Metric::EndToEnd, |s| s.p99_ms)),
        column("p99.9 ms", |c| latency(c, Metric::EndToEnd, |s| s.p999_ms)),
        column("max ms", |c| latency(c, Metric::EndToEnd, |s| s.max_ms)),
        column("queue p99 ms", |c| {
            latency(c, Metric::QueueWait, |s| s.p99_ms)
        }),
        column("rejected", |c| format!("{:.0}", c.merged.rejected.mean)),
        column("discarded", |c| format!("{:.0}", c.merged.discarded.mean)),
        column("timeouts", |c| format!("{:.0}", c.merged.timeouts.mean)),
        column("db refused", |c| count(c, "refused")),
        column("db failed", |c| count(c, "db_failed")),
        column("peak in flight", |c| c.merged.peak_concurrency.to_string()),
    ]
}
