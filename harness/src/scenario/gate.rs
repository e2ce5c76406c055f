//! Gates: pass/fail checks written in the scenario file, in the spirit of
//! k6 thresholds.
//!
//! ```text
//! p99(fixed) < 50ms                              a bound on one strategy
//! throughput(fixed[workers=50]) >= 10 * throughput(serial)
//! p99(elastic) <= 1.2 × p99(fixed)               a ratio within the run
//! lost(*) == 0                                   every cell
//! ```
//!
//! Ratios between strategies of the same run are the gates to use in CI:
//! a slower machine slows every strategy, so a ratio holds where an
//! absolute bound would fail. A selector that matches several cells (a
//! sweep) checks each of them; the other side is then the one cell it
//! names, or the cell with the same parameters.

use serde::{Deserialize, Serialize};

use crate::kinds::params::{CellPlan, Key};
use crate::record::Metric;
use crate::results::{CellResult, GateResult};

/// A statistic of a latency histogram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stat {
    /// Median.
    P50,
    /// 90th percentile.
    P90,
    /// 99th percentile.
    P99,
    /// 99.9th percentile.
    P999,
    /// Maximum.
    Max,
    /// Mean.
    Mean,
}

/// What a gate reads from a cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum GateMetric {
    /// A count the kind's books keep, by name (`refused`, `committed`,
    /// `duplicates`, …), mean over repetitions.
    Count(String),
    /// A latency statistic, in milliseconds.
    Latency(Metric, Stat),
    /// Completed jobs per second (mean over repetitions).
    Throughput,
    /// Jobs that succeeded per second: not timed out, panicked, rejected,
    /// discarded, cancelled or handed back (mean).
    Goodput,
    /// The failed share, `failed / offered`, from 0 to 1 (mean).
    Failed,
    /// Jobs unaccounted for or run twice (most over repetitions).
    Lost,
    /// Jobs rejected by `submit`, any reason (mean).
    Rejected,
    /// Jobs discarded by the overload policy (mean).
    Discarded,
    /// Downstream requests timed out (mean).
    Timeouts,
    /// Peak threads of the cell's process (most).
    PeakThreads,
    /// Pool: the most jobs running at once (most over repetitions).
    PeakConcurrency,
    /// Peak resident memory in MB (most).
    PeakRssMb,
    /// CPU seconds, user + system (mean).
    CpuS,
    /// Wall-clock seconds (mean).
    WallS,
    /// Cache: `get_many` results that mixed two refreshes (most over
    /// repetitions).
    TornReads,
}

const COUNTERS: &str =
    "throughput, lost, goodput, failed, rejected, discarded, timeouts, torn_reads, peak_threads, peak_concurrency, peak_rss_mb, cpu_s, wall_s";
const LATENCIES: &str = "p50, p90, p99, p999, max, mean (of the kind's main latency: end_to_end, read or delivery), optionally after a metric and a dot: end_to_end., queue_wait., service., lateness., read., write., refresh., delivery., send. (e.g. queue_wait.p99)";

impl GateMetric {
    /// `name` as written; a bare statistic (`p99`) reads `primary`.
    fn parse(name: &str, primary: Metric, counts: &[&str]) -> Result<GateMetric, String> {
        if counts.contains(&name) {
            return Ok(GateMetric::Count(name.to_owned()));
        }
        let counter = match name {
            "throughput" => Some(GateMetric::Throughput),
            "goodput" => Some(GateMetric::Goodput),
            "failed" => Some(GateMetric::Failed),
            "lost" => Some(GateMetric::Lost),
            "rejected" => Some(GateMetric::Rejected),
            "discarded" => Some(GateMetric::Discarded),
            "timeouts" => Some(GateMetric::Timeouts),
            "peak_threads" => Some(GateMetric::PeakThreads),
            "peak_concurrency" => Some(GateMetric::PeakConcurrency),
            "peak_rss_mb" => Some(GateMetric::PeakRssMb),
            "cpu_s" => Some(GateMetric::CpuS),
            "wall_s" => Some(GateMetric::WallS),
            "torn_reads" => Some(GateMetric::TornReads),
            _ => None,
        };
        if let Some(counter) = counter {
            return Ok(counter);
        }
        let (metric, stat) = match name.split_once('.') {
            Some((metric, stat)) => (metric, stat),
            None => (primary.name(), name),
        };
        let metric = Metric::ALL.into_iter().find(|m| m.name() == metric);
        let stat = match stat {
            "p50" => Some(Stat::P50),
            "p90" => Some(Stat::P90),
            "p99" => Some(Stat::P99),
            "p999" => Some(Stat::P999),
            "max" => Some(Stat::Max),
            "mean" => Some(Stat::Mean),
            _ => None,
        };
        match (metric, stat) {
            (Some(metric), Some(stat)) => Ok(GateMetric::Latency(metric, stat)),
            _ => Err(format!(
                "unknown metric `{name}`; allowed: {COUNTERS}, the counts of this kind's books ({}), or a latency: {LATENCIES}",
                counts.join(", ")
            )),
        }
    }
}

