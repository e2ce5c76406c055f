//! `contend compare BASE NEW`: a table of changes per cell and metric,
//! and a verdict that sees past the noise.
//!
//! A change is a regression only when it is worse than the threshold
//! *and* than the run-to-run noise: `sigmas ×` the combined standard
//! deviation of the two runs' repetitions. With one repetition there is
//! no measured noise and the threshold alone decides, so gate on runs with
//! repetitions.
//!
//! `--relative` compares each cell as a ratio to its scenario's reference
//! cell measured in the same run (e.g. `fixed` / `serial`). A slower
//! machine slows both, so the ratio holds: this is how CI compares the
//! quick suite against the committed baseline.

use std::fmt::Write as _;

use crate::results::{CellResult, ResultsDoc, ScenarioResult, Spread};

/// How to compare.
#[derive(Clone, Copy, Debug)]
pub struct CompareOptions {
    /// Smallest relative change that can be a regression (0.10 = 10%).
    pub threshold: f64,
    /// Standard deviations of noise a change must exceed.
    pub sigmas: f64,
    /// Compare ratios to each scenario's reference cell.
    pub relative: bool,
}

impl Default for CompareOptions {
    fn default() -> Self {
        Self {
            threshold: 0.10,
            sigmas: 2.0,
            relative: false,
        }
    }
}

/// What a row says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Within the threshold or the noise.
    Unchanged,
    /// Better beyond threshold and noise.
    Improved,
    /// Worse beyond threshold and noise.
    Regressed,
    /// Measured in the base, failed (or not measured) in the new run.
    Failed,
    /// Only in one of the two runs.
    Missing,
}

/// One cell and metric.
#[derive(Clone, Debug)]
pub struct Row {
    /// Scenario name.
    pub scenario: String,
    /// Cell label.
    pub cell: String,
    /// Metric name.
    pub metric: &'static str,
    /// Base value.
    pub base: f64,
    /// New value.
    pub new: f64,
    /// Relative change, positive = worse.
    pub worse_by: f64,
    /// Relative noise the change had to exceed.
    pub noise: f64,
    /// The verdict.
    pub verdict: Verdict,
}

/// A comparison.
#[derive(Clone, Debug, Default)]
pub struct Comparison {
    /// Every row.
    pub rows: Vec<Row>,
}

impl Comparison {
    /// Keeps only the rows of the named metrics (`throughput`, `p50`,
    /// `p99`: a metric's name up to its unit); none named keeps every row.
    pub fn keep_metrics(&mut self, names: &[String]) -> Result<(), crate::HarnessError> {
        let short = |metric: &str| {
            metric
                .split_whitespace()
                .next()
                .unwrap_or(metric)
                .to_owned()
        };
        let known: Vec<String> = METRICS.iter().map(|metric| short(metric.name)).collect();
        if let Some(unknown) = names.iter().find(|name| !known.contains(name)) {
            return Err(crate::HarnessError::BadInput(format!(
                "--metric {unknown}: unknown metric; allowed: {}",
                known.join(", ")
            )));
        }
        if !names.is_empty() {
            self.rows.retain(|row| names.contains(&short(row.metric)));
        }
        Ok(())
    }

    /// Rows that fail the comparison.
    pub fn regressions(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| matches!(r.verdict, Verdict::Regressed | Verdict::Failed))
            .count()
    }
}

struct MetricDef {
    name: &'static str,
    lower_is_better: bool,
    read: fn(&CellResult) -> Spread,
}

const METRICS: [MetricDef; 3] = [
    MetricDef {
        name: "throughput",
        lower_is_better: false,
        read: |c| c.merged.throughput,
    },
    MetricDef {
        name: "p50 ms",
        lower_is_better: true,
        read: |c| c.merged.p50_ms,
    },
    MetricDef {
        name: "p99 ms",
        lower_is_better: true,
        read: |c| c.merged.p99_ms,
    },
];

fn measured(cell: &CellResult) -> bool {
    cell.merged.ok_repetitions > 0 && cell.status().is_ok()
}

