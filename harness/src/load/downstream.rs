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
//!
//! A request is made two ways on one model: [`Downstream::call`] blocks
//! its thread (as a blocking client does: the thread waits for a
//! connection and for the answer), [`Downstream::call_async`] awaits (as
//! an async client does: the waiting task holds no thread, it parks on
//! tokio's timer and on a `Notify`). Both wait on the same connections,
//! so a cell may mix them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

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
    /// Blocking callers waiting for a connection.
    freed: Condvar,
    /// Async callers waiting for a connection.
    freed_async: Notify,
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
            freed_async: Notify::new(),
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
        let deadline = Instant::now() + self.model.timeout;
        let mut load = self.lock();
        self.arrive(&mut load);
        let latency = loop {
            if let Some(latency) = self.connect(&mut load) {
                break latency;
            }
            let now = Instant::now();
            if now >= deadline {
                return self.give_up(load);
            }
            load = self
                .freed
                .wait_timeout(load, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        };
        drop(load);
        let left = deadline.saturating_duration_since(Instant::now());
        std::thread::sleep(latency.min(left));
        self.hang_up(latency > left)
    }

    /// Sends one request and awaits its answer or its timeout; the
    /// waiting holds no thread. Needs a tokio runtime with its timer.
    pub async fn call_async(&self) -> Result<(), TimedOut> {
        let deadline = Instant::now() + self.model.timeout;
        self.arrive(&mut self.lock());
        let latency = loop {
            // Registered before the check, so that a connection freed
            // between the check and the wait still wakes this caller.
            let mut freed = std::pin::pin!(self.freed_async.notified());
            freed.as_mut().enable();
            {
                let mut load = self.lock();
                if let Some(latency) = self.connect(&mut load) {
                    break latency;
                }
                if Instant::now() >= deadline {
                    return self.give_up(load);
                }
            }
            // Timed out or woken: either way the loop looks again.
            let _ = tokio::time::timeout_at(deadline.into(), freed).await;
        };
        let left = deadline.saturating_duration_since(Instant::now());
        tokio::time::sleep(latency.min(left)).await;
        self.hang_up(latency > left)
    }

    fn lock(&self) -> MutexGuard<'_, Load> {
        self.load.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A request arrives and waits for a connection.
    fn arrive(&self, load: &mut Load) {
        load.waiting += 1;
        self.peak_waiting
            .fetch_max(load.waiting as u64, Ordering::Relaxed);
    }

    /// Takes a connection if one is free: the request's latency, set by
    /// the requests still waiting behind it.
    fn connect(&self, load: &mut Load) -> Option<Duration> {
        if load.in_use >= self.model.connections {
            return None;
        }
        load.waiting -= 1;
        load.in_use += 1;
        Some(self.latency_under(load.waiting))
    }

    /// The request found no connection before its deadline.
    fn give_up(&self, mut load: MutexGuard<'_, Load>) -> Result<(), TimedOut> {
        load.waiting -= 1;
        drop(load);
        self.timeouts.fetch_add(1, Ordering::Relaxed);
        Err(TimedOut)
    }

    /// Frees the request's connection and wakes one waiter of each kind;
    /// `late`: the answer came after the deadline.
    fn hang_up(&self, late: bool) -> Result<(), TimedOut> {
        self.lock().in_use -= 1;
        self.freed.notify_one();
        self.freed_async.notify_one();
        if late {
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

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    }

    #[test]
    fn async_callers_share_the_connections_and_wait_without_a_thread() {
        // 40 requests on one runtime thread, 4 connections: all of them
        // are answered, at most 4 at once, and 36 waited for a connection
        // at the peak; a thread per waiting caller would need 40 threads.
        let downstream = Downstream::new(DownstreamModel {
            connections: 4,
            latency: Duration::from_millis(2),
            overload_growth: 0.0,
            timeout: Duration::from_secs(30),
        });
        let results = runtime().block_on(async {
            let calls = (0..40).map(|_| downstream.call_async());
            futures::future::join_all(calls).await
        });
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        assert_eq!(downstream.timeouts(), 0);
        assert_eq!(downstream.peak_waiting(), 36);
        assert_eq!(downstream.lock().in_use, 0);
    }

    #[test]
    fn an_async_request_that_finds_no_connection_in_time_times_out() {
        let downstream = Downstream::new(DownstreamModel {
            connections: 1,
            latency: Duration::from_millis(200),
            overload_growth: 0.0,
            timeout: Duration::from_millis(20),
        });
        let results = runtime().block_on(async {
            let (first, second) = tokio::join!(downstream.call_async(), downstream.call_async());
            [first, second]
        });
        assert!(results.iter().all(Result::is_err));
        assert_eq!(downstream.timeouts(), 2);
        let load = downstream.lock();
        assert_eq!((load.in_use, load.waiting), (0, 0));
    }
}
