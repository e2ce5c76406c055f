//! `QueuePool`: the executor a user writes, as a user would: `workers`
//! threads taking jobs from one unbounded queue behind a mutex.
//!
//! It is built on `contend_strategies::sync` instead of `std::sync`, so
//! that the loom models check it (under `--cfg loom` those types are
//! loom's), and it keeps its books with contend's
//! [`JobContext`](contend_strategies::pool::JobContext): a cancelled job
//! is reported to its batch as cancelled, a panicking job is caught and
//! counted, and the counters are contend's atomics, not a hand-written
//! `completed += 1`.
//!
//! The two places users get wrong, done right here:
//! - a worker checks the queue and waits on the condition variable under
//!   one lock, so a submit cannot slip between the two (a lost wake-up);
//! - `shutdown` joins the workers while holding the handles' lock, so a
//!   second, concurrent call returns only once the workers are joined.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use contend_strategies::pool::{
    Admission, Executor, Job, JobContext, PoolConfig, PoolStats, RejectReason, Rejected,
    ShutdownMode, ShutdownReport,
};
use contend_strategies::sync::thread::{self, JoinHandle};
use contend_strategies::sync::{Arc, Condvar, Mutex};

mod cache;
mod fanin;
#[cfg(not(loom))]
mod task_pool;

pub use cache::MapCache;
pub use fanin::{QueueConsumer, QueueFanIn, QueueProducer};
#[cfg(not(loom))]
pub use task_pool::{Bug, TaskPool};

/// The most workers a `QueuePool` agrees to start.
pub const MAX_WORKERS: usize = 64;

#[derive(Default)]
struct State {
    queue: VecDeque<Job>,
    closed: bool,
    idle: usize,
    /// Workers between taking a job and finishing it.
    busy: usize,
}

struct Shared {
    state: Mutex<State>,
    /// A job was queued, the queue emptied, or the pool closed.
    changed: Condvar,
    books: JobContext,
    /// The bug of [`QueuePool::with_a_lost_wake_up`].
    lost_wake_up: bool,
}

/// `workers` threads on one unbounded queue.
pub struct QueuePool {
    shared: Arc<Shared>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

impl QueuePool {
    /// The name scenario files use.
    pub const NAME: &'static str = "queue-pool";

    /// A pool of `config.workers` threads; `None` for zero workers or
    /// more than [`MAX_WORKERS`]. The queue is unbounded, so the overload
    /// policy never comes into play.
    pub fn new(config: &PoolConfig) -> Option<Self> {
        Self::build(config, false)
    }

    /// The same pool with the bug this example keeps to show contend
    /// catching it: an idle worker checks the queue, lets go of the lock,
    /// takes it again and waits without checking again, so a submit whose
    /// notify falls between the two is lost and its job waits, with a
    /// worker asleep beside it, until the next submit or the shutdown.
    pub fn with_a_lost_wake_up(config: &PoolConfig) -> Option<Self> {
        Self::build(config, true)
    }

    fn build(config: &PoolConfig, lost_wake_up: bool) -> Option<Self> {
        if config.workers == 0 || config.workers > MAX_WORKERS {
            return None;
        }
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            books: JobContext::new(Self::NAME, config.panic_handler.clone()),
            lost_wake_up,
        });
        let workers = (0..config.workers)
            .map(|_| {
                let shared = Arc::clone(&shared);
                thread::spawn(move || work(&shared))
            })
            .collect();
        Some(Self {
            shared,
            workers: Mutex::new(workers),
        })
    }
}

fn work(shared: &Shared) {
    let mut state = shared.state.lock();
    loop {
        if let Some(job) = state.queue.pop_front() {
            if state.queue.is_empty() {
                // A drain with a deadline waits for this.
                shared.changed.notify_all();
            }
            state.busy += 1;
            drop(state);
            shared.books.execute(job);
            state = shared.state.lock();
            state.busy -= 1;
            continue;
        }
        if state.closed {
            return;
        }
        if shared.lost_wake_up {
            // The bug: the lock let go between the check and the wait.
            drop(state);
            state = shared.state.lock();
        }
        // Checked and waited for under the same lock: no lost wake-up.
        state.idle += 1;
        state = shared.changed.wait(state);
        state.idle -= 1;
    }
}

impl Executor for QueuePool {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        self.shared.books.counters().submitted();
        let mut state = self.shared.state.lock();
        if state.closed {
            drop(state);
            return Err(self.shared.books.reject(RejectReason::Closed, job));
        }
        state.queue.push_back(job);
        drop(state);
        self.shared.changed.notify_all();
        Ok(Admission::Accepted)
    }

    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        let mut state = self.shared.state.lock();
        state.closed = true;
        // A deadline too far to represent (`Duration::MAX`) is none.
        let give_up = match mode {
            ShutdownMode::Drain {
                deadline: Some(deadline),
            } => Instant::now().checked_add(deadline),
            _ => None,
        };
        if let Some(give_up) = give_up {
            while !state.queue.is_empty() {
                let left = give_up.saturating_duration_since(Instant::now());
                if left == Duration::ZERO {
                    break;
                }
                state = self.shared.changed.wait_timeout(state, left).0;
            }
        }
        // An abort, or a drain past its deadline: what is still queued
        // goes back to the caller unstarted.
        let hand_back = mode == ShutdownMode::Abort || give_up.is_some();
        let handed_back: Vec<Job> = match hand_back {
            true => state.queue.drain(..).collect(),
            false => Vec::new(),
        };
        let busy = state.busy;
        drop(state);
        self.shared.changed.notify_all();
        let counters = self.shared.books.counters();
        counters.handed_back(handed_back.len());
        if give_up.is_some() && busy > 0 {
            // Past the deadline, busy workers are reported, not waited
            // for; they exit when their jobs end, and a later call joins
            // them.
            return ShutdownReport {
                completed: counters.completed(),
                handed_back,
                still_running: busy,
            };
        }
        // Joined under the lock: a concurrent caller waits here until
        // every worker is joined, then finds none left to join.
        let mut workers = self.workers.lock();
        for worker in workers.drain(..) {
            worker.join().expect("jobs run under catch_unwind");
        }
        drop(workers);
        ShutdownReport {
            completed: counters.completed(),
            handed_back,
            still_running: 0,
        }
    }

    fn stats(&self) -> PoolStats {
        let state = self.shared.state.lock();
        self.shared.books.stats(state.idle, state.queue.len())
    }
}
