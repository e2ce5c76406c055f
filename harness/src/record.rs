//! Latency recording: per-thread recorders merged into HdrHistograms.
//!
//! Latencies are recorded on whatever thread runs a job: a pool's worker,
//! a thread the strategy spawned for that one job, or the submitter itself
//! (`serial`, `caller-runs`). A shared histogram behind a lock would make
//! every job contend on it and distort the strategies being measured, so
//! each thread records into its own buffer, with no lock and no atomic.
//! A buffer is drained into one of a few HdrHistogram shards when it fills
//! and when its thread exits; [`Collector::finish`] merges the shards.
//!
//! Why a buffer and not a whole HdrHistogram per thread: a histogram with
//! three significant digits over 1 ns to an hour holds some 27,000
//! counters (about 220 KB), and merging one costs a scan of all of them.
//! A thread-per-job strategy runs thousands of threads that each record one
//! job; a histogram each would charge it megabytes and a scan per job that
//! the strategy itself never pays. A buffer costs what it records.

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// What a latency measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// From the submit call to the job's start: time spent waiting for
    /// admission (a blocked submit) and in the queue.
    QueueWait,
    /// From the job's start to its end: the work itself, downstream call
    /// included.
    Service,
    /// From the job's intended start (open loop: its scheduled arrival;
    /// otherwise the submit call) to its end. Measuring from the schedule
    /// keeps a stalled submitter from hiding the delay it caused
    /// (no coordinated omission).
    EndToEnd,
    /// Open loop only: how late the generator submitted a job, relative to
    /// its scheduled arrival.
    Lateness,
    /// Cache: one reader operation that reads (`get` or `get_many`).
    Read,
    /// Cache: one reader operation that writes a single key (`insert` or
    /// `remove`).
    Write,
    /// Cache: one `refresh` call of the periodic writer (the whole batch).
    Refresh,
    /// Fan-in: from the `send` call to the consumer receiving the item.
    Delivery,
    /// Fan-in: time spent in `send` (blocked on a full channel included).
    Send,
}

impl Metric {
    /// Every metric, in report order.
    pub const ALL: [Metric; 9] = [
        Metric::EndToEnd,
        Metric::QueueWait,
        Metric::Service,
        Metric::Lateness,
        Metric::Read,
        Metric::Write,
        Metric::Refresh,
        Metric::Delivery,
        Metric::Send,
    ];

    /// The metric's name in files and gates (`end_to_end`, `queue_wait`, …).
    pub fn name(self) -> &'static str {
        match self {
            Metric::QueueWait => "queue_wait",
            Metric::Service => "service",
            Metric::EndToEnd => "end_to_end",
            Metric::Lateness => "lateness",
            Metric::Read => "read",
            Metric::Write => "write",
            Metric::Refresh => "refresh",
            Metric::Delivery => "delivery",
            Metric::Send => "send",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The highest latency a histogram tracks (one hour, in nanoseconds);
/// longer values are clamped to it.
const HIGHEST_NS: u64 = 3_600_000_000_000;
/// Samples a thread buffers before it drains them into a shard.
const BUFFER: usize = 1024;
/// Shards the buffers drain into, so that draining threads rarely meet.
const SHARDS: usize = 16;

/// A latency histogram in nanoseconds, 3 significant digits.
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIGHEST_NS, 3).expect("static bounds are valid")
}

/// One histogram per [`Metric`], each allocated on its first recording: a
/// cell uses a few of the metrics, and a histogram costs some 220 KB.
#[derive(Clone, Debug, Default)]
pub struct Histograms {
    by_metric: [Option<Histogram<u64>>; Metric::ALL.len()],
}

/// The histogram of a metric nothing was recorded in.
fn empty() -> &'static Histogram<u64> {
    static EMPTY: std::sync::OnceLock<Histogram<u64>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(new_histogram)
}

impl Histograms {
    /// The histogram of `metric`.
    pub fn get(&self, metric: Metric) -> &Histogram<u64> {
        self.by_metric[metric.index()]
            .as_ref()
            .unwrap_or_else(|| empty())
    }

