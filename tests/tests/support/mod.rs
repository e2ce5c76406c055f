//! Helpers for the pool tests: running a library suite on every built-in
//! strategy, and, for the tokio-specific tests, gates that hold jobs, run
//! counters, bounded waits, and pools put into a known state. Each test
//! file uses some of them (hence `dead_code` allowed).
//!
//! States are forced, not waited for: a job that has started and waits at
//! a closed [`Gate`] holds its worker (or the runtime's only thread), so
//! jobs submitted after it provably wait unstarted. Waits are bounded by a
//! generous limit only so that a hang fails instead of stalling.

#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Once};
use std::thread;
use std::time::{Duration, Instant};

use contend_strategies::pool::{self, Executor, Job, OverloadPolicy, PoolConfig, ShutdownMode};
use contend_strategies::pool::{TokioMultiplex, TokioWorkers};
use contend_tests::pool_suites::Suite;
use contend_tests::{all_strategies, PoolSubject};

/// Runs `suite` on every built-in strategy (one line per check and
/// strategy), then panics naming every failed check of every strategy.
pub fn check_every_builtin(suite: &Suite) {
    let failed: Vec<String> = all_strategies()
        .into_iter()
        .flat_map(|case| {
            let report = suite.report(&PoolSubject::builtin(case.name));
            report
                .failed()
                .into_iter()
                .map(|check| format!("  {}: {}", report.subject, check.outcome))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        failed.is_empty(),
        "{}: {} checks failed on the built-ins:\n{}",
        suite.name,
        failed.len(),
        failed.join("\n")
    );
}

/// The message of every panic the tests cause on purpose.
pub const DELIBERATE: &str = "deliberate test panic";

/// Builds the strategy called `name` through the registry.
pub fn build(name: &str, config: PoolConfig) -> Box<dyn Executor> {
    pool::build(name, config).unwrap_or_else(|error| panic!("{name}: {error}"))
}

/// Waits until `condition` holds. The limit only turns a hang into a
/// failure; it is not a timing assertion.
pub fn wait_for(what: &str, condition: impl Fn() -> bool) {
    assert!(eventually(condition), "gave up waiting for {what}");
}

/// Whether `condition` comes to hold within a generous limit.
pub fn eventually(condition: impl Fn() -> bool) -> bool {
    let give_up = Instant::now() + Duration::from_secs(60);
    while !condition() {
        if Instant::now() > give_up {
            return false;
        }
        thread::sleep(Duration::from_millis(1));
    }
    true
}

/// After a shutdown: nothing running or queued, and the books balance.
pub fn assert_settled(name: &str, pool: &dyn Executor) {
    let stats = pool.stats();
    assert_eq!(stats.running, 0, "{name}: {stats:?}");
    assert_eq!(stats.queued, 0, "{name}: {stats:?}");
    assert_eq!(stats.unaccounted(), 0, "{name}: {stats:?}");
}

/// Jobs wait here until the test opens it: `wait` from async jobs (no
/// runtime thread held), `wait_blocking` from closures (the thread held).
/// The library's gate, which the pool suites hold every executor's jobs
/// with.
pub use contend_tests::pool_suites::fixtures::AsyncGate as Gate;

/// How many times each of `n` jobs ran.
pub struct Runs(Arc<Vec<AtomicUsize>>);

impl Runs {
    pub fn new(n: usize) -> Self {
        Runs(Arc::new((0..n).map(|_| AtomicUsize::new(0)).collect()))
    }

    pub fn job(&self, i: usize) -> Job {
        let runs = Arc::clone(&self.0);
        Job::new(move || {
            runs[i].fetch_add(1, Ordering::SeqCst);
        })
    }

    pub fn total(&self) -> usize {
        self.0.iter().map(|runs| runs.load(Ordering::SeqCst)).sum()
    }

    pub fn assert_each_ran_once(&self, name: &str) {
        for (i, runs) in self.0.iter().enumerate() {
            assert_eq!(runs.load(Ordering::SeqCst), 1, "{name}: job {i}");
        }
    }
}

/// A job that adds one to `counter`.
pub fn counting_job(counter: &Arc<AtomicUsize>) -> Job {
    let counter = Arc::clone(counter);
    Job::new(move || {
        counter.fetch_add(1, Ordering::SeqCst);
    })
}

/// A pool whose only runtime thread is held at `gate` by a job that has
/// started: every job submitted next provably waits unstarted, in a task
/// not yet polled or in the channel.
pub fn held(name: &str, gate: &Gate) -> Box<dyn Executor> {
    let pool = build(
        name,
        PoolConfig::new(64).queue_capacity(64).runtime_threads(1),
    );
    let started = Arc::new(AtomicBool::new(false));
    let (job_started, job_gate) = (Arc::clone(&started), gate.clone());
    pool.execute(move || {
        job_started.store(true, Ordering::SeqCst);
        job_gate.wait_blocking();
    })
    .unwrap();
    wait_for("the gate job to start", || started.load(Ordering::SeqCst));
    pool
}

/// Opens `gate` once the pool's queued jobs are gone (taken by an abort),
/// and in any case, so that a shutdown waiting for the gate job returns.
pub fn open_when_taken(pool: &dyn Executor, gate: &Gate) {
    let taken = eventually(|| pool.stats().queued == 0);
    gate.open();
    assert!(taken, "the abort did not take the queued jobs");
}

/// Keeps the 1,000 deliberate panics out of the test output; every other
/// panic is still printed.
pub fn quiet_deliberate_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.payload().downcast_ref::<&str>() != Some(&DELIBERATE) {
                default(info);
            }
        }));
    });
}

/// A pool of one permit or worker (and a queue of one, holding a filler
/// job) with both taken: the next submit meets the policy.
pub struct Full {
    pub pool: Box<dyn Executor>,
    pub gate: Gate,
    pub filler_ran: Arc<AtomicUsize>,
}

impl Full {
    pub fn new(name: &str, policy: OverloadPolicy) -> Self {
        let config = PoolConfig::new(1)
            .queue_capacity(1)
            .policy(policy)
            .runtime_threads(2);
        let (pool, gate) = (build(name, config), Gate::new());
        let started = Arc::new(AtomicBool::new(false));
        let (job_started, job_gate) = (Arc::clone(&started), gate.clone());
        pool.submit(Job::from_future(async move {
            job_started.store(true, Ordering::SeqCst);
            job_gate.wait().await;
        }))
        .unwrap();
        wait_for("the gate job to start", || started.load(Ordering::SeqCst));
        let filler_ran = Arc::new(AtomicUsize::new(0));
        if [TokioWorkers::NAME, TokioMultiplex::NAME].contains(&name) {
            pool.submit(counting_job(&filler_ran)).unwrap();
            assert_eq!(pool.stats().queued, 1);
        }
        Full {
            pool,
            gate,
            filler_ran,
        }
    }

    /// Opens the gate, drains, and checks the books.
    pub fn finish(self, name: &str) {
        self.gate.open();
        self.pool.shutdown(ShutdownMode::DRAIN);
        assert_settled(name, &*self.pool);
    }
}
