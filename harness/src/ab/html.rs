//! `ab.html`: the paired comparison as one self-contained page (inline
//! CSS and SVG, no script, no network), in the style of `report.html`:
//! the verdict, the table, and per cell each metric's change drawn with
//! its interval against the threshold, and both sides' percentile curves
//! overlaid.

use std::fmt::Write as _;

use super::comparison::{CellComparison, Comparison, MetricComparison};
use super::markdown::{interval, method, verdict, word};
use super::metric::change;
use super::stats::Decision;
use crate::report::html::{figure, latency_axis, percentile_axis, percentile_points, Key, STYLE};
use crate::report::svg::{escape, line_chart, Series};

/// BASE's colour in every chart.
const BASE_COLOR: &str = "#1f77b4";
/// NEW's colour in every chart.
const NEW_COLOR: &str = "#d62728";

/// The whole page.
pub fn render(comparison: &Comparison) -> String {
    let mut out = String::new();
    let title = "contend ab: NEW against BASE";
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title><style>{STYLE}{EXTRA}</style></head><body><h1>{title}</h1>\
         <p><span class=\"side base\">BASE</span> {} · <span class=\"side new\">NEW</span> {} · started {}</p>",
        escape(&comparison.base.describe),
        escape(&comparison.new.describe),
        escape(&comparison.started_at),
    );
    out.push_str("<section class=\"verdict\"><h2>Verdict</h2><ul>");
    for sentence in verdict(comparison) {
        let text = sentence.trim_start_matches("- ").replace("**", "");
        let class = if comparison.failing().is_empty() {
            "pass"
        } else {
            "fail"
        };
        let _ = write!(out, "<li class=\"{class}\">{}</li>", escape(&text));
    }
    let _ = write!(out, "</ul><p>{}</p></section>", escape(&method(comparison)));
    out.push_str("<div class=\"scroll\"><table><tr><th>cell</th><th>pairs</th><th>metric</th><th>BASE</th><th>NEW</th><th>change</th><th>interval</th><th>decision</th></tr>");
    for cell in &comparison.cells {
        let unit = cell.cell.kind().throughput_unit();
        for (i, m) in cell.metrics.iter().enumerate() {
            let first = if i == 0 {
                format!(
                    "<td rowspan=\"{}\">{}</td><td rowspan=\"{}\">{}</td>",
                    cell.metrics.len(),
                    escape(&cell.cell.key()),
                    cell.metrics.len(),
                    cell.pairs
                )
            } else {
                String::new()
            };
            let _ = write!(
                out,
                "<tr>{first}<td class=\"m\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
                m.metric.name(),
                escape(&m.metric.show(m.base, unit)),
                escape(&m.metric.show(m.new, unit)),
                m.ratio.map_or_else(|| "–".to_owned(), |r| change(r.median)),
                m.ratio.as_ref().map_or_else(|| "–".to_owned(), interval),
                class(m),
                word(m),
            );
        }
    }
    out.push_str("</table></div>");
    for cell in &comparison.cells {
        out.push_str(&cell_section(cell, comparison.plan.threshold));
    }
    out.push_str("<p>Raw numbers: <code>ab.json</code>; to paste into a pull request: <code>ab.md</code>.</p></body></html>\n");
    out
}

const EXTRA: &str = ".side{font-weight:bold;padding:0 4px;color:#fff}.side.base{background:#1f77b4}.side.new{background:#d62728}\
td.m{text-align:left}.cells{display:flex;flex-wrap:wrap;gap:0 24px}.cells figure{flex:1 1 320px}";

fn class(m: &MetricComparison) -> &'static str {
    match m.decision {
        Decision::Regression if m.gated => "fail",
        Decision::Improvement | Decision::Unchanged => "pass",
        _ => "",
    }
}

/// A cell's heading, its intervals and its overlaid percentile curves.
fn cell_section(cell: &CellComparison, threshold: f64) -> String {
    let mut out = format!("<h2>{}</h2>", escape(&cell.cell.key()));
    if let Some(f) = &cell.failure {
        let _ = write!(
            out,
            "<p class=\"fail\">{} {} — the cell stopped after {} pair(s).</p>",
            escape(&f.side),
            escape(&f.status),
            cell.pairs
        );
    }
    out.push_str("<div class=\"cells\">");
    out.push_str(&intervals_chart(cell, threshold));
    if let Some((base, new)) = &cell.curves {
        let series: Vec<Series> = [("BASE", BASE_COLOR, base), ("NEW", NEW_COLOR, new)]
            .into_iter()
            .filter(|(_, _, data)| !data.buckets.is_empty())
            .map(|(name, color, data)| Series {
                name: name.to_owned(),
                color,
                cell: None,
                points: percentile_points(data),
                point_cells: Vec::new(),
            })
            .collect();
        if !series.is_empty() {
            let title = format!(
                "{} latency by percentile, every pair",
                cell.cell.kind().primary().name().replace('_', "-")
            );
            let svg = line_chart(&title, &series, &percentile_axis(), &latency_axis());
            out.push_str(&figure(&svg, &Key::of_lines(&series), ""));
        }
    }
    out.push_str("</div>");
    out
}

