//! `dispatcher`: idle workers offer their own hand-off slot; a dispatcher
//! thread matches queued jobs to them.
//!
//! The Go pattern of a `WorkerPool chan chan Job`: each worker owns a
//! channel, puts it into the shared pool of idle channels when it is free,
//! and the dispatcher takes a job from the job queue and an idle channel
//! from the pool and joins the two. Jobs go only to workers that asked for
//! one, so a slow worker never has a backlog of its own; the price is one
//! more hand-off (and thread switch) per job than `fixed`.

use std::collections::VecDeque;

use super::queue::JobQueue;
use super::run::JobContext;
use super::shutdown::shutdown_threads;
use super::workers::WorkerSet;
use super::{Admission, ConfigError, Executor, Job, PoolConfig, PoolStats, Rejected};
use super::{ShutdownMode, ShutdownReport};
use crate::sync::{Arc, Condvar, Mutex};

/// N workers fed one job at a time by a dispatcher thread.
///
/// ```
/// use contend_strategies::pool::{Dispatcher, Executor, PoolConfig, ShutdownMode};
///
/// let pool = Dispatcher::new(PoolConfig::new(4).queue_capacity(64)).unwrap();
/// for _ in 0..1_000 {
///     pool.execute(|| { /* a short job */ }).unwrap();
/// }
/// assert_eq!(pool.shutdown(ShutdownMode::DRAIN).completed, 1_000);
/// ```
#[derive(Debug)]
pub struct Dispatcher {
    shared: Arc<Shared>,
    workers: Arc<WorkerSet>,
}

/// What a worker finds in its slot.
#[derive(Debug)]
enum Delivery {
    Job(Job),
    Stop,
}

/// A worker's own hand-off slot, offered to the dispatcher when idle.
#[derive(Debug, Default)]
struct Slot {
    delivery: Mutex<Option<Delivery>>,
    delivered: Condvar,
}

impl Slot {
    fn deliver(&self, delivery: Delivery) {
        *self.delivery.lock() = Some(delivery);
        self.delivered.notify_one();
    }

    fn receive(&self) -> Delivery {
        let mut delivery = self.delivery.lock();
        loop {
            if let Some(delivery) = delivery.take() {
                return delivery;
            }
            delivery = self.delivered.wait(delivery);
        }
    }
}

#[derive(Debug, Default)]
struct IdleSlots {
    slots: VecDeque<Arc<Slot>>,
    /// Workers started, each to be stopped once.
    workers: usize,
}

#[derive(Debug)]
struct Shared {
    queue: JobQueue,
    idle: Mutex<IdleSlots>,
    slot_offered: Condvar,
    context: JobContext,
}

impl Shared {
    fn offer(&self, slot: &Arc<Slot>) {
        self.idle.lock().slots.push_back(Arc::clone(slot));
        self.slot_offered.notify_one();
    }

    /// The next idle worker's slot. Workers always come back idle after
    /// a job, so this returns as soon as one has.
    fn next_idle(&self) -> Arc<Slot> {
        let mut idle = self.idle.lock();
        loop {
            if let Some(slot) = idle.slots.pop_front() {
                return slot;
            }
            idle = self.slot_offered.wait(idle);
        }
    }

    /// Matches jobs to idle workers. The worker is found first and the job
    /// taken second, so the dispatcher never holds a job an abort could
    /// miss: every unstarted job stays in the queue.
    fn dispatch(&self) {
        loop {
            let slot = self.next_idle();
            match self.queue.pop() {
                Some(job) => slot.deliver(Delivery::Job(job)),
                None => {
                    slot.deliver(Delivery::Stop);
                    break;
                }
            }
        }
        self.stop_workers(1);
    }

    /// Stops each worker not yet stopped once it is idle, so a running job
    /// always ends first.
    fn stop_workers(&self, already_stopped: usize) {
        let workers = self.idle.lock().workers;
        for _ in already_stopped..workers {
            self.next_idle().deliver(Delivery::Stop);
        }
    }

    fn work(&self) {
        let slot = Arc::new(Slot::default());
        loop {
            self.offer(&slot);
            match slot.receive() {
                Delivery::Job(job) => self.context.execute(job),
                Delivery::Stop => return,
            }
        }
    }
}

impl Dispatcher {
    /// The strategy's name in scenario files.
    pub const NAME: &'static str = "dispatcher";

    /// Starts `config.workers` workers and a dispatcher behind a queue of
    /// `config.queue_capacity` jobs.
    pub fn new(config: PoolConfig) -> Result<Self, ConfigError> {
        config.require_workers(Self::NAME)?;
        config.require_queue(Self::NAME)?;
        let pool = Self {
            shared: Arc::new(Shared {
                queue: JobQueue::new(config.queue_capacity, config.policy),
                idle: Mutex::new(IdleSlots::default()),
                slot_offered: Condvar::new(),
                context: JobContext::new(Self::NAME, config.panic_handler),
            }),
            workers: WorkerSet::new(Self::NAME),
        };
        let mut started = 0;
        while started < config.workers
            && pool
                .workers
                .spawn(Arc::clone(&pool.shared), |shared| shared.work())
                .is_ok()
        {
            started += 1;
        }
        pool.shared.idle.lock().workers = started;
        let dispatching = started == config.workers
            && pool
                .workers
                .spawn(Arc::clone(&pool.shared), |shared| shared.dispatch())
                .is_ok();
        if !dispatching {
            pool.shared.queue.abort();
            pool.shared.stop_workers(0);
            pool.shutdown(ShutdownMode::Abort);
            return Err(ConfigError::thread_refused(Self::NAME));
        }
        Ok(pool)
    }
}

impl Executor for Dispatcher {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        self.shared.context.counters.submitted();
        self.shared.queue.push(job, &self.shared.context)
    }

    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        shutdown_threads(
            mode,
            &self.shared.queue,
            &self.workers,
            &self.shared.context,
        )
    }

    fn stats(&self) -> PoolStats {
        let idle = self.shared.idle.lock().slots.len();
        self.shared.context.stats(idle, self.shared.queue.len())
    }
}

impl Drop for Dispatcher {
    /// Dropping without a shutdown drains in the background.
    fn drop(&mut self) {
        self.shared.queue.close();
    }
}