/// A comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
}

impl Op {
    fn holds(self, lhs: f64, rhs: f64) -> bool {
        match self {
            Op::Lt => lhs < rhs,
            Op::Le => lhs <= rhs,
            Op::Gt => lhs > rhs,
            Op::Ge => lhs >= rhs,
            Op::Eq => (lhs - rhs).abs() <= f64::EPSILON * lhs.abs().max(1.0),
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "==",
        }
    }
}

/// One side of a comparison, resolved to a cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Operand {
    /// `factor × metric(cell)`.
    Cell {
        /// Multiplier written before the metric.
        factor: f64,
        /// What to read.
        metric: GateMetric,
        /// The cell's label.
        label: String,
    },
    /// A number (latencies in ms).
    Constant(f64),
}

/// A gate, parsed and resolved to the cells it checks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gate {
    /// The check as written.
    pub check: String,
    /// Its line in the scenario file.
    pub line: usize,
    /// Whether a `--quick` run checks it too (`quick = false` in the file:
    /// a target that only a full run's length measures reliably).
    pub in_quick: bool,
    op: Op,
    pairs: Vec<(Operand, Operand)>,
}

/// An unresolved side: `[factor *] metric(selector)` or a constant.
enum Side {
    Cell {
        factor: f64,
        metric: GateMetric,
        strategy: String,
        filters: Vec<(String, String)>,
    },
    Constant(f64),
}

impl Gate {
    /// Parses `check` and resolves it against `cells`; a bare statistic
    /// (`p99`) reads `primary`, and `counts` are the names the kind's
    /// books count by.
    pub(crate) fn parse(
        check: &str,
        line: usize,
        cells: &[CellPlan],
        primary: Metric,
        counts: &[&str],
    ) -> Result<Gate, String> {
        let (lhs, op, rhs) = split_op(check)?;
        let lhs = parse_side(lhs, primary, counts)?;
        let rhs = parse_side(rhs, primary, counts)?;
        let Side::Cell {
            factor,
            metric,
            strategy,
            filters,
        } = lhs
        else {
            return Err("the left side must read a cell, e.g. `p99(fixed)`".into());
        };
        let left_cells = select(&strategy, &filters, cells)?;
        let mut pairs = Vec::new();
        for left in &left_cells {
            let lhs = Operand::Cell {
                factor,
                metric: metric.clone(),
                label: left.label.clone(),
            };
            let rhs = match &rhs {
                Side::Constant(value) => Operand::Constant(*value),
                Side::Cell {
                    factor,
                    metric,
                    strategy,
                    filters,
                } => {
                    let candidates = select(strategy, filters, cells)?;
                    let right = match candidates.as_slice() {
                        [only] => *only,
                        several => several
                            .iter()
                            .find(|c| left.written.iter().all(|(k, v)| c.written.get(k).is_none_or(|w| w == v)))
                            .copied()
                            .ok_or_else(|| {
                                format!(
                                    "`{strategy}` matches {} cells and none has the parameters of `{}`; name one with [key=value]",
                                    several.len(),
                                    left.label
                                )
                            })?,
                    };
                    Operand::Cell {
                        factor: *factor,
                        metric: metric.clone(),
                        label: right.label.clone(),
                    }
                }
            };
            pairs.push((lhs, rhs));
        }
        Ok(Gate {
            check: check.to_owned(),
            line,
            in_quick: true,
            op,
            pairs,
        })
    }

