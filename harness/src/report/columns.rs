//! The summary table's columns, by kind: what `summary.md` and
//! `report.html` show for each cell.

use super::markdown::ms;
use crate::record::{Metric, Summary};
use crate::results::CellResult;
use crate::scenario::Kind;

/// One column: its header and how a cell fills it.
pub struct Column {
    /// The header.
    pub header: &'static str,
    /// The cell's value, formatted.
    pub value: fn(&CellResult) -> String,
}

/// `value ± stdev`, the stdev shown only when there were repetitions.
pub fn with_spread(mean: f64, stdev: f64, decimals: usize) -> String {
    if stdev > 0.0 {
        format!("{mean:.decimals$} ± {stdev:.decimals$}")
    } else {
        format!("{mean:.decimals$}")
    }
}

/// A latency statistic of a cell in ms, or `–`.
pub fn latency(cell: &CellResult, metric: Metric, pick: fn(&Summary) -> f64) -> String {
    cell.merged
        .summaries
        .get(&metric)
        .map_or_else(|| "–".to_owned(), |s| ms(pick(s)))
}

/// Goodput, `mean ± stdev`, or `–` when unknown (an old file).
pub fn goodput(cell: &CellResult) -> String {
    cell.merged
        .goodput
        .map_or_else(|| "–".to_owned(), |g| with_spread(g.mean, g.stdev, 0))
}

/// The failed share as a percentage, or `–` when unknown.
pub fn failed_percent(cell: &CellResult) -> String {
    cell.merged
        .failed_share
        .map_or_else(|| "–".to_owned(), |f| format!("{:.1}%", f.mean * 100.0))
}

const fn column(header: &'static str, value: fn(&CellResult) -> String) -> Column {
    Column { header, value }
}

/// The columns of a `kind` scenario's table, after the cell and its status.
pub fn columns(kind: Kind) -> Vec<Column> {
    let throughput =
        |c: &CellResult| with_spread(c.merged.throughput.mean, c.merged.throughput.stdev, 0);
    let mut columns = match kind {
        Kind::Pool => vec![
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
            column("peak in flight", |c| c.merged.peak_concurrency.to_string()),
        ],
        Kind::Cache => vec![
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
        ],
        Kind::FanIn => vec![
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
        ],
    };
    columns.extend([
        column("wall s", |c| {
            with_spread(c.merged.wall_s.mean, c.merged.wall_s.stdev, 2)
        }),
        column("peak threads", |c| c.merged.peak_threads.to_string()),
        column("peak RSS MB", |c| format!("{:.1}", c.merged.peak_rss_mb)),
        column("CPU s", |c| format!("{:.2}", c.merged.cpu_s.mean)),
    ]);
    columns
}

/// What balanced books mean for `kind`, for the line under the table.
pub fn books_meaning(kind: Kind) -> &'static str {
    match kind {
        Kind::Pool => "submitted = completed + rejected + discarded + cancelled + handed back; no job ran twice",
        Kind::Cache => "no torn `get_many` read on a variant that promises atomic refreshes; every refreshed key holds the last version; every operation timed",
        Kind::FanIn => "every item sent was received exactly once, in order per producer; the stream ended only after every producer finished",
    }
}
