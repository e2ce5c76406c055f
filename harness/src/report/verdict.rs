//! The verdict: a few sentences on what a scenario's results say, put at
//! the top of `summary.md` and `report.html` (and of a run's index).
//!
//! Every sentence is computed from the numbers in a [`ScenarioResult`],
//! none is written per scenario:
//!
//! - with an `objective` (`objective = { p99 = "50ms" }`): the cell with
//!   the most goodput whose main p99 is at or under it, and the cells
//!   that miss it (or that no cell meets it);
//! - without one: the trade-off of the leading cells, most goodput
//!   against lowest p99 (or that one cell leads both);
//! - cells that crashed, timed out or failed their books, named as such
//!   and left out of the comparison; cells that failed a gate, named with
//!   the gate (their numbers still count);
//! - the knee of each sweep: for the cells of one strategy that differ in
//!   one numeric parameter, the smallest value reaching 95% of that
//!   strategy's best;
//! - for pool cells with a worker count, Little's law: throughput × mean
//!   service time = workers kept busy.
//!
//! Kinds without goodput (`cache`, `fanin`), and cells whose goodput is
//! unknown, are compared by throughput, and the verdict says so. The
//! sentences are plain text: each format escapes them its own way.

use std::collections::BTreeMap;

use crate::record::Metric;
use crate::results::{CellResult, ScenarioResult, Status};
use crate::scenario::Kind;
use crate::units::duration::ms;

/// Share of a strategy's best that marks the knee of its sweep.
pub const KNEE_SHARE: f64 = 0.95;

/// The verdict on `result`, one sentence per item, plain text.
pub fn sentences(result: &ScenarioResult) -> Vec<String> {
    let kind = Kind::of(result);
    let failed_gates = gate_failures(result);
    let measured: Vec<&CellResult> = result.cells.iter().filter(|c| is_measured(c)).collect();
    let rate = Rate::of(kind, &measured);
    // The leading sentence first: it is the one the run index shows.
    let mut out = Vec::new();
    if measured.is_empty() {
        out.push("No cell has numbers to compare.".to_owned());
    } else {
        match result.objective {
            Some(objective) => out.extend(objective_sentences(
                &rate,
                kind,
                objective.p99_ms,
                &measured,
            )),
            None => out.push(trade_off(&rate, &measured)),
        }
    }
    if let Some(note) = rate.note(kind) {
        out.push(note);
    }
    out.extend(left_out(result, &failed_gates));
    out.extend(knees(result, &rate, &measured));
    if kind.imp().about().queues_work {
        out.extend(littles_law(result, &measured));
    }
    out
}

/// The p99 the reports treat as main: the kind's main latency.
pub fn main_p99(cell: &CellResult) -> f64 {
    cell.merged.p99_ms.mean
}

/// Whether a cell's numbers can be compared: it ran to the end (or was
/// interrupted with balanced books) and something was merged.
fn is_measured(cell: &CellResult) -> bool {
    matches!(cell.status(), Status::Ok | Status::Interrupted) && cell.merged.ok_repetitions > 0
}

/// What the verdict compares cells by: goodput, or throughput where
/// goodput does not exist (cache, fan-in) or is unknown.
struct Rate {
    goodput: bool,
    unit: &'static str,
}

impl Rate {
    fn of(kind: Kind, measured: &[&CellResult]) -> Self {
        Rate {
            goodput: kind.imp().about().has_goodput
                && measured.iter().all(|c| c.merged.goodput.is_some()),
            unit: kind.throughput_unit(),
        }
    }

    /// `goodput` or `throughput`.
    fn word(&self) -> &'static str {
        if self.goodput {
            "goodput"
        } else {
            "throughput"
        }
    }

    fn value(&self, cell: &CellResult) -> f64 {
        match (self.goodput, cell.merged.goodput) {
            (true, Some(goodput)) => goodput.mean,
            _ => cell.merged.throughput.mean,
        }
    }

    /// `4,800 jobs/s`.
    fn show(&self, cell: &CellResult) -> String {
        format!("{} {}", speed(self.value(cell)), self.unit)
    }

    /// Why throughput stands in for goodput, when it does.
    fn note(&self, kind: Kind) -> Option<String> {
        match kind {
            _ if self.goodput => None,
            known if known.imp().about().has_goodput => Some(format!(
                "Goodput is unknown for some cell: cells are compared by throughput ({} that ran, failed or not).",
                known.unit()
            )),
            other => Some(format!(
                "A {} scenario has no goodput: cells are compared by throughput ({}).",
                other.name(),
                other.throughput_unit()
            )),
        }
    }
}

/// `4,800`: a rate with thousands separators, two significant digits
/// under 10.
pub fn speed(value: f64) -> String {
    if value.abs() < 10.0 {
        return format!("{value:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned();
    }
    let digits = format!("{:.0}", value.abs());
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if value < 0.0 {
        grouped.insert(0, '-');
    }
    grouped
}

/// A latency in ms: three significant digits, thousands separated.
pub fn millis(value: f64) -> String {
    match value {
        v if v >= 1000.0 => speed(v),
        v if v >= 100.0 => format!("{v:.0}"),
        v if v >= 10.0 => format!("{v:.1}"),
        v => ms(v),
    }
}

/// The label with the most of `rate` (the first in file order on a tie).
fn most<'a>(rate: &Rate, cells: &[&'a CellResult]) -> &'a CellResult {
    cells
        .iter()
        .copied()
        .reduce(|best, c| {
            if rate.value(c) > rate.value(best) {
                c
            } else {
                best
            }
        })
        .expect("at least one cell")
}

