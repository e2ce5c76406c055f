//! Loom models of the pool family's hard interleavings, written once and
//! run against any [`Executor`] built on contend's sync facade: the
//! built-in strategies (`tests/loom_pool.rs`), the mutants (which each must
//! fail), and a user's own executor.
//!
//! A model is a closure loom runs once per interleaving. Each builds its
//! executor with a plain `fn`, races the operations named in its title on
//! two threads, and asserts the invariant when they are done. Jobs record
//! into loom atomics, so loom sees those accesses too; a job never panics
//! to report a problem (the pool would catch it), it counts a violation.

use std::time::Duration;

use contend_strategies::pool::{
    CancelToken, Dispatcher, Elastic, Executor, Fixed, Job, OverloadPolicy, PoolConfig, Semaphore,
    Serial, ShutdownMode, Unbounded,
};
use contend_strategies::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use contend_strategies::sync::{thread, Arc};

use super::{Model, NamedModel};

/// Builds the executor under test inside a model.
pub type Build = fn() -> Box<dyn Executor>;

/// Counts job runs and jobs that broke a bound while running.
#[derive(Clone, Default)]
pub(super) struct Tally {
    runs: Arc<AtomicUsize>,
    in_flight: Arc<AtomicUsize>,
    over_bound: Arc<AtomicUsize>,
}

impl Tally {
    /// A job that counts its run and checks that at most `bound` jobs of
    /// this tally run at once.
    pub(super) fn job(&self, bound: usize) -> Job {
        self.slow_job(bound, 0)
    }

    /// [`Tally::job`], yielding `yields` times while it runs: a job that
    /// lasts, so that a checker sampling schedules (shuttle) often finds
    /// others running beside it. The loom models use none: each yield
    /// multiplies what loom must enumerate.
    pub(super) fn slow_job(&self, bound: usize, yields: usize) -> Job {
        let tally = self.clone();
        Job::new(move || {
            let now = tally.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            if now > bound {
                tally.over_bound.fetch_add(1, Ordering::SeqCst);
            }
            for _ in 0..yields {
                thread::yield_now();
            }
            tally.runs.fetch_add(1, Ordering::SeqCst);
            tally.in_flight.fetch_sub(1, Ordering::SeqCst);
        })
    }

    pub(super) fn runs(&self) -> usize {
        self.runs.load(Ordering::SeqCst)
    }

    pub(super) fn over_bound(&self) -> usize {
        self.over_bound.load(Ordering::SeqCst)
    }
}

/// Asserts the books balance and no worker is left running.
pub(super) fn assert_settled(pool: &dyn Executor, context: &str) {
    let stats = pool.stats();
    assert_eq!(
        stats.unaccounted(),
        0,
        "{context}: the books do not balance: {stats:?}"
    );
    assert_eq!(
        stats.running, 0,
        "{context}: a job still runs after shutdown"
    );
}

/// A submit on one thread races `mode` on another: the job runs, comes
/// back in the report, or is rejected as closed — exactly one of them, by
/// the time both calls have returned.
pub fn submit_racing_shutdown(build: Build, mode: ShutdownMode) -> Model {
    Box::new(move || {
        let pool: Arc<Box<dyn Executor>> = Arc::new(build());
        let tally = Tally::default();
        let submitter = {
            let (pool, job) = (Arc::clone(&pool), tally.job(usize::MAX));
            thread::spawn(move || pool.submit(job).is_err())
        };
        let report = pool.shutdown(mode);
        let rejected = usize::from(submitter.join().unwrap());
        let outcomes = tally.runs() + report.handed_back.len() + rejected;
        assert_eq!(
            outcomes, 1,
            "the job must run, come back, or be rejected, once"
        );
        assert_eq!(report.still_running, 0);
        assert_settled(&**pool, "submit racing shutdown");
    })
}