    /// The result of a gate a `--quick` run does not check.
    pub fn skipped_in_quick(&self) -> GateResult {
        GateResult {
            check: self.check.clone(),
            line: self.line,
            passed: true,
            details: vec![
                "skipped under --quick: a target for full runs (quick = false)".to_owned(),
            ],
        }
    }

    /// The labels of the cells this gate reads.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.pairs
            .iter()
            .flat_map(|(l, r)| [l, r])
            .filter_map(|side| match side {
                Operand::Cell { label, .. } => Some(label.as_str()),
                Operand::Constant(_) => None,
            })
    }

    /// Checks the gate against measured cells.
    pub fn evaluate(&self, cells: &[CellResult]) -> GateResult {
        let mut passed = true;
        let mut details = Vec::new();
        for (lhs, rhs) in &self.pairs {
            let (left, right) = (value(lhs, cells), value(rhs, cells));
            let line = match (left, right) {
                (Value::Missing, _) | (_, Value::Missing) => {
                    "skipped: a cell it reads was not run (filtered out or interrupted)".to_owned()
                }
                (Value::Failed(label), _) | (_, Value::Failed(label)) => {
                    passed = false;
                    format!("FAILED: `{label}` has no measurement (it crashed, timed out or failed its books)")
                }
                (Value::Number(l), Value::Number(r)) => {
                    let ok = self.op.holds(l, r);
                    passed &= ok;
                    format!(
                        "{}: {} = {l:.4} {} {r:.4}",
                        if ok { "ok" } else { "FAILED" },
                        describe(lhs),
                        self.op.symbol()
                    )
                }
            };
            details.push(line);
        }
        GateResult {
            check: self.check.clone(),
            line: self.line,
            passed,
            details,
        }
    }
}

enum Value {
    Number(f64),
    Missing,
    Failed(String),
}

fn value(operand: &Operand, cells: &[CellResult]) -> Value {
    match operand {
        Operand::Constant(value) => Value::Number(*value),
        Operand::Cell {
            factor,
            metric,
            label,
        } => match cells.iter().find(|c| &c.label == label) {
            None => Value::Missing,
            Some(cell) => match gate_value(cell, metric.clone()) {
                Some(v) => Value::Number(factor * v),
                None => Value::Failed(label.clone()),
            },
        },
    }
}

fn describe(operand: &Operand) -> String {
    match operand {
        Operand::Constant(value) => value.to_string(),
        Operand::Cell { label, .. } => format!("`{label}`"),
    }
}

fn split_op(check: &str) -> Result<(&str, Op, &str), String> {
    for (symbol, op) in [
        ("<=", Op::Le),
        (">=", Op::Ge),
        ("==", Op::Eq),
        ("<", Op::Lt),
        (">", Op::Gt),
    ] {
        if let Some((lhs, rhs)) = check.split_once(symbol) {
            return Ok((lhs.trim(), op, rhs.trim()));
        }
    }
    Err(format!("`{check}` has no comparison; allowed: <, <=, >, >=, ==  (e.g. \"p99(elastic) <= 1.2 * p99(fixed)\")"))
}

fn parse_side(text: &str, primary: Metric, counts: &[&str]) -> Result<Side, String> {
    let Some(open) = text.find('(') else {
        return parse_constant(text).map(Side::Constant);
    };
    let close = text
        .rfind(')')
        .filter(|close| *close > open && text[close + 1..].trim().is_empty())
        .ok_or_else(|| format!("`{text}`: expected `metric(strategy)`"))?;
    let head = &text[..open];
    let (factor, metric) = match head.rsplit_once(['*', '×']) {
        Some((factor, metric)) => (
            factor
                .trim()
                .parse::<f64>()
                .map_err(|_| format!("`{}` is not a number", factor.trim()))?,
            metric.trim(),
        ),
        None => (1.0, head.trim()),
    };
    let metric = GateMetric::parse(metric, primary, counts)?;
    let selector = text[open + 1..close].trim();
    let (strategy, filters) = match selector.split_once('[') {
        None => (selector.to_owned(), Vec::new()),
        Some((strategy, rest)) => {
            let inner = rest
                .strip_suffix(']')
                .ok_or_else(|| format!("`{selector}`: a `[` needs its `]`"))?;
            let filters = inner
                .split(',')
                .map(|pair| {
                    pair.split_once('=')
                        .map(|(k, v)| (k.trim().to_owned(), v.trim().trim_matches('"').to_owned()))
                        .ok_or_else(|| format!("`{pair}`: write key=value"))
                })
                .collect::<Result<_, _>>()?;
            (strategy.trim().to_owned(), filters)
        }
    };
    Ok(Side::Cell {
        factor,
        metric,
        strategy,
        filters,
    })
}

