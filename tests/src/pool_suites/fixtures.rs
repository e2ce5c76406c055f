//! What the suites share: a gate jobs wait at as futures, pools put into
//! a known state, and the threads a check starts.
//!
//! [`crate::Gate`] holds a job by blocking its thread. That is right for a
//! thread executor, but a tokio executor's job blocking a runtime thread
//! can starve a task parked in that thread's LIFO slot, and a check must
//! hold any executor's jobs. [`AsyncGate`] holds them as futures
//! ([`Job::from_future`], needing no reactor): a thread executor drives
//! the future on its worker, so the worker is held as by [`crate::Gate`];
//! a tokio executor awaits it, so the task (its worker task, permit or
//! slot) is held and the runtime thread is not.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, Once};
use std::task::{Context, Poll, Waker};
use std::thread::{self, JoinHandle};

use contend_strategies::pool::{Admission, Job, OverloadPolicy, PoolConfig, PoolStats};
use contend_strategies::pool::{Executor, ShutdownMode};

use super::{Pool, Refused, Run};
use crate::watchdog::joined;
use crate::{Probe, EXPECTED_PANIC};

/// Jobs wait here, as futures or blocking, until the check opens it; it
/// counts them as they arrive, wait and pass. Clones share one gate.
#[derive(Clone, Debug, Default)]
pub struct AsyncGate {
    inner: Arc<(Mutex<GateState>, Condvar)>,
}

#[derive(Debug, Default)]
struct GateState {
    open: bool,
    arrived: usize,
    waiting: usize,
    peak: usize,
    passed: usize,
    wakers: Vec<Waker>,
}

impl GateState {
    fn arrive(&mut self) {
        self.arrived += 1;
        self.waiting += 1;
        self.peak = self.peak.max(self.waiting);
    }

    fn pass(&mut self) {
        self.waiting -= 1;
        self.passed += 1;
    }
}

/// The future of one job waiting at an [`AsyncGate`].
#[derive(Debug)]
pub struct GateWait {
    gate: AsyncGate,
    arrived: bool,
    passed: bool,
}

impl Future for GateWait {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        let mut state = this.gate.lock();
        if !this.arrived {
            this.arrived = true;
            state.arrive();
        }
        if state.open {
            state.pass();
            this.passed = true;
            return Poll::Ready(());
        }
        state.wakers.push(cx.waker().clone());
        Poll::Pending
    }
}

impl Drop for GateWait {
    /// A wait dropped unfinished (its runtime shut down) no longer waits.
    fn drop(&mut self) {
        if self.arrived && !self.passed {
            self.gate.lock().waiting -= 1;
        }
    }
}

impl AsyncGate {
    /// A closed gate.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, GateState> {
        self.inner
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Opens the gate for every present and future job.
    pub fn open(&self) {
        let wakers = {
            let mut state = self.lock();
            state.open = true;
            std::mem::take(&mut state.wakers)
        };
        self.inner.1.notify_all();
        wakers.into_iter().for_each(Waker::wake);
    }

    /// Waits, as a future, until the gate is open.
    pub fn wait(&self) -> GateWait {
        GateWait {
            gate: self.clone(),
            arrived: false,
            passed: false,
        }
    }

    /// Waits, blocking the thread, until the gate is open.
    pub fn wait_blocking(&self) {
        let mut state = self.lock();
        state.arrive();
        while !state.open {
            state = self
                .inner
                .1
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        state.pass();
    }

    /// A job that waits here (as a future).
    pub fn job(&self) -> Job {
        Job::from_future(self.wait())
    }

    /// Jobs waiting at the gate now.
    pub fn waiting(&self) -> usize {
        self.lock().waiting
    }

    /// Jobs that have reached the gate, waiting or passed.
    pub fn arrived(&self) -> usize {
        self.lock().arrived
    }

    /// The most jobs ever waiting at once: how many ran at once.
    pub fn peak(&self) -> usize {
        self.lock().peak
    }

    /// Jobs that have passed the (open) gate.
    pub fn passed(&self) -> usize {
        self.lock().passed
    }

    /// Waits (under the watchdog) until `jobs` jobs are waiting here.
    pub fn await_waiting(&self, run: &Run<'_>, jobs: usize) {
        run.wait_until(
            &format!("{jobs} jobs to be running (waiting at the gate)"),
            || self.waiting() >= jobs,
        );
    }

    /// Submits `jobs` jobs that wait here and waits until all of them do:
    /// they hold `jobs` workers (or permits, or tasks), so what is
    /// submitted next provably waits.
    pub fn hold(&self, run: &Run<'_>, pool: &Pool, jobs: usize) {
        for held in 0..jobs {
            run.at(format!("submitting gate job {} of {jobs}", held + 1));
            let admission = pool.submit(self.job());
            assert!(
                matches!(admission, Ok(Admission::Accepted)),
                "an open pool with room accepts a job to hold: {admission:?}"
            );
        }
        self.await_waiting(run, jobs);
    }
}

/// Submits `probe` jobs until `pool` refuses one, which shows that a
/// shutdown running on another thread has closed it. Returns how many were
/// accepted meanwhile: they must be counted like any other job.
pub fn await_closed(run: &Run<'_>, pool: &Pool, probe: &Probe) -> usize {
    let mut accepted = 0;
    run.wait_until("the shutdown to close the pool (a submit refused)", || {
        let refused = pool.submit(probe.job(|| {})).is_err();
        accepted += usize::from(!refused);
        refused
    });
    accepted
}

/// Starts `work` on a thread of its own with `pool`.
pub fn on_thread<R: Send + 'static>(
    pool: &Pool,
    work: impl FnOnce(&Pool) -> R + Send + 'static,
) -> JoinHandle<R> {
    let pool = Arc::clone(pool);
    thread::spawn(move || work(&pool))
}

