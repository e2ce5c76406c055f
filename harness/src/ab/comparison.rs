//! The result of a paired comparison: per cell and metric, the paired
//! ratios' median, its interval and what it decides; what `ab.md`,
//! `ab.html` and `ab.json` are written from, and what the exit code is
//! read from.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::listing::ListedCell;
use super::metric::PairedMetric;
use super::stats::{self, decide, median_interval, Decision, Interval};
use crate::record::{HistogramData, Histograms, Metric};
use crate::results::Repetition;

/// How the comparison was run: the thresholds and the pair counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// A change smaller than this fraction never counts (0.05: 5%).
    pub threshold: f64,
    /// The chance the whole run flags no regression when there is none,
    /// at least (0.95).
    pub confidence: f64,
    /// The confidence each interval is computed at, so that the whole
    /// run keeps `confidence` over every gated cell, metric and look
    /// (Bonferroni): `1 - (1 - confidence) / (gated × looks)`.
    pub interval_confidence: f64,
    /// Pairs run before the first look, and between looks.
    pub look_every: usize,
    /// The most pairs a cell gets.
    pub max_pairs: usize,
    /// The metrics whose regression fails the run.
    pub gated: Vec<PairedMetric>,
    /// The scaled-down cells (`--quick`).
    pub quick: bool,
}

impl Plan {
    /// Looks at most a cell gets: after every `look_every` pairs, and at
    /// `max_pairs`.
    pub fn looks(&self) -> usize {
        self.max_pairs.div_ceil(self.look_every.max(1))
    }

    /// Whether the run looks at the intervals after `pairs` pairs.
    pub fn looks_at(&self, pairs: usize) -> bool {
        pairs == self.max_pairs || (pairs > 0 && pairs % self.look_every.max(1) == 0)
    }

    /// The per-interval confidence for `gated` comparisons (cells × gated
    /// metrics) looked at up to [`Plan::looks`] times each.
    pub fn corrected(confidence: f64, gated: usize, looks: usize) -> f64 {
        1.0 - (1.0 - confidence) / (gated.max(1) * looks.max(1)) as f64
    }
}

/// One pair: a repetition of each side, run one right after the other.
#[derive(Clone, Debug)]
pub struct Pair {
    /// BASE's repetition.
    pub base: Repetition,
    /// NEW's repetition.
    pub new: Repetition,
    /// Whether BASE ran first (pairs alternate, so that whatever favours
    /// the first or the second of two runs cancels).
    pub base_first: bool,
}

/// One metric of one cell, compared.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricComparison {
    /// The metric.
    pub metric: PairedMetric,
    /// The median over BASE's repetitions.
    pub base: f64,
    /// The median over NEW's repetitions.
    pub new: f64,
    /// The paired ratios NEW/BASE: median and interval; `None` when no
    /// pair measured it.
    pub ratio: Option<Interval>,
    /// What the interval decides.
    pub decision: Decision,
    /// Whether its regression fails the run.
    pub gated: bool,
}

/// One cell, compared.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellComparison {
    /// The cell as both sides listed it.
    pub cell: ListedCell,
    /// Pairs run.
    pub pairs: usize,
    /// Per metric.
    pub metrics: Vec<MetricComparison>,
    /// Why the cell stopped before its pairs were done: a repetition of
    /// one side that crashed, timed out or failed its books.
    pub failure: Option<Failure>,
    /// Each side's repetitions' histograms of the kind's main latency,
    /// merged, for the overlaid percentile curves (not in `ab.json`).
    #[serde(skip)]
    pub curves: Option<(HistogramData, HistogramData)>,
}

/// A repetition that did not end ok.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// `BASE` or `NEW`.
    pub side: String,
    /// Its status, in words.
    pub status: String,
}

