//! A comparison's results: `bench-ab.md`, a table to paste into a pull
//! request, and `bench-ab.json`, every pair's times for whoever wants to
//! look again.

use std::fmt::Write as _;

use contend::ab::stats::{median_interval, Decision, Interval};
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
    /// The median ratio and its interval.
    pub interval: Interval,
    /// What the interval says.
    pub decision: Decision,
}

impl Compared {
    /// `benchmark`'s tally, decided with `settings`.
    pub fn new(benchmark: &Benchmark, tally: &Tally, settings: &Settings) -> Self {
        let median = |values: &[f64]| {
            median_interval(values, settings.confidence).map_or(f64::NAN, |i| i.median)
        };
        Self {
            bench: benchmark.bench.clone(),
            id: benchmark.id.clone(),
            base_median: median(&tally.base_ns),
            new_median: median(&tally.new_ns),
            base_ns: tally.base_ns.clone(),
            new_ns: tally.new_ns.clone(),
            ratios: tally.ratios(),
            interval: tally
                .interval(settings.interval_confidence)
                .expect("every benchmark compared has a pair"),
            decision: tally.decision(settings),
        }
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
}

impl Report {
    /// How many benchmarks got `decision`.
    pub fn count(&self, decision: Decision) -> usize {
        self.benchmarks
            .iter()
            .filter(|b| b.decision == decision)
            .count()
    }

    /// Regressions: what makes `bench-ab` exit 1.
    pub fn regressions(&self) -> usize {
        self.count(Decision::Regression)
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
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {:.3} | {} | {} | {} |",
                b.id,
                ns(b.base_median),
                ns(b.new_median),
                b.interval.median,
                interval_text(&b.interval),
                b.interval.pairs,
                b.decision.word()
            );
        }
        let _ = writeln!(
            out,
            "\n{} regressions, {} improvements, {} unchanged, {} undecided.",
            self.regressions(),
            self.count(Decision::Improvement),
            self.count(Decision::Unchanged),
            self.count(Decision::Undecided)
        );
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
            ],
            only_base: vec!["c/removed".into()],
            only_new: vec![],
            seconds: 42.0,
        };
        let md = report.markdown();
        assert!(
            md.contains("| `c/slower` | 10.0 | 12.0 | 1.200 | [1.200, 1.200] | 6 | REGRESSION |"),
            "{md}"
        );
        assert!(md.contains("| `c/same` | 2000 | 2000 | 1.000 | [1.000, 1.000] | 6 | unchanged |"));
        assert!(md.contains("| `c/few` | 5.00 | 5.00 | 1.000 | unbounded | 3 | undecided |"));
        assert!(md.contains("1 regressions, 0 improvements, 1 unchanged, 1 undecided."));
        assert!(md.contains("Only in BASE, not compared: `c/removed`."));
        assert!(!md.contains("Only in NEW"));
        assert_eq!(report.regressions(), 1);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["benchmarks"][0]["decision"], "regression");
        assert_eq!(
            json["benchmarks"][2]["interval"]["high"],
            serde_json::Value::Null
        );
    }
}
