//! Measures, from inside the jobs, how many run and how many at once.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use contend_strategies::pool::Job;

/// Counts job runs and the peak number running at once. Each job gets an
/// id; a job that runs twice is caught. Clones share one probe.
#[derive(Clone, Debug, Default)]
pub struct Probe {
    inner: Arc<ProbeState>,
}

#[derive(Debug, Default)]
struct ProbeState {
    running: AtomicUsize,
    peak: AtomicUsize,
    next_id: AtomicUsize,
    ran: Mutex<HashSet<usize>>,
    ran_twice: AtomicUsize,
}

/// Decrements the running count when a job's work ends, panicking or not.
struct Leaving<'a>(&'a AtomicUsize);

impl Drop for Leaving<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Probe {
    /// A probe that has seen nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// A job that records its run, then does `work`.
    pub fn job(&self, work: impl FnOnce() + Send + 'static) -> Job {
        let probe = self.clone();
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        Job::new(move || {
            let state = &probe.inner;
            let now = state.running.fetch_add(1, Ordering::SeqCst) + 1;
            state.peak.fetch_max(now, Ordering::SeqCst);
            if !state.ran.lock().unwrap().insert(id) {
                state.ran_twice.fetch_add(1, Ordering::SeqCst);
            }
            // Counted out even when the work panics.
            let _leaving = Leaving(&state.running);
            work();
        })
    }

    /// Jobs made by this probe.
    pub fn made(&self) -> usize {
        self.inner.next_id.load(Ordering::SeqCst)
    }

    /// Distinct jobs that have run (started).
    pub fn ran(&self) -> usize {
        self.inner.ran.lock().unwrap().len()
    }

    /// Jobs running now.
    pub fn running(&self) -> usize {
        self.inner.running.load(Ordering::SeqCst)
    }

    /// The most jobs seen running at once.
    pub fn peak(&self) -> usize {
        self.inner.peak.load(Ordering::SeqCst)
    }

    /// Runs seen of a job that had already run.
    pub fn ran_twice(&self) -> usize {
        self.inner.ran_twice.load(Ordering::SeqCst)
    }
}
