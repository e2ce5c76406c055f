//! `report.html`: one self-contained page (inline CSS and SVG, no script,
//! no network) with the summary, the gates and charts: latency by
//! percentile on log scales, throughput and p99 per cell and against each
//! swept parameter, peak memory and threads.
//!
//! Every chart takes its colours from one [`CellColors`] per page, so a
//! cell has the same colour everywhere; legends are HTML beside the SVG,
//! so they wrap on a phone instead of being cut off; tables scroll
//! sideways in their own box.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::palette::CellColors;
use super::svg::{bar_chart, escape, line_chart, number, Axis, Bar, Series};
use super::verdict::{self, main_p99};
use crate::kinds::columns::for_cells as columns;
use crate::kinds::Kind;
use crate::record::{HistogramData, Metric};
use crate::results::{CellResult, ScenarioResult};

/// The page style every contend HTML page shares.
pub(crate) const STYLE: &str = "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\
.scroll{overflow-x:auto;max-width:100%}\
table{border-collapse:collapse;font-size:13px;margin:1em 0}th,td{border:1px solid #ccc;padding:3px 7px;text-align:right;white-space:nowrap}\
th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}.fail{color:#b00;font-weight:bold}.pass{color:#070}\
figure{margin:1.2em 0;max-width:680px}svg{display:block;width:100%;height:auto;border:1px solid #eee}\
.legend{display:flex;flex-wrap:wrap;gap:2px 14px;font-size:13px;margin:4px 0}.legend span{display:inline-flex;align-items:center;gap:5px}\
.legend i{display:inline-block;width:14px;height:10px}.legend i.failed{background:repeating-linear-gradient(45deg,#777 0 2px,#ddd 2px 5px)}\
code{background:#f5f5f5;padding:1px 4px;overflow-wrap:anywhere}li{overflow-wrap:anywhere}\
.verdict{background:#f6f8fb;border-left:4px solid #4a6fa5;padding:.4em 1em;margin:1em 0}.verdict h2{margin:.3em 0;font-size:1.15em}\
.verdict ul{margin:.3em 0;padding-left:1.2em}.verdict li{margin:.25em 0;line-height:1.35}";

/// One legend entry: its text, colour and, for a cell, its label; a
/// `hatched` entry shows the failed part of a bar.
pub(crate) struct Key {
    pub(crate) text: String,
    pub(crate) color: &'static str,
    pub(crate) cell: Option<String>,
    pub(crate) hatched: bool,
}

impl Key {
    /// The entry of each line of a chart: its name in its colour.
    pub(crate) fn of_lines(series: &[Series]) -> Vec<Key> {
        series
            .iter()
            .map(|line| Key {
                text: line.name.clone(),
                color: line.color,
                cell: None,
                hatched: false,
            })
            .collect()
    }

    fn cell(label: &str, colors: &CellColors) -> Self {
        Key {
            text: label.to_owned(),
            color: colors.of(label),
            cell: Some(label.to_owned()),
            hatched: false,
        }
    }
}

/// A chart and its legend (HTML, wrapping on a narrow screen).
pub(crate) fn figure(svg: &str, keys: &[Key], note: &str) -> String {
    let mut out = format!("<figure>{svg}<div class=\"legend\">");
    for key in keys {
        let cell = key
            .cell
            .as_deref()
            .map_or_else(String::new, |c| format!(" data-cell=\"{}\"", escape(c)));
        if key.hatched {
            let _ = write!(
                out,
                "<span><i class=\"failed\"></i>{}</span>",
                escape(&key.text)
            );
        } else {
            let _ = write!(
                out,
                "<span><i style=\"background:{}\"{cell}></i>{}</span>",
                key.color,
                escape(&key.text)
            );
        }
    }
    if !note.is_empty() {
        let _ = write!(out, "<span>{}</span>", escape(note));
    }
    out.push_str("</div></figure>");
    out
}

/// Percentile ticks for an x axis of `1 / (1 - q)`.
fn percentile_ticks() -> Vec<(f64, String)> {
    ["0%", "90%", "99%", "99.9%", "99.99%", "99.999%"]
        .iter()
        .enumerate()
        .map(|(i, text)| (10f64.powi(i as i32), (*text).to_owned()))
        .collect()
}

/// A histogram as the points of its percentile curve: `(1 / (1 - q),
/// ms)`, for an x axis with [`percentile_ticks`].
pub(crate) fn percentile_points(data: &HistogramData) -> Vec<(f64, f64)> {
    data.rebuild()
        .iter_quantiles(5)
        .map(|step| (step.quantile_iterated_to(), step.value_iterated_to()))
        .filter(|(q, _)| *q < 0.99999)
        .map(|(q, v)| (1.0 / (1.0 - q), (v as f64 / 1e6).max(1e-4)))
        .collect()
}

/// The x axis of a percentile chart.
pub(crate) fn percentile_axis() -> Axis {
    Axis {
        label: "percentile".into(),
        log: true,
        ticks: Some(percentile_ticks()),
    }
}

