//! Waiting for a batch of jobs to finish, the same way for every system
//! under comparison: an atomic count down and one `unpark`, so that no
//! library is charged for another's completion mechanism.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::{self, Thread};

/// Counts `jobs` down; the job that reaches zero wakes the waiter.
#[derive(Clone, Debug)]
pub struct Countdown {
    remaining: Arc<AtomicUsize>,
    waiter: Thread,
}

impl Countdown {
    /// A count of `jobs`, waited for by the calling thread.
    pub fn new(jobs: usize) -> Self {
        Self {
            remaining: Arc::new(AtomicUsize::new(jobs)),
            waiter: thread::current(),
        }
    }

    /// One job is done.
    pub fn done(&self) {
        if self.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.waiter.unpark();
        }
    }

    /// Waits (on the thread that made it) until every job is done.
    pub fn wait(&self) {
        while self.remaining.load(Ordering::Acquire) != 0 {
            thread::park();
        }
    }
}