/// A cell's metric, or its ratio to the reference cell.
fn read(
    scenario: &ScenarioResult,
    cell: &CellResult,
    metric: &MetricDef,
    relative: bool,
) -> Option<Spread> {
    if !measured(cell) {
        return None;
    }
    let value = (metric.read)(cell);
    if !relative {
        return Some(value);
    }
    let reference = scenario
        .cells
        .iter()
        .find(|c| c.label == scenario.reference)
        .filter(|c| measured(c))?;
    let base = (metric.read)(reference);
    if base.mean <= 0.0 || value.mean <= 0.0 {
        return None;
    }
    let ratio = value.mean / base.mean;
    let rsd = ((value.stdev / value.mean).powi(2) + (base.stdev / base.mean).powi(2)).sqrt();
    Some(Spread {
        mean: ratio,
        stdev: ratio * rsd,
    })
}

/// Compares `new` against `base`.
pub fn compare(base: &ResultsDoc, new: &ResultsDoc, options: CompareOptions) -> Comparison {
    let mut rows = Vec::new();
    for base_scenario in &base.scenarios {
        let new_scenario = new.scenarios.iter().find(|s| s.name == base_scenario.name);
        for base_cell in &base_scenario.cells {
            if options.relative && base_cell.label == base_scenario.reference {
                continue;
            }
            let new_cell = new_scenario.and_then(|s| {
                s.cells
                    .iter()
                    .find(|c| c.label == base_cell.label)
                    .map(|c| (s, c))
            });
            for metric in &METRICS {
                let Some(b) = read(base_scenario, base_cell, metric, options.relative) else {
                    continue;
                };
                let mut row = Row {
                    scenario: base_scenario.name.clone(),
                    cell: base_cell.label.clone(),
                    metric: metric.name,
                    base: b.mean,
                    new: f64::NAN,
                    worse_by: 0.0,
                    noise: 0.0,
                    verdict: Verdict::Missing,
                };
                match new_cell {
                    None => {}
                    Some((scenario, cell)) => {
                        match read(scenario, cell, metric, options.relative) {
                            None => row.verdict = Verdict::Failed,
                            Some(n) => {
                                let change =
                                    (n.mean - b.mean) / b.mean.abs().max(f64::MIN_POSITIVE);
                                row.new = n.mean;
                                row.worse_by = if metric.lower_is_better {
                                    change
                                } else {
                                    -change
                                };
                                row.noise = options.sigmas
                                    * (b.stdev.powi(2) + n.stdev.powi(2)).sqrt()
                                    / b.mean.abs().max(f64::MIN_POSITIVE);
                                let beyond = row.worse_by.abs() > options.threshold
                                    && row.worse_by.abs() > row.noise;
                                row.verdict = match (beyond, row.worse_by > 0.0) {
                                    (true, true) => Verdict::Regressed,
                                    (true, false) => Verdict::Improved,
                                    _ => Verdict::Unchanged,
                                };
                            }
                        }
                    }
                }
                rows.push(row);
            }
        }
    }
    Comparison { rows }
}

