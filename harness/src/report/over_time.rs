//! Charts over a repetition's time, from what a kind sampled while it ran
//! ([`TimeSeries`]): for a queue, the peak-shaving picture (the arrival
//! rate against the service rate, and the backlog the queue absorbed
//! between them). Kind-agnostic: each series names its chart, and the
//! series of one chart share its axis.

use super::html::{figure, Key};
use super::palette::CellColors;
use super::svg::{line_chart, Axis, Series};
use crate::results::{ScenarioResult, TimeSeries};

/// One chart per cell and chart name, from each cell's first repetition
/// that sampled anything, under a heading; empty when nothing did.
pub fn charts(result: &ScenarioResult) -> String {
    let mut out = String::new();
    for cell in &result.cells {
        let Some(repetition) = cell.repetitions.iter().find(|r| !r.over_time.is_empty()) else {
            continue;
        };
        let series = &repetition.over_time;
        let mut names: Vec<&str> = Vec::new();
        for one in series {
            if !names.contains(&one.chart.as_str()) {
                names.push(&one.chart);
            }
        }
        for chart in names {
            let lines: Vec<&TimeSeries> = series.iter().filter(|s| s.chart == chart).collect();
            out.push_str(&chart_of(&cell.label, chart, &lines));
        }
    }
    if out.is_empty() {
        return out;
    }
    format!("<h2>Over time</h2><p>The first repetition of each cell, sampled as it ran.</p>{out}")
}

fn chart_of(cell: &str, chart: &str, lines: &[&TimeSeries]) -> String {
    let colors = CellColors::assign(lines.iter().map(|s| s.name.as_str()));
    let series: Vec<Series> = lines
        .iter()
        .map(|line| Series {
            name: line.name.clone(),
            color: colors.of(&line.name),
            cell: None,
            points: line.points.clone(),
            point_cells: Vec::new(),
        })
        .collect();
    let x = Axis {
        label: "time since the start, s".into(),
        ..Axis::default()
    };
    let y = Axis {
        label: chart.to_owned(),
        ..Axis::default()
    };
    let svg = line_chart(&format!("{cell}: {chart}"), &series, &x, &y);
    figure(&svg, &Key::of_lines(&series), "")
}
