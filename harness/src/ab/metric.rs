//! What a paired comparison compares, per repetition: goodput, the
//! kind's main latency at p50, p99 and p99.9, peak memory and CPU time.

use serde::{Deserialize, Serialize};

use super::stats::Better;
use crate::record::Metric;
use crate::report::verdict::{millis, speed};
use crate::results::Repetition;

/// One metric of a repetition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PairedMetric {
    /// Units that succeeded per second (throughput where a kind counts
    /// every unit as a success).
    Goodput,
    /// The kind's main latency (end-to-end, read, delivery), median.
    P50,
    /// … 99th percentile.
    P99,
    /// … 99.9th percentile.
    P999,
    /// The process's peak resident memory.
    PeakRss,
    /// User + system CPU time of the process.
    Cpu,
}

impl PairedMetric {
    /// Every metric, in report order.
    pub const ALL: [PairedMetric; 6] = [
        PairedMetric::Goodput,
        PairedMetric::P50,
        PairedMetric::P99,
        PairedMetric::P999,
        PairedMetric::PeakRss,
        PairedMetric::Cpu,
    ];

    /// The name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            PairedMetric::Goodput => "goodput",
            PairedMetric::P50 => "p50",
            PairedMetric::P99 => "p99",
            PairedMetric::P999 => "p99.9",
            PairedMetric::PeakRss => "peak-rss",
            PairedMetric::Cpu => "cpu",
        }
    }

    /// The metric called `name` (`p999` is `p99.9`).
    pub fn parse(name: &str) -> Option<Self> {
        let name = if name == "p999" { "p99.9" } else { name };
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Which way is better.
    pub fn better(self) -> Better {
        match self {
            PairedMetric::Goodput => Better::Higher,
            _ => Better::Lower,
        }
    }

    /// Its value in `rep`, `primary` being the kind's main latency; `None`
    /// when the repetition did not measure it.
    pub fn value(self, rep: &Repetition, primary: Metric) -> Option<f64> {
        let latency = |pick: fn(&crate::record::Summary) -> f64| {
            rep.summaries
                .get(&primary)
                .filter(|s| s.count > 0)
                .map(pick)
        };
        match self {
            PairedMetric::Goodput => Some(rep.goodput.unwrap_or(rep.throughput)),
            PairedMetric::P50 => latency(|s| s.p50_ms),
            PairedMetric::P99 => latency(|s| s.p99_ms),
            PairedMetric::P999 => latency(|s| s.p999_ms),
            PairedMetric::PeakRss => Some(rep.peak_rss_kb as f64 / 1024.0),
            PairedMetric::Cpu => Some(rep.cpu_s),
        }
    }

    /// `value` with its unit: `12,345 jobs/s`, `1.25 ms`, `14.2 MB`,
    /// `0.31 s`.
    pub fn show(self, value: f64, throughput_unit: &str) -> String {
        match self {
            PairedMetric::Goodput => format!("{} {throughput_unit}", speed(value)),
            PairedMetric::P50 | PairedMetric::P99 | PairedMetric::P999 => {
                format!("{} ms", millis(value))
            }
            PairedMetric::PeakRss => format!("{value:.1} MB"),
            PairedMetric::Cpu => format!("{value:.2} s"),
        }
    }
}

/// `+4.2%` for a ratio of 1.042, `−3.0%` for 0.970.
pub fn change(ratio: f64) -> String {
    if !ratio.is_finite() {
        return "∞".to_owned();
    }
    let percent = (ratio - 1.0) * 100.0;
    let digits = if percent.abs() >= 10.0 { 0 } else { 1 };
    let text = format!("{:.digits$}%", percent.abs());
    if text.trim_end_matches('%').parse::<f64>() == Ok(0.0) {
        format!("±{text}")
    } else if percent < 0.0 {
        format!("−{text}")
    } else {
        format!("+{text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_as_signed_percentages() {
        assert_eq!(change(1.042), "+4.2%");
        assert_eq!(change(0.97), "−3.0%");
        assert_eq!(change(1.25), "+25%");
        assert_eq!(change(1.0), "±0.0%");
        assert_eq!(change(f64::INFINITY), "∞");
    }

    #[test]
    fn every_metric_is_named_and_parsed_back() {
        for metric in PairedMetric::ALL {
            assert_eq!(PairedMetric::parse(metric.name()), Some(metric));
        }
        assert_eq!(PairedMetric::parse("p999"), Some(PairedMetric::P999));
        assert_eq!(PairedMetric::parse("p95"), None);
        assert_eq!(PairedMetric::Goodput.better(), Better::Higher);
        assert_eq!(PairedMetric::Cpu.better(), Better::Lower);
    }
}