/// The cell with the lowest main p99 (the first in file order on a tie).
fn quickest<'a>(cells: &[&'a CellResult]) -> &'a CellResult {
    cells
        .iter()
        .copied()
        .reduce(|best, c| {
            if main_p99(c) < main_p99(best) {
                c
            } else {
                best
            }
        })
        .expect("at least one cell")
}

fn objective_sentences(
    rate: &Rate,
    kind: Kind,
    objective_ms: f64,
    measured: &[&CellResult],
) -> Vec<String> {
    let latency = kind.imp().about().primary_words;
    let head = format!("Objective {latency} p99 ≤ {} ms", millis(objective_ms));
    let (within, missing): (Vec<&CellResult>, Vec<&CellResult>) =
        measured.iter().partition(|c| main_p99(c) <= objective_ms);
    let mut out = Vec::new();
    if within.is_empty() {
        let closest = quickest(measured);
        out.push(format!(
            "{head}: no cell meets it; the closest is {} (p99 {} ms, {}).",
            closest.label,
            millis(main_p99(closest)),
            rate.show(closest)
        ));
        return out;
    }
    let best = most(rate, &within);
    out.push(format!(
        "{head}: the most {} within it is {} ({}, p99 {} ms).",
        rate.word(),
        best.label,
        rate.show(best),
        millis(main_p99(best))
    ));
    if missing.is_empty() {
        out.push("Every measured cell meets the objective.".to_owned());
    } else {
        let names: Vec<String> = missing
            .iter()
            .map(|c| format!("{} (p99 {} ms)", c.label, millis(main_p99(c))))
            .collect();
        out.push(format!("Missing the objective: {}.", names.join(", ")));
    }
    out
}

fn trade_off(rate: &Rate, measured: &[&CellResult]) -> String {
    let (top, fast) = (most(rate, measured), quickest(measured));
    if measured.len() == 1 {
        return format!(
            "One cell to compare: {} ({}, p99 {} ms).",
            top.label,
            rate.show(top),
            millis(main_p99(top))
        );
    }
    if top.label == fast.label {
        return format!(
            "{} leads both: the most {} ({}) and the lowest p99 ({} ms).",
            top.label,
            rate.word(),
            rate.show(top),
            millis(main_p99(top))
        );
    }
    let word = rate.word();
    let mut sentence = format!(
        "Most {word}: {} ({}, p99 {} ms); lowest p99: {} ({} ms, {}).",
        top.label,
        rate.show(top),
        millis(main_p99(top)),
        fast.label,
        millis(main_p99(fast)),
        rate.show(fast)
    );
    let (top_rate, fast_p99) = (rate.value(top), main_p99(fast));
    if top_rate > 0.0 && fast_p99 > 0.0 {
        sentence.push_str(&format!(
            " The lower p99 ({}x lower) comes at {:.0}% of the most {word}.",
            speed(main_p99(top) / fast_p99),
            100.0 * rate.value(fast) / top_rate
        ));
    }
    sentence
}

/// Cells named by a failed gate (the cell on the left of a failed
/// comparison), with the gates they failed.
fn gate_failures(result: &ScenarioResult) -> BTreeMap<&str, Vec<String>> {
    let mut failed: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for gate in result.gates.iter().filter(|g| !g.passed) {
        for detail in gate.details.iter().filter(|d| d.starts_with("FAILED")) {
            let Some(label) = detail.split('`').nth(1) else {
                continue;
            };
            if let Some(cell) = result.cells.iter().find(|c| c.label == label) {
                let entry = failed.entry(cell.label.as_str()).or_default();
                let gate = format!("\"{}\" (line {})", gate.check, gate.line);
                if !entry.contains(&gate) {
                    entry.push(gate);
                }
            }
        }
    }
    failed
}

/// The cells left out of the comparison, and why.
fn left_out(result: &ScenarioResult, gates: &BTreeMap<&str, Vec<String>>) -> Vec<String> {
    let mut out = Vec::new();
    let broken: Vec<String> = result
        .cells
        .iter()
        .filter(|c| !is_measured(c))
        .map(|c| {
            let word = match c.status() {
                Status::Ok | Status::Interrupted => "no measurement".to_owned(),
                other => other.word().to_lowercase(),
            };
            format!("{} ({word})", c.label)
        })
        .collect();
    if !broken.is_empty() {
        out.push(format!(
            "Left out, with no numbers to trust: {}.",
            broken.join(", ")
        ));
    }
    let gated: Vec<String> = result
        .cells
        .iter()
        .filter(|c| is_measured(c))
        .filter_map(|c| {
            let failed = gates.get(c.label.as_str())?;
            Some(format!("{} ({})", c.label, failed.join(", ")))
        })
        .collect();
    if !gated.is_empty() {
        out.push(format!("Failing a gate: {}.", gated.join("; ")));
    }
    let unattributed: Vec<String> = result
        .gates
        .iter()
        .filter(|g| !g.passed)
        .filter(|g| {
            let named = format!("\"{}\" (line {})", g.check, g.line);
            !gates.values().any(|v| v.contains(&named))
        })
        .map(|g| format!("\"{}\" (line {})", g.check, g.line))
        .collect();
    if !unattributed.is_empty() {
        out.push(format!("Failed gates: {}.", unattributed.join(", ")));
    }
    out
}