    fn slot(&mut self, metric: Metric) -> &mut Histogram<u64> {
        self.by_metric[metric.index()].get_or_insert_with(new_histogram)
    }

    /// Records one value, clamped to the tracked range.
    pub fn record(&mut self, metric: Metric, nanos: u64) {
        self.slot(metric).saturating_record(nanos.max(1));
    }

    /// Records `value` `count` times.
    pub fn record_n(&mut self, metric: Metric, nanos: u64, count: u64) {
        self.slot(metric).saturating_record_n(nanos.max(1), count);
    }

    /// Adds every value of `other`.
    pub fn merge(&mut self, other: &Histograms) {
        for metric in Metric::ALL {
            if let Some(theirs) = &other.by_metric[metric.index()] {
                self.slot(metric)
                    .add(theirs)
                    .expect("histograms share their bounds");
            }
        }
    }
}

struct Shared {
    shards: Vec<Mutex<Histograms>>,
    next_shard: AtomicUsize,
}

/// Where every thread's recordings end up. Clones share one set of shards.
#[derive(Clone)]
pub struct Collector {
    shared: Arc<Shared>,
}

impl Default for Collector {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Collector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Collector").finish_non_exhaustive()
    }
}

struct LocalBuffer {
    owner: Option<Arc<Shared>>,
    shard: usize,
    samples: Vec<(Metric, u64)>,
}

impl LocalBuffer {
    fn drain(&mut self) {
        if let Some(owner) = &self.owner {
            if !self.samples.is_empty() {
                let mut shard = owner.shards[self.shard]
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                for &(metric, nanos) in &self.samples {
                    shard.record(metric, nanos);
                }
            }
        }
        self.samples.clear();
    }
}

impl Drop for LocalBuffer {
    fn drop(&mut self) {
        self.drain();
    }
}

thread_local! {
    static LOCAL: RefCell<LocalBuffer> = const {
        RefCell::new(LocalBuffer { owner: None, shard: 0, samples: Vec::new() })
    };
}

impl Collector {
    /// An empty collector.
    pub fn new() -> Self {
        Self {
            shared: Arc::new(Shared {
                shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
                next_shard: AtomicUsize::new(0),
            }),
        }
    }

    /// Records a latency on the calling thread's buffer.
    #[inline]
    pub fn record(&self, metric: Metric, nanos: u64) {
        LOCAL.with(|local| {
            let mut local = local.borrow_mut();
            let same = local
                .owner
                .as_ref()
                .is_some_and(|owner| Arc::ptr_eq(owner, &self.shared));
            if !same {
                local.drain();
                local.owner = Some(Arc::clone(&self.shared));
                local.shard = self.shared.next_shard.fetch_add(1, Ordering::Relaxed) % SHARDS;
            }
            local.samples.push((metric, nanos));
            if local.samples.len() >= BUFFER {
                local.drain();
            }
        });
    }

    /// Drains the calling thread's buffer now (other threads drain when
    /// they exit).
    pub fn flush_thread(&self) {
        LOCAL.with(|local| {
            let mut local = local.borrow_mut();
            if local
                .owner
                .as_ref()
                .is_some_and(|owner| Arc::ptr_eq(owner, &self.shared))
            {
                local.drain();
            }
        });
    }

    /// Drains the calling thread's buffer into whichever collector it
    /// records for. For the threads of a library pool that outlive its
    /// shutdown (`threadpool` never joins them, rayon's exit late): the
    /// adapter runs this on each of them, so that [`finish`](Self::finish)
    /// does not miss what they recorded.
    pub fn flush_this_thread() {
        // Already destroyed: its destructor drained it.
        let _ = LOCAL.try_with(|local| local.borrow_mut().drain());
    }

    /// Drains the calling thread's buffer and merges every shard. Call it
    /// once every other recording thread has exited (joined).
    pub fn finish(&self) -> Histograms {
        self.flush_thread();
        let mut merged = Histograms::default();
        for shard in &self.shared.shards {
            merged.merge(&shard.lock().unwrap_or_else(|e| e.into_inner()));
        }
        merged
    }
}

