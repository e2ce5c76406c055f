//! `summary.md`: the table a person pastes into a pull request.

use std::fmt::Write as _;

use crate::record::Metric;
use crate::results::{CellResult, ScenarioResult};
use crate::scenario::display_duration;

/// `value ± stdev`, the stdev shown only when there were repetitions.
fn with_spread(mean: f64, stdev: f64, decimals: usize) -> String {
    if stdev > 0.0 {
        format!("{mean:.decimals$} ± {stdev:.decimals$}")
    } else {
        format!("{mean:.decimals$}")
    }
}

/// A latency in ms with sensible precision.
pub fn ms(value: f64) -> String {
    match value {
        v if v >= 100.0 => format!("{v:.0}"),
        v if v >= 1.0 => format!("{v:.2}"),
        v => format!("{v:.3}"),
    }
}

fn latency(cell: &CellResult, metric: Metric, pick: fn(&crate::record::Summary) -> f64) -> String {
    cell.merged
        .summaries
        .get(&metric)
        .map_or_else(|| "–".to_owned(), |s| ms(pick(s)))
}

/// The summary of `result`.
pub fn render(result: &ScenarioResult) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## {}{}\n",
        result.name,
        if result.quick { " (quick)" } else { "" }
    );
    if !result.description.is_empty() {
        let _ = writeln!(out, "{}\n", result.description);
    }
    let w = &result.workload;
    let limit = match (w.jobs, w.duration) {
        (Some(jobs), Some(d)) => format!("{jobs} jobs or {}", display_duration(d)),
        (Some(jobs), None) => format!("{jobs} jobs"),
        (None, Some(d)) => display_duration(d),
        (None, None) => String::new(),
    };
    let _ = writeln!(
        out,
        "{limit}, arrival `{}`, {} repetition(s) per cell, {} cores, started {}{}.\n",
        serde_json::to_string(&w.arrival).unwrap_or_default(),
        result.repetitions,
        result.cores,
        result.started_at,
        if result.interrupted {
            ", **interrupted**"
        } else {
            ""
        }
    );
    let _ = writeln!(
        out,
        "| cell | status | jobs/s | p50 ms | p99 ms | p99.9 ms | max ms | queue p99 ms | rejected | discarded | timeouts | peak threads | peak RSS MB | CPU s |"
    );
    let _ = writeln!(
        out,
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for cell in &result.cells {
        let m = &cell.merged;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {:.0} | {:.0} | {:.0} | {} | {:.1} | {:.2} |",
            cell.label,
            cell.status().word(),
            with_spread(m.throughput.mean, m.throughput.stdev, 0),
            latency(cell, Metric::EndToEnd, |s| s.p50_ms),
            latency(cell, Metric::EndToEnd, |s| s.p99_ms),
            latency(cell, Metric::EndToEnd, |s| s.p999_ms),
            latency(cell, Metric::EndToEnd, |s| s.max_ms),
            latency(cell, Metric::QueueWait, |s| s.p99_ms),
            m.rejected.mean,
            m.discarded.mean,
            m.timeouts.mean,
            m.peak_threads,
            m.peak_rss_mb,
            m.cpu_s.mean,
        );
    }
    if result
        .cells
        .iter()
        .any(|c| c.merged.summaries.contains_key(&Metric::Lateness))
    {
        let _ = writeln!(
            out,
            "\nOpen-loop start lateness (submit time − scheduled time):\n"
        );
        let _ = writeln!(out, "| cell | p50 ms | p99 ms | max ms |");
        let _ = writeln!(out, "|---|---:|---:|---:|");
        for cell in &result.cells {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                cell.label,
                latency(cell, Metric::Lateness, |s| s.p50_ms),
                latency(cell, Metric::Lateness, |s| s.p99_ms),
                latency(cell, Metric::Lateness, |s| s.max_ms)
            );
        }
    }
    if !result.gates.is_empty() {
        let _ = writeln!(out, "\nGates:\n");
        for gate in &result.gates {
            let mark = if gate.passed { "pass" } else { "**FAIL**" };
            let _ = writeln!(out, "- {mark} `{}` (line {})", gate.check, gate.line);
            for detail in &gate.details {
                let _ = writeln!(out, "  - {detail}");
            }
        }
    }
    let problems: Vec<_> = result
        .cells
        .iter()
        .filter(|c| !c.status().is_ok())
        .map(|c| format!("- `{}`: {:?}", c.label, c.status()))
        .collect();
    let _ = writeln!(
        out,
        "\nBooks: {}",
        if problems.is_empty() {
            "every cell balanced (submitted = completed + rejected + discarded + cancelled + handed back; no job ran twice).".to_owned()
        } else {
            format!("\n{}", problems.join("\n"))
        }
    );
    out
}
