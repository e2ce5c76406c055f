//! A simulated downstream service with a connection limit.
//!
//! It stands for the database or API the jobs call: at most `connections`
//! requests are served at once; further requests wait for a connection.
//! While requests wait, the downstream is overloaded and serves each
//! request more slowly (`latency × (1 + overload_growth × waiting /
//! connections)`), as a real one does when its queues and locks fill. A
//! request that has not finished within `timeout` of being sent is timed
//! out. This is what unbounded spawning does to a shared dependency: the
//! caller has threads to spare, the dependency does not.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// The downstream's parameters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DownstreamModel {
    /// Requests served at once.
    pub connections: usize,
    /// Latency of a request when the downstream is not overloaded.
    pub latency: Duration,
    /// How much slower each waiting request per connection makes service.
    pub overload_growth: f64,
    /// A request not answered within this time of being sent times out.
    pub timeout: Duration,
}

#[derive(Debug, Default)]
struct Load {
    in_use: usize,
    waiting: usize,
}

/// The downstream, shared by every job of a cell.
#[derive(Debug)]
pub struct Downstream {
    model: DownstreamModel,
    load: Mutex<Load>,
    freed: Condvar,
    timeouts: AtomicU64,
    peak_waiting: AtomicU64,
}

/// A request that was not answered in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimedOut;

impl Downstream {
    /// A downstream with no request in flight.
    pub fn new(model: DownstreamModel) -> Self {
        Self {
            model,
            load: Mutex::default(),
            freed: Condvar::new(),
            timeouts: AtomicU64::new(0),
            peak_waiting: AtomicU64::new(0),
        }
    }

    /// The latency of a request served while `waiting` others wait.
    pub fn latency_under(&self, waiting: usize) -> Duration {
        let overload = waiting as f64 / self.model.connections as f64;
        self.model
            .latency
            .mul_f64(1.0 + self.model.overload_growth * overload)
    }

    /// Sends one request and blocks until it is answered or times out.
    pub fn call(&self) -> Result<(), TimedOut> {
        let sent = Instant::now();
        let deadline = sent + self.model.timeout;
        let mut load = self.load.lock().unwrap_or_else(|e| e.into_inner());
        load.waiting += 1;
        self.peak_waiting
            .fetch_max(load.waiting as u64, Ordering::Relaxed);
        while load.in_use >= self.model.connections {
            let now = Instant::now();
            if now >= deadline {
                load.waiting -= 1;
                drop(load);
                self.timeouts.fetch_add(1, Ordering::Relaxed);
                return Err(TimedOut);
            }
            load = self
                .freed
                .wait_timeout(load, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        load.waiting -= 1;
        load.in_use += 1;
        let latency = self.latency_under(load.waiting);
        drop(load);
        let left = deadline.saturating_duration_since(Instant::now());
        std::thread::sleep(latency.min(left));
        let mut load = self.load.lock().unwrap_or_else(|e| e.into_inner());
        load.in_use -= 1;
        drop(load);
        self.freed.notify_one();
        if latency > left {
            self.timeouts.fetch_add(1, Ordering::Relaxed);
            return Err(TimedOut);
        }
        Ok(())
    }

    /// Requests timed out so far.
    pub fn timeouts(&self) -> u64 {
        self.timeouts.load(Ordering::Relaxed)
    }

    /// The most requests ever waiting for a connection at once.
    pub fn peak_waiting(&self) -> u64 {
        self.peak_waiting.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> DownstreamModel {
        DownstreamModel {
            connections: 50,
            latency: Duration::from_millis(10),
            overload_growth: 2.0,
            timeout: Duration::from_secs(1),
        }
    }

    #[test]
    fn latency_grows_with_the_requests_waiting_per_connection() {
        let downstream = Downstream::new(model());
        assert_eq!(downstream.latency_under(0), Duration::from_millis(10));
        assert_eq!(downstream.latency_under(50), Duration::from_millis(30));
        assert_eq!(downstream.latency_under(100), Duration::from_millis(50));
    }

    #[test]
    fn a_request_that_finds_no_connection_in_time_times_out() {
        let downstream = Downstream::new(DownstreamModel {
            connections: 1,
            latency: Duration::from_millis(200),
            overload_growth: 0.0,
            timeout: Duration::from_millis(20),
        });
        std::thread::scope(|scope| {
            let first = scope.spawn(|| downstream.call());
            let second = scope.spawn(|| downstream.call());
            let results = [first.join().unwrap(), second.join().unwrap()];
            // the first one in holds the connection past its own timeout
            assert!(results.iter().all(|r| r.is_err()));
        });
        assert_eq!(downstream.timeouts(), 2);
    }
}