/// A histogram in a file: its recorded values and counts, enough to
/// rebuild it exactly.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HistogramData {
    /// `[value_ns, count]` for every recorded bucket, lowest first.
    pub buckets: Vec<(u64, u64)>,
}

impl HistogramData {
    /// Captures `histogram`.
    pub fn capture(histogram: &Histogram<u64>) -> Self {
        Self {
            buckets: histogram
                .iter_recorded()
                .map(|bucket| (bucket.value_iterated_to(), bucket.count_at_value()))
                .collect(),
        }
    }

    /// Rebuilds the histogram.
    pub fn rebuild(&self) -> Histogram<u64> {
        let mut histogram = new_histogram();
        for &(value, count) in &self.buckets {
            histogram.saturating_record_n(value.max(1), count);
        }
        histogram
    }
}

/// The numbers a person reads off a latency histogram, in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Values recorded.
    pub count: u64,
    /// Mean.
    pub mean_ms: f64,
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// Largest value.
    pub max_ms: f64,
}

/// Nanoseconds to milliseconds.
pub fn ms(nanos: u64) -> f64 {
    nanos as f64 / 1e6
}

impl Summary {
    /// Summarises `histogram`.
    pub fn of(histogram: &Histogram<u64>) -> Self {
        if histogram.is_empty() {
            return Self::default();
        }
        let at = |q: f64| ms(histogram.value_at_quantile(q));
        Self {
            count: histogram.len(),
            mean_ms: histogram.mean() / 1e6,
            p50_ms: at(0.5),
            p90_ms: at(0.9),
            p99_ms: at(0.99),
            p999_ms: at(0.999),
            max_ms: ms(histogram.max()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recordings_from_many_threads_merge_into_one_histogram() {
        let collector = Collector::new();
        let threads: Vec<_> = (0..8u64)
            .map(|t| {
                let collector = collector.clone();
                std::thread::spawn(move || {
                    for i in 0..3000u64 {
                        collector.record(Metric::Service, 1000 * (t + 1) + i % 7);
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        collector.record(Metric::EndToEnd, 5);
        let merged = collector.finish();
        assert_eq!(merged.get(Metric::Service).len(), 8 * 3000);
        assert_eq!(merged.get(Metric::EndToEnd).len(), 1);
        assert_eq!(merged.get(Metric::QueueWait).len(), 0);
        assert!(merged.get(Metric::Service).max() >= 8000);
    }

    #[test]
    fn a_thread_recording_for_two_collectors_keeps_them_apart() {
        let (a, b) = (Collector::new(), Collector::new());
        a.record(Metric::Service, 10);
        b.record(Metric::Service, 20);
        a.record(Metric::Service, 30);
        assert_eq!(a.finish().get(Metric::Service).len(), 2);
        assert_eq!(b.finish().get(Metric::Service).len(), 1);
    }

    #[test]
    fn histogram_data_rebuilds_the_same_percentiles() {
        let mut histogram = new_histogram();
        for value in 1..10_000u64 {
            histogram.record(value * 1000).unwrap();
        }
        let rebuilt = HistogramData::capture(&histogram).rebuild();
        assert_eq!(rebuilt.len(), histogram.len());
        for q in [0.5, 0.9, 0.99, 0.999] {
            assert_eq!(rebuilt.value_at_quantile(q), histogram.value_at_quantile(q));
        }
    }

    #[test]
    fn merging_histograms_adds_their_counts() {
        let mut a = Histograms::default();
        let mut b = Histograms::default();
        a.record(Metric::EndToEnd, 1_000_000);
        b.record(Metric::EndToEnd, 3_000_000);
        b.record(Metric::EndToEnd, 3_000_000);
        a.merge(&b);
        let summary = Summary::of(a.get(Metric::EndToEnd));
        assert_eq!(summary.count, 3);
        assert!((summary.p50_ms - 3.0).abs() < 0.01);
    }
}
