//! A crew of persistent threads for multi-threaded measurements.
//!
//! Spawning a thread costs tens of microseconds, and 64 of them cost
//! milliseconds: measured inside a benchmark it would swamp what is being
//! measured (a message, a map lookup). The crew's threads are spawned once
//! per bench function and reused for every sample. Each timed run hands
//! one job to each of the first `n` threads; they and the caller meet at a
//! start barrier, the clock starts when the barrier opens, and stops once
//! the caller's own part and every job have finished. What remains of the
//! hand-off (one barrier release, one completion signal per thread) is a
//! fixed cost per sample, which criterion's linear regression over
//! samples of growing size separates from the per-element slope.

use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

/// A job run on one crew thread.
pub type Job = Box<dyn FnOnce() + Send>;

struct Task {
    start: Arc<Barrier>,
    job: Job,
}

/// Persistent threads, released together for each timed run.
pub struct Crew {
    inboxes: Vec<mpsc::Sender<Task>>,
    done: mpsc::Receiver<()>,
    threads: Vec<thread::JoinHandle<()>>,
}

impl Crew {
    /// A crew of `size` idle threads.
    pub fn new(size: usize) -> Self {
        let (done_tx, done) = mpsc::channel();
        let mut inboxes = Vec::with_capacity(size);
        let threads = (0..size)
            .map(|index| {
                let (inbox, tasks) = mpsc::channel::<Task>();
                inboxes.push(inbox);
                let done = done_tx.clone();
                thread::Builder::new()
                    .name(format!("crew-{index}"))
                    .spawn(move || {
                        for task in tasks {
                            task.start.wait();
                            (task.job)();
                            done.send(()).expect("the crew outlives its runs");
                        }
                    })
                    .expect("spawn a crew thread")
            })
            .collect();
        Self {
            inboxes,
            done,
            threads,
        }
    }

    /// The number of threads.
    pub fn size(&self) -> usize {
        self.inboxes.len()
    }

    /// Runs `jobs[i]` on crew thread `i` and `main` on the calling thread,
    /// all started together; returns the time from the start until
    /// everything has finished, and `main`'s result.
    ///
    /// # Panics
    /// If there are more jobs than threads.
    pub fn time<R>(&self, jobs: Vec<Job>, main: impl FnOnce() -> R) -> (Duration, R) {
        assert!(jobs.len() <= self.size(), "more jobs than crew threads");
        let count = jobs.len();
        let start = Arc::new(Barrier::new(count + 1));
        for (inbox, job) in self.inboxes.iter().zip(jobs) {
            let task = Task {
                start: Arc::clone(&start),
                job,
            };
            inbox
                .send(task)
                .expect("crew threads live as long as the crew");
        }
        start.wait();
        let began = Instant::now();
        let result = main();
        for _ in 0..count {
            self.done.recv().expect("a crew thread died in a job");
        }
        (began.elapsed(), result)
    }
}

impl Drop for Crew {
    fn drop(&mut self) {
        self.inboxes.clear();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// Splits `total` items between `parts` as evenly as possible (the first
/// `total % parts` parts get one more).
pub fn split(total: u64, parts: usize) -> impl Iterator<Item = u64> {
    let parts = parts.max(1) as u64;
    (0..parts).map(move |index| total / parts + u64::from(index < total % parts))
}