/// Two jobs accepted before two concurrent shutdowns (a drain and an
/// abort) race their workers finishing: every job runs or is handed back
/// once, and both calls return with every worker joined.
pub fn workers_finishing_while_shutdowns_start(build: Build) -> Model {
    Box::new(move || {
        let pool: Arc<Box<dyn Executor>> = Arc::new(build());
        let tally = Tally::default();
        for _ in 0..2 {
            pool.submit(tally.job(usize::MAX))
                .expect("an open pool accepts");
        }
        let aborting = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || pool.shutdown(ShutdownMode::Abort).handed_back.len())
        };
        let drained = pool.shutdown(ShutdownMode::DRAIN);
        let handed_back = drained.handed_back.len() + aborting.join().unwrap();
        assert_eq!(
            tally.runs() + handed_back,
            2,
            "each job runs or comes back once"
        );
        assert_eq!(drained.still_running, 0);
        assert_settled(&**pool, "workers finishing while shutdowns start");
    })
}

/// A cancel on one thread races a worker taking the job: the job either
/// runs or is counted as cancelled, never both, never neither.
pub fn cancel_racing_dequeue(build: Build) -> Model {
    Box::new(move || {
        let pool = build();
        let tally = Tally::default();
        let token = CancelToken::new();
        pool.submit(tally.job(usize::MAX).with_cancel(token.clone()))
            .expect("an open pool accepts");
        let canceller = thread::spawn(move || token.cancel());
        pool.shutdown(ShutdownMode::DRAIN);
        canceller.join().unwrap();
        let cancelled = pool.stats().cancelled;
        assert_eq!(
            tally.runs() + cancelled,
            1,
            "the job runs or is cancelled, once"
        );
        assert_settled(&*pool, "cancel racing dequeue");
    })
}

/// Two submitters share a bound of one (a permit, a worker): the first
/// job's end hands the slot to the second, and the two never overlap.
pub fn permit_hand_off(build: Build) -> Model {
    Box::new(move || {
        let pool: Arc<Box<dyn Executor>> = Arc::new(build());
        let tally = Tally::default();
        let other = {
            let (pool, job) = (Arc::clone(&pool), tally.job(1));
            thread::spawn(move || pool.submit(job).is_ok())
        };
        let mine = pool.submit(tally.job(1)).is_ok();
        let theirs = other.join().unwrap();
        assert!(
            mine && theirs,
            "a blocking submit is accepted once the slot frees"
        );
        pool.shutdown(ShutdownMode::DRAIN);
        assert_eq!(tally.over_bound(), 0, "two jobs held the one slot at once");
        assert_eq!(tally.runs(), 2);
        assert_settled(&**pool, "permit hand-off");
    })
}

/// One submitter fills the queue and blocks on it (one worker, a queue of
/// two, four jobs): a worker taking jobs wakes it (at the queue's
/// low-water mark), and every job runs.
pub fn blocked_submitter_resumes(build: Build) -> Model {
    Box::new(move || {
        let pool = build();
        let tally = Tally::default();
        for _ in 0..4 {
            assert!(
                pool.submit(tally.job(usize::MAX)).is_ok(),
                "a blocking submit is accepted once there is room"
            );
        }
        pool.shutdown(ShutdownMode::DRAIN);
        assert_eq!(tally.runs(), 4, "an accepted job did not run");
        assert_settled(&*pool, "blocked submitter resumes");
    })
}

/// A job submitted to an idle pool runs before any shutdown: its
/// submitter wakes the sleeping worker, at whichever point of the submit
/// the worker flagged itself asleep. Every other model ends in a
/// shutdown, whose broadcast would wake a worker the submitter failed to.
///
/// The submitter waits for the job by yielding in a loop, not on a
/// condition variable: a worker that sleeps through the submit then
/// leaves it spinning, which loom reports as a model that exceeds its
/// branches. (A deadlock loom reports by panicking with no thread to
/// run, and the pool's threads, dropped as that panic unwinds, abort the
/// whole test process.)
pub fn idle_worker_wakes_for_a_job(build: Build) -> Model {
    Box::new(move || {
        let pool = build();
        let ran = Arc::new(AtomicBool::new(false));
        let signal = Arc::clone(&ran);
        pool.submit(Job::new(move || signal.store(true, Ordering::SeqCst)))
            .expect("an open pool accepts");
        while !ran.load(Ordering::SeqCst) {
            thread::yield_now();
        }
        pool.shutdown(ShutdownMode::DRAIN);
        assert_settled(&*pool, "idle worker wakes for a job");
    })
}