/// A parameter value as a number: `50`, `cores`, `4*cores`, `cores*4`
/// (`cores` being the run's).
fn numeric(value: &str, cores: usize) -> Option<f64> {
    let value = value.trim();
    let factor = |text: &str| -> Option<f64> {
        match text.trim() {
            "cores" => Some(cores as f64),
            other => other.parse::<f64>().ok().filter(|v| v.is_finite()),
        }
    };
    match value.split_once('*') {
        Some((a, b)) => Some(factor(a)? * factor(b)?),
        None => factor(value),
    }
}

/// `workers = 4*cores (8)`: the value as written and, when it names the
/// cores, as resolved.
fn show_value(key: &str, value: &str, resolved: f64) -> String {
    if value.contains("cores") {
        format!("{key} = {value} ({})", speed(resolved))
    } else {
        format!("{key} = {value}")
    }
}

/// A point of a sweep: the value as a number, as written, and its cell.
type Point<'a> = (f64, &'a str, &'a CellResult);

/// One sentence per sweep: cells of one strategy, the same but for one
/// numeric parameter.
fn knees(result: &ScenarioResult, rate: &Rate, measured: &[&CellResult]) -> Vec<String> {
    let keys: std::collections::BTreeSet<&String> =
        measured.iter().flat_map(|c| c.params.keys()).collect();
    let mut out = Vec::new();
    for key in keys {
        // Series: strategy and its other parameters; points: (value, cell).
        let mut series: Vec<(String, Vec<Point>)> = Vec::new();
        for cell in measured {
            let Some(value) = cell.params.get(key) else {
                continue;
            };
            let Some(x) = numeric(value, result.cores) else {
                continue;
            };
            let name = cell.label_without(key);
            match series.iter_mut().find(|(n, _)| *n == name) {
                Some((_, points)) => points.push((x, value, cell)),
                None => series.push((name, vec![(x, value, cell)])),
            }
        }
        for (name, mut points) in series {
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            points.dedup_by(|a, b| a.0 == b.0);
            if points.len() < 2 {
                continue;
            }
            let best = points
                .iter()
                .copied()
                .reduce(|b, p| {
                    if rate.value(p.2) > rate.value(b.2) {
                        p
                    } else {
                        b
                    }
                })
                .expect("two points");
            let best_rate = rate.value(best.2);
            if best_rate <= 0.0 {
                continue;
            }
            let knee = points
                .iter()
                .find(|p| rate.value(p.2) >= KNEE_SHARE * best_rate)
                .expect("the best reaches it");
            let word = rate.word();
            let largest = points.last().expect("two points");
            let best_text = format!(
                "best {} {}, at {}",
                speed(best_rate),
                rate.unit,
                show_value(key, best.1, best.0)
            );
            let at = show_value(key, knee.1, knee.0);
            out.push(if knee.0 == points[0].0 && knee.0 == best.0 {
                format!(
                    "{name}: its best {word} ({} {}) already at {at}, the smallest swept.",
                    speed(best_rate),
                    rate.unit
                )
            } else if knee.0 == largest.0 {
                format!(
                    "{name}: 95% of its best {word} only at {at}, the largest swept ({best_text}): the knee may lie further."
                )
            } else {
                format!("{name}: 95% of its best {word} from {at} on ({best_text}).")
            });
        }
    }
    out
}

/// Little's law per pool cell with a worker count: the throughput
/// observed × the mean service time = workers kept busy on average.
fn littles_law(result: &ScenarioResult, measured: &[&CellResult]) -> Vec<String> {
    measured
        .iter()
        .filter_map(|cell| {
            let workers_text = cell.params.get("workers")?;
            let workers = numeric(workers_text, result.cores)?;
            let service = cell.merged.summaries.get(&Metric::Service)?.mean_ms;
            let throughput = cell.merged.throughput.mean;
            if service <= 0.0 || throughput <= 0.0 || workers <= 0.0 {
                return None;
            }
            let busy = throughput * service / 1e3;
            let busy_text = if busy >= 10.0 {
                format!("{busy:.0}")
            } else {
                format!("{busy:.1}")
            };
            let shown = if cell.label.contains("workers=") {
                cell.label.clone()
            } else {
                format!("{} workers={workers_text}", cell.label)
            };
            Some(format!(
                "{shown}: {} jobs/s × {} ms = {busy_text} busy of {} workers (Little's law: throughput × mean service time).",
                speed(throughput),
                millis(service),
                speed(workers)
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests;
