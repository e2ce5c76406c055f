//! The `fanin` kind's columns in the summary table.

use crate::kinds::columns::{column, failed_percent, latency, throughput, Column};
use crate::record::Metric;

/// Its columns, after the cell and its status.
pub(super) fn columns() -> Vec<Column> {
    vec![
        column("items/s", throughput),
        column("failed", failed_percent),
        column("delivery p50 ms", |c| {
            latency(c, Metric::Delivery, |s| s.p50_ms)
        }),
        column("delivery p99 ms", |c| {
            latency(c, Metric::Delivery, |s| s.p99_ms)
        }),
        column("delivery p99.9 ms", |c| {
            latency(c, Metric::Delivery, |s| s.p999_ms)
        }),
        column("delivery max ms", |c| {
            latency(c, Metric::Delivery, |s| s.max_ms)
        }),
        column("send p99 ms", |c| latency(c, Metric::Send, |s| s.p99_ms)),
        column("lost", |c| c.merged.lost.to_string()),
    ]
}