/// A panicking job is caught: its worker lives on and runs the next job.
pub fn panic_keeps_the_worker(build: Build) -> Model {
    Box::new(move || {
        let pool = build();
        let tally = Tally::default();
        pool.submit(Job::new(|| std::panic::panic_any(crate::EXPECTED_PANIC)))
            .expect("an open pool accepts");
        pool.submit(tally.job(usize::MAX))
            .expect("an open pool accepts");
        pool.shutdown(ShutdownMode::DRAIN);
        assert_eq!(tally.runs(), 1, "the job after a panic did not run");
        assert_eq!(pool.stats().panicked, 1);
        assert_settled(&*pool, "panic keeps the worker");
    })
}

/// Two jobs finish on two workers at once: the shared counters lose no
/// update.
pub fn counters_under_concurrent_finishes(build: Build) -> Model {
    Box::new(move || {
        let pool = build();
        let tally = Tally::default();
        for _ in 0..2 {
            pool.submit(tally.job(usize::MAX))
                .expect("an open pool accepts");
        }
        let report = pool.shutdown(ShutdownMode::DRAIN);
        assert_eq!(tally.runs(), 2);
        assert_eq!(report.completed, 2, "a completion was lost");
        assert_eq!(pool.stats().completed, 2, "a completion was lost");
        assert_settled(&*pool, "concurrent finishes");
    })
}

/// A submit races an idle worker's expiry (under loom every timed wait
/// times out, at every point of the other thread's work): the job is
/// never stranded with a worker that has gone.
pub fn expiry_racing_submit(build: Build) -> Model {
    Box::new(move || {
        let pool: Arc<Box<dyn Executor>> = Arc::new(build());
        let tally = Tally::default();
        pool.submit(tally.job(usize::MAX))
            .expect("an open pool accepts");
        let submitter = {
            let (pool, job) = (Arc::clone(&pool), tally.job(usize::MAX));
            thread::spawn(move || pool.submit(job).is_ok())
        };
        assert!(submitter.join().unwrap(), "a blocking submit is accepted");
        let report = pool.shutdown(ShutdownMode::DRAIN);
        assert_eq!(tally.runs(), 2, "a job was stranded");
        assert_eq!(report.still_running, 0);
        assert_settled(&**pool, "expiry racing submit");
    })
}

/// A resize from a capacity of one to two races two submits: the bound in
/// force is never exceeded and every accepted job runs.
pub fn resize_racing_submits(build: Build) -> Model {
    Box::new(move || {
        let pool: Arc<Box<dyn Executor>> = Arc::new(build());
        let tally = Tally::default();
        let resizer = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || pool.resize(2).is_ok())
        };
        let accepted = (0..2).filter(|_| pool.submit(tally.job(2)).is_ok()).count();
        assert!(resizer.join().unwrap(), "the strategy resizes");
        pool.shutdown(ShutdownMode::DRAIN);
        assert!(accepted >= 1, "the first submit always finds room");
        assert_eq!(tally.runs(), accepted, "an accepted job did not run");
        assert_eq!(tally.over_bound(), 0);
        assert_settled(&**pool, "resize racing submits");
    })
}

fn fixed() -> Box<dyn Executor> {
    Box::new(Fixed::new(PoolConfig::new(1).queue_capacity(2)).unwrap())
}

fn fixed_two_workers() -> Box<dyn Executor> {
    Box::new(Fixed::new(PoolConfig::new(2).queue_capacity(2)).unwrap())
}

fn dispatcher() -> Box<dyn Executor> {
    Box::new(Dispatcher::new(PoolConfig::new(1).queue_capacity(2)).unwrap())
}

fn semaphore() -> Box<dyn Executor> {
    Box::new(Semaphore::new(PoolConfig::new(1)).unwrap())
}

fn serial() -> Box<dyn Executor> {
    Box::new(Serial::new())
}

fn unbounded() -> Box<dyn Executor> {
    Box::new(Unbounded::new())
}

/// Direct hand-off (ants): no queue, a submit waits for the worker.
fn elastic() -> Box<dyn Executor> {
    let config = PoolConfig::new(1)
        .queue_capacity(0)
        .idle_timeout(Duration::from_millis(1));
    Box::new(Elastic::new(config).unwrap())
}