/// Joins a thread the check started, under the breadcrumb `what`; its
/// panic comes back with its message.
pub fn join<R>(run: &Run<'_>, what: &str, handle: JoinHandle<R>) -> R {
    run.at(format!("waiting for {what}"));
    joined(what, handle.join())
}

/// Submits `each` yielding jobs from each of four threads at once, and
/// waits for the submitters.
pub fn submit_from_four_threads(run: &Run<'_>, pool: &Pool, probe: &Probe, each: usize) {
    let submitters: Vec<_> = (0..4)
        .map(|_| {
            let probe = probe.clone();
            on_thread(pool, move |pool| {
                for _ in 0..each {
                    pool.submit(probe.job(thread::yield_now))
                        .expect("the Block policy accepts");
                }
            })
        })
        .collect();
    for submitter in submitters {
        join(
            run,
            &format!("four submitters of {each} jobs each (the Block policy may wait for room)"),
            submitter,
        );
    }
}

/// After a shutdown has returned: nothing running or queued, and the
/// books balance.
pub fn assert_settled(stats: &PoolStats) {
    assert_eq!(
        stats.running, 0,
        "a job still running after shutdown: {stats:?}"
    );
    assert_eq!(
        stats.queued, 0,
        "a job still queued after shutdown: {stats:?}"
    );
    assert_eq!(
        stats.unaccounted(),
        0,
        "the books do not balance: {stats:?}"
    );
}

/// A pool of one worker (or permit) held at a gate and, if it queues, a
/// queue of one holding a filler job: the next submit meets the bound and
/// its policy.
pub struct Saturated {
    /// The pool.
    pub pool: Pool,
    /// Holds its one worker; open it to make room.
    pub gate: AsyncGate,
    /// Counts the filler (if any).
    pub probe: Probe,
}

impl std::fmt::Debug for Saturated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Saturated")
            .field("stats", &self.pool.stats())
            .field("gate", &self.gate)
            .field("probe", &self.probe)
            .finish()
    }
}

impl Saturated {
    /// Builds the subject with one worker, a queue of one and `policy`, and
    /// saturates it.
    pub fn new(run: &Run<'_>, policy: OverloadPolicy) -> Result<Self, Refused> {
        let pool = run.build(Self::config(policy))?;
        Ok(Self::holding(run, pool))
    }

    /// The configuration [`Saturated::new`] builds with.
    pub fn config(policy: OverloadPolicy) -> PoolConfig {
        PoolConfig::new(1).queue_capacity(1).policy(policy)
    }

    /// Saturates `pool`, built with [`Saturated::config`].
    pub fn holding(run: &Run<'_>, pool: Pool) -> Self {
        let (gate, probe) = (AsyncGate::new(), Probe::new());
        run.watch(&pool, Some(&probe));
        gate.hold(run, &pool, 1);
        if run.promises().queues {
            run.at("submitting the filler job into the queue of one");
            assert_eq!(
                pool.submit(probe.job(|| {}))
                    .map_err(|rejected| rejected.reason()),
                Ok(Admission::Accepted),
                "a queue of one takes a job"
            );
        }
        run.at("saturated: one job held at the gate, the queue (if any) full");
        Self { pool, gate, probe }
    }

    /// Opens the gate, drains, and checks the books.
    pub fn finish(self, run: &Run<'_>) -> PoolStats {
        self.gate.open();
        run.at("shutdown(Drain) after opening the gate");
        self.pool.shutdown(ShutdownMode::DRAIN);
        let stats = self.pool.stats();
        assert_settled(&stats);
        assert_eq!(self.probe.ran_twice(), 0, "a job ran twice");
        stats
    }
}

/// Keeps the deliberate panics of the suites (their message starts with
/// [`EXPECTED_PANIC`], formatted or not) out of the test output; every
/// other panic is reported by the hook that was there before.
pub fn quiet_deliberate_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let message = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str));
            if !message.is_some_and(|message| message.starts_with(EXPECTED_PANIC)) {
                previous(info);
            }
        }));
    });
}

/// A pool whose workers (up to `workers`, fewer if the subject refuses
/// more) each hold a job at a shut gate, with `queued` jobs of `probe`
/// waiting behind them: the state every shutdown check starts from.
pub struct HeldWithQueue {
    /// The pool.
    pub pool: Pool,
    /// Jobs held at the gate (one per worker).
    pub held: usize,
    /// The gate they wait at.
    pub gate: AsyncGate,
    /// The queued jobs' probe.
    pub probe: Probe,
}

impl HeldWithQueue {
    /// Builds it (with a queue of 100, room for `queued`), or says which
    /// configurations the subject refused.
    pub fn new(run: &Run<'_>, workers: usize, queued: usize) -> Result<Self, Refused> {
        let (pool, config) = run.build_first(super::workers_down_from(workers, |workers| {
            PoolConfig::new(workers).queue_capacity(100)
        }))?;
        let held = config.workers;
        let (gate, probe) = (AsyncGate::new(), Probe::new());
        run.watch(&pool, Some(&probe));
        gate.hold(run, &pool, held);
        for i in 0..queued {
            run.at(format!(
                "queueing job {} of {queued} behind the held workers",
                i + 1
            ));
            pool.submit(probe.job(|| {})).expect("the queue has room");
        }
        Ok(Self {
            pool,
            held,
            gate,
            probe,
        })
    }
}
