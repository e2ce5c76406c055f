//! Loom models of the pool family's hard interleavings, written once and
//! run against any [`Executor`] built on contend's sync facade: the
//! built-in strategies (`tests/loom_pool.rs`), the mutants (which each must
//! fail), and a user's own executor.
//!
//! A model is a closure loom runs once per interleaving. Each builds its
//! executor with a [`Build`] closure, races the operations named in its
//! title on two threads, and asserts the invariant when they are done;
//! every job checks the concurrency bound of the model's configuration.
//! [`subject_suite`] gives a [`PoolSubject`] (yours) every model its
//! promises call for, each with the configuration it needs, which your
//! build closure may refuse (the model is then skipped, and says so). Jobs record
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
use crate::PoolSubject;

/// Builds the executor under test inside a model: any closure.
pub type Build = std::sync::Arc<dyn Fn() -> Box<dyn Executor> + Send + Sync>;

/// A [`Build`] from a plain function or closure.
pub fn build_with(build: impl Fn() -> Box<dyn Executor> + Send + Sync + 'static) -> Build {
    std::sync::Arc::new(build)
}

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

    pub(super) fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
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
        let rejected = usize::from(crate::watchdog::joined(
            "submitter thread",
            submitter.join(),
        ));
        let outcomes = tally.runs() + report.handed_back.len() + rejected;
        assert_eq!(
            outcomes, 1,
            "the job must run, come back, or be rejected, once"
        );
        assert_eq!(
            report.still_running, 0,
            "a shutdown without a deadline left a job running"
        );
        assert_settled(&**pool, "submit racing shutdown");
    })
}

/// Two jobs accepted before two concurrent shutdowns (a drain and an
/// abort) race their workers finishing: every job runs or is handed back
/// once, at most `bound` run at once, and each call, the moment it
/// returns, finds every worker joined (a second call must not return
/// early on the strength of the first).
pub fn workers_finishing_while_shutdowns_start(build: Build, bound: usize) -> Model {
    Box::new(move || {
        let pool: Arc<Box<dyn Executor>> = Arc::new(build());
        let tally = Tally::default();
        for _ in 0..2 {
            pool.submit(tally.job(bound)).expect("an open pool accepts");
        }
        let aborting = {
            let (pool, tally) = (Arc::clone(&pool), tally.clone());
            thread::spawn(move || {
                let report = pool.shutdown(ShutdownMode::Abort);
                assert_joined(&**pool, &tally, "the concurrent abort");
                report.handed_back.len()
            })
        };
        let drained = pool.shutdown(ShutdownMode::DRAIN);
        assert_joined(&**pool, &tally, "the drain");
        let handed_back =
            drained.handed_back.len() + crate::watchdog::joined("aborting thread", aborting.join());
        assert_eq!(
            tally.runs() + handed_back,
            2,
            "each job runs or comes back once"
        );
        assert_eq!(
            drained.still_running, 0,
            "a drain without a deadline left a job running"
        );
        assert_eq!(
            tally.over_bound(),
            0,
            "more jobs ran at once than the bound"
        );
        assert_settled(&**pool, "workers finishing while shutdowns start");
    })
}

/// What holds the moment a shutdown without a deadline returns: no job
/// runs, inside the jobs or in the books.
pub(super) fn assert_joined(pool: &dyn Executor, tally: &Tally, which: &str) {
    assert_eq!(
        tally.in_flight(),
        0,
        "{which} returned while a job still ran: a shutdown call returned before the workers \
         were joined"
    );
    assert_eq!(
        pool.stats().running,
        0,
        "{which} returned while the books count a job as running"
    );
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
        crate::watchdog::joined("canceller thread", canceller.join());
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
        let theirs = crate::watchdog::joined("other thread", other.join());
        assert!(
            mine && theirs,
            "a blocking submit is accepted once the slot frees"
        );
        pool.shutdown(ShutdownMode::DRAIN);
        assert_eq!(tally.over_bound(), 0, "two jobs held the one slot at once");
        assert_eq!(tally.runs(), 2, "an accepted job did not run");
        assert_settled(&**pool, "permit hand-off");
    })
}

/// One submitter fills the queue and blocks on it (one worker, a queue of
/// two, four jobs): a worker taking jobs wakes it (at the queue's
/// low-water mark), and every job runs.
pub fn blocked_submitter_resumes(build: Build, bound: usize) -> Model {
    Box::new(move || {
        let pool = build();
        let tally = Tally::default();
        for _ in 0..4 {
            assert!(
                pool.submit(tally.job(bound)).is_ok(),
                "a blocking submit is accepted once there is room"
            );
        }
        pool.shutdown(ShutdownMode::DRAIN);
        assert_eq!(tally.runs(), 4, "an accepted job did not run");
        assert_eq!(
            tally.over_bound(),
            0,
            "more jobs ran at once than the bound"
        );
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
        assert_eq!(pool.stats().panicked, 1, "the panic was not counted");
        assert_settled(&*pool, "panic keeps the worker");
    })
}