fn parse_constant(text: &str) -> Result<f64, String> {
    let text = text.trim();
    if let Ok(number) = text.parse::<f64>() {
        return Ok(number);
    }
    crate::units::duration::parse(text)
        .map(|d| d.as_secs_f64() * 1e3)
        .map_err(|_| {
            format!("`{text}` is neither a number, a duration (\"50ms\") nor `metric(strategy)`")
        })
}

fn select<'a>(
    strategy: &str,
    filters: &[(String, String)],
    cells: &'a [CellPlan],
) -> Result<Vec<&'a CellPlan>, String> {
    let mut wanted = Vec::new();
    for (key, text) in filters {
        let parsed = Key::by_name(key).ok_or_else(|| {
            let keys: Vec<_> = Key::ALL.iter().map(|k| k.name()).collect();
            format!("unknown parameter `{key}`; allowed: {}", keys.join(", "))
        })?;
        let value = text
            .parse::<i64>()
            .map(toml::Value::Integer)
            .unwrap_or_else(|_| toml::Value::String(text.clone()));
        wanted.push((key.as_str(), parsed.parse(&value)?.0));
    }
    let matched: Vec<_> = cells
        .iter()
        .filter(|cell| strategy == "*" || cell.strategy == strategy)
        .filter(|cell| wanted.iter().all(|(k, v)| cell.written.get(*k) == Some(v)))
        .collect();
    if matched.is_empty() {
        let labels: Vec<_> = cells.iter().map(|c| c.label.as_str()).collect();
        return Err(format!(
            "no cell matches `{strategy}` with {wanted:?}; cells: {}",
            labels.join("; ")
        ));
    }
    Ok(matched)
}

/// What a gate reads of `cell`; `None` when no repetition ended ok.
pub fn gate_value(cell: &CellResult, metric: GateMetric) -> Option<f64> {
    let m = &cell.merged;
    if m.ok_repetitions == 0 {
        return None;
    }
    Some(match metric {
        GateMetric::Latency(metric, stat) => {
            let s = m.summaries.get(&metric).copied().unwrap_or_default();
            match stat {
                Stat::P50 => s.p50_ms,
                Stat::P90 => s.p90_ms,
                Stat::P99 => s.p99_ms,
                Stat::P999 => s.p999_ms,
                Stat::Max => s.max_ms,
                Stat::Mean => s.mean_ms,
            }
        }
        GateMetric::Count(name) => m.counts.get(&name).map_or(0.0, |c| c.mean),
        GateMetric::Throughput => m.throughput.mean,
        GateMetric::Goodput => m.goodput?.mean,
        GateMetric::Failed => m.failed_share?.mean,
        GateMetric::Lost => m.lost as f64,
        GateMetric::Rejected => m.rejected.mean,
        GateMetric::Discarded => m.discarded.mean,
        GateMetric::Timeouts => m.timeouts.mean,
        GateMetric::PeakThreads => m.peak_threads as f64,
        GateMetric::PeakConcurrency => m.peak_concurrency as f64,
        GateMetric::PeakRssMb => m.peak_rss_mb,
        GateMetric::CpuS => m.cpu_s.mean,
        GateMetric::WallS => m.wall_s.mean,
        GateMetric::TornReads => cell
            .repetitions
            .iter()
            .map(|r| r.books.count("torn_reads"))
            .max()
            .unwrap_or(0) as f64,
    })
}
