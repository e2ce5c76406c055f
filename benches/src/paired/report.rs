//! A comparison's results: `bench-ab.md`, a table to paste into a pull
//! request, and `bench-ab.json`, every pair's times for whoever wants to
//! look again.

use std::fmt::Write as _;

use contend::ab::stats::{median, Decision, Interval};
use serde::Serialize;

use super::args::Settings;
use super::listing::Benchmark;
use super::schedule::Tally;

/// One benchmark, compared.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Compared {
    /// Its bench file.
    pub bench: String,
    /// Its criterion id.
    pub id: String,
    /// BASE's ns per element, pair by pair.
    pub base_ns: Vec<f64>,
    /// NEW's ns per element, pair by pair.
    pub new_ns: Vec<f64>,
    /// NEW/BASE, pair by pair.
    pub ratios: Vec<f64>,
    /// The median of `base_ns`.
    pub base_median: f64,
    /// The median of `new_ns`.
    pub new_median: f64,
    /// The median ratio and its interval; `None` when no pair was run.
    pub interval: Option<Interval>,
    /// What the interval says.
    pub decision: Decision,
    /// The run that failed and stopped this benchmark: `NEW: why`.
    pub failure: Option<String>,
}

impl Compared {
    /// `benchmark`'s tally, decided with `settings`.
    pub fn new(benchmark: &Benchmark, tally: &Tally, settings: &Settings) -> Self {
        let median = |values: &[f64]| median(values).unwrap_or(f64::NAN);
        Self {
            bench: benchmark.bench.clone(),
            id: benchmark.id.clone(),
            base_median: median(&tally.base_ns),
            new_median: median(&tally.new_ns),
            base_ns: tally.base_ns.clone(),
            new_ns: tally.new_ns.clone(),
            ratios: tally.ratios(),
            interval: tally.interval(settings.interval_confidence),
            decision: tally.decision(settings),
            failure: tally
                .failure
                .as_ref()
                .map(|(role, why)| format!("{}: {why}", role.label())),
        }
    }

    /// Whether NEW failed a run of it (which fails the comparison, as a
    /// regression does).
    pub fn new_failed(&self) -> bool {
        self.failure
            .as_deref()
            .is_some_and(|f| f.starts_with("NEW"))
    }
}

/// A whole comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// BASE, described.
    pub base: String,
    /// NEW, described.
    pub new: String,
    /// What it ran with.
    pub settings: Settings,
    /// Every benchmark both sides have.
    pub benchmarks: Vec<Compared>,
    /// Benchmarks (or `bench <file>`) only BASE has: not compared.
    pub only_base: Vec<String>,
    /// Benchmarks (or `bench <file>`) only NEW has: not compared.
    pub only_new: Vec<String>,
    /// Wall time of the whole comparison, builds included.
    pub seconds: f64,
    /// Ctrl-C stopped it: benchmarks may have fewer pairs than planned.
    pub interrupted: bool,
}

impl Report {
    /// How many benchmarks got `decision` (of those that did not fail).
    pub fn count(&self, decision: Decision) -> usize {
        self.benchmarks
            .iter()
            .filter(|b| b.failure.is_none() && b.decision == decision)
            .count()
    }

    /// Regressions, and benchmarks NEW failed to run: what makes
    /// `bench-ab` exit 1.
    pub fn regressions(&self) -> usize {
        self.benchmarks
            .iter()
            .filter(|b| b.decision == Decision::Regression || b.new_failed())
            .count()
    }

