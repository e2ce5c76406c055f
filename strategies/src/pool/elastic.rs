//! `elastic`: workers started on demand up to a capacity, expired after an
//! idle period, resizable at run time.
//!
//! The design of Go's `ants`, with a queue: a submit hands the job to an
//! idle worker if there is one (the most recently idle first, so the others
//! age and expire), starts a new worker if the capacity allows, queues it
//! if every worker is busy and [`PoolConfig::queue_capacity`] allows, and
//! otherwise applies the [`OverloadPolicy`](super::OverloadPolicy): `Block`
//! (ants' default, with [`PoolConfig::max_blocked_submitters`] as its cap
//! on blocked submitters), `FailFast` (ants' non-blocking mode), and the
//! others. A worker that finishes a job takes the next queued one without
//! sleeping. Idle workers exit after [`PoolConfig::idle_timeout`], so an
//! idle pool holds no threads; [`Executor::resize`] changes the capacity
//! while jobs run. Release with a deadline is
//! `shutdown(ShutdownMode::Drain { deadline })`.
//!
//! # Why a queue
//!
//! With `queue_capacity(0)` every job goes from the submitter's hand to a
//! worker's (ants exactly): a busy pool makes the submitter wait for a
//! worker, and an idle one costs a wake-up per job: about two context
//! switches per job, 17× slower than `fixed` on a steady stream of small
//! jobs. With a queue, busy workers pull the next job themselves, as in
//! `fixed`, and workers are still started on demand (before queueing,
//! unlike Java's `ThreadPoolExecutor`, which starts extra threads only
//! once its queue is full) and expire when idle.
//!
//! Every hand-off, expiry and retirement is decided under one lock: a
//! worker whose idle period ends at the moment a submit picks it checks for
//! a delivered job before it expires, so no job is stranded. A worker goes
//! idle only when the queue is empty, and a submit queues a job only when
//! no worker is idle, so a queued job always has a busy worker to take it.
//!
//! The queue is a [`Ring`], which a busy worker takes its next job from
//! without that lock, as `fixed`'s workers do: on a steady stream of small
//! jobs the submitter and the workers then meet on the ring's atomics
//! rather than on the lock (137 → 102 ns per empty job on 2 cores). Jobs are
//! still queued only under the lock, and a worker looks at the queue once
//! more under it before going idle, so the rule above holds. A submitter
//! that waits for room in the queue flags itself on the ring
//! ([`Bounded::about_to_wait`]), and the worker whose take brings the
//! queue to its low-water mark wakes it.

use std::collections::HashMap;
use std::time::Duration;

use super::admission::{await_room, lock_for_admission, Bounded, Verdict};
use super::ring::{Ring, Taken, Waiter};
use super::run::JobContext;
use super::shutdown::{shutdown_threads, Stop};
use super::wakeups::Wakeups;
use super::workers::WorkerSet;
use super::{Admission, ConfigError, Executor, Job, OverloadPolicy, PoolConfig, PoolStats};
use super::{Rejected, ShutdownMode, ShutdownReport};
use crate::backoff::{self, spin_until};
use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::{deadline_after, Arc, Condvar, Mutex, MutexGuard};

/// Workers on demand, up to a resizable capacity.
///
/// ```
/// use contend_strategies::pool::{Elastic, Executor, PoolConfig, ShutdownMode};
/// use std::time::Duration;
///
/// // Load that comes and goes: up to 16 workers and 64 waiting jobs,
/// // idle workers gone after 100 ms.
/// let config = PoolConfig::new(16).queue_capacity(64).idle_timeout(Duration::from_millis(100));
/// let pool = Elastic::new(config).unwrap();
/// for _ in 0..100 {
///     pool.execute(|| std::thread::sleep(Duration::from_millis(1))).unwrap();
/// }
/// pool.resize(4).unwrap(); // fewer from now on
/// assert_eq!(pool.shutdown(ShutdownMode::DRAIN).completed, 100);
/// ```
#[derive(Debug)]
pub struct Elastic {
    shared: Arc<Shared>,
    workers: Arc<WorkerSet>,
}

type WorkerId = usize;

/// What a submit or a resize leaves for an idle worker.
#[derive(Debug)]
enum Assignment {
    Job(Job),
    Retire,
}