/// Two jobs finish on two workers at once: the shared counters lose no
/// update.
pub fn counters_under_concurrent_finishes(build: Build, bound: usize) -> Model {
    Box::new(move || {
        let pool = build();
        let tally = Tally::default();
        for _ in 0..2 {
            pool.submit(tally.job(bound)).expect("an open pool accepts");
        }
        let report = pool.shutdown(ShutdownMode::DRAIN);
        assert_eq!(tally.runs(), 2, "an accepted job did not run");
        assert_eq!(report.completed, 2, "a completion was lost");
        assert_eq!(pool.stats().completed, 2, "a completion was lost");
        assert_eq!(
            tally.over_bound(),
            0,
            "more jobs ran at once than the bound"
        );
        assert_settled(&*pool, "concurrent finishes");
    })
}

/// A submit races an idle worker's expiry (under loom every timed wait
/// times out, at every point of the other thread's work): the job is
/// never stranded with a worker that has gone.
pub fn expiry_racing_submit(build: Build, bound: usize) -> Model {
    Box::new(move || {
        let pool: Arc<Box<dyn Executor>> = Arc::new(build());
        let tally = Tally::default();
        pool.submit(tally.job(bound)).expect("an open pool accepts");
        let submitter = {
            let (pool, job) = (Arc::clone(&pool), tally.job(bound));
            thread::spawn(move || pool.submit(job).is_ok())
        };
        assert!(
            crate::watchdog::joined("submitter thread", submitter.join()),
            "a blocking submit is accepted"
        );
        let report = pool.shutdown(ShutdownMode::DRAIN);
        assert_eq!(tally.runs(), 2, "a job was stranded");
        assert_eq!(
            report.still_running, 0,
            "a drain without a deadline left a job running"
        );
        assert_eq!(
            tally.over_bound(),
            0,
            "more jobs ran at once than the bound"
        );
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
        assert!(
            crate::watchdog::joined("resizer thread", resizer.join()),
            "the strategy resizes"
        );
        pool.shutdown(ShutdownMode::DRAIN);
        assert!(accepted >= 1, "the first submit always finds room");
        assert_eq!(tally.runs(), accepted, "an accepted job did not run");
        assert_eq!(
            tally.over_bound(),
            0,
            "more jobs ran at once than the bound in force"
        );
        assert_settled(&**pool, "resize racing submits");
    })
}

/// A built-in configuration, as a plain function.
pub(super) type Plain = fn() -> Box<dyn Executor>;

/// A [`Build`] of a plain function.
pub(super) fn of(build: Plain) -> Build {
    std::sync::Arc::new(build)
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
            submit_racing_shutdown(build.clone(), ShutdownMode::DRAIN),
        ),
        model(
            "submit racing abort",
            submit_racing_shutdown(build.clone(), ShutdownMode::Abort),
        ),
        model(
            "workers finishing while shutdowns start",
            workers_finishing_while_shutdowns_start(build.clone(), usize::MAX),
        ),
        model(
            "cancel racing dequeue",
            cancel_racing_dequeue(build.clone()),
        ),
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
    let queued: [(&str, Plain, usize); 3] = [
        ("fixed", fixed, 1),
        ("dispatcher", dispatcher, 1),
        ("elastic-queued", elastic_queued, 1),
    ];
    let spawning: [(&str, Plain, usize); 4] = [
        ("serial", serial, 1),
        ("semaphore", semaphore, 1),
        ("unbounded", unbounded, usize::MAX),
        ("elastic", elastic, 1),
    ];
    for (strategy, build, _) in queued.iter().chain(&spawning) {
        add(
            strategy,
            "submit racing drain",
            submit_racing_shutdown(of(*build), drain),
        );
        add(
            strategy,
            "submit racing abort",
            submit_racing_shutdown(of(*build), abort),
        );
        add(
            strategy,
            "panic keeps the worker",
            panic_keeps_the_worker(of(*build)),
        );
    }
    for (strategy, build, _) in &queued {
        add(
            strategy,
            "idle worker wakes for a job",
            idle_worker_wakes_for_a_job(of(*build)),
        );
    }
    for (strategy, build, bound) in queued.iter().chain(&spawning[3..]) {
        add(
            strategy,
            "workers finishing while shutdowns start",
            workers_finishing_while_shutdowns_start(of(*build), *bound),
        );
    }
    for (strategy, build, _) in &queued {
        add(
            strategy,
            "cancel racing dequeue",
            cancel_racing_dequeue(of(*build)),
        );
    }
    // The dispatcher's queue is `fixed`'s: the model is not run on it again
    // (with the dispatcher thread's hand-offs it takes minutes).
    for (strategy, build) in [
        ("fixed", fixed as Plain),
        ("elastic-queued", elastic_queued),
    ] {
        add(
            strategy,
            "blocked submitter resumes",
            blocked_submitter_resumes(of(build), 1),
        );
    }
    add(
        "semaphore",
        "permit hand-off",
        permit_hand_off(of(semaphore)),
    );
    add("fixed", "permit hand-off", permit_hand_off(of(fixed)));
    add(
        "fixed",
        "concurrent finishes",
        counters_under_concurrent_finishes(of(fixed_two_workers), 2),
    );
    add(
        "elastic",
        "expiry racing submit",
        expiry_racing_submit(of(elastic), 1),
    );
    add(
        "elastic",
        "resize racing submits",
        resize_racing_submits(of(elastic_fail_fast)),
    );
    suite
}