/// The comparison as a Markdown table.
pub fn render(comparison: &Comparison, options: CompareOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Comparison{}: a regression is worse by more than {:.0}% and by more than {} × the noise of the repetitions.\n",
        if options.relative { " of ratios to each scenario's reference cell" } else { "" },
        options.threshold * 100.0,
        options.sigmas
    );
    let _ = writeln!(
        out,
        "| scenario | cell | metric | base | new | change | noise | verdict |"
    );
    let _ = writeln!(out, "|---|---|---|---:|---:|---:|---:|---|");
    for row in &comparison.rows {
        let verdict = match row.verdict {
            Verdict::Unchanged => "same",
            Verdict::Improved => "better",
            Verdict::Regressed => "**REGRESSED**",
            Verdict::Failed => "**FAILED in new run**",
            Verdict::Missing => "not in new run",
        };
        let change = match row.worse_by {
            _ if row.new.is_nan() => "–".to_owned(),
            w if w >= 0.0 => format!("{:.1}% worse", w * 100.0),
            w => format!("{:.1}% better", -w * 100.0),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.4} | {:.4} | {} | ±{:.1}% | {} |",
            row.scenario,
            row.cell,
            row.metric,
            row.base,
            row.new,
            change,
            row.noise * 100.0,
            verdict
        );
    }
    let _ = writeln!(out, "\n{} regression(s).", comparison.regressions());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Merged;

    use std::collections::BTreeMap;

    fn cell(label: &str, throughput: Spread) -> CellResult {
        CellResult {
            label: label.into(),
            strategy: label.into(),
            params: BTreeMap::new(),
            repetitions: Vec::new(),
            merged: Merged {
                ok_repetitions: 3,
                throughput,
                p50_ms: Spread {
                    mean: 1.0,
                    stdev: 0.01,
                },
                p99_ms: Spread {
                    mean: 2.0,
                    stdev: 0.02,
                },
                ..Merged::default()
            },
            histograms: BTreeMap::new(),
        }
    }

    fn doc(cells: Vec<CellResult>) -> ResultsDoc {
        ResultsDoc::new(vec![ScenarioResult::sample("pool", 2, cells)])
    }

    fn tp(mean: f64, stdev: f64) -> Spread {
        Spread { mean, stdev }
    }

    #[test]
    fn keeping_only_throughput_drops_the_latency_rows_and_refuses_unknown_metrics() {
        let mut comparison = Comparison {
            rows: ["throughput", "p50 ms", "p99 ms"]
                .into_iter()
                .map(|metric| Row {
                    scenario: "s".into(),
                    cell: "c".into(),
                    metric,
                    base: 1.0,
                    new: 2.0,
                    worse_by: 1.0,
                    noise: 0.0,
                    verdict: Verdict::Regressed,
                })
                .collect(),
        };
        assert!(comparison.keep_metrics(&["p95".into()]).is_err());
        comparison.keep_metrics(&["throughput".into()]).unwrap();
        assert_eq!(comparison.rows.len(), 1);
        assert_eq!(comparison.regressions(), 1);
    }

    #[test]
    fn a_drop_beyond_threshold_and_noise_is_a_regression() {
        let base = doc(vec![
            cell("serial", tp(100.0, 1.0)),
            cell("fixed", tp(1000.0, 10.0)),
        ]);
        let new = doc(vec![
            cell("serial", tp(100.0, 1.0)),
            cell("fixed", tp(700.0, 10.0)),
        ]);
        let result = compare(&base, &new, CompareOptions::default());
        assert_eq!(result.regressions(), 1);
        let row = result
            .rows
            .iter()
            .find(|r| r.cell == "fixed" && r.metric == "throughput")
            .unwrap();
        assert_eq!(row.verdict, Verdict::Regressed);
    }

    #[test]
    fn a_drop_within_the_noise_of_the_repetitions_is_not_a_regression() {
        let base = doc(vec![cell("fixed", tp(1000.0, 150.0))]);
        let new = doc(vec![cell("fixed", tp(800.0, 150.0))]);
        let result = compare(&base, &new, CompareOptions::default());
        assert_eq!(
            result.regressions(),
            0,
            "{}",
            render(&result, CompareOptions::default())
        );
    }

    #[test]
    fn a_drop_within_the_threshold_is_not_a_regression() {
        let base = doc(vec![cell("fixed", tp(1000.0, 0.0))]);
        let new = doc(vec![cell("fixed", tp(950.0, 0.0))]);
        assert_eq!(
            compare(&base, &new, CompareOptions::default()).regressions(),
            0
        );
    }

    #[test]
    fn a_uniformly_slower_machine_passes_a_relative_comparison() {
        let base = doc(vec![
            cell("serial", tp(100.0, 1.0)),
            cell("fixed", tp(1000.0, 10.0)),
        ]);
        let new = doc(vec![
            cell("serial", tp(50.0, 0.5)),
            cell("fixed", tp(500.0, 5.0)),
        ]);
        let relative = CompareOptions {
            relative: true,
            ..CompareOptions::default()
        };
        assert_eq!(compare(&base, &new, relative).regressions(), 0);
        assert!(compare(&base, &new, CompareOptions::default()).regressions() > 0);
    }

    #[test]
    fn a_cell_that_failed_in_the_new_run_fails_the_comparison() {
        let base = doc(vec![cell("fixed", tp(1000.0, 10.0))]);
        let mut failed = cell("fixed", tp(0.0, 0.0));
        failed.merged.ok_repetitions = 0;
        let new = doc(vec![failed]);
        assert_eq!(
            compare(&base, &new, CompareOptions::default()).regressions(),
            3
        );
    }
}