/// Each metric's median change as a dot and its interval as a bar, on a
/// scale of change in percent, with the threshold either way shaded: a
/// bar wholly outside the band is a change, wholly inside is unchanged.
fn intervals_chart(cell: &CellComparison, threshold: f64) -> String {
    const WIDTH: f64 = 520.0;
    const LEFT: f64 = 80.0;
    const RIGHT: f64 = 24.0;
    const ROW: f64 = 30.0;
    const TOP: f64 = 30.0;
    let rows = cell.metrics.len() as f64;
    let height = TOP + rows * ROW + 34.0;
    // The scale: wide enough for every bounded interval, at least twice
    // the threshold, in log-ratio so that ×1.1 and ÷1.1 are as far apart.
    let span = cell
        .metrics
        .iter()
        .filter_map(|m| m.ratio)
        .filter(|r| r.is_bounded())
        .flat_map(|r| [r.low.ln().abs(), r.high.ln().abs(), r.median.ln().abs()])
        .fold((1.0 + threshold).ln() * 2.0, f64::max)
        .min(3.0_f64.ln());
    let x = |ratio: f64| {
        let v = ratio.ln().clamp(-span, span);
        LEFT + (v + span) / (2.0 * span) * (WIDTH - LEFT - RIGHT)
    };
    let mut svg = format!(
        "<svg viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" role=\"img\" aria-label=\"change NEW/BASE with its interval\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"12\" font-family=\"sans-serif\">\
         <text x=\"{}\" y=\"18\" text-anchor=\"middle\" font-size=\"13\">change NEW/BASE, median and interval</text>",
        WIDTH / 2.0
    );
    let band = (x(1.0 / (1.0 + threshold)), x(1.0 + threshold));
    let _ = write!(
        svg,
        "<rect x=\"{:.1}\" y=\"{TOP}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#eef5ee\"/><line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{TOP}\" y2=\"{:.1}\" stroke=\"#999\"/>",
        band.0,
        band.1 - band.0,
        rows * ROW,
        x(1.0),
        x(1.0),
        TOP + rows * ROW
    );
    for (i, m) in cell.metrics.iter().enumerate() {
        let y = TOP + (i as f64 + 0.5) * ROW;
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            LEFT - 8.0,
            y + 4.0,
            m.metric.name()
        );
        let Some(ratio) = m.ratio else { continue };
        let color = match class(m) {
            "fail" => "#b00",
            "pass" => "#070",
            _ => "#555",
        };
        if ratio.is_bounded() {
            let _ = write!(
                svg,
                "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"{color}\" stroke-width=\"4\"/>",
                x(ratio.low),
                x(ratio.high)
            );
        } else {
            // Beside the dot, on the side with room for the words.
            let at = x(ratio.median);
            let (text_x, anchor) = if at > WIDTH / 2.0 {
                (at - 8.0, "end")
            } else {
                (at + 8.0, "start")
            };
            let _ = write!(
                svg,
                "<text x=\"{text_x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" fill=\"#777\">too few pairs</text>",
                y + 4.0
            );
        }
        let _ = write!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"4.5\" fill=\"#fff\" stroke=\"{color}\" stroke-width=\"2\"/>",
            x(ratio.median)
        );
    }
    let axis_y = TOP + rows * ROW + 16.0;
    for tick in [-span, -span / 2.0, 0.0, span / 2.0, span] {
        let ratio = tick.exp();
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{axis_y:.1}\" text-anchor=\"middle\" fill=\"#555\">{}</text>",
            x(ratio),
            escape(&change(ratio))
        );
    }
    let _ = write!(
        svg,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#555\">shaded: within ±{:.0}%, unchanged</text></svg>",
        (WIDTH + LEFT - RIGHT) / 2.0,
        axis_y + 16.0,
        threshold * 100.0
    );
    format!("<figure>{svg}</figure>")
}
