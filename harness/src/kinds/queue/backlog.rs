//! The queue's depth while a run goes on, sampled every 50 ms: the
//! picture of a burst absorbed by the queue and drained by the
//! consumers at their own pace, and of a killed consumer's messages
//! sitting pending until a survivor claims them.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::broker::Broker;
use crate::results::TimeSeries;

/// How often the backlog is sampled.
pub const EVERY: Duration = Duration::from_millis(50);

/// The backlog at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BacklogSample {
    /// Since publishing started, in ms.
    pub at_ms: u64,
    /// Published, not yet delivered.
    pub waiting: u64,
    /// Delivered, not yet acknowledged.
    pub pending: u64,
    /// Published so far.
    pub published: u64,
    /// Acknowledged so far (published, neither waiting nor pending).
    pub completed: u64,
}

/// Samples `broker` every [`EVERY`] until `stop` is set; `published` is
/// the producer's count, `completed` is kept up to date for progress
/// lines. A failed read is skipped (the books at the end say what the
/// broker lost). Returns the samples.
pub fn sample(
    broker: &dyn Broker,
    start: Instant,
    published: &AtomicU64,
    completed: &AtomicU64,
    stop: &AtomicBool,
) -> Vec<BacklogSample> {
    let mut samples = Vec::new();
    let mut next = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        let published_now = published.load(Ordering::Relaxed);
        if let Ok(backlog) = broker.backlog() {
            let done = published_now.saturating_sub(backlog.waiting + backlog.pending);
            completed.fetch_max(done, Ordering::Relaxed);
            samples.push(BacklogSample {
                at_ms: start.elapsed().as_millis() as u64,
                waiting: backlog.waiting,
                pending: backlog.pending,
                published: published_now,
                completed: done,
            });
        }
        next += EVERY;
        let now = Instant::now();
        if next > now {
            std::thread::sleep(next - now);
        } else {
            next = now;
        }
    }
    samples
}

/// The chart of the rates, and of the backlog.
const RATES: &str = "rate, messages/s";
const DEPTH: &str = "backlog, messages";

/// Samples averaged into one rate: 200 ms, so that a rate is not the
/// jitter of one 50 ms step.
const RATE_WINDOW: usize = 4;

/// The peak-shaving picture from `samples`: the arrival rate (what the
/// producer published per second) against the service rate (what the
/// consumers acknowledged per second), and the backlog between them.
pub fn over_time(samples: &[BacklogSample]) -> Vec<TimeSeries> {
    let seconds = |sample: &BacklogSample| sample.at_ms as f64 / 1000.0;
    let rate = |count: fn(&BacklogSample) -> u64| -> Vec<(f64, f64)> {
        samples
            .windows(RATE_WINDOW + 1)
            .filter_map(|window| {
                let (first, last) = (window.first()?, window.last()?);
                let span = seconds(last) - seconds(first);
                (span > 0.0).then(|| {
                    let counted = count(last).saturating_sub(count(first)) as f64;
                    (seconds(last), counted / span)
                })
            })
            .collect()
    };
    if samples.len() <= RATE_WINDOW {
        return Vec::new();
    }
    vec![
        TimeSeries {
            chart: RATES.to_owned(),
            name: "arrivals (published)".to_owned(),
            points: rate(|s| s.published),
        },
        TimeSeries {
            chart: RATES.to_owned(),
            name: "service (acknowledged)".to_owned(),
            points: rate(|s| s.completed),
        },
        TimeSeries {
            chart: DEPTH.to_owned(),
            name: "waiting".to_owned(),
            points: samples
                .iter()
                .map(|s| (seconds(s), s.waiting as f64))
                .collect(),
        },
        TimeSeries {
            chart: DEPTH.to_owned(),
            name: "pending (delivered, not acknowledged)".to_owned(),
            points: samples
                .iter()
                .map(|s| (seconds(s), s.pending as f64))
                .collect(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(at_ms: u64, published: u64, completed: u64) -> BacklogSample {
        BacklogSample {
            at_ms,
            waiting: published - completed,
            pending: 0,
            published,
            completed,
        }
    }

    #[test]
    fn rates_are_counts_per_second_over_the_window_and_the_backlog_is_per_sample() {
        // 1,000 published per second, 500 acknowledged per second.
        let samples: Vec<_> = (0..10).map(|i| sample(i * 50, i * 50, i * 25)).collect();
        let series = over_time(&samples);
        assert_eq!(series.len(), 4);
        let (arrivals, service, waiting) = (&series[0], &series[1], &series[2]);
        assert_eq!(arrivals.points.len(), 10 - RATE_WINDOW);
        assert!(arrivals
            .points
            .iter()
            .all(|(_, rate)| (*rate - 1000.0).abs() < 1e-9));
        assert!(service
            .points
            .iter()
            .all(|(_, rate)| (*rate - 500.0).abs() < 1e-9));
        assert_eq!(waiting.points[9], (0.45, 225.0));
        assert_eq!(arrivals.chart, service.chart);
        assert_ne!(arrivals.chart, waiting.chart);
        assert!(over_time(&samples[..RATE_WINDOW]).is_empty());
    }
}