/// A queue behind the worker: a finished worker takes the next job itself.
fn elastic_queued() -> Box<dyn Executor> {
    let config = PoolConfig::new(1)
        .queue_capacity(2)
        .idle_timeout(Duration::from_millis(1));
    Box::new(Elastic::new(config).unwrap())
}

fn elastic_fail_fast() -> Box<dyn Executor> {
    let config = PoolConfig::new(1)
        .queue_capacity(0)
        .policy(OverloadPolicy::FailFast);
    Box::new(Elastic::new(config).unwrap())
}

/// The models any executor is held to, with no promise beyond the
/// [`Executor`] contract, named `name: what`: what a user's executor gets
/// from one call (`tests/tests/loom_own_executor.rs`,
/// `shuttle_own_executor.rs`).
pub fn executor_suite(name: &str, build: Build) -> Vec<NamedModel> {
    let model = |what: &str, model| NamedModel::new(format!("{name}: {what}"), model);
    vec![
        model(
            "submit racing drain",
            submit_racing_shutdown(build, ShutdownMode::DRAIN),
        ),
        model(
            "submit racing abort",
            submit_racing_shutdown(build, ShutdownMode::Abort),
        ),
        model(
            "workers finishing while shutdowns start",
            workers_finishing_while_shutdowns_start(build),
        ),
        model("cancel racing dequeue", cancel_racing_dequeue(build)),
        model("panic keeps the worker", panic_keeps_the_worker(build)),
    ]
}

/// Every pool model on every strategy it applies to: the loom suite of
/// the pool family.
pub fn suite() -> Vec<NamedModel> {
    let mut suite = Vec::new();
    let mut add = |strategy: &str, title: &str, model: Model| {
        suite.push(NamedModel::new(format!("{strategy}: {title}"), model));
    };
    let drain = ShutdownMode::DRAIN;
    let abort = ShutdownMode::Abort;
    let queued: [(&str, Build); 3] = [
        ("fixed", fixed),
        ("dispatcher", dispatcher),
        ("elastic-queued", elastic_queued),
    ];
    let spawning: [(&str, Build); 4] = [
        ("serial", serial),
        ("semaphore", semaphore),
        ("unbounded", unbounded),
        ("elastic", elastic),
    ];
    for (strategy, build) in queued.iter().chain(&spawning) {
        add(
            strategy,
            "submit racing drain",
            submit_racing_shutdown(*build, drain),
        );
        add(
            strategy,
            "submit racing abort",
            submit_racing_shutdown(*build, abort),
        );
        add(
            strategy,
            "panic keeps the worker",
            panic_keeps_the_worker(*build),
        );
    }
    for (strategy, build) in &queued {
        add(
            strategy,
            "idle worker wakes for a job",
            idle_worker_wakes_for_a_job(*build),
        );
    }
    for (strategy, build) in queued.iter().chain(&spawning[3..]) {
        add(
            strategy,
            "workers finishing while shutdowns start",
            workers_finishing_while_shutdowns_start(*build),
        );
    }
    for (strategy, build) in &queued {
        add(
            strategy,
            "cancel racing dequeue",
            cancel_racing_dequeue(*build),
        );
    }
    // The dispatcher's queue is `fixed`'s: the model is not run on it again
    // (with the dispatcher thread's hand-offs it takes minutes).
    for (strategy, build) in [
        ("fixed", fixed as Build),
        ("elastic-queued", elastic_queued),
    ] {
        add(
            strategy,
            "blocked submitter resumes",
            blocked_submitter_resumes(build),
        );
    }
    add("semaphore", "permit hand-off", permit_hand_off(semaphore));
    add("fixed", "permit hand-off", permit_hand_off(fixed));
    add(
        "fixed",
        "concurrent finishes",
        counters_under_concurrent_finishes(fixed_two_workers),
    );
    add(
        "elastic",
        "expiry racing submit",
        expiry_racing_submit(elastic),
    );
    add(
        "elastic",
        "resize racing submits",
        resize_racing_submits(elastic_fail_fast),
    );
    suite
}
