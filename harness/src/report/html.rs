//! `report.html`: one self-contained page (inline CSS and SVG, no script,
//! no network) with the summary, the gates and charts: latency by
//! percentile on log scales, throughput and p99 per cell and against each
//! swept parameter, peak memory and threads.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::columns::columns;
use super::svg::{bar_chart, escape, line_chart, Axis, Series};
use crate::record::Metric;
use crate::results::{CellResult, ScenarioResult};

const STYLE: &str = "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\
table{border-collapse:collapse;font-size:13px;margin:1em 0}th,td{border:1px solid #ccc;padding:3px 7px;text-align:right}\
th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}.fail{color:#b00;font-weight:bold}.pass{color:#070}\
svg{display:block;margin:1.2em 0;border:1px solid #eee}code{background:#f5f5f5;padding:1px 4px}";

/// Percentile ticks for an x axis of `1 / (1 - q)`.
fn percentile_ticks() -> Vec<(f64, String)> {
    ["0%", "90%", "99%", "99.9%", "99.99%", "99.999%"]
        .iter()
        .enumerate()
        .map(|(i, text)| (10f64.powi(i as i32), (*text).to_owned()))
        .collect()
}

fn percentile_chart(result: &ScenarioResult, metric: Metric, title: &str) -> Option<String> {
    let series: Vec<Series> = result
        .cells
        .iter()
        .filter_map(|cell| {
            let histogram = cell.histograms.get(&metric)?.rebuild();
            let points = histogram
                .iter_quantiles(5)
                .map(|step| (step.quantile_iterated_to(), step.value_iterated_to()))
                .filter(|(q, _)| *q < 0.99999)
                .map(|(q, v)| (1.0 / (1.0 - q), (v as f64 / 1e6).max(1e-4)))
                .collect::<Vec<_>>();
            (!points.is_empty()).then(|| Series {
                name: cell.label.clone(),
                points,
            })
        })
        .collect();
    (!series.is_empty()).then(|| {
        line_chart(
            title,
            &series,
            &Axis {
                label: "percentile".into(),
                log: true,
                ticks: Some(percentile_ticks()),
            },
            &Axis {
                label: "latency, ms (log)".into(),
                log: true,
                ticks: None,
            },
        )
    })
}

/// p99 of the kind's main latency (`merged.p99_ms` follows it).
fn main_p99(cell: &CellResult) -> f64 {
    cell.merged.p99_ms.mean
}

/// Charts of throughput and p99 against each parameter a strategy sweeps.
fn sweep_charts(result: &ScenarioResult, out: &mut String) {
    let kind = result.kind();
    let throughput_title = format!("throughput, {}", kind.throughput_unit());
    let p99_title = format!("{} p99, ms (log)", kind.primary().name());
    let keys: BTreeSet<&String> = result.cells.iter().flat_map(|c| c.params.keys()).collect();
    for key in keys {
        // Series: a strategy with its other parameters fixed; x: the key's values.
        let mut values: Vec<&String> = Vec::new();
        let mut series: Vec<(String, Vec<(usize, &CellResult)>)> = Vec::new();
        for cell in &result.cells {
            let Some(value) = cell.params.get(key) else {
                continue;
            };
            let x = values.iter().position(|v| *v == value).unwrap_or_else(|| {
                values.push(value);
                values.len() - 1
            });
            let others: Vec<String> = cell
                .params
                .iter()
                .filter(|(k, _)| *k != key)
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let name = format!("{} {}", cell.strategy, others.join(" "))
                .trim()
                .to_owned();
            match series.iter_mut().find(|(n, _)| *n == name) {
                Some((_, points)) => points.push((x, cell)),
                None => series.push((name, vec![(x, cell)])),
            }
        }
        if !series.iter().any(|(_, points)| points.len() > 1) {
            continue;
        }
        let ticks: Vec<(f64, String)> = values
            .iter()
            .enumerate()
            .map(|(i, v)| (i as f64, (*v).clone()))
            .collect();
        let x_axis = Axis {
            label: key.clone(),
            log: false,
            ticks: Some(ticks),
        };
        for (title, pick, log) in [
            (
                throughput_title.as_str(),
                (|c: &CellResult| c.merged.throughput.mean) as fn(&CellResult) -> f64,
                false,
            ),
            (p99_title.as_str(), main_p99 as fn(&CellResult) -> f64, true),
        ] {
            let lines: Vec<Series> = series
                .iter()
                .map(|(name, points)| Series {
                    name: name.clone(),
                    points: points
                        .iter()
                        .map(|(x, c)| (*x as f64, pick(c).max(1e-4)))
                        .collect(),
                })
                .collect();
            out.push_str(&line_chart(
                &format!("{title} against {key}"),
                &lines,
                &x_axis,
                &Axis {
                    label: title.into(),
                    log,
                    ticks: None,
                },
            ));
        }
    }
}