/// The y axis of a percentile chart.
pub(crate) fn latency_axis() -> Axis {
    Axis {
        label: "latency, ms (log)".into(),
        log: true,
        ticks: None,
    }
}

fn percentile_chart(
    result: &ScenarioResult,
    colors: &CellColors,
    metric: Metric,
    title: &str,
) -> Option<String> {
    let series: Vec<Series> = result
        .cells
        .iter()
        .filter_map(|cell| {
            let points = percentile_points(cell.histograms.get(&metric)?);
            (!points.is_empty()).then(|| Series {
                name: cell.label.clone(),
                color: colors.of(&cell.label),
                cell: Some(cell.label.clone()),
                points,
                point_cells: Vec::new(),
            })
        })
        .collect();
    let keys: Vec<Key> = series.iter().map(|s| Key::cell(&s.name, colors)).collect();
    (!series.is_empty()).then(|| {
        let svg = line_chart(title, &series, &percentile_axis(), &latency_axis());
        figure(&svg, &keys, "")
    })
}

/// Goodput, or throughput where goodput is unknown.
fn goodput(cell: &CellResult) -> f64 {
    cell.merged
        .goodput
        .map_or(cell.merged.throughput.mean, |g| g.mean)
}

/// The failed share in percent (0 where unknown).
fn failed_percent(cell: &CellResult) -> f64 {
    cell.merged.failed_share.map_or(0.0, |f| f.mean * 100.0)
}

/// Failed units per second: the mean over the merged repetitions of
/// `failed / wall`.
fn failed_rate(cell: &CellResult) -> f64 {
    let rates: Vec<f64> = cell
        .repetitions
        .iter()
        .filter(|r| r.goodput.is_some() && r.wall_s > 0.0)
        .map(|r| r.failed.unwrap_or(0) as f64 / r.wall_s)
        .collect();
    if rates.is_empty() {
        0.0
    } else {
        rates.iter().sum::<f64>() / rates.len() as f64
    }
}

/// The values of a swept parameter in axis order: ascending when every
/// one is a number (`10` before `50`, whatever the file's order), else
/// as first met.
pub fn axis_order(mut values: Vec<String>) -> Vec<String> {
    let numbers: Option<Vec<f64>> = values
        .iter()
        .map(|v| v.trim().parse::<f64>().ok())
        .collect();
    if let Some(numbers) = numbers {
        let mut pairs: Vec<(f64, String)> = numbers.into_iter().zip(values).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        values = pairs.into_iter().map(|(_, v)| v).collect();
    }
    values
}

/// A sweep chart: its title, what it reads from a cell, a log y axis.
type SweepChart<'a> = (&'a str, fn(&CellResult) -> f64, bool);