    /// The Markdown report.
    pub fn markdown(&self) -> String {
        let s = &self.settings;
        let mut out = String::new();
        let _ = writeln!(out, "### Benchmarks, NEW against BASE (paired runs)\n");
        let _ = writeln!(out, "- BASE: {}\n- NEW: {}", self.base, self.new);
        let _ = writeln!(
            out,
            "- {}–{} pairs a benchmark, BASE and NEW back to back, first in turn; \
             ratio NEW/BASE of the time per element (above 1 is slower); \
             a change counts when the whole interval of the median ratio \
             is beyond {:.0}%; each interval at {:.3}%, so that the whole comparison flags \
             nothing unchanged with {:.0}% confidence (Bonferroni over the benchmarks and \
             two looks) ({} s of measurement and {} s of warm-up a run; {:.0} s in all)\n",
            s.pairs,
            s.max_pairs,
            s.threshold * 100.0,
            s.interval_confidence * 100.0,
            s.confidence * 100.0,
            s.measurement_time,
            s.warm_up_time,
            self.seconds
        );
        let _ = writeln!(
            out,
            "| benchmark | BASE ns/element | NEW ns/element | ratio | interval | pairs | decision |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---|---:|---|");
        for b in &self.benchmarks {
            let Some(interval) = &b.interval else {
                let failure = b.failure.as_deref().unwrap_or("not run");
                let _ = writeln!(
                    out,
                    "| `{}` | – | – | – | – | 0 | FAILED: {failure} |",
                    b.id
                );
                continue;
            };
            let decision = match &b.failure {
                Some(failure) => format!("FAILED after {} pairs: {failure}", interval.pairs),
                None => b.decision.word().to_owned(),
            };
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {:.3} | {} | {} | {decision} |",
                b.id,
                ns(b.base_median),
                ns(b.new_median),
                interval.median,
                interval_text(interval),
                interval.pairs,
            );
        }
        let failed = self
            .benchmarks
            .iter()
            .filter(|b| b.failure.is_some())
            .count();
        let _ = writeln!(
            out,
            "\n{} regressions, {} improvements, {} unchanged, {} undecided{}.",
            self.count(Decision::Regression),
            self.count(Decision::Improvement),
            self.count(Decision::Unchanged),
            self.count(Decision::Undecided),
            if failed > 0 {
                format!(", {failed} failed")
            } else {
                String::new()
            }
        );
        if self.interrupted {
            let _ = writeln!(
                out,
                "\nStopped by Ctrl-C: benchmarks may have fewer pairs than planned."
            );
        }
        for (side, ids) in [("BASE", &self.only_base), ("NEW", &self.only_new)] {
            if !ids.is_empty() {
                let names: Vec<String> = ids.iter().map(|id| format!("`{id}`")).collect();
                let _ = writeln!(out, "\nOnly in {side}, not compared: {}.", names.join(", "));
            }
        }
        out
    }
}

/// `[0.981, 1.032]`, or `unbounded` when too few pairs bound it.
pub fn interval_text(interval: &Interval) -> String {
    if interval.is_bounded() {
        format!("[{:.3}, {:.3}]", interval.low, interval.high)
    } else {
        "unbounded".into()
    }
}

/// A time in ns with three or four significant digits.
pub fn ns(value: f64) -> String {
    if value >= 1000.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compared(id: &str, base: f64, new: &[f64]) -> Compared {
        let tally = Tally {
            base_ns: vec![base; new.len()],
            new_ns: new.to_vec(),
            failure: None,
        };
        let benchmark = Benchmark {
            bench: "counters".into(),
            id: id.into(),
        };
        Compared::new(&benchmark, &tally, &Settings::sample(6, 12))
    }

    #[test]
    fn the_table_has_a_row_per_benchmark_and_names_what_was_not_compared() {
        let report = Report {
            base: "revision main (1a2b3c4d5e6f)".into(),
            new: "working tree".into(),
            settings: Settings::sample(6, 12),
            benchmarks: vec![
                compared("c/slower", 10.0, &[12.0; 6]),
                compared("c/same", 2000.0, &[2000.0; 6]),
                compared("c/few", 5.0, &[5.0; 3]),
                Compared {
                    failure: Some("NEW: c/crashes: exited with code 101".into()),
                    ..compared("c/crashes", 5.0, &[])
                },
            ],
            only_base: vec!["c/removed".into()],
            only_new: vec![],
            seconds: 42.0,
            interrupted: true,
        };
        let md = report.markdown();
        assert!(
            md.contains("| `c/slower` | 10.0 | 12.0 | 1.200 | [1.200, 1.200] | 6 | REGRESSION |"),
            "{md}"
        );
        assert!(md.contains("| `c/same` | 2000 | 2000 | 1.000 | [1.000, 1.000] | 6 | unchanged |"));
        assert!(md.contains("| `c/few` | 5.00 | 5.00 | 1.000 | unbounded | 3 | undecided |"));
        assert!(
            md.contains("| `c/crashes` | – | – | – | – | 0 | FAILED: NEW: c/crashes: exited with code 101 |"),
            "{md}"
        );
        assert!(md.contains("1 regressions, 0 improvements, 1 unchanged, 1 undecided, 1 failed."));
        assert!(md.contains("Only in BASE, not compared: `c/removed`."));
        assert!(!md.contains("Only in NEW"));
        assert!(md.contains("Stopped by Ctrl-C"));
        // The regression and the benchmark NEW could not run.
        assert_eq!(report.regressions(), 2);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["benchmarks"][0]["decision"], "regression");
        assert_eq!(
            json["benchmarks"][2]["interval"]["high"],
            serde_json::Value::Null
        );
    }
}