/// The page for `result`.
pub fn render(result: &ScenarioResult) -> String {
    let mut out = String::new();
    let title = format!(
        "contend: {}{}",
        result.name,
        if result.quick { " (quick)" } else { "" }
    );
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body><h1>{}</h1><p>{}</p><p>{} cores · {} repetition(s) per cell · started {}{}</p>",
        escape(&title),
        escape(&title),
        escape(&result.description),
        result.cores,
        result.repetitions,
        escape(&result.started_at),
        if result.interrupted { " · <span class=\"fail\">interrupted</span>" } else { "" }
    );
    let kind = result.kind();
    let columns = columns(kind);
    out.push_str("<table><tr><th>cell</th><th>status</th>");
    for column in &columns {
        let _ = write!(out, "<th>{}</th>", escape(column.header));
    }
    out.push_str("</tr>");
    for cell in &result.cells {
        let status = cell.status();
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"{}\">{}</td>",
            escape(&cell.label),
            if status.is_ok() { "pass" } else { "fail" },
            status.word(),
        );
        for column in &columns {
            let _ = write!(out, "<td>{}</td>", escape(&(column.value)(cell)));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    if !result.gates.is_empty() {
        out.push_str("<h2>Gates</h2><ul>");
        for gate in &result.gates {
            let (class, word) = if gate.passed {
                ("pass", "pass")
            } else {
                ("fail", "FAIL")
            };
            let _ = write!(
                out,
                "<li><span class=\"{class}\">{word}</span> <code>{}</code> (line {})<ul>",
                escape(&gate.check),
                gate.line
            );
            for detail in &gate.details {
                let _ = write!(out, "<li>{}</li>", escape(detail));
            }
            out.push_str("</ul></li>");
        }
        out.push_str("</ul>");
    }
    out.push_str("<h2>Latency by percentile</h2>");
    for &metric in kind.metrics() {
        let title = match metric {
            Metric::EndToEnd => "end-to-end latency by percentile",
            Metric::QueueWait => "queue wait by percentile",
            Metric::Service => continue,
            Metric::Lateness => "open-loop start lateness by percentile",
            Metric::Read => "cache reads (get, get_many) by percentile",
            Metric::Write => "cache single-key writes (insert, remove) by percentile",
            Metric::Refresh => "the writer's refreshes by percentile",
            Metric::Delivery => "fan-in delivery (send call to receipt) by percentile",
            Metric::Send => "fan-in send calls (blocked on a full channel included) by percentile",
        };
        if let Some(chart) = percentile_chart(result, metric, title) {
            out.push_str(&chart);
        }
    }
    out.push_str("<h2>Throughput and p99</h2>");
    let bars = |pick: fn(&CellResult) -> f64| -> Vec<(String, f64)> {
        result
            .cells
            .iter()
            .map(|c| (c.label.clone(), pick(c)))
            .collect()
    };
    out.push_str(&bar_chart(
        "throughput",
        &bars(|c| c.merged.throughput.mean),
        kind.throughput_unit(),
    ));
    out.push_str(&bar_chart(
        &format!("{} p99", kind.primary().name()),
        &bars(main_p99),
        "ms",
    ));
    sweep_charts(result, &mut out);
    out.push_str("<h2>Memory and threads</h2>");
    out.push_str(&bar_chart(
        "peak resident memory of the cell's process",
        &bars(|c| c.merged.peak_rss_mb),
        "MB",
    ));
    out.push_str(&bar_chart(
        "peak threads of the cell's process",
        &bars(|c| c.merged.peak_threads as f64),
        "threads",
    ));
    out.push_str("<p>Raw numbers: <code>results.json</code>; percentile files: <code>*.hgrm</code>.</p></body></html>\n");
    out
}
