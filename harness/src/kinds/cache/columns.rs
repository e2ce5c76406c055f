//! The `cache` kind's columns in the summary table.

use crate::kinds::columns::{column, latency, throughput, Column};
use crate::record::Metric;

/// Its columns, after the cell and its status.
pub(super) fn columns() -> Vec<Column> {
    vec![
        column("ops/s", throughput),
        column("read p50 ms", |c| latency(c, Metric::Read, |s| s.p50_ms)),
        column("read p99 ms", |c| latency(c, Metric::Read, |s| s.p99_ms)),
        column("read p99.9 ms", |c| latency(c, Metric::Read, |s| s.p999_ms)),
        column("read max ms", |c| latency(c, Metric::Read, |s| s.max_ms)),
        column("write p99 ms", |c| latency(c, Metric::Write, |s| s.p99_ms)),
        column("refresh p50 ms", |c| {
            latency(c, Metric::Refresh, |s| s.p50_ms)
        }),
        column("refresh max ms", |c| {
            latency(c, Metric::Refresh, |s| s.max_ms)
        }),
        column("torn reads", |c| format!("{:.0}", c.merged.torn_reads.mean)),
    ]
}