impl CellComparison {
    /// Compares the `pairs` of `cell` under `plan`.
    pub fn of(cell: ListedCell, pairs: &[Pair], plan: &Plan, failure: Option<Failure>) -> Self {
        let primary = cell.kind().primary();
        let ok: Vec<&Pair> = pairs
            .iter()
            .filter(|p| p.base.status.is_ok() && p.new.status.is_ok())
            .collect();
        let metrics = PairedMetric::ALL
            .into_iter()
            .map(|metric| compare_metric(metric, &ok, primary, plan))
            .collect();
        let curves = (!ok.is_empty()).then(|| {
            let merged = |side: fn(&Pair) -> &Repetition| {
                let mut histograms = Histograms::default();
                for pair in &ok {
                    if let Some(data) = side(pair).histograms.get(&primary) {
                        for &(value, count) in &data.buckets {
                            histograms.record_n(primary, value, count);
                        }
                    }
                }
                HistogramData::capture(histograms.get(primary))
            };
            (merged(|p| &p.base), merged(|p| &p.new))
        });
        Self {
            cell,
            pairs: ok.len(),
            metrics,
            failure,
            curves,
        }
    }

    /// Whether every gated metric is decided (no more pairs needed).
    pub fn is_decided(&self) -> bool {
        self.failure.is_some()
            || self
                .metrics
                .iter()
                .filter(|m| m.gated)
                .all(|m| m.decision.is_decided())
    }

    /// The gated metrics that regressed.
    pub fn regressions(&self) -> Vec<&MetricComparison> {
        self.metrics
            .iter()
            .filter(|m| m.gated && m.decision == Decision::Regression)
            .collect()
    }

    /// Whether this cell fails the run: a gated regression, or NEW failed
    /// a repetition.
    pub fn fails(&self) -> bool {
        !self.regressions().is_empty() || self.failure.as_ref().is_some_and(|f| f.side == "NEW")
    }
}

fn compare_metric(
    metric: PairedMetric,
    pairs: &[&Pair],
    primary: Metric,
    plan: &Plan,
) -> MetricComparison {
    let values = |side: fn(&Pair) -> &Repetition| -> Vec<f64> {
        pairs
            .iter()
            .filter_map(|p| metric.value(side(p), primary))
            .collect()
    };
    let ratios: Vec<f64> = pairs
        .iter()
        .filter_map(|p| {
            let base = metric.value(&p.base, primary)?;
            let new = metric.value(&p.new, primary)?;
            (base > 0.0).then(|| new / base)
        })
        .collect();
    let ratio = median_interval(&ratios, plan.interval_confidence);
    let decision = ratio.map_or(Decision::Undecided, |r| {
        decide(&r, metric.better(), plan.threshold)
    });
    MetricComparison {
        metric,
        base: median(&values(|p| &p.base)),
        new: median(&values(|p| &p.new)),
        ratio,
        decision,
        gated: plan.gated.contains(&metric),
    }
}

fn median(values: &[f64]) -> f64 {
    stats::median(values).unwrap_or(0.0)
}

/// What one side was.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SideInfo {
    /// As given on the command line.
    pub spec: String,
    /// A revision and its commit, or a binary's path.
    pub describe: String,
}

/// A whole paired comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// When it started, UTC.
    pub started_at: String,
    /// BASE.
    pub base: SideInfo,
    /// NEW.
    pub new: SideInfo,
    /// How it ran.
    pub plan: Plan,
    /// Every cell both sides have, in file order.
    pub cells: Vec<CellComparison>,
    /// `scenario / label` of cells only BASE lists.
    pub only_in_base: Vec<String>,
    /// `scenario / label` of cells only NEW lists.
    pub only_in_new: Vec<String>,
    /// Ctrl-C stopped it: cells may have fewer pairs than planned.
    pub interrupted: bool,
}

impl Comparison {
    /// Cells that fail the run.
    pub fn failing(&self) -> Vec<&CellComparison> {
        self.cells.iter().filter(|c| c.fails()).collect()
    }

    /// Decisions of the gated metrics, counted.
    pub fn tally(&self) -> BTreeMap<&'static str, usize> {
        let mut tally = BTreeMap::new();
        for m in self
            .cells
            .iter()
            .flat_map(|c| &c.metrics)
            .filter(|m| m.gated)
        {
            *tally.entry(m.decision.word()).or_insert(0) += 1;
        }
        tally
    }
}

#[cfg(test)]
mod tests;
