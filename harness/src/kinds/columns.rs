//! The summary table's columns: what `summary.md` and `report.html`
//! show for each cell. Each kind names its own ([`ScenarioKind::columns`](super::ScenarioKind::columns));
//! [`of`] adds the ones every kind shares.

use super::Kind;
use crate::record::{Metric, Summary};
use crate::results::CellResult;
use crate::units::duration::ms;

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

/// A column of `header` filled by `value`.
pub const fn column(header: &'static str, value: fn(&CellResult) -> String) -> Column {
    Column { header, value }
}

/// Throughput, `mean ± stdev`.
pub fn throughput(cell: &CellResult) -> String {
    with_spread(cell.merged.throughput.mean, cell.merged.throughput.stdev, 0)
}

/// A count the kind's books keep, mean per repetition (`–` if none did).
pub fn count(cell: &CellResult, name: &str) -> String {
    cell.merged
        .counts
        .get(name)
        .map_or_else(|| "–".to_owned(), |c| format!("{:.0}", c.mean))
}

/// The columns of a `kind` scenario's table for `cells`, after the cell
/// and its status: a column no cell has a value for (`–` in every row,
/// such as the database's counts in a scenario without one) is left out.
pub fn for_cells(kind: Kind, cells: &[CellResult]) -> Vec<Column> {
    of(kind)
        .into_iter()
        .filter(|column| cells.is_empty() || cells.iter().any(|cell| (column.value)(cell) != "–"))
        .collect()
}

/// Every column of a `kind` scenario's table, after the cell and its status.
pub fn of(kind: Kind) -> Vec<Column> {
    let mut columns = kind.imp().columns();
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
    kind.imp().about().books_meaning
}