/// Wraps `make`'s model so that it runs on `subject` built for `config`:
/// if the subject refuses the configuration, the model is noted as
/// skipped ([`super::note_refused`]) and checks nothing.
pub(crate) fn on_subject(
    subject: &PoolSubject,
    title: String,
    config: PoolConfig,
    make: impl Fn(Build) -> Model + Send + Sync + 'static,
) -> NamedModel {
    let builder = subject.builder();
    let name = title.clone();
    NamedModel::new(
        title,
        Box::new(move || {
            let Some(pool) = builder(config.clone()) else {
                super::note_refused(&name);
                return;
            };
            // Built here, inside the checker's execution; the model's one
            // call of its `Build` takes it.
            let slot = std::sync::Mutex::new(Some(pool));
            let build: Build = std::sync::Arc::new(move || {
                slot.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .take()
                    .expect("a model builds its executor once")
            });
            make(build)();
        }),
    )
}

/// Every pool model a subject's promises call for, each on the
/// configuration it needs, named `name: what`: what your executor gets
/// from one call (see `tests/tests/loom_own_executor.rs`). The bound of
/// each configuration is checked inside every job when the subject
/// promises one.
///
/// | model | configuration | applies when |
/// |---|---|---|
/// | submit racing drain, abort | 1 worker, queue 2 | always |
/// | workers finishing while shutdowns start | 1 worker, queue 2 | always |
/// | cancel racing dequeue | 1 worker, queue 2 | always |
/// | panic keeps the worker | 1 worker, queue 2 | always |
/// | idle worker wakes for a job | 1 worker, queue 2 | jobs do not run on the caller |
/// | concurrent finishes | 2 workers, queue 2 | jobs do not run on the caller |
/// | permit hand-off | 1 worker | bounded, not on the caller |
/// | blocked submitter resumes | 1 worker, queue 2 | a queue that fills (`overload`, `queues`) |
/// | resize racing submits | 1 worker, no queue, fail fast | resizable |
/// | (shuttle) submitters awaiting room, submit awaited racing a drain | see [`super::awaiting`] | an async subject |
pub fn subject_suite(subject: &PoolSubject) -> Vec<NamedModel> {
    let promises = subject.promises;
    let name = subject.name();
    let bound = move |workers: usize| {
        if promises.bounded {
            workers
        } else {
            usize::MAX
        }
    };
    let one = PoolConfig::new(1).queue_capacity(2);
    let two = PoolConfig::new(2).queue_capacity(2);
    let mut suite = Vec::new();
    let mut add =
        |what: &str, config: &PoolConfig, make: Box<dyn Fn(Build) -> Model + Send + Sync>| {
            suite.push(on_subject(
                subject,
                format!("{name}: {what}"),
                config.clone(),
                make,
            ));
        };
    add(
        "submit racing drain",
        &one,
        Box::new(|b| submit_racing_shutdown(b, ShutdownMode::DRAIN)),
    );
    add(
        "submit racing abort",
        &one,
        Box::new(|b| submit_racing_shutdown(b, ShutdownMode::Abort)),
    );
    add(
        "workers finishing while shutdowns start",
        &one,
        Box::new(move |b| workers_finishing_while_shutdowns_start(b, bound(1))),
    );
    add(
        "cancel racing dequeue",
        &one,
        Box::new(cancel_racing_dequeue),
    );
    add(
        "panic keeps the worker",
        &one,
        Box::new(panic_keeps_the_worker),
    );
    if !promises.runs_on_caller {
        add(
            "idle worker wakes for a job",
            &one,
            Box::new(idle_worker_wakes_for_a_job),
        );
        add(
            "concurrent finishes",
            &two,
            Box::new(move |b| counters_under_concurrent_finishes(b, bound(2))),
        );
    }
    if promises.bounded && !promises.runs_on_caller {
        add(
            "permit hand-off",
            &PoolConfig::new(1),
            Box::new(permit_hand_off),
        );
    }
    if promises.overload && promises.queues {
        add(
            "blocked submitter resumes",
            &one,
            Box::new(|b| blocked_submitter_resumes(b, 1)),
        );
    }
    if promises.resizable {
        let fail_fast = PoolConfig::new(1)
            .queue_capacity(0)
            .policy(OverloadPolicy::FailFast);
        add(
            "resize racing submits",
            &fail_fast,
            Box::new(resize_racing_submits),
        );
    }
    // An async subject's submits and shutdowns, awaited from shuttle's tasks.
    #[cfg(all(not(loom), feature = "shuttle"))]
    suite.extend(super::awaiting::subject_suite(subject));
    suite
}
