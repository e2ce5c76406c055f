//! `ab.md`: the paired comparison as Markdown to paste into a pull
//! request: the verdict first, then one row per cell with each metric's
//! change and interval, then the medians each side measured.

use std::fmt::Write as _;

use super::comparison::{CellComparison, Comparison, MetricComparison};
use super::metric::{change, PairedMetric};
use super::stats::{Decision, Interval};

/// The whole report.
pub fn render(comparison: &Comparison) -> String {
    let mut out = String::from("# contend ab: NEW against BASE\n\n");
    let _ = writeln!(out, "- BASE: {}", comparison.base.describe);
    let _ = writeln!(out, "- NEW: {}", comparison.new.describe);
    let _ = writeln!(out, "- started {}\n", comparison.started_at);
    for sentence in verdict(comparison) {
        let _ = writeln!(out, "{sentence}");
        if !sentence.starts_with("- ") {
            out.push('\n');
        }
    }
    if !comparison.failing().is_empty() {
        out.push('\n');
    }
    let _ = writeln!(out, "{}\n", method(comparison));
    out.push_str("| cell | pairs |");
    for metric in PairedMetric::ALL {
        let _ = write!(out, " {} |", metric.name());
    }
    out.push_str("\n|---|---:|");
    out.push_str(&"---|".repeat(PairedMetric::ALL.len()));
    out.push('\n');
    for cell in &comparison.cells {
        let _ = write!(out, "| {} | {} |", cell.cell.key(), cell.pairs);
        for metric in &cell.metrics {
            let _ = write!(out, " {} |", summary(metric));
        }
        out.push('\n');
    }
    out.push_str(
        "\nEach entry: the median change NEW/BASE over the pairs, its interval, and a mark: \
         **✗** a regression, ✓ an improvement, = unchanged (within the threshold), ? undecided; \
         (not gated) metrics do not fail the run.\n",
    );
    let failures: Vec<&CellComparison> = comparison
        .cells
        .iter()
        .filter(|c| c.failure.is_some())
        .collect();
    if !failures.is_empty() {
        out.push_str("\n## Cells that did not finish\n\n");
        for cell in failures {
            if let Some(f) = &cell.failure {
                let _ = writeln!(out, "- {}: {} {}", cell.cell.key(), f.side, f.status);
            }
        }
    }
    for (side, keys) in [
        ("BASE", &comparison.only_in_base),
        ("NEW", &comparison.only_in_new),
    ] {
        if !keys.is_empty() {
            let _ = writeln!(out, "\nOnly {side} has: {}.", keys.join(", "));
        }
    }
    out.push_str("\n<details><summary>Medians each side measured</summary>\n\n");
    out.push_str("| cell | metric | BASE | NEW | change | interval | decision |\n|---|---|---:|---:|---:|---|---|\n");
    for cell in &comparison.cells {
        let unit = cell.cell.kind().throughput_unit();
        for m in &cell.metrics {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                cell.cell.key(),
                m.metric.name(),
                m.metric.show(m.base, unit),
                m.metric.show(m.new, unit),
                m.ratio.map_or_else(|| "–".to_owned(), |r| change(r.median)),
                m.ratio.as_ref().map_or_else(|| "–".to_owned(), interval),
                word(m),
            );
        }
    }
    out.push_str("\n</details>\n");
    out
}

/// The verdict: one sentence on the whole run, then one per failing cell.
pub fn verdict(comparison: &Comparison) -> Vec<String> {
    let failing = comparison.failing();
    let tally = comparison.tally();
    let counted = |word: &str| tally.get(word).copied().unwrap_or(0);
    let mut sentences = Vec::new();
    let head = if failing.is_empty() {
        format!(
            "**No regression** beyond {:.0}%: of {} gated comparisons, {} unchanged, {} improved, {} undecided.",
            comparison.plan.threshold * 100.0,
            tally.values().sum::<usize>(),
            counted(Decision::Unchanged.word()),
            counted(Decision::Improvement.word()),
            counted(Decision::Undecided.word()),
        )
    } else {
        format!(
            "**{} cell(s) regressed** beyond {:.0}%.",
            failing.len(),
            comparison.plan.threshold * 100.0
        )
    };
    sentences.push(head);
    for cell in failing {
        let unit = cell.cell.kind().throughput_unit();
        let mut parts: Vec<String> = cell
            .regressions()
            .iter()
            .map(|m| {
                format!(
                    "{} {} ({} → {}, interval {})",
                    m.metric.name(),
                    m.ratio.map_or_else(String::new, |r| change(r.median)),
                    m.metric.show(m.base, unit),
                    m.metric.show(m.new, unit),
                    m.ratio.as_ref().map_or_else(String::new, interval)
                )
            })
            .collect();
        if let Some(f) = cell.failure.as_ref().filter(|f| f.side == "NEW") {
            parts.push(format!("NEW {}", f.status));
        }
        sentences.push(format!("- {}: {}.", cell.cell.key(), parts.join("; ")));
    }
    if comparison.interrupted {
        sentences.push("Stopped by Ctrl-C: cells have fewer pairs than planned.".to_owned());
    }
    sentences
}

/// How to read the numbers: the threshold, the confidence, the pairs.
pub fn method(comparison: &Comparison) -> String {
    let plan = &comparison.plan;
    format!(
        "A change counts only when the whole interval of the paired ratios NEW/BASE lies beyond \
         {:.0}% (a factor of {:.2} either way). Each interval holds with {:.3}% confidence, so \
         that the whole run flags nothing that did not change with {:.0}% confidence (Bonferroni \
         over {} gated comparisons and {} looks). Pairs: {} to {} per cell, alternating which \
         side runs first; the sign test's interval, which assumes nothing of the noise.{}",
        plan.threshold * 100.0,
        1.0 + plan.threshold,
        plan.interval_confidence * 100.0,
        plan.confidence * 100.0,
        comparison.cells.len() * plan.gated.len(),
        plan.looks(),
        plan.look_every.min(plan.max_pairs),
        plan.max_pairs,
        if plan.quick { " Quick cells." } else { "" }
    )
}

/// `[−0.4%, +2.9%]`, or why there is none.
pub fn interval(ratio: &Interval) -> String {
    if ratio.is_bounded() {
        format!("[{}, {}]", change(ratio.low), change(ratio.high))
    } else {
        "(too few pairs)".to_owned()
    }
}

/// `+1.2% [−0.4%, +2.9%] =`, the table's entry for a metric.
fn summary(m: &MetricComparison) -> String {
    let Some(ratio) = m.ratio else {
        return "–".to_owned();
    };
    let mark = match m.decision {
        Decision::Regression if m.gated => "**✗**",
        Decision::Regression => "✗",
        Decision::Improvement => "✓",
        Decision::Unchanged => "=",
        Decision::Undecided => "?",
    };
    let gated = if m.gated { "" } else { " (not gated)" };
    format!(
        "{} {} {mark}{gated}",
        change(ratio.median),
        interval(&ratio)
    )
}

/// The decision in words, `(not gated)` when it cannot fail the run.
pub(super) fn word(m: &MetricComparison) -> String {
    if m.gated {
        m.decision.word().to_owned()
    } else {
        format!("{} (not gated)", m.decision.word())
    }
}

/// One line of a cell's decisions so far, for the progress output.
pub fn decisions_line(cell: &CellComparison) -> String {
    cell.metrics
        .iter()
        .filter(|m| m.gated)
        .map(|m| {
            format!(
                "{} {} {}",
                m.metric.name(),
                m.ratio.map_or_else(|| "–".to_owned(), |r| change(r.median)),
                m.decision.word()
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}