#[derive(Debug)]
struct IdleWorker {
    id: WorkerId,
    wake: Arc<Condvar>,
}

#[derive(Debug)]
struct State {
    capacity: usize,
    /// Workers alive and not retiring, busy or idle.
    workers: usize,
    /// Idle workers, the most recently idle last.
    idle: Vec<IdleWorker>,
    /// Deliveries not yet picked up by their (formerly idle) worker.
    assigned: HashMap<WorkerId, Assignment>,
    /// Jobs waiting for a busy worker to finish (none without a queue):
    /// pushed only under this lock and only while no worker is idle.
    queue: Option<Arc<Ring>>,
    closed: bool,
    blocked_submitters: usize,
    room_wakeups: Wakeups,
    next_id: WorkerId,
}

impl Bounded for State {
    fn closed(&self) -> bool {
        self.closed
    }

    fn has_room(&self) -> bool {
        !self.idle.is_empty()
            || self.workers < self.capacity
            || self
                .queue
                .as_ref()
                .is_some_and(|queue| queue.len() < queue.capacity())
    }

    fn blocked_submitters(&mut self) -> &mut usize {
        &mut self.blocked_submitters
    }

    /// Workers take queued jobs without this lock: a submitter waiting for
    /// the queue flags itself on it, so that they wake it.
    fn about_to_wait(&mut self) -> bool {
        match &self.queue {
            Some(queue) => queue.raise(Waiter::Submitter),
            None => true,
        }
    }

    fn woke(&mut self) {
        self.room_wakeups.taken();
        if let (Some(queue), 0) = (&self.queue, self.blocked_submitters) {
            queue.lower(Waiter::Submitter);
        }
    }
}

impl State {
    fn forget_idle(&mut self, id: WorkerId) {
        self.idle.retain(|idle| idle.id != id);
    }

    /// Whether to signal a blocked submitter now (and counts it).
    fn signal_room(&mut self) -> bool {
        let blocked = self.blocked_submitters;
        self.room_wakeups.signal(blocked)
    }
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    worker_freed: Condvar,
    policy: OverloadPolicy,
    max_blocked_submitters: Option<usize>,
    idle_timeout: Duration,
    context: JobContext,
    /// `state.queue`, which busy workers take jobs from without the lock.
    queue: Option<Arc<Ring>>,
    /// Set (under the lock) while a resize has left more workers than
    /// the capacity: busy workers then take the lock after each job, to
    /// retire.
    shrinking: AtomicBool,
}

impl Shared {
    /// Runs jobs until closed, retired, or idle for too long.
    fn work(&self, first: Job, id: WorkerId) {
        let wake = Arc::new(Condvar::new());
        let mut job = first;
        loop {
            self.context.execute(job);
            if let Some(next) = self.next_queued() {
                job = next;
                continue;
            }
            let mut state = self.state.lock();
            // Over capacity after a resize: the others take the queue.
            if state.workers > state.capacity {
                state.workers -= 1;
                if state.workers <= state.capacity {
                    self.shrinking.store(false, Ordering::Relaxed);
                }
                return;
            }
            // Under the lock, so no submit queues a job unseen between this
            // look and going idle.
            if let Some(taken) = self.queue.as_ref().and_then(|queue| queue.take().ok()) {
                job = self.hand_over(state, taken);
                continue;
            }
            if state.closed {
                state.workers -= 1;
                return;
            }
            state.idle.push(IdleWorker {
                id,
                wake: Arc::clone(&wake),
            });
            if state.signal_room() {
                self.worker_freed.notify_one();
            }
            match self.wait_for_assignment(state, id, &wake) {
                Some(next) => job = next,
                None => return,
            }
        }
    }

    /// The next queued job, taken without the lock by a worker that is
    /// still busy to submitters (so a job queued now waits for it): after
    /// a short busy-wait, if the queue is empty. `None`: take the lock
    /// (no job came, or the pool is shrinking).
    fn next_queued(&self) -> Option<Job> {
        let queue = self.queue.as_ref()?;
        if self.shrinking.load(Ordering::Relaxed) {
            return None;
        }
        if backoff::ENABLED {
            spin_until(|| queue.job_published());
        }
        let taken = queue.take().ok()?;
        if !taken.frees_blocked_submitter() {
            return Some(taken.job);
        }
        Some(self.hand_over(self.state.lock(), taken))
    }

