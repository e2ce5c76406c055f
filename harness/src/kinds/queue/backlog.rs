//! The queue's depth while a run goes on, sampled every 50 ms: the
//! picture of a burst absorbed by the queue and drained by the
//! consumers at their own pace, and of a killed consumer's messages
//! sitting pending until a survivor claims them.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::broker::Broker;

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
