//! A gate that jobs wait at until the test opens it.

use std::sync::{Arc, Condvar, Mutex};

use contend_strategies::pool::Executor;

use crate::{Probe, PATIENCE};

/// Jobs call [`Gate::pass`] and wait there until [`Gate::open`]. Clones
/// share one gate.
#[derive(Clone, Debug, Default)]
pub struct Gate {
    inner: Arc<(Mutex<GateState>, Condvar)>,
}

#[derive(Debug, Default)]
struct GateState {
    open: bool,
    waiting: usize,
}

impl Gate {
    /// A closed gate.
    pub fn new() -> Self {
        Self::default()
    }

    /// Waits until the gate is open. Panics if it stays shut for
    /// [`PATIENCE`], so a lost wake-up fails, not hangs.
    pub fn pass(&self) {
        let (state, opened) = &*self.inner;
        let mut guard = state.lock().unwrap();
        guard.waiting += 1;
        let (mut guard, timeout) = opened
            .wait_timeout_while(guard, PATIENCE, |state| !state.open)
            .unwrap();
        guard.waiting -= 1;
        assert!(!timeout.timed_out(), "the gate was never opened");
    }

    /// Opens the gate for every present and future job.
    pub fn open(&self) {
        let (state, opened) = &*self.inner;
        state.lock().unwrap().open = true;
        opened.notify_all();
    }

    /// Jobs waiting at the gate now.
    pub fn waiting(&self) -> usize {
        self.inner.0.lock().unwrap().waiting
    }

    /// Waits until `jobs` jobs are waiting at the gate.
    pub fn await_waiting(&self, jobs: usize) {
        crate::eventually(&format!("{jobs} jobs waiting at the gate"), || {
            self.waiting() >= jobs
        });
    }

    /// Submits `jobs` jobs of `probe` that wait at this gate, and waits
    /// until all of them are waiting: they hold `jobs` workers (or
    /// permits), so what is submitted next provably waits.
    pub fn hold<E: Executor + ?Sized>(&self, pool: &E, probe: &Probe, jobs: usize) {
        for _ in 0..jobs {
            let gate = self.clone();
            pool.submit(probe.job(move || gate.pass()))
                .expect("an open pool accepts a job to hold");
        }
        self.await_waiting(jobs);
    }
}