    /// The job taken from the queue, after waking a blocked submitter if
    /// the take brought the queue to its low-water mark; `state` is
    /// released.
    fn hand_over(&self, mut state: MutexGuard<'_, State>, taken: Taken) -> Job {
        let room_freed = taken.frees_blocked_submitter() && state.signal_room();
        drop(state);
        if room_freed {
            self.worker_freed.notify_one();
        }
        taken.job
    }

    /// Waits as an idle worker. `None`: the worker must exit (and has
    /// already been taken off the books).
    fn wait_for_assignment(
        &self,
        mut state: MutexGuard<'_, State>,
        id: WorkerId,
        wake: &Condvar,
    ) -> Option<Job> {
        let expires = deadline_after(self.idle_timeout);
        let mut expired = false;
        loop {
            if mutant!(StrandingExpiry) && expired {
                state.forget_idle(id);
                state.workers -= 1;
                return None;
            }
            // A delivery wins over expiry: the submitter already counted on us.
            match state.assigned.remove(&id) {
                Some(Assignment::Job(job)) => return Some(job),
                Some(Assignment::Retire) => return None,
                None => {}
            }
            if state.closed || expired {
                state.forget_idle(id);
                state.workers -= 1;
                return None;
            }
            let (woken, past_deadline) = wake.wait_until(state, expires);
            state = woken;
            expired = past_deadline;
        }
    }
}

impl Stop for Shared {
    fn close(&self) {
        let mut state = self.state.lock();
        state.closed = true;
        for idle in &state.idle {
            idle.wake.notify_one();
        }
        drop(state);
        self.worker_freed.notify_all();
    }

    /// The queue and the jobs delivered but not yet picked up come back.
    fn abort(&self) -> Vec<Job> {
        self.close();
        let mut state = self.state.lock();
        let mut jobs: Vec<Job> = self
            .queue
            .as_ref()
            .map_or_else(Vec::new, |queue| queue.take_all());
        let undelivered: Vec<WorkerId> = state
            .assigned
            .iter()
            .filter(|(_, assignment)| matches!(assignment, Assignment::Job(_)))
            .map(|(id, _)| *id)
            .collect();
        for id in undelivered {
            if let Some(Assignment::Job(job)) = state.assigned.remove(&id) {
                jobs.push(job);
            }
        }
        jobs
    }
}

impl Elastic {
    /// The strategy's name in scenario files.
    pub const NAME: &'static str = "elastic";

    /// An empty pool that starts up to `config.workers` workers on demand,
    /// with up to `config.queue_capacity` jobs waiting for a busy worker
    /// (0: none, a submit waits for a worker).
    pub fn new(config: PoolConfig) -> Result<Self, ConfigError> {
        config.require_workers(Self::NAME)?;
        if config.queue_capacity == 0 {
            config.require_queueless_policy(Self::NAME)?;
        }
        config.require_allocatable_queue(Self::NAME)?;
        let queue = (config.queue_capacity > 0).then(|| Arc::new(Ring::new(config.queue_capacity)));
        Ok(Self {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    capacity: config.workers,
                    workers: 0,
                    idle: Vec::new(),
                    assigned: HashMap::new(),
                    queue: queue.clone(),
                    closed: false,
                    blocked_submitters: 0,
                    room_wakeups: Wakeups::default(),
                    next_id: 0,
                }),
                worker_freed: Condvar::new(),
                policy: config.policy,
                max_blocked_submitters: config.max_blocked_submitters,
                idle_timeout: config.idle_timeout,
                context: JobContext::new(Self::NAME, config.panic_handler),
                queue,
                shrinking: AtomicBool::new(false),
            }),
            workers: WorkerSet::new(Self::NAME),
        })
    }

    /// Workers alive now, busy or idle: zero once an idle pool has expired.
    pub fn live_workers(&self) -> usize {
        self.shared.state.lock().workers
    }

    /// Submitters blocked waiting for a worker now (ants' `Waiting`).
    pub fn blocked_submitters(&self) -> usize {
        self.shared.state.lock().blocked_submitters
    }

    /// The current capacity.
    pub fn capacity(&self) -> usize {
        self.shared.state.lock().capacity
    }

    fn start_worker(&self, job: Job, id: WorkerId) -> Result<Admission, Rejected> {
        let shared = Arc::clone(&self.shared);
        match self.workers.spawn(job, move |job| shared.work(job, id)) {
            Ok(()) => Ok(Admission::Accepted),
            Err(failure) => {
                self.shared.state.lock().workers -= 1;
                self.shared.worker_freed.notify_one();
                let (reason, job) = failure.into_rejection();
                Err(self.shared.context.reject(reason, job))
            }
        }
    }
}

