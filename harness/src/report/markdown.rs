//! `summary.md`: the table a person pastes into a pull request.

use std::fmt::Write as _;

use crate::kinds::columns::{books_meaning, for_cells as columns, latency};
use crate::kinds::Kind;
use crate::record::Metric;
use crate::results::ScenarioResult;

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
    let kind = Kind::of(result);
    let _ = writeln!(
        out,
        "{}, {} repetition(s) per cell, {} cores, started {}{}.\n",
        result.workload_description,
        result.repetitions,
        result.cores,
        result.started_at,
        if result.interrupted {
            ", **interrupted**"
        } else {
            ""
        }
    );
    let verdict = super::verdict::sentences(result);
    if !verdict.is_empty() {
        let _ = writeln!(out, "**Verdict**\n");
        for sentence in &verdict {
            let _ = writeln!(out, "- {sentence}");
        }
        let _ = writeln!(out);
    }
    let columns = columns(kind, &result.cells);
    let headers: Vec<&str> = columns.iter().map(|c| c.header).collect();
    let _ = writeln!(out, "| cell | status | {} |", headers.join(" | "));
    let _ = writeln!(out, "|---|---|{}", "---:|".repeat(columns.len()));
    for cell in &result.cells {
        let values: Vec<String> = columns.iter().map(|c| (c.value)(cell)).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            cell.label,
            cell.status().word(),
            values.join(" | ")
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
        .map(|c| {
            let status = c.status().to_string().replace('\n', "\n  > ");
            format!("- `{}`: {status}", c.label)
        })
        .collect();
    let _ = writeln!(
        out,
        "\nBooks: {}",
        if problems.is_empty() {
            format!("every cell balanced ({}).", books_meaning(kind))
        } else {
            format!("\n{}", problems.join("\n"))
        }
    );
    out
}