/// Charts of goodput, the failed share and p99 against each parameter a
/// strategy sweeps. A line joins the cells of one strategy (its other
/// parameters fixed); each point is marked in its own cell's colour.
fn sweep_charts(result: &ScenarioResult, colors: &CellColors, out: &mut String) {
    let kind = Kind::of(result);
    let unit = kind.throughput_unit();
    let goodput_title = format!("goodput (succeeded), {unit}");
    let failed_title = "failed share, % of offered".to_owned();
    let p99_title = format!("{} p99, ms (log)", kind.primary().name());
    let any_failed = result.cells.iter().any(|c| failed_percent(c) > 0.0);
    let keys: BTreeSet<&String> = result.cells.iter().flat_map(|c| c.params.keys()).collect();
    for key in keys {
        let mut met: Vec<String> = Vec::new();
        for cell in &result.cells {
            if let Some(value) = cell.params.get(key) {
                if !met.contains(value) {
                    met.push(value.clone());
                }
            }
        }
        let values = axis_order(met);
        // Series: a strategy with its other parameters fixed; x: the key's values.
        let mut series: Vec<(String, Vec<(usize, &CellResult)>)> = Vec::new();
        for cell in &result.cells {
            let Some(value) = cell.params.get(key) else {
                continue;
            };
            let x = values.iter().position(|v| v == value).unwrap_or(0);
            let name = cell.label_without(key);
            match series.iter_mut().find(|(n, _)| *n == name) {
                Some((_, points)) => points.push((x, cell)),
                None => series.push((name, vec![(x, cell)])),
            }
        }
        if !series.iter().any(|(_, points)| points.len() > 1) {
            continue;
        }
        for (_, points) in &mut series {
            points.sort_by_key(|(x, _)| *x);
        }
        let ticks: Vec<(f64, String)> = values
            .iter()
            .enumerate()
            .map(|(i, v)| (i as f64, v.clone()))
            .collect();
        let x_axis = Axis {
            label: key.clone(),
            log: false,
            ticks: Some(ticks),
        };
        let legend: Vec<Key> = series
            .iter()
            .flat_map(|(_, points)| points.iter().map(|(_, c)| Key::cell(&c.label, colors)))
            .collect();
        let mut charts: Vec<SweepChart> = vec![(goodput_title.as_str(), goodput, false)];
        if any_failed {
            charts.push((failed_title.as_str(), failed_percent, false));
        }
        charts.push((p99_title.as_str(), main_p99, true));
        for (title, pick, log) in charts {
            let lines: Vec<Series> = series
                .iter()
                .map(|(name, points)| Series {
                    name: name.clone(),
                    color: colors.of(&points[0].1.label),
                    cell: None,
                    points: points
                        .iter()
                        .map(|(x, c)| {
                            let v = pick(c);
                            (*x as f64, if log { v.max(1e-4) } else { v })
                        })
                        .collect(),
                    point_cells: points
                        .iter()
                        .map(|(_, c)| (c.label.clone(), colors.of(&c.label)))
                        .collect(),
                })
                .collect();
            let svg = line_chart(
                &format!("{title} against {key}"),
                &lines,
                &x_axis,
                &Axis {
                    label: title.into(),
                    log,
                    ticks: None,
                },
            );
            out.push_str(&figure(
                &svg,
                &legend,
                "a line joins the cells of one strategy",
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
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{STYLE}</style></head><body><h1>{}</h1><p>{}</p><p>{} cores · {} repetition(s) per cell · started {}{}</p>",
        escape(&title),
        escape(&title),
        escape(&result.description),
        result.cores,
        result.repetitions,
        escape(&result.started_at),
        if result.interrupted { " · <span class=\"fail\">interrupted</span>" } else { "" }
    );
    let sentences = verdict::sentences(result);
    if !sentences.is_empty() {
        out.push_str("<section class=\"verdict\"><h2>Verdict</h2><ul>");
        for sentence in &sentences {
            let _ = write!(out, "<li>{}</li>", escape(sentence));
        }
        out.push_str("</ul></section>");
    }
    let kind = Kind::of(result);
    let columns = columns(kind, &result.cells);
    let colors = CellColors::assign(result.cells.iter().map(|c| c.label.as_str()));
    out.push_str("<div class=\"scroll\"><table><tr><th>cell</th><th>status</th>");
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
    out.push_str("</table></div>");
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
        if let Some(chart) = percentile_chart(result, &colors, metric, title) {
            out.push_str(&chart);
        }
    }
    out.push_str(&super::over_time::charts(result));
    out.push_str("<h2>Goodput and p99</h2>");
    let unit = kind.throughput_unit();
    let goodput_bars: Vec<Bar> = result
        .cells
        .iter()
        .map(|c| Bar {
            label: c.label.clone(),
            color: colors.of(&c.label),
            solid: goodput(c),
            hatched: failed_rate(c),
            text: match c.merged.failed_share {
                Some(failed) => format!(
                    "{} {unit} ok · {:.1}% failed",
                    number(goodput(c)),
                    failed.mean * 100.0
                ),
                None => format!("{} {unit} (goodput unknown)", number(goodput(c))),
            },
        })
        .collect();
    let cell_keys: Vec<Key> = result
        .cells
        .iter()
        .map(|c| Key::cell(&c.label, &colors))
        .collect();
    out.push_str(&figure(
        &bar_chart(
            "goodput (solid) and failed work (hatched) per second",
            &goodput_bars,
            &format!("{unit}: succeeded, then failed (timed out, panicked, rejected, discarded)"),
        ),
        &[
            Key {
                text: "solid: succeeded (goodput), in the cell's colour".into(),
                color: "#555555",
                cell: None,
                hatched: false,
            },
            Key {
                text: "hatched: failed (the whole bar: all offered)".into(),
                color: "#555555",
                cell: None,
                hatched: true,
            },
        ],
        "",
    ));
    let plain = |pick: fn(&CellResult) -> f64, unit: &str| -> Vec<Bar> {
        result
            .cells
            .iter()
            .map(|c| Bar {
                label: c.label.clone(),
                color: colors.of(&c.label),
                solid: pick(c),
                hatched: 0.0,
                text: format!("{} {unit}", number(pick(c))),
            })
            .collect()
    };
    let primary = kind.primary().name();
    out.push_str(&figure(
        &bar_chart(
            &format!("{primary} p99"),
            &plain(main_p99, "ms"),
            &format!("{primary} p99, ms"),
        ),
        &cell_keys,
        "",
    ));
    sweep_charts(result, &colors, &mut out);
    out.push_str("<h2>Memory and threads</h2>");
    out.push_str(&figure(
        &bar_chart(
            "peak resident memory of the cell's process",
            &plain(|c| c.merged.peak_rss_mb, "MB"),
            "peak RSS, MB",
        ),
        &cell_keys,
        "",
    ));
    out.push_str(&figure(
        &bar_chart(
            "peak threads of the cell's process",
            &plain(|c| c.merged.peak_threads as f64, "threads"),
            "peak threads, count",
        ),
        &cell_keys,
        "",
    ));
    out.push_str("<p>Raw numbers: <code>results.json</code>; percentile files: <code>*.hgrm</code>.</p></body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::axis_order;

    #[test]
    fn numeric_sweep_values_ascend_and_words_keep_their_order() {
        let strings = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            axis_order(strings(&["50", "10", "4"])),
            strings(&["4", "10", "50"])
        );
        assert_eq!(
            axis_order(strings(&["4*cores", "cores"])),
            strings(&["4*cores", "cores"])
        );
    }
}