impl Executor for Elastic {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn submit(&self, job: Job) -> Result<Admission, Rejected> {
        let shared = &self.shared;
        shared.context.counters.submitted();
        // Without a queue, room is a worker going idle: no hint to wait on.
        // With one, a waiting submitter busy-waits for the low-water mark,
        // where a worker would wake it.
        let room = || {
            shared
                .queue
                .as_ref()
                .map_or(true, |queue| queue.room_for_blocked())
        };
        let verdict = await_room(
            shared.policy,
            lock_for_admission(shared.policy, &shared.state, room),
            &shared.worker_freed,
            shared.max_blocked_submitters,
        );
        let (mut state, admission) = match verdict {
            Verdict::Room(state) => (state, Admission::Accepted),
            // Only with a queue (Elastic::new), and only when it is full.
            // (A worker may have taken one meanwhile: then none is dropped.)
            Verdict::DiscardOldest(state) => {
                let oldest = shared
                    .queue
                    .as_ref()
                    .and_then(|queue| queue.take_oldest_if_full());
                match oldest {
                    Some(oldest) => {
                        shared.context.discard(oldest);
                        (state, Admission::AcceptedDroppingOldest)
                    }
                    None => (state, Admission::Accepted),
                }
            }
            Verdict::Refuse(refusal) => return shared.context.refuse(refusal, job),
        };
        if let Some(idle) = state.idle.pop() {
            state.assigned.insert(idle.id, Assignment::Job(job));
            drop(state);
            idle.wake.notify_one();
            return Ok(admission);
        }
        if let (Some(queue), true) = (&shared.queue, state.workers >= state.capacity) {
            // Room was checked under the lock, and only submitters, all
            // under it, fill the queue.
            let queued = queue.try_push(job);
            drop(state);
            return match queued {
                Ok(_) => Ok(admission),
                Err(_) => unreachable!("a submit queues only with room, under the lock"),
            };
        }
        state.workers += 1;
        let id = state.next_id;
        state.next_id += 1;
        drop(state);
        self.start_worker(job, id)
    }

    fn shutdown(&self, mode: ShutdownMode) -> ShutdownReport {
        shutdown_threads(mode, &*self.shared, &self.workers, &self.shared.context)
    }

    fn stats(&self) -> PoolStats {
        let state = self.shared.state.lock();
        let queued = state
            .assigned
            .values()
            .filter(|assignment| matches!(assignment, Assignment::Job(_)))
            .count()
            + self.shared.queue.as_ref().map_or(0, |queue| queue.len());
        let idle = state.idle.len();
        drop(state);
        self.shared.context.stats(idle, queued)
    }

    /// Sets the capacity. Shrinking retires idle workers at once and busy
    /// ones when their job ends; growing lets blocked submitters start
    /// workers.
    fn resize(&self, workers: usize) -> Result<(), ConfigError> {
        if workers == 0 {
            return Err(ConfigError::ZeroWorkers {
                strategy: Self::NAME,
            });
        }
        let mut state = self.shared.state.lock();
        state.capacity = workers;
        while state.workers > state.capacity {
            let Some(idle) = state.idle.pop() else { break };
            state.assigned.insert(idle.id, Assignment::Retire);
            state.workers -= 1;
            idle.wake.notify_one();
        }
        let shrinking = state.workers > state.capacity;
        self.shared.shrinking.store(shrinking, Ordering::Relaxed);
        drop(state);
        self.shared.worker_freed.notify_all();
        Ok(())
    }
}

impl Drop for Elastic {
    /// Dropping without a shutdown lets running jobs finish; idle workers
    /// exit at once.
    fn drop(&mut self) {
        self.shared.close();
    }
}
